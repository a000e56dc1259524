// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// Roster: the employees as routing sees them during one call — active, presence,
/// working day — and the E.164 of each one's own phone.

#include <telcrm/config.hpp>
#include <telcrm/crm/employee.hpp>
#include <telcrm/phone/phone_normalizer.hpp>

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

TELCRM_BEGIN_NAMESPACE

/// One employee's state for routing.
struct RosterEntry {
  EmployeeId id = 0;                     ///< the employee
  bool active = true;                    ///< inactive employees are never rung
  Presence presence = Presence::online;  ///< busy and offline employees are not rung (R-R2, R-Q3)
  Workday workday =
      Workday::untracked;  ///< for lines that ring only employees who started their day
  /// Equal when every member is.
  friend constexpr bool operator==(const RosterEntry&, const RosterEntry&) = default;
};

/// The employees' routing state for one call, built once from the directory and patched per
/// call (a scenario call's `presence` overrides).
///
/// A value: copying shares the immutable part (ids and phones) and copies only the small
/// per-employee state, so `Roster per_call = base; per_call.set_presence(2, busy);` is cheap.
/// Not synchronised: a const Roster may be read by many threads; changing one is the owner's.
class Roster {
 public:
  /// An empty roster: nobody can be rung.
  Roster() = default;
  /// The employees (in any order; a repeated id keeps its first entry). Own phones — the
  /// first set of mobile, personal, work (R-R3) — are normalised against `default_region`
  /// (R-N2); one that does not normalise counts as no phone.
  Roster(std::span<const Employee> employees, Region default_region,
         const PhoneNormalizer& normalizer = PhoneNormalizer());

  /// The employee's state; nullptr when the id is not in the roster.
  [[nodiscard]] const RosterEntry* find(EmployeeId id) const noexcept;
  /// The E.164 of the employee's own phone; empty when none (or not in the roster).
  [[nodiscard]] std::string_view own_phone(EmployeeId id) const noexcept;

  /// Overrides an employee's presence for this roster; false when the id is unknown.
  bool set_presence(EmployeeId id, Presence presence) noexcept;
  /// Overrides an employee's working day; false when the id is unknown.
  bool set_workday(EmployeeId id, Workday workday) noexcept;
  /// Overrides whether an employee is active; false when the id is unknown.
  bool set_active(EmployeeId id, bool active) noexcept;

  /// How many employees the roster holds.
  [[nodiscard]] std::size_t size() const noexcept { return entries_.size(); }
  /// The entries, ordered by id.
  [[nodiscard]] std::span<const RosterEntry> entries() const noexcept { return entries_; }

 private:
  struct Shared {
    std::vector<EmployeeId> ids;      // sorted
    std::vector<std::string> phones;  // E.164 of the own phone, parallel to ids
  };
  [[nodiscard]] std::ptrdiff_t index_of(EmployeeId id) const noexcept;

  std::shared_ptr<const Shared> shared_;
  std::vector<RosterEntry> entries_;  // parallel to shared_->ids
};

TELCRM_END_NAMESPACE

#ifdef TELCRM_HEADER_ONLY
#include <telcrm/routing/roster-inl.hpp>
#endif
