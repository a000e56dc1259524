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

TELCRM_BEGIN_NAMESPACE

/// A call begins: an incoming call or callback arrives, or an employee dials out.
struct CallStart {
  std::string call{};  ///< the host's call id
  CallDirection direction = CallDirection::incoming;
  std::string line{};                    ///< the line's number (its id in the settings)
  std::string number{};                  ///< the caller; for an outgoing call, the dialled number
  std::optional<EmployeeId> employee{};  ///< outgoing: the employee who dials
  std::optional<EntityRef> card{};       ///< the call was started from this CRM card (R-M1)
  std::optional<Timestamp> at{};         ///< when it began; the Clock's now when not given
  friend bool operator==(const CallStart&, const CallStart&) = default;
};

/// Step `step` (0-based, in the call's route) ended without an answer (StepOutcome is
/// no_answer, busy or rejected).
struct StepEnded {
  std::string call{};
  std::size_t step = 0;
  StepOutcome outcome = StepOutcome::no_answer;
  std::optional<Seconds> rang{};  ///< how long it actually rang; the step's time when not given
};

/// Step `step` was answered — by an employee, or by the number a forward went to.
struct Answered {
  std::string call{};
  std::size_t step = 0;
  std::optional<EmployeeId> employee{};  ///< who picked up (also on their own phone, R-R3)
  std::optional<std::string> number{};   ///< for a forward to an external number: that number
};

/// The caller hung up `after` the call began (while ringing or waiting).
struct CallerHungUp {
  std::string call{};
  Seconds after{0};
};

/// The employee on the call handed it to `to`, who accepted (R-T1).
struct Transferred {
  std::string call{};
  EmployeeId to = 0;
};

/// During the call the employee created a deal or an invoice for the client (R-A7), or wrote
/// a comment. `index` numbers the actions of one call, so each is applied once.
struct DuringCallAction {
  // (Nested types without default member initializers: the enclosing aggregate must be
  // default-constructible.)
  struct AddDeal {
    std::string title;
  };
  struct AddInvoice {
    double amount;
  };
  struct AddComment {
    std::string text;
  };
  std::string call{};
  std::size_t index = 0;
  std::variant<AddDeal, AddInvoice, AddComment> action;
};

/// The call is over.
struct CallEnd {
  std::string call{};
  Seconds duration{0};                 ///< talk time; 0 when nobody answered
  std::optional<CallStatus> status{};  ///< R-A5: overrides the derived code
  std::optional<std::string> recording{};
  std::optional<std::string> voicemail{};  ///< the message the caller left, if any
  std::optional<std::string> comment{};
};

TELCRM_END_NAMESPACE
