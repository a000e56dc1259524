// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <telcrm/settings/access.hpp>
#include <telcrm/settings/validate.hpp>

#include <algorithm>
#include <utility>

TELCRM_BEGIN_NAMESPACE

TELCRM_INLINE Result<AccessRights> AccessRights::create(std::vector<Role> roles,
                                                        std::vector<EmployeeAccess> employees) {
  AccessRights out;
  std::sort(roles.begin(), roles.end(), [](const Role& a, const Role& b) { return a.id < b.id; });
  for (std::size_t i = 1; i < roles.size(); ++i)
    if (roles[i].id == roles[i - 1].id)
      return fail(Errc::invalid_argument, "access rights: duplicate role '" + roles[i].id + "'");
  std::sort(
      employees.begin(), employees.end(),
      [](const EmployeeAccess& a, const EmployeeAccess& b) { return a.employee < b.employee; });
  for (std::size_t i = 0; i < employees.size(); ++i) {
    if (i > 0 && employees[i].employee == employees[i - 1].employee)
      return fail(
          Errc::invalid_argument,
          "access rights: employee " + std::to_string(employees[i].employee) + " is listed twice");
    for (const auto& role : employees[i].roles) {
      auto it = std::lower_bound(roles.begin(), roles.end(), role,
                                 [](const Role& r, const std::string& id) { return r.id < id; });
      if (it == roles.end() || it->id != role)
        return fail(Errc::not_found, "access rights: employee " +
                                         std::to_string(employees[i].employee) + ": role '" + role +
                                         "' does not exist");
    }
  }
  out.roles_ = std::move(roles);
  out.employees_ = std::move(employees);
  return out;
}

TELCRM_INLINE const EmployeeAccess* AccessRights::find(EmployeeId employee) const {
  auto it =
      std::lower_bound(employees_.begin(), employees_.end(), employee,
                       [](const EmployeeAccess& u, EmployeeId id) { return u.employee < id; });
  return it != employees_.end() && it->employee == employee ? &*it : nullptr;
}

TELCRM_INLINE bool AccessRights::is_administrator(EmployeeId employee) const {
  const EmployeeAccess* u = find(employee);
  return u != nullptr && u->administrator;
}

TELCRM_INLINE Permissions AccessRights::permissions_of(EmployeeId employee) const {
  const EmployeeAccess* u = find(employee);
  if (u == nullptr) return {};
  if (u->administrator) return Permissions::everything();
  Permissions out;
  for (const auto& role : u->roles) {
    auto it = std::lower_bound(roles_.begin(), roles_.end(), role,
                               [](const Role& r, const std::string& id) { return r.id < id; });
    if (it != roles_.end() && it->id == role) out = highest(out, it->permissions);
  }
  return out;
}

TELCRM_INLINE bool AccessRights::level_allows(AccessLevel level, EmployeeId viewer,
                                              std::optional<EmployeeId> call_employee) const {
  switch (level) {
    case AccessLevel::none: return false;
    case AccessLevel::all: return true;
    case AccessLevel::own: return call_employee == viewer;
    case AccessLevel::department: {
      if (call_employee == viewer) return true;
      if (!call_employee) return false;
      const EmployeeAccess* a = find(viewer);
      const EmployeeAccess* b = find(*call_employee);
      return a != nullptr && b != nullptr && a->department && a->department == b->department;
    }
  }
  return false;
}

TELCRM_INLINE bool AccessRights::can_view_call(EmployeeId viewer,
                                               std::optional<EmployeeId> call_employee) const {
  return level_allows(permissions_of(viewer).call_details, viewer, call_employee);
}

TELCRM_INLINE bool AccessRights::can_listen_to_record(
    EmployeeId listener, std::optional<EmployeeId> call_employee) const {
  return level_allows(permissions_of(listener).records, listener, call_employee);
}

TELCRM_INLINE bool AccessRights::can_call(EmployeeId employee, const MatchResult& dialled) const {
  switch (permissions_of(employee).calls) {
    case CallAccess::none: return false;
    case CallAccess::crm_clients: return dialled.crm == CrmState::matched;
    case CallAccess::clients_and_employees:
      return dialled.crm == CrmState::matched || dialled.crm == CrmState::employee;
    case CallAccess::any: return true;
  }
  return false;
}

TELCRM_INLINE bool AccessRights::can_change_settings(EmployeeId employee) const {
  return permissions_of(employee).settings == SettingsAccess::all;
}

TELCRM_INLINE SettingsService::SettingsService(IntegrationSettings initial, AccessRights rights)
    : rights_(std::move(rights)),
      settings_(std::make_shared<const IntegrationSettings>(std::move(initial))) {}

TELCRM_INLINE std::shared_ptr<const IntegrationSettings> SettingsService::current() const {
  std::lock_guard lock(mutex_);
  return settings_;
}

TELCRM_INLINE std::uint64_t SettingsService::version() const {
  std::lock_guard lock(mutex_);
  return version_;
}

TELCRM_INLINE Result<void> SettingsService::apply(IntegrationSettings next) {
  if (auto ok = check_settings(next); !ok) return fail(ok.error());
  auto snapshot = std::make_shared<const IntegrationSettings>(std::move(next));
  std::lock_guard lock(mutex_);
  settings_ = std::move(snapshot);
  ++version_;
  return {};
}

TELCRM_INLINE Result<void> SettingsService::replace(EmployeeId employee, IntegrationSettings next) {
  if (!rights_.can_change_settings(employee))
    return fail(Errc::permission_denied,
                "employee " + std::to_string(employee) + " may not change the telephony settings");
  std::lock_guard writer(write_mutex_);
  return apply(std::move(next));
}

TELCRM_INLINE Result<void> SettingsService::update_line(EmployeeId employee, LineSettings line) {
  if (!rights_.can_change_settings(employee))
    return fail(Errc::permission_denied, "employee " + std::to_string(employee) +
                                             " may not change the settings of line " + line.number);
  std::lock_guard writer(write_mutex_);
  IntegrationSettings next = *current();
  auto it = std::find_if(next.lines.begin(), next.lines.end(),
                         [&](const LineSettings& l) { return l.number == line.number; });
  if (it == next.lines.end())
    return fail(Errc::not_found, "line '" + line.number + "' does not exist");
  *it = std::move(line);
  return apply(std::move(next));
}

TELCRM_END_NAMESPACE
