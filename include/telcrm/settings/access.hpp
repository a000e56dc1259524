// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// Access rights (R-P1, R-P2): roles with levels, a user's effective permissions, and
/// SettingsService, which changes settings only for users with the settings right.

#include <telcrm/config.hpp>
#include <telcrm/crm/entity.hpp>
#include <telcrm/crm/match_result.hpp>
#include <telcrm/detail/enum_format.hpp>
#include <telcrm/result.hpp>
#include <telcrm/settings/settings.hpp>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

TELCRM_BEGIN_NAMESPACE

/// How much of the call history a user may see (call details) or hear (records). Ordered:
/// a higher level includes the lower ones.
enum class AccessLevel : std::uint8_t {
  none,        ///< nothing
  own,         ///< calls the user had
  department,  ///< calls of anyone in the user's department
  all,         ///< every call
};
/// The value's name, as fmt prints it.
constexpr std::string_view format_as(AccessLevel l) noexcept {
  switch (l) {
    case AccessLevel::none: return "none";
    case AccessLevel::own: return "own";
    case AccessLevel::department: return "department";
    case AccessLevel::all: return "all";
  }
  return "unknown";
}

/// Whom a user may call. Ordered: a higher level includes the lower ones.
enum class CallAccess : std::uint8_t {
  none,                   ///< no outgoing calls
  crm_clients,            ///< numbers of CRM clients only
  clients_and_employees,  ///< CRM clients and employees' numbers
  any,                    ///< any number
};
/// The value's name, as fmt prints it.
constexpr std::string_view format_as(CallAccess c) noexcept {
  switch (c) {
    case CallAccess::none: return "none";
    case CallAccess::crm_clients: return "crm_clients";
    case CallAccess::clients_and_employees: return "clients_and_employees";
    case CallAccess::any: return "any";
  }
  return "unknown";
}

/// Whether a user may change the telephony ⇄ CRM settings.
enum class SettingsAccess : std::uint8_t { none, all };
/// The value's name, as fmt prints it.
constexpr std::string_view format_as(SettingsAccess s) noexcept {
  return s == SettingsAccess::none ? "none" : "all";
}

/// A set of rights, as a role grants them or as a user ends up with them.
struct Permissions {
  AccessLevel call_details = AccessLevel::none;    ///< whose calls' details the user sees (R-P2)
  AccessLevel records = AccessLevel::none;         ///< whose CRM records the user sees
  CallAccess calls = CallAccess::none;             ///< which calls the user may make
  SettingsAccess settings = SettingsAccess::none;  ///< whether the user may change the settings

  /// Everything: what an administrator has (R-P1).
  [[nodiscard]] static constexpr Permissions everything() noexcept {
    return {AccessLevel::all, AccessLevel::all, CallAccess::any, SettingsAccess::all};
  }
  /// Equal when every member is.
  friend constexpr bool operator==(const Permissions&, const Permissions&) = default;
};

/// The highest level of each right over `a` and `b`.
[[nodiscard]] constexpr Permissions highest(const Permissions& a, const Permissions& b) noexcept {
  return {std::max(a.call_details, b.call_details), std::max(a.records, b.records),
          std::max(a.calls, b.calls), std::max(a.settings, b.settings)};
}

/// A named role and the rights it grants.
struct Role {
  std::string id{};           ///< the role's name
  Permissions permissions{};  ///< what it grants
  /// Equal when every member is.
  friend bool operator==(const Role&, const Role&) = default;
};

/// One user's roles.
struct EmployeeAccess {
  EmployeeId employee = 0;                   ///< the user
  bool administrator = false;                ///< has every right (R-P1)
  std::vector<std::string> roles{};          ///< role ids
  std::optional<std::int64_t> department{};  ///< for the `department` level
  /// Equal when every member is.
  friend bool operator==(const EmployeeAccess&, const EmployeeAccess&) = default;
};

/// The access rights of every user (R-P1): an administrator has everything; anyone else the
/// highest level granted by any of their roles; an unknown user nothing. An immutable value;
/// thread-safe to read.
class AccessRights {
 public:
  /// Nobody has any right.
  AccessRights() = default;
  /// Checks and indexes roles and users. Errors: Errc::invalid_argument for a duplicate role
  /// id or user, Errc::not_found for a user naming a role that does not exist.
  [[nodiscard]] static Result<AccessRights> create(std::vector<Role> roles,
                                                   std::vector<EmployeeAccess> employees);

  /// The user's effective permissions.
  [[nodiscard]] Permissions permissions_of(EmployeeId employee) const;
  /// True for an administrator: every right (R-P1).
  [[nodiscard]] bool is_administrator(EmployeeId employee) const;

  /// True when `viewer` may see the details of a call had by `call_employee` (nullopt: a call
  /// nobody had, visible only at level `all`).
  [[nodiscard]] bool can_view_call(EmployeeId viewer,
                                   std::optional<EmployeeId> call_employee) const;
  /// True when `listener` may hear the recording of a call had by `call_employee`.
  [[nodiscard]] bool can_listen_to_record(EmployeeId listener,
                                          std::optional<EmployeeId> call_employee) const;
  /// True when `user` may call the number the matcher resolved to `dialled` (CrmMatcher on
  /// the dialled number): `crm_clients` needs `matched`; `clients_and_employees` also
  /// accepts `employee`; an excepted number or a line without CRM lookup is not a client.
  [[nodiscard]] bool can_call(EmployeeId employee, const MatchResult& dialled) const;
  /// True when `user` may change settings (R-P2).
  [[nodiscard]] bool can_change_settings(EmployeeId employee) const;

 private:
  [[nodiscard]] const EmployeeAccess* find(EmployeeId employee) const;
  [[nodiscard]] bool level_allows(AccessLevel level, EmployeeId viewer,
                                  std::optional<EmployeeId> call_employee) const;

  std::vector<Role> roles_;                // sorted by id
  std::vector<EmployeeAccess> employees_;  // sorted by employee
};

/// The integration settings guarded by access rights (R-P2): a change applies only when the
/// acting user has the settings right and the new settings validate; otherwise nothing
/// changes.
///
/// Thread safety: any thread may read or change it; readers get an immutable snapshot and
/// never wait for a writer's validation.
class SettingsService {
 public:
  /// A service holding `initial`, changed by users as `rights` allow.
  SettingsService(IntegrationSettings initial, AccessRights rights);

  /// The current settings (an immutable snapshot).
  [[nodiscard]] std::shared_ptr<const IntegrationSettings> current() const;
  /// Incremented by every applied change; starts at 0.
  [[nodiscard]] std::uint64_t version() const;

  /// Replaces every setting. Errors: Errc::permission_denied without the settings right;
  /// Errc::invalid_argument when the new settings do not validate (first problem, with its
  /// path). Nothing changes on error.
  [[nodiscard]] Result<void> replace(EmployeeId employee, IntegrationSettings next);
  /// Replaces the settings of the line with `line.number`. Errors: as replace(), and
  /// Errc::not_found when there is no such line.
  [[nodiscard]] Result<void> update_line(EmployeeId employee, LineSettings line);

 private:
  [[nodiscard]] Result<void> apply(IntegrationSettings next);  // validates and swaps in

  AccessRights rights_;
  std::mutex write_mutex_;    // serialises writers (held while validating)
  mutable std::mutex mutex_;  // guards settings_ and version_ (held only to swap or copy)
  std::shared_ptr<const IntegrationSettings> settings_;
  std::uint64_t version_ = 0;
};

TELCRM_END_NAMESPACE

#ifdef TELCRM_HEADER_ONLY
#include <telcrm/settings/access-inl.hpp>
#endif
