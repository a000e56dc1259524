// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <telcrm/pbx/presence_directory.hpp>

#include <algorithm>
#include <mutex>

TELCRM_BEGIN_NAMESPACE
namespace pbx {

TELCRM_INLINE Result<void> PresenceDirectory::refresh() {
  // Read outside the lock: the base may block (a database), readers must not wait for it.
  auto version = base_.version();
  if (!version) return fail(version.error());
  {
    std::shared_lock lock(mutex_);
    // A base whose version is 0 never changes: read once (Directory's contract).
    if (base_version_ && (*base_version_ == *version || *version == 0)) return {};
  }
  auto staff = base_.employees();
  if (!staff) return fail(staff.error());
  std::unique_lock lock(mutex_);
  base_version_ = *version;
  base_employees_ = std::move(*staff);
  book_ = std::make_shared<const ExtensionBook>(base_employees_);
  rebuild_locked();
  ++version_;  // the base moved: the engine must read again even if presence did not change
  return {};
}

TELCRM_INLINE void PresenceDirectory::rebuild_locked() {
  std::vector<Employee> merged = base_employees_;
  for (auto& e : merged) {
    auto it = overlay_.find(e.id);
    if (it == overlay_.end()) continue;
    const Overlay& o = it->second;
    if (o.registered == false)
      e.presence = Presence::offline;
    else if (o.busy || !o.calls.empty())
      e.presence = Presence::busy;
    else if (o.registered == true)
      e.presence = Presence::online;
  }
  if (merged != merged_) {
    merged_ = std::move(merged);
    ++version_;
  }
}

TELCRM_INLINE Result<std::vector<Employee>> PresenceDirectory::employees() const {
  std::shared_lock lock(mutex_);
  return merged_;
}

TELCRM_INLINE Result<std::optional<Employee>> PresenceDirectory::find_employee(
    EmployeeId id) const {
  std::shared_lock lock(mutex_);
  auto it = std::lower_bound(merged_.begin(), merged_.end(), id,
                             [](const Employee& e, EmployeeId v) { return e.id < v; });
  if (it != merged_.end() && it->id == id) return std::optional<Employee>(*it);
  for (const auto& e : merged_)  // a base that does not keep id order
    if (e.id == id) return std::optional<Employee>(e);
  return std::optional<Employee>{};
}

TELCRM_INLINE Result<std::uint64_t> PresenceDirectory::version() const {
  std::shared_lock lock(mutex_);
  return version_;
}

TELCRM_INLINE std::optional<EmployeeId> PresenceDirectory::report(std::string_view extension,
                                                                  PresenceEvent event) {
  std::unique_lock lock(mutex_);
  auto id = book_->employee_of(extension);
  if (!id) return std::nullopt;
  Overlay& o = overlay_[*id];
  switch (event) {
    case PresenceEvent::online: o.registered = true; break;  // a refresh keeps `busy`
    case PresenceEvent::offline:
      o.registered = false;
      o.busy = false;
      break;
    case PresenceEvent::busy: o.busy = true; break;
    case PresenceEvent::idle: o.busy = false; break;
  }
  rebuild_locked();
  return id;
}

TELCRM_INLINE void PresenceDirectory::call_started(EmployeeId employee, std::string_view call) {
  std::unique_lock lock(mutex_);
  overlay_[employee].calls.emplace(call);
  rebuild_locked();
}

TELCRM_INLINE void PresenceDirectory::call_ended(std::string_view call) {
  std::unique_lock lock(mutex_);
  bool changed = false;
  for (auto& [id, o] : overlay_) {
    auto it = o.calls.find(std::string(call));
    if (it == o.calls.end()) continue;
    o.calls.erase(it);
    changed = true;
  }
  if (changed) rebuild_locked();
}

TELCRM_INLINE std::shared_ptr<const ExtensionBook> PresenceDirectory::extensions() const {
  std::shared_lock lock(mutex_);
  return book_;
}

}  // namespace pbx
TELCRM_END_NAMESPACE
