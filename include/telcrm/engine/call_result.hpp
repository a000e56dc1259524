// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// CallResult: everything a call did and left behind — the `calls[]` entry of the
/// scenario format, and what a host shows on its call card.

#include <telcrm/config.hpp>
#include <telcrm/crm/activity.hpp>
#include <telcrm/crm/entity.hpp>
#include <telcrm/crm/match_result.hpp>
#include <telcrm/detail/enum_format.hpp>
#include <telcrm/leads/creation_plan.hpp>

#include <optional>
#include <string>
#include <vector>

TELCRM_BEGIN_NAMESPACE

/// One step of a call's route, as taken (R-R6).
struct RouteEntry {
  /// The kinds of step.
  enum class Kind : std::uint8_t { ring, forward, voicemail, hang_up };
  Kind kind = Kind::ring;                ///< what the step did
  std::vector<EmployeeId> employees{};   ///< ring: who was rung, in order
  std::string number{};                  ///< forward: where to (E.164)
  std::optional<EmployeeId> employee{};  ///< forward: whose own phone; voicemail: for whom
  Seconds seconds{0};                    ///< ring / forward: how long (cut at a hang-up)
  std::string why{};                     ///< the reason, e.g. "responsible", "queue:sales"
  /// Equal when every member is.
  friend bool operator==(const RouteEntry&, const RouteEntry&) = default;
};
/// The value's name, as fmt prints it.
constexpr std::string_view format_as(RouteEntry::Kind k) noexcept {
  switch (k) {
    case RouteEntry::Kind::ring: return "ring";
    case RouteEntry::Kind::forward: return "forward";
    case RouteEntry::Kind::voicemail: return "voicemail";
    case RouteEntry::Kind::hang_up: return "hang_up";
  }
  return "unknown";
}

/// How a call ended for the caller.
enum class CallOutcome : std::uint8_t { answered, voicemail, missed };
/// The value's name, as fmt prints it.
constexpr std::string_view format_as(CallOutcome o) noexcept {
  switch (o) {
    case CallOutcome::answered: return "answered";
    case CallOutcome::voicemail: return "voicemail";
    case CallOutcome::missed: return "missed";
  }
  return "unknown";
}

/// A record the call created, with the responsible it was created with.
struct CreatedEntity {
  EntityRef entity{};                       ///< the record
  std::string title{};                      ///< lead/deal title, contact name, company title
  std::optional<std::string> source{};      ///< lead, deal: where the client came from
  std::optional<EmployeeId> responsible{};  ///< the employee in charge at creation (R-L5)
  bool repeat = false;                      ///< a repeat record for a known client (R-L6, R-S2)
  double amount = 0;                        ///< invoices
  /// Equal when every member is.
  friend bool operator==(const CreatedEntity&, const CreatedEntity&) = default;
};

/// Why a created record changed hands (R-T1, R-T2; `ended`: observe mode, the employee the
/// PBX ended the call with).
enum class ReassignReason : std::uint8_t { answered, transfer, ended };
/// The value's name, as fmt prints it.
constexpr std::string_view format_as(ReassignReason r) noexcept {
  switch (r) {
    case ReassignReason::answered: return "answered";
    case ReassignReason::transfer: return "transfer";
    case ReassignReason::ended: return "ended";
  }
  return "unknown";
}
/// Why the record changed hands, as a phrase about its new responsible ("took the transfer").
constexpr std::string_view describe(ReassignReason r) noexcept {
  switch (r) {
    case ReassignReason::answered: return "answered the call";
    case ReassignReason::transfer: return "took the transfer";
    case ReassignReason::ended: return "had the call when it ended";
  }
  return "unknown";
}

/// A record the call created that changed hands.
struct Reassignment {
  EntityRef entity{};                             ///< the record
  std::optional<EmployeeId> from{};               ///< its responsible before
  EmployeeId to = 0;                              ///< its responsible now
  ReassignReason why = ReassignReason::answered;  ///< R-T1, R-T2
  /// Equal when every member is.
  friend bool operator==(const Reassignment&, const Reassignment&) = default;
};

/// Everything one call did.
struct CallResult {
  std::string call{};                                 ///< the host's call id
  CallDirection direction = CallDirection::incoming;  ///< the call's direction
  std::string input{};                                ///< the number as received
  MatchResult match{};                                ///< the number, the CRM state, the client
  std::vector<RouteEntry> route{};  ///< the steps taken (R-R6); empty for outgoing calls
  /// The employee whose answer it was — also on their own phone after a forward (R-R3).
  std::optional<EmployeeId> answered_by{};
  /// The number that answered a forward (an employee's own phone or a fixed number).
  std::optional<std::string> answered_by_number{};
  std::optional<EmployeeId> transferred_to{};  ///< who took a transfer (R-T1)
  CallOutcome outcome = CallOutcome::missed;   ///< how the call ended for the caller
  CallStatus status = CallStatus::missed;      ///< R-A5
  std::vector<OfferAction> offer{};            ///< offered when nothing was created (R-L1)
  std::vector<CreatedEntity> created{};        ///< deal, lead, contact, company, invoice
  std::vector<Reassignment> reassigned{};      ///< records that changed hands (R-T1, R-T2)
  std::optional<CallActivity> activity{};      ///< none when nothing in the CRM binds it (R-A2)
  CallRecord history{};                        ///< the call-history record (R-A1)
  CreationReason creation = CreationReason::not_in_crm;  ///< why it created what it did
  /// Equal when every member is.
  friend bool operator==(const CallResult&, const CallResult&) = default;
};

TELCRM_END_NAMESPACE
