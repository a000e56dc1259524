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
  std::vector<Contact> contacts{};
  std::vector<Company> companies{};
  std::vector<Lead> leads{};
  std::vector<Deal> deals{};
  std::vector<Invoice> invoices{};
  std::vector<CallActivity> activities{};
  std::vector<MissedCall> missed_calls{};  ///< in call order
  std::vector<CallRecord> history{};       ///< in call order
  friend bool operator==(const CrmSnapshot&, const CrmSnapshot&) = default;
};

TELCRM_END_NAMESPACE
