// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// CallLog: what a call leaves behind when it ends (R-A1 … R-A6, and R-A7's actions as
/// facts) and who owns what a call creates when nobody was rung (R-L5) — a pure class.

#include <telcrm/config.hpp>
#include <telcrm/crm/activity.hpp>
#include <telcrm/crm/entity.hpp>
#include <telcrm/crm/match_result.hpp>
#include <telcrm/engine/call_events.hpp>
#include <telcrm/engine/call_result.hpp>
#include <telcrm/leads/creation_plan.hpp>

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

TELCRM_BEGIN_NAMESPACE

/// What the end of a call is decided from: the facts the engine gathered while it ran.
/// A view: it refers to the engine's values for the duration of one plan_end() call.
struct CallFacts {
  std::string_view call{};                            ///< the host's call id
  CallDirection direction = CallDirection::incoming;  ///< the call's direction
  std::string_view input{};                           ///< the number as received
  const MatchResult* match = nullptr;                 ///< required
  Timestamp at{};                                     ///< when the call began
  std::string_view line{};                            ///< the line's number
  bool record_calls = true;                           ///< the line records calls (R-A4)
  std::span<const RouteEntry> route{};                ///< the steps taken (R-R6)
  /// The answer: the employee whose answer it was, and whether a forwarded number answered.
  std::optional<EmployeeId> answered_by{};
  bool answered_by_number = false;             ///< a forwarded number answered
  std::optional<EmployeeId> holder{};          ///< who had the call last (answer, transfers)
  std::optional<EmployeeId> dialer{};          ///< outgoing: the employee who dials
  std::optional<EmployeeId> voicemail_for{};   ///< the route's voicemail was addressed to them
  std::span<const CreatedEntity> created{};    ///< what the call created (R-L5, R-A7)
  std::span<const Reassignment> reassigned{};  ///< records that changed hands (R-T1, R-T2)
  /// R-I2: another call's records this call binds to instead of its match's bindings.
  std::span<const EntityRef> bound{};
  std::span<const std::string> comments{};  ///< comments made during the call (R-A7)
  /// What the mode offers an unknown caller for whom nothing was created (R-L1).
  std::span<const OfferAction> offer{};
};

/// What a call leaves behind: the values of its end, and the CRM writes they need.
struct EndPlan {
  CallOutcome outcome = CallOutcome::missed;  ///< how the call ended for the caller
  CallStatus status = CallStatus::missed;     ///< R-A5
  Seconds talk{0};                            ///< 0 when unanswered
  std::optional<EmployeeId> responsible{};    ///< R-A3
  std::vector<OfferAction> offer{};           ///< R-L1
  std::optional<CallActivity> activity{};     ///< R-A2, R-A4; none without bindings
  std::optional<MissedCall> missed{};         ///< R-A6
  std::optional<std::string> called_back{};   ///< R-A6: this E.164's missed calls are called back
  CallRecord history{};                       ///< R-A1
};

/// The end-of-call rules. Pure: values in, values out; thread-safe.
class CallLog {
 public:
  /// Everything `end` leaves behind for a call with `facts` (R-A1 … R-A6).
  [[nodiscard]] static EndPlan plan_end(const CallFacts& facts, const CallEnd& end);

  /// R-L5's fallback: who gets the records of a call that ends before anyone was rung —
  /// the employee its voicemail was addressed to, else the employee an off-hours call is
  /// attributed to, else the line queue's first member.
  [[nodiscard]] static std::optional<EmployeeId> owner_when_nobody_rung(
      std::optional<EmployeeId> voicemail_for, std::optional<EmployeeId> off_hours_owner,
      std::span<const EmployeeId> line_queue_members);

  /// R-A3: the responsible of a call, for its activity and its history record.
  [[nodiscard]] static std::optional<EmployeeId> responsible(const CallFacts& facts);
  /// R-M5 plus what the call created: deals (created first, then open), leads, contacts,
  /// companies, invoices.
  [[nodiscard]] static std::vector<EntityRef> bindings(const CallFacts& facts);
  /// R-A2: "Incoming call from +79161234567" (E.164 when dialable, else as received).
  [[nodiscard]] static std::string subject(const CallFacts& facts);
  /// True when the call counts as answered: an incoming call that someone (or a forwarded
  /// number) answered; an outgoing call that talked.
  [[nodiscard]] static bool is_answered(const CallFacts& facts, const CallEnd& end);
};

TELCRM_END_NAMESPACE

#ifdef TELCRM_HEADER_ONLY
#include <telcrm/calllog/call_log-inl.hpp>
#endif
