// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// MemoryDirectory: an in-memory, thread-safe Directory (shipped for hosts' tests and
/// for `telcrm replay`).

#include <telcrm/config.hpp>
#include <telcrm/ports/directory.hpp>

#include <atomic>
#include <map>
#include <shared_mutex>
#include <vector>

TELCRM_BEGIN_NAMESPACE

// The overriders are declared TELCRM_INLINE as well as defined so: header-only, a virtual
// function declared without `inline` becomes the class's key function, and every file that
// includes this header would emit the vtable and compile every overrider it points to.
/// Employees held in memory. Thread-safe: readers share a lock, changes take it alone.
class MemoryDirectory final : public Directory {
 public:
  MemoryDirectory() = default;
  /// A directory holding `employees`.
  explicit MemoryDirectory(const std::vector<Employee>& employees);

  [[nodiscard]] TELCRM_INLINE Result<std::vector<Employee>> employees() const override;
  [[nodiscard]] TELCRM_INLINE Result<std::optional<Employee>> find_employee(
      EmployeeId id) const override;
  [[nodiscard]] TELCRM_INLINE Result<std::uint64_t> version() const override;

  /// Adds or replaces an employee.
  void upsert(const Employee& employee);
  /// Removes an employee; false when unknown.
  bool remove(EmployeeId id);
  /// Sets one employee's presence; false when unknown.
  bool set_presence(EmployeeId id, Presence presence);
  /// Sets one employee's working-day state; false when unknown.
  bool set_workday(EmployeeId id, Workday workday);

 private:
  mutable std::shared_mutex mutex_;
  std::map<EmployeeId, Employee> employees_;
  std::atomic<std::uint64_t> version_{1};
};

TELCRM_END_NAMESPACE

#ifdef TELCRM_HEADER_ONLY
#include <telcrm/memory/memory_directory-inl.hpp>
#endif
