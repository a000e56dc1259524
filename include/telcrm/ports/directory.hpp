// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file The Directory port: the host's employees, their phones, presence and working day.

#include <telcrm/config.hpp>
#include <telcrm/crm/employee.hpp>
#include <telcrm/result.hpp>

#include <cstdint>
#include <optional>
#include <vector>

TELCRM_BEGIN_NAMESPACE

/// The host's employee directory, implemented by the host (telcrm ships MemoryDirectory).
///
/// Thread safety: every method may be called from several threads at once. Blocking: calls
/// should answer from memory; telcrm reads the directory when a call starts and when
/// version() changes, never while a caller waits on a slow directory.
class Directory {
 public:
  virtual ~Directory() = default;

  /// Every employee, active or not, ordered by id.
  [[nodiscard]] virtual Result<std::vector<Employee>> employees() const = 0;
  /// One employee; nullopt when the id is unknown.
  [[nodiscard]] virtual Result<std::optional<Employee>> find_employee(EmployeeId id) const = 0;
  /// A number that changes whenever any employee changes (phones, presence, activity…), so
  /// telcrm can cache what it derives from the directory. The default never changes.
  [[nodiscard]] virtual Result<std::uint64_t> version() const { return std::uint64_t{0}; }
};

TELCRM_END_NAMESPACE
