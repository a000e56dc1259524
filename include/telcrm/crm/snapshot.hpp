// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// CrmSnapshot: the whole CRM as plain values (the scenario format's `crm` section).

#include <telcrm/config.hpp>
#include <telcrm/crm/activity.hpp>
#include <telcrm/crm/entity.hpp>

#include <vector>

TELCRM_BEGIN_NAMESPACE

/// Every record of a CRM, each list ordered by id. Used to seed and inspect stores, and by
/// the JSON import/export.
struct CrmSnapshot {
  std::vector<Contact> contacts{};         ///< by id
  std::vector<Company> companies{};        ///< by id
  std::vector<Lead> leads{};               ///< by id
  std::vector<Deal> deals{};               ///< by id
  std::vector<Invoice> invoices{};         ///< by id
  std::vector<CallActivity> activities{};  ///< by id
  std::vector<MissedCall> missed_calls{};  ///< in call order
  std::vector<CallRecord> history{};       ///< in call order
  /// Equal when every member is.
  friend bool operator==(const CrmSnapshot&, const CrmSnapshot&) = default;
};

TELCRM_END_NAMESPACE
