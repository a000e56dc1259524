// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// Integration settings: plain structs with the documented defaults (the scenario
/// format's `settings` section). validate() and lint() live in settings/validate.hpp.

#include <telcrm/config.hpp>
#include <telcrm/crm/employee.hpp>
#include <telcrm/crm/entity.hpp>
#include <telcrm/detail/enum_format.hpp>
#include <telcrm/phone/region.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

TELCRM_BEGIN_NAMESPACE

/// Classic CRM (with leads) or simple CRM (deals only) — R-S1, R-S2.
enum class CrmMode : std::uint8_t { classic, simple };
/// The value's name, as fmt prints it.
constexpr std::string_view format_as(CrmMode m) noexcept {
  return m == CrmMode::classic ? "classic" : "simple";
}

/// How a queue offers a call to its members (R-Q2).
enum class Distribution : std::uint8_t {
  evenly,
  strictly,
  all,
  random,
  fewest_calls,
  longest_idle,
  ring_progressively,
};
/// The value's name, as fmt prints it.
constexpr std::string_view format_as(Distribution d) noexcept {
  switch (d) {
    case Distribution::evenly: return "evenly";
    case Distribution::strictly: return "strictly";
    case Distribution::all: return "all";
    case Distribution::random: return "random";
    case Distribution::fewest_calls: return "fewest_calls";
    case Distribution::longest_idle: return "longest_idle";
    case Distribution::ring_progressively: return "ring_progressively";
  }
  return "unknown";
}
/// How the queue offers calls, in words for people ("fewest calls first").
constexpr std::string_view describe(Distribution d) noexcept {
  switch (d) {
    case Distribution::evenly: return "evenly";
    case Distribution::strictly: return "strictly in order";
    case Distribution::all: return "all at once";
    case Distribution::random: return "in random order";
    case Distribution::fewest_calls: return "fewest calls first";
    case Distribution::longest_idle: return "longest idle first";
    case Distribution::ring_progressively: return "ringing progressively more members";
  }
  return "unknown";
}

/// What a queue does when every eligible member was tried without an answer (R-Q4).
enum class NoAnswerRule : std::uint8_t {
  voicemail,
  forward_to_phone,
  forward_to_number,
  next_queue,
  hang_up,
  wait,
};
/// The value's name, as fmt prints it.
constexpr std::string_view format_as(NoAnswerRule r) noexcept {
  switch (r) {
    case NoAnswerRule::voicemail: return "voicemail";
    case NoAnswerRule::forward_to_phone: return "forward_to_phone";
    case NoAnswerRule::forward_to_number: return "forward_to_number";
    case NoAnswerRule::next_queue: return "next_queue";
    case NoAnswerRule::hang_up: return "hang_up";
    case NoAnswerRule::wait: return "wait";
  }
  return "unknown";
}
/// What the rule does, in words for people ("the next queue").
constexpr std::string_view describe(NoAnswerRule r) noexcept {
  switch (r) {
    case NoAnswerRule::voicemail: return "voicemail";
    case NoAnswerRule::forward_to_phone: return "the last employee's own phone";
    case NoAnswerRule::forward_to_number: return "a fixed number";
    case NoAnswerRule::next_queue: return "the next queue";
    case NoAnswerRule::hang_up: return "hang up";
    case NoAnswerRule::wait: return "keep the caller waiting and start again";
  }
  return "unknown";
}

/// What happens when the responsible does not answer, is busy or unreachable (R-R3).
enum class ResponsibleFallback : std::uint8_t { queue, forward_to_phone, voicemail };
/// The value's name, as fmt prints it.
constexpr std::string_view format_as(ResponsibleFallback f) noexcept {
  switch (f) {
    case ResponsibleFallback::queue: return "queue";
    case ResponsibleFallback::forward_to_phone: return "forward_to_phone";
    case ResponsibleFallback::voicemail: return "voicemail";
  }
  return "unknown";
}
/// What follows an unanswered responsible, in words for people ("their own phone").
constexpr std::string_view describe(ResponsibleFallback f) noexcept {
  switch (f) {
    case ResponsibleFallback::queue: return "the queue";
    case ResponsibleFallback::forward_to_phone: return "their own phone";
    case ResponsibleFallback::voicemail: return "voicemail";
  }
  return "unknown";
}

