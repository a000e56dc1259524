// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// The events a host's PBX feeds the CallEngine. Each names its call by the host's call
/// id; delivering the same event twice changes nothing and returns the same answer (R-I1).

#include <telcrm/config.hpp>
#include <telcrm/crm/activity.hpp>
#include <telcrm/crm/entity.hpp>
#include <telcrm/detail/enum_format.hpp>
#include <telcrm/routing/route_step.hpp>
#include <telcrm/time.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <variant>
#include <vector>

TELCRM_BEGIN_NAMESPACE

/// How the engine takes part in a call.
enum class CallMode : std::uint8_t {
  /// The engine routes the call: it decides each step and gives the PBX its commands.
  route,
  /// The PBX routes the call itself and reports what it did (rang these employees, who
  /// answered, the end); the engine does the CRM side — match, create, reassign, log — by the
  /// same rules, and gives no command (a PBX connector, e.g. the Bitrix24 REST API).
  observe,
};
/// The mode's name, as logs and JSON spell it.
constexpr std::string_view format_as(CallMode m) noexcept {
  return m == CallMode::route ? "route" : "observe";
}

/// A call begins: an incoming call or callback arrives, or an employee dials out.
struct CallStart {
  std::string call{};                                 ///< the host's call id
  CallDirection direction = CallDirection::incoming;  ///< incoming, outgoing or a callback
  std::string line{};    ///< the line's number (its id in the settings)
  std::string number{};  ///< the caller; for an outgoing call, the dialled number
  /// Outgoing: the employee who dials. Observe mode: the employee the PBX gave the call to —
  /// what the call creates is created at once, for them (R-L5).
  std::optional<EmployeeId> employee{};
  std::optional<EntityRef> card{};  ///< the call was started from this CRM card (R-M1)
  std::optional<Timestamp> at{};    ///< when it began; the Clock's now when not given
  CallMode mode = CallMode::route;  ///< routed by the engine, or observed
  /// The host's word on creating records (see CreationRequest::create); nullopt: the line's
  /// settings decide.
  std::optional<bool> create{};
  /// The source of what the call creates, in place of the line's (R-L4).
  std::optional<std::string> source{};
  /// Equal when every member is.
  friend bool operator==(const CallStart&, const CallStart&) = default;
};

/// Observe mode: the PBX rang these employees at once. What the call creates exists from the
/// first ring, assigned to the first of them (R-L5).
struct Rang {
  std::string call{};                   ///< the call, as CallStart::call named it
  std::vector<EmployeeId> employees{};  ///< who rang, the first of them first
  std::optional<Seconds> seconds{};     ///< how long it rang, when known
};

/// Step `step` (0-based, in the call's route) ended without an answer (StepOutcome is
/// no_answer, busy or rejected).
struct StepEnded {
  std::string call{};                            ///< the host's call id
  std::size_t step = 0;                          ///< 0-based, in the call's route
  StepOutcome outcome = StepOutcome::no_answer;  ///< why it ended
  std::optional<Seconds> rang{};  ///< how long it actually rang; the step's time when not given
};

/// Step `step` was answered — by an employee, or by the number a forward went to. In observe
/// mode `step` is not checked: the call was answered by `employee`.
struct Answered {
  std::string call{};                    ///< the host's call id
  std::size_t step = 0;                  ///< 0-based, in the call's route
  std::optional<EmployeeId> employee{};  ///< who picked up (also on their own phone, R-R3)
  std::optional<std::string> number{};   ///< for a forward to an external number: that number
};

/// The caller hung up `after` the call began (while ringing or waiting).
struct CallerHungUp {
  std::string call{};  ///< the host's call id
  Seconds after{0};    ///< time since the call began
};

/// The employee on the call handed it to `to`, who accepted (R-T1).
struct Transferred {
  std::string call{};  ///< the host's call id
  EmployeeId to = 0;   ///< the employee who took the call
};

/// During the call the employee created a deal or an invoice for the client (R-A7), or wrote
/// a comment. `index` numbers the actions of one call, so each is applied once.
struct DuringCallAction {
  // (Nested types without default member initializers: the enclosing aggregate must be
  // default-constructible.)
  /// A deal for the call's client.
  struct AddDeal {
    std::string title;  ///< the deal's title
  };
  /// An invoice bound to the call's primary entity.
  struct AddInvoice {
    double amount;  ///< in the CRM's currency
  };
  /// A comment, kept on the call's activity.
  struct AddComment {
    std::string text;  ///< as written
  };
  std::string call{};     ///< the host's call id
  std::size_t index = 0;  ///< the action's number within the call (R-I1)
  std::variant<AddDeal, AddInvoice, AddComment> action;  ///< what was done
};

/// The call is over.
struct CallEnd {
  std::string call{};                      ///< the host's call id
  Seconds duration{0};                     ///< talk time; 0 when nobody answered
  std::optional<CallStatus> status{};      ///< R-A5: overrides the derived code
  std::optional<std::string> recording{};  ///< the recording's reference (R-A4)
  std::optional<std::string> voicemail{};  ///< the message the caller left, if any
  std::optional<std::string> comment{};    ///< a comment for the activity
  /// Observe mode: the employee who had the call when it ended (e.g. the user a connector
  /// finishes it as). What the call created goes to them — only what this call created — and
  /// they are its responsible (R-A3).
  std::optional<EmployeeId> employee{};
};

TELCRM_END_NAMESPACE
