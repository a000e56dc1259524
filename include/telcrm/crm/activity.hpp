// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// What a call leaves behind: the CRM call activity, missed calls, the call history.

#include <telcrm/config.hpp>
#include <telcrm/crm/entity.hpp>
#include <telcrm/detail/enum_format.hpp>
#include <telcrm/time.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

TELCRM_BEGIN_NAMESPACE

/// Which way a call goes. A callback is a call the company makes back to a client (e.g. a
/// web callback request); it is routed like an incoming call.
enum class CallDirection : std::uint8_t { incoming, outgoing, callback };
/// The value's name, as fmt prints it.
constexpr std::string_view format_as(CallDirection d) noexcept {
  switch (d) {
    case CallDirection::incoming: return "incoming";
    case CallDirection::outgoing: return "outgoing";
    case CallDirection::callback: return "callback";
  }
  return "unknown";
}

/// How a call ended, as shown on the activity (R-A2, R-A4).
enum class ActivityStatus : std::uint8_t { answered, missed, voicemail };
/// The value's name, as fmt prints it.
constexpr std::string_view format_as(ActivityStatus s) noexcept {
  switch (s) {
    case ActivityStatus::answered: return "answered";
    case ActivityStatus::missed: return "missed";
    case ActivityStatus::voicemail: return "voicemail";
  }
  return "unknown";
}

/// Whether and how the CRM took part in a call.
enum class CrmState : std::uint8_t {
  matched,   ///< the number belongs to a CRM record
  unknown,   ///< searched, nothing found (or not searchable: invalid, short)
  excepted,  ///< on the exception list (R-X1)
  employee,  ///< an employee's number (R-X2)
  disabled,  ///< the line's CRM lookup is off
};
/// The value's name, as fmt prints it.
constexpr std::string_view format_as(CrmState s) noexcept {
  switch (s) {
    case CrmState::matched: return "matched";
    case CrmState::unknown: return "unknown";
    case CrmState::excepted: return "excepted";
    case CrmState::employee: return "employee";
    case CrmState::disabled: return "disabled";
  }
  return "unknown";
}
/// Why the CRM took part in a call or not, in words for people ("not in the CRM").
constexpr std::string_view describe(CrmState s) noexcept {
  switch (s) {
    case CrmState::matched: return "the number belongs to a CRM record";
    case CrmState::unknown: return "not in the CRM";
    case CrmState::excepted: return "on the exception list, so telephony only";
    case CrmState::employee: return "an employee's number, so telephony only";
    case CrmState::disabled: return "CRM lookup is off on the line";
  }
  return "unknown";
}

/// A call's status code (R-A5): a SIP response code. The enum is open — every code from 100
/// to 699 is a CallStatus (`CallStatus{487}`); the named values are those R-A5 gives.
enum class CallStatus : int {
  answered = 200,        ///< the call was answered
  missed = 304,          ///< nobody answered (also: skipped)
  invalid_number = 404,  ///< the number does not exist
  blocked = 423,         ///< the number is blocked
  unavailable = 480,     ///< the other side is temporarily unavailable
  busy = 486,            ///< the other side is busy
  declined = 603,        ///< the other side declined the call
};
/// True for the codes a CallStatus may hold (SIP's 100 … 699).
constexpr bool is_call_status(int code) noexcept {
  return code >= 100 && code <= 699;
}
/// The code as a number.
constexpr int code_of(CallStatus s) noexcept {
  return static_cast<int>(s);
}
/// Formats as the code ("486"), as the scenario output and SIP write it.
constexpr int format_as(CallStatus s) noexcept {
  return code_of(s);
}
/// What the status means, in a word or two ("busy"); "other" for codes R-A5 does not name.
constexpr std::string_view describe(CallStatus s) noexcept {
  switch (s) {
    case CallStatus::answered: return "answered";
    case CallStatus::missed: return "missed";
    case CallStatus::invalid_number: return "invalid number";
    case CallStatus::blocked: return "blocked";
    case CallStatus::unavailable: return "unavailable";
    case CallStatus::busy: return "busy";
    case CallStatus::declined: return "declined";
  }
  return "other";
}

/// The CRM call activity written on the entities a call is bound to (R-A2).
struct CallActivity {
  EntityId id = 0;                                    ///< its id in the CRM
  std::string call{};                                 ///< the host's call id
  std::vector<EntityRef> bindings{};                  ///< the records it is written on (R-M5)
  std::string subject{};                              ///< "Incoming call from +79161234567"
  CallDirection direction = CallDirection::incoming;  ///< the call's direction
  Timestamp start{};                                  ///< when the call began
  Seconds duration{0};                                ///< talk time; 0 when unanswered
  ActivityStatus status = ActivityStatus::missed;     ///< how the call ended (R-A2, R-A4)
  std::optional<EmployeeId> responsible{};            ///< R-A3: who answered, or whom it was for
  std::optional<std::string> recording{};             ///< the recording's reference (R-A4)
  std::optional<std::string> voicemail{};             ///< the voicemail's reference (R-A4)
  std::optional<std::string> comment{};               ///< comments made during the call (R-A7)
  /// Equal when every member is.
  friend bool operator==(const CallActivity&, const CallActivity&) = default;
};

/// An unanswered incoming call or callback, kept until someone calls the number back (R-A6).
struct MissedCall {
  std::string number{};                         ///< E.164
  std::string call{};                           ///< the host's id of the missed call
  std::optional<std::string> called_back_by{};  ///< the answered outgoing call that called back
  /// Equal when every member is.
  friend bool operator==(const MissedCall&, const MissedCall&) = default;
};

/// The call-history record every call ends with, CRM or not (R-A1).
struct CallRecord {
  std::string call{};                                 ///< the host's call id
  CallDirection direction = CallDirection::incoming;  ///< the call's direction
  std::string number{};  ///< the other party: E.164 when dialable, else as received
  std::string line{};    ///< the line's number
  Timestamp start{};     ///< when the call began
  Seconds duration{0};   ///< talk time; 0 when unanswered
  CallStatus status = CallStatus::missed;  ///< R-A5
  std::optional<EmployeeId> employee{};    ///< who answered, dialled or was responsible
  CrmState crm = CrmState::unknown;        ///< whether the CRM took part
  /// Equal when every member is.
  friend bool operator==(const CallRecord&, const CallRecord&) = default;
};

TELCRM_END_NAMESPACE