/// "If the number is not in the CRM" (R-L1).
enum class UnknownCallerAction : std::uint8_t { offer, create };
/// The value's name, as fmt prints it.
constexpr std::string_view format_as(UnknownCallerAction a) noexcept {
  return a == UnknownCallerAction::offer ? "offer" : "create";
}

/// "Create for" (R-L2).
enum class CreateFor : std::uint8_t { incoming, outgoing, all };
/// The value's name, as fmt prints it.
constexpr std::string_view format_as(CreateFor c) noexcept {
  switch (c) {
    case CreateFor::incoming: return "incoming";
    case CreateFor::outgoing: return "outgoing";
    case CreateFor::all: return "all";
  }
  return "unknown";
}

/// What happens to calls outside working hours (R-R5).
enum class OffHoursAction : std::uint8_t { voicemail, forward_to_number, hang_up };
/// The value's name, as fmt prints it.
constexpr std::string_view format_as(OffHoursAction a) noexcept {
  switch (a) {
    case OffHoursAction::voicemail: return "voicemail";
    case OffHoursAction::forward_to_number: return "forward_to_number";
    case OffHoursAction::hang_up: return "hang_up";
  }
  return "unknown";
}
/// What happens outside working hours, in words for people ("a fixed number").
constexpr std::string_view describe(OffHoursAction a) noexcept {
  switch (a) {
    case OffHoursAction::voicemail: return "voicemail";
    case OffHoursAction::forward_to_number: return "a fixed number";
    case OffHoursAction::hang_up: return "hang up";
  }
  return "unknown";
}

