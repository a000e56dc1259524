// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <telcrm/routing/roster.hpp>

#include <algorithm>
#include <numeric>

TELCRM_BEGIN_NAMESPACE

TELCRM_INLINE Roster::Roster(std::span<const Employee> employees, Region default_region,
                             const PhoneNormalizer& normalizer) {
  std::vector<std::size_t> order(employees.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return employees[a].id < employees[b].id; });
  auto shared = std::make_shared<Shared>();
  shared->ids.reserve(order.size());
  shared->phones.reserve(order.size());
  entries_.reserve(order.size());
  for (std::size_t i : order) {
    const Employee& e = employees[i];
    if (!shared->ids.empty() && shared->ids.back() == e.id) continue;  // first one wins
    // R-R3: the first of mobile, personal, work that normalises to a dialable number; a
    // phone that is set but unusable ("n/a") is passed over.
    std::string phone;
    for (const auto* own : {&e.phones.mobile, &e.phones.personal, &e.phones.work}) {
      if (!own->has_value() || (*own)->empty()) continue;
      const PhoneNumber n = normalizer.normalize(**own, default_region);
      if (n.is_dialable()) {
        phone = std::string(n.e164());
        break;
      }
    }
    shared->ids.push_back(e.id);
    shared->phones.push_back(std::move(phone));
    entries_.push_back(RosterEntry{e.id, e.active, e.presence, e.workday});
  }
  shared_ = std::move(shared);
}

TELCRM_INLINE std::ptrdiff_t Roster::index_of(EmployeeId id) const noexcept {
  if (!shared_) return -1;
  const auto& ids = shared_->ids;
  auto it = std::lower_bound(ids.begin(), ids.end(), id);
  return it != ids.end() && *it == id ? it - ids.begin() : -1;
}

TELCRM_INLINE const RosterEntry* Roster::find(EmployeeId id) const noexcept {
  const auto i = index_of(id);
  return i < 0 ? nullptr : &entries_[static_cast<std::size_t>(i)];
}

TELCRM_INLINE std::string_view Roster::own_phone(EmployeeId id) const noexcept {
  const auto i = index_of(id);
  return i < 0 ? std::string_view{}
               : std::string_view(shared_->phones[static_cast<std::size_t>(i)]);
}

TELCRM_INLINE bool Roster::set_presence(EmployeeId id, Presence presence) noexcept {
  const auto i = index_of(id);
  if (i < 0) return false;
  entries_[static_cast<std::size_t>(i)].presence = presence;
  return true;
}

TELCRM_INLINE bool Roster::set_workday(EmployeeId id, Workday workday) noexcept {
  const auto i = index_of(id);
  if (i < 0) return false;
  entries_[static_cast<std::size_t>(i)].workday = workday;
  return true;
}

TELCRM_INLINE bool Roster::set_active(EmployeeId id, bool active) noexcept {
  const auto i = index_of(id);
  if (i < 0) return false;
  entries_[static_cast<std::size_t>(i)].active = active;
  return true;
}

TELCRM_END_NAMESPACE
