// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <telcrm/crm/employee_index.hpp>
#include <telcrm/crm/index_keys.hpp>

#include <algorithm>

TELCRM_BEGIN_NAMESPACE

TELCRM_INLINE EmployeeIndex::EmployeeIndex(std::span<const Employee> employees,
                                           Region default_region, const PhoneNormalizer& normalizer)
    : employees_(employees.begin(), employees.end()) {
  std::stable_sort(employees_.begin(), employees_.end(),
                   [](const Employee& a, const Employee& b) { return a.id < b.id; });
  for (const auto& e : employees_) {
    if (!e.active) continue;  // R-X2 names an *active* employee's phones
    for (const auto* phone : {&e.phones.mobile, &e.phones.personal, &e.phones.work}) {
      if (!phone->has_value()) continue;
      const PhoneNumber n = normalizer.normalize(**phone, default_region);
      const std::uint64_t key = n.is_dialable() ? n.key() : raw_key(n.digits());
      if (key != 0) numbers_.emplace_back(key, e.id);
    }
    if (e.extension) {
      std::string digits;
      for (char c : *e.extension)
        if (c >= '0' && c <= '9') digits += c;
      if (auto key = raw_key(digits); key != 0) numbers_.emplace_back(key, e.id);
    }
  }
  // The first employee (lowest id) wins when two share a number.
  std::stable_sort(numbers_.begin(), numbers_.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
}

TELCRM_INLINE std::optional<EmployeeId> EmployeeIndex::owner_of(const PhoneNumber& number) const {
  for (std::uint64_t key : {number.is_dialable() ? number.key() : 0, raw_key(number.digits())}) {
    if (key == 0) continue;
    auto it = std::lower_bound(numbers_.begin(), numbers_.end(), key,
                               [](const auto& entry, std::uint64_t k) { return entry.first < k; });
    if (it != numbers_.end() && it->first == key) return it->second;
  }
  return std::nullopt;
}

TELCRM_INLINE const Employee* EmployeeIndex::find(EmployeeId id) const {
  auto it = std::lower_bound(employees_.begin(), employees_.end(), id,
                             [](const Employee& e, EmployeeId i) { return e.id < i; });
  return it != employees_.end() && it->id == id ? &*it : nullptr;
}

TELCRM_INLINE bool EmployeeIndex::is_active(EmployeeId id) const {
  const Employee* e = find(id);
  return e != nullptr && e->active;
}

TELCRM_END_NAMESPACE