/// A day of the week; the order is ISO's (Monday first).
enum class Weekday : std::uint8_t { mon, tue, wed, thu, fri, sat, sun };
/// The value's name, as fmt prints it.
constexpr std::string_view format_as(Weekday d) noexcept {
  constexpr std::array<std::string_view, 7> names{"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
  return names[static_cast<std::size_t>(d) % 7];
}

/// A holiday, repeated every year: day.month ("09.05").
struct MonthDay {
  std::uint8_t day = 1;    ///< 1 … 31
  std::uint8_t month = 1;  ///< 1 … 12
  /// Equal when every member is.
  friend constexpr bool operator==(MonthDay, MonthDay) = default;
};

/// A time of day, minutes after midnight (0 … 1440; 1440 = the end of the day).
using DayMinutes = std::chrono::minutes;

/// True when `d` names a day of the year (29.02 counts: it is a date in leap years).
constexpr bool is_valid_date(MonthDay d) noexcept {
  constexpr std::array<std::uint8_t, 12> days_in{31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return d.month >= 1 && d.month <= 12 && d.day >= 1 && d.day <= days_in[d.month - 1u];
}

// Not `detail`: a detail namespace inside the ABI namespace declared before result.hpp
// would hide telcrm::detail from it (the built-in expected backend).
namespace settings_text_detail {
constexpr bool digits_value(std::string_view s, int& out) noexcept {
  if (s.empty()) return false;
  out = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  return true;
}
// Appends v (≥ 0) with at least two digits. Built by appending: GCC 12 warns (-Wrestrict,
// a false positive) on `"literal" + std::string` chains at -O3.
inline void append_two_digits(std::string& out, long v) {
  if (v < 10) out += '0';
  out += std::to_string(v);
}
}  // namespace settings_text_detail

/// Reads a time of day written `HH:MM` or `H:MM` ("09:00", "24:00"); nullopt for any other
/// shape. Values past 24:00 are read (validate() reports them) so they survive a round trip.
constexpr std::optional<DayMinutes> parse_time_of_day(std::string_view s) noexcept {
  const auto colon = s.find(':');
  int h = 0;
  int m = 0;
  if (colon == std::string_view::npos || colon == 0 || colon > 2 || s.size() != colon + 3 ||
      !settings_text_detail::digits_value(s.substr(0, colon), h) ||
      !settings_text_detail::digits_value(s.substr(colon + 1), m) || m > 59)
    return std::nullopt;
  return DayMinutes(h * 60 + m);
}
/// "09:00"; the inverse of parse_time_of_day for every value it reads.
inline std::string format_time_of_day(DayMinutes t) {
  const long total = static_cast<long>(t.count());
  const long magnitude = total < 0 ? -total : total;
  std::string out(total < 0 ? "-" : "");
  settings_text_detail::append_two_digits(out, magnitude / 60);
  out += ':';
  settings_text_detail::append_two_digits(out, magnitude % 60);
  return out;
}

/// Reads a UTC offset written `+HH:MM` or `-HH:MM` ("+03:00", "-05:30"); nullopt otherwise.
constexpr std::optional<std::chrono::minutes> parse_utc_offset(std::string_view s) noexcept {
  if (s.size() != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':') return std::nullopt;
  int h = 0;
  int m = 0;
  if (!settings_text_detail::digits_value(s.substr(1, 2), h) ||
      !settings_text_detail::digits_value(s.substr(4, 2), m) || m > 59)
    return std::nullopt;
  return std::chrono::minutes((s[0] == '-' ? -1 : 1) * (h * 60 + m));
}
/// "+03:00", "-05:30", "+00:00".
inline std::string format_utc_offset(std::chrono::minutes offset) {
  const long total = static_cast<long>(offset.count());
  const long magnitude = total < 0 ? -total : total;
  std::string out(total < 0 ? "-" : "+");
  settings_text_detail::append_two_digits(out, magnitude / 60);
  out += ':';
  settings_text_detail::append_two_digits(out, magnitude % 60);
  return out;
}

/// Reads a holiday written `DD.MM` or `D.M` ("09.05", "1.1"); nullopt for any other shape.
/// Whether it is a real date is is_valid_date()'s question (lint() warns).
constexpr std::optional<MonthDay> parse_month_day(std::string_view s) noexcept {
  const auto dot = s.find('.');
  int d = 0;
  int m = 0;
  if (dot == std::string_view::npos || dot == 0 || dot > 2 || s.size() <= dot + 1 ||
      s.size() > dot + 3 || !settings_text_detail::digits_value(s.substr(0, dot), d) ||
      !settings_text_detail::digits_value(s.substr(dot + 1), m))
    return std::nullopt;
  return MonthDay{static_cast<std::uint8_t>(d), static_cast<std::uint8_t>(m)};
}
/// "09.05".
inline std::string format_month_day(MonthDay d) {
  std::string out;
  settings_text_detail::append_two_digits(out, d.day);
  out += '.';
  settings_text_detail::append_two_digits(out, d.month);
  return out;
}

/// A line's working hours (R-R5), all in the line's UTC offset.
struct WorkHours {
  std::chrono::minutes utc_offset{0};                                    ///< +03:00 → 180
  std::array<bool, 7> days{true, true, true, true, true, false, false};  ///< indexed by Weekday
  DayMinutes from{9 * 60};                                               ///< inclusive
  DayMinutes to{18 * 60};                                                ///< exclusive
  std::vector<MonthDay> holidays{};                      ///< closed all day, every year
  OffHoursAction off_hours = OffHoursAction::voicemail;  ///< what happens outside the hours
  std::optional<std::string> forward_number{};           ///< for forward_to_number
  /// Equal when every member is.
  friend bool operator==(const WorkHours&, const WorkHours&) = default;
};

/// A queue: ordered members, a distribution method, rings and a no-answer rule (R-Q1).
struct QueueSettings {
  std::string id{};                                  ///< lines and next_queue name the queue by it
  std::vector<EmployeeId> members{};                 ///< order matters
  Distribution distribution = Distribution::evenly;  ///< how members are offered calls (R-Q2)
  int rings = 3;                                     ///< 2 … 7; one ring = 5 seconds
  NoAnswerRule no_answer = NoAnswerRule::voicemail;  ///< what follows when nobody answered (R-Q4)
  std::optional<std::string> forward_number{};       ///< for forward_to_number
  std::optional<std::string> next_queue{};           ///< for next_queue
  /// How long one member (or one step) rings: rings × 5 s.
  [[nodiscard]] constexpr Seconds ring_time() const noexcept { return Seconds(rings * 5); }
  /// Equal when every member is.
  friend bool operator==(const QueueSettings&, const QueueSettings&) = default;
};

/// A line: a number or SIP trunk the company receives calls on, with its own settings.
struct LineSettings {
  std::string number{};  ///< also the line's id
  /// The region calls on this line are read against; nullopt = the default region if it has
  /// the line number's country code, else that country's main region.
  std::optional<Region> region{};
  bool crm_lookup = true;             ///< off: calls on the line never enter the CRM
  bool route_to_responsible = true;   ///< R-R1
  Seconds responsible_ring_time{30};  ///< R-R1
  ResponsibleFallback responsible_no_answer = ResponsibleFallback::queue;  ///< R-R3
  bool only_working_employees = false;  ///< R-R2 / R-Q3 working-day option
  std::string queue{};                  ///< the queue the line's calls go to
  UnknownCallerAction unknown_caller = UnknownCallerAction::create;  ///< R-L1
  CreateFor create_for = CreateFor::all;                             ///< R-L2
  std::string source = "CALL";                        ///< the source of created leads and deals
  std::string lead_title = "{number} - {direction}";  ///< also deal titles in simple mode
  bool change_responsible_on_transfer = true;         ///< R-T1
  bool record_calls = true;               ///< recordings are attached to activities (R-A4)
  std::optional<WorkHours> work_hours{};  ///< none: always open (R-R5)
  /// Equal when every member is.
  friend bool operator==(const LineSettings&, const LineSettings&) = default;
};

/// Options of the simple CRM mode (R-S2): a deal plus a contact and/or a company.
struct SimpleModeSettings {
  bool create_contact = true;   ///< an unknown caller's deal gets a contact
  bool create_company = false;  ///< an unknown caller's deal gets a company
  std::int64_t pipeline = 0;    ///< the pipeline of created deals; 0 = the general one
  /// Equal when every member is.
  friend bool operator==(const SimpleModeSettings&, const SimpleModeSettings&) = default;
};

/// Numbers and e-mails that never enter the CRM (R-X1), as written.
struct ExceptionSettings {
  std::vector<std::string> phones{};  ///< as written; read against the default region
  std::vector<std::string> emails{};  ///< compared trimmed, case-insensitive
  /// Equal when every member is.
  friend bool operator==(const ExceptionSettings&, const ExceptionSettings&) = default;
};

/// Everything the integration is configured with. Employees are not here: the Directory port
/// is their one source, and queues name them by id.
struct IntegrationSettings {
  CrmMode crm_mode = CrmMode::classic;  ///< R-S1, R-S2
  Region default_region{};              ///< required
  bool repeat_sales = false;            ///< R-L6
  SimpleModeSettings simple_mode{};     ///< used in simple mode
  int match_suffix_digits = 0;          ///< R-N6 tier 3: 0 = off, else 7 … 15
  ExceptionSettings exceptions{};       ///< R-X1
  std::vector<QueueSettings> queues{};  ///< ids unique
  std::vector<LineSettings> lines{};    ///< numbers unique
  /// Equal when every member is.
  friend bool operator==(const IntegrationSettings&, const IntegrationSettings&) = default;
};

TELCRM_END_NAMESPACE
