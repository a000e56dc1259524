// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// EmployeeIndex: whose number is whose among employees (R-X2), and who is active
/// (R-M4). An immutable value, rebuilt when the directory changes.

#include <telcrm/config.hpp>
#include <telcrm/crm/employee.hpp>
#include <telcrm/phone/phone_normalizer.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <utility>
#include <vector>

TELCRM_BEGIN_NAMESPACE

/// Employees by id, with their phones and extensions indexed.
class EmployeeIndex {
 public:
  EmployeeIndex() = default;
  /// Indexes `employees`; their phones are read against `default_region` (R-N2).
  EmployeeIndex(std::span<const Employee> employees, Region default_region,
                const PhoneNormalizer& normalizer = PhoneNormalizer());

  /// The active employee whose mobile, personal or work phone (in E.164) or inner extension
  /// (as digits) `number` is; nullopt for anyone else (R-X2).
  [[nodiscard]] std::optional<EmployeeId> owner_of(const PhoneNumber& number) const;
  /// The employee with this id; nullptr when unknown.
  [[nodiscard]] const Employee* find(EmployeeId id) const;
  /// True when the employee exists and is active.
  [[nodiscard]] bool is_active(EmployeeId id) const;
  /// The employees, ordered by id.
  [[nodiscard]] std::span<const Employee> employees() const noexcept { return employees_; }

 private:
  std::vector<Employee> employees_;                            // by id
  std::vector<std::pair<std::uint64_t, EmployeeId>> numbers_;  // sorted by key
};

TELCRM_END_NAMESPACE

#ifdef TELCRM_HEADER_ONLY
#include <telcrm/crm/employee_index-inl.hpp>
#endif
