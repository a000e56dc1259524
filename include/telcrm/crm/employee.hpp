// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// Employees: the host product's users who take calls.

#include <telcrm/config.hpp>
#include <telcrm/crm/entity.hpp>
#include <telcrm/detail/enum_format.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

TELCRM_BEGIN_NAMESPACE

/// Whether an employee can take a call now. `offline` is "unreachable" (R-R2).
enum class Presence : std::uint8_t { online, offline, busy };
/// The value's name, as fmt prints it.
constexpr std::string_view format_as(Presence p) noexcept {
  switch (p) {
    case Presence::online: return "online";
    case Presence::offline: return "offline";
    case Presence::busy: return "busy";
  }
  return "unknown";
}

/// The employee's working-day state (time tracking). `untracked` counts as open.
enum class Workday : std::uint8_t { untracked, open, closed, paused };
/// The value's name, as fmt prints it.
constexpr std::string_view format_as(Workday w) noexcept {
  switch (w) {
    case Workday::untracked: return "untracked";
    case Workday::open: return "open";
    case Workday::closed: return "closed";
    case Workday::paused: return "paused";
  }
  return "unknown";
}
/// True when the working day counts as started (open, or no time tracking).
constexpr bool is_day_open(Workday w) noexcept {
  return w == Workday::open || w == Workday::untracked;
}

/// An employee's own phones, as written; forwarding uses the first set of mobile, personal,
/// work (R-R3).
struct EmployeePhones {
  std::optional<std::string> mobile{};    ///< as written
  std::optional<std::string> personal{};  ///< as written
  std::optional<std::string> work{};      ///< as written
  /// Equal when every member is.
  friend bool operator==(const EmployeePhones&, const EmployeePhones&) = default;
};

/// An employee as the Directory port reports them.
struct Employee {
  EmployeeId id = 0;   ///< the host product's user id
  std::string name{};  ///< as shown to people
  bool active = true;  ///< a deactivated employee is never rung and never responsible (R-M4)
  Presence presence = Presence::online;  ///< busy and offline employees are not rung (R-R2, R-Q3)
  Workday workday =
      Workday::untracked;   ///< for lines that ring only employees who started their day
  EmployeePhones phones{};  ///< their own phones (R-R3, R-X2)
  std::optional<std::string> extension{};  ///< inner PBX extension, compared as raw digits (R-X2)
  /// Equal when every member is.
  friend bool operator==(const Employee&, const Employee&) = default;
};

/// The first of the employee's own phones that is set — mobile, personal, work (seed 002:
/// mobile first) —, as written; nullopt when none is set. Forwarding (R-R3) takes the first
/// that also normalises to a dialable number (Roster::own_phone).
inline std::optional<std::string_view> own_phone(const Employee& e) noexcept {
  for (const auto* phone : {&e.phones.mobile, &e.phones.personal, &e.phones.work})
    if (phone->has_value() && !(*phone)->empty()) return std::string_view(**phone);
  return std::nullopt;
}

TELCRM_END_NAMESPACE
