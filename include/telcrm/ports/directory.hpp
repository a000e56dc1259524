// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// The Directory port: the host's employees, their phones, presence and working day.

#include <telcrm/config.hpp>
#include <telcrm/crm/employee.hpp>
#include <telcrm/result.hpp>

#include <cstdint>
#include <optional>
#include <vector>

TELCRM_BEGIN_NAMESPACE

/// The host's employee directory, implemented by the host (telcrm ships MemoryDirectory,
/// and the SQLite and PostgreSQL stores are directories too). It is the one source of
/// employees: settings name employees by id, and CallEngine::create() and
/// update_settings() check those ids against it.
///
/// **When telcrm calls it.** version() when a call starts; employees() only when the
/// version moved (and once at start). A queue member who has left the directory is not rung
/// and is reported to the Observer; that is never an error for the call.
///
/// Thread safety: every method may be called from several threads at once. Blocking: answer
/// from memory — a call waits for version().
class Directory {
 public:
  virtual ~Directory() = default;

  /// Every employee, active or not, ordered by id.
  [[nodiscard]] virtual Result<std::vector<Employee>> employees() const = 0;
  /// One employee; nullopt when the id is unknown.
  [[nodiscard]] virtual Result<std::optional<Employee>> find_employee(EmployeeId id) const = 0;
  /// A number that changes whenever any employee changes (phones, presence, activity…), so
  /// telcrm reads employees() again only then. 0 means "never changes": read once, at start.
  [[nodiscard]] virtual Result<std::uint64_t> version() const { return std::uint64_t{0}; }
};

TELCRM_END_NAMESPACE
