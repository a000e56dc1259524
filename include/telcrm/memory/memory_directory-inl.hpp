// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <telcrm/memory/memory_directory.hpp>

#include <mutex>

TELCRM_BEGIN_NAMESPACE

TELCRM_INLINE MemoryDirectory::MemoryDirectory(const std::vector<Employee>& employees) {
  for (const auto& e : employees) employees_[e.id] = e;
}

TELCRM_INLINE Result<std::vector<Employee>> MemoryDirectory::employees() const {
  std::shared_lock lock(mutex_);
  std::vector<Employee> out;
  out.reserve(employees_.size());
  for (const auto& [id, e] : employees_) out.push_back(e);
  return out;
}

TELCRM_INLINE Result<std::optional<Employee>> MemoryDirectory::find_employee(EmployeeId id) const {
  std::shared_lock lock(mutex_);
  auto it = employees_.find(id);
  if (it == employees_.end()) return std::optional<Employee>{};
  return std::optional<Employee>{it->second};
}

TELCRM_INLINE Result<std::uint64_t> MemoryDirectory::version() const {
  return version_.load(std::memory_order_acquire);
}

TELCRM_INLINE void MemoryDirectory::upsert(const Employee& employee) {
  std::unique_lock lock(mutex_);
  employees_[employee.id] = employee;
  version_.fetch_add(1, std::memory_order_acq_rel);
}

TELCRM_INLINE bool MemoryDirectory::remove(EmployeeId id) {
  std::unique_lock lock(mutex_);
  if (employees_.erase(id) == 0) return false;
  version_.fetch_add(1, std::memory_order_acq_rel);
  return true;
}

TELCRM_INLINE bool MemoryDirectory::set_presence(EmployeeId id, Presence presence) {
  std::unique_lock lock(mutex_);
  auto it = employees_.find(id);
  if (it == employees_.end()) return false;
  it->second.presence = presence;
  version_.fetch_add(1, std::memory_order_acq_rel);
  return true;
}

TELCRM_INLINE bool MemoryDirectory::set_workday(EmployeeId id, Workday workday) {
  std::unique_lock lock(mutex_);
  auto it = employees_.find(id);
  if (it == employees_.end()) return false;
  it->second.workday = workday;
  version_.fetch_add(1, std::memory_order_acq_rel);
  return true;
}

TELCRM_END_NAMESPACE
