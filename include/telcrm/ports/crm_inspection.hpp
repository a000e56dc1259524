// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// CrmInspection (optional part of the CrmStore port): whole-CRM reads for tools, exports and
/// simulations (`telcrm replay`, `telcrm crm export`). The engine never uses it.

#include <telcrm/config.hpp>
#include <telcrm/crm/entity.hpp>
#include <telcrm/crm/snapshot.hpp>
#include <telcrm/result.hpp>

#include <vector>

TELCRM_BEGIN_NAMESPACE

/// Whole-CRM reads a store may offer (CrmStore::inspection()). Thread-safe.
class CrmInspection {
 public:
  virtual ~CrmInspection() = default;
  /// The open deals of a contact or company, most recently modified first (R-M5).
  [[nodiscard]] virtual Result<std::vector<Deal>> open_deals_of(EntityRef client) const = 0;
  /// The in-progress repeat leads bound to a contact or company (R-L6).
  [[nodiscard]] virtual Result<std::vector<Lead>> open_repeat_leads_of(EntityRef client) const = 0;
  /// Everything, each list ordered by id.
  [[nodiscard]] virtual Result<CrmSnapshot> snapshot() const = 0;
};

TELCRM_END_NAMESPACE
