// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <telcrm/routing/queue_stats.hpp>

#include <algorithm>

TELCRM_BEGIN_NAMESPACE

TELCRM_INLINE void QueueStats::record_offer(EmployeeId employee, Timestamp at) {
  auto [slot, inserted] = offers_.try_emplace(employee, at);
  if (!inserted && slot->second < at) slot->second = at;
}

TELCRM_INLINE void QueueStats::apply(const QueueOffer& offer) {
  for (EmployeeId e : offer.employees) record_offer(e, offer.at);
}

TELCRM_INLINE void QueueStats::undo(const QueueOffer& offer,
                                    std::span<const std::optional<Timestamp>> before) {
  for (std::size_t i = 0; i < offer.employees.size(); ++i) {
    auto it = offers_.find(offer.employees[i]);
    if (it == offers_.end() || it->second != offer.at) continue;  // a later offer stands
    const std::optional<Timestamp> previous = i < before.size() ? before[i] : std::nullopt;
    if (previous)
      it->second = *previous;
    else
      offers_.erase(it);
  }
}

TELCRM_INLINE void QueueStats::record_answer(EmployeeId employee, Timestamp answered_at,
                                             Timestamp call_end) {
  Answers& a = answers_[employee];
  const auto date = std::chrono::floor<std::chrono::days>(answered_at);
  auto it = std::lower_bound(a.per_day.begin(), a.per_day.end(), date,
                             [](const auto& entry, auto d) { return entry.first < d; });
  if (it != a.per_day.end() && it->first == date)
    ++it->second;
  else
    a.per_day.insert(it, {date, 1});
  if (!a.last_end || *a.last_end < call_end) a.last_end = call_end;
}

TELCRM_INLINE std::optional<Timestamp> QueueStats::last_offer(EmployeeId employee) const {
  auto it = offers_.find(employee);
  if (it == offers_.end()) return std::nullopt;
  return it->second;
}

TELCRM_INLINE int QueueStats::answered_on(EmployeeId employee, std::chrono::sys_days date) const {
  auto a = answers_.find(employee);
  if (a == answers_.end()) return 0;
  const auto& days = a->second.per_day;
  auto it = std::lower_bound(days.begin(), days.end(), date,
                             [](const auto& entry, auto d) { return entry.first < d; });
  return it != days.end() && it->first == date ? it->second : 0;
}

TELCRM_INLINE std::optional<Timestamp> QueueStats::last_call_end(EmployeeId employee) const {
  auto a = answers_.find(employee);
  return a == answers_.end() ? std::nullopt : a->second.last_end;
}

TELCRM_INLINE void QueueStats::forget_answers_before(std::chrono::sys_days date) {
  for (auto& [employee, a] : answers_) {
    auto keep = std::lower_bound(a.per_day.begin(), a.per_day.end(), date,
                                 [](const auto& entry, auto d) { return entry.first < d; });
    a.per_day.erase(a.per_day.begin(), keep);
  }
}

TELCRM_END_NAMESPACE
