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
  enum class Kind : std::uint8_t { ring, forward, voicemail, hang_up };
  Kind kind = Kind::ring;
  std::vector<EmployeeId> employees{};   ///< ring: who was rung, in order
  std::string number{};                  ///< forward: where to (E.164)
  std::optional<EmployeeId> employee{};  ///< forward: whose own phone; voicemail: for whom
  Seconds seconds{0};                    ///< ring / forward: how long (cut at a hang-up)
  std::string why{};                     ///< the reason, e.g. "responsible", "queue:sales"
  friend bool operator==(const RouteEntry&, const RouteEntry&) = default;
};
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
  EntityRef entity{};
  std::string title{};  ///< lead/deal title, contact name, company title
  std::optional<std::string> source{};
  std::optional<EmployeeId> responsible{};
  bool repeat = false;
  double amount = 0;  ///< invoices
  friend bool operator==(const CreatedEntity&, const CreatedEntity&) = default;
};

/// Why a created record changed hands (R-T1, R-T2).
enum class ReassignReason : std::uint8_t { answered, transfer };
constexpr std::string_view format_as(ReassignReason r) noexcept {
  return r == ReassignReason::answered ? "answered" : "transfer";
}
/// Why the record changed hands, as a phrase about its new responsible ("took the transfer").
constexpr std::string_view describe(ReassignReason r) noexcept {
  return r == ReassignReason::answered ? "answered the call" : "took the transfer";
}

struct Reassignment {
  EntityRef entity{};
  std::optional<EmployeeId> from{};
  EmployeeId to = 0;
  ReassignReason why = ReassignReason::answered;
  friend bool operator==(const Reassignment&, const Reassignment&) = default;
};

/// Everything one call did.
struct CallResult {
  std::string call{};
  CallDirection direction = CallDirection::incoming;
  std::string input{};  ///< the number as received
  MatchResult match{};  ///< the number, the CRM state, the client
  std::vector<RouteEntry> route{};
  /// The employee whose answer it was — also on their own phone after a forward (R-R3).
  std::optional<EmployeeId> answered_by{};
  /// The number that answered a forward (an employee's own phone or a fixed number).
  std::optional<std::string> answered_by_number{};
  std::optional<EmployeeId> transferred_to{};
  CallOutcome outcome = CallOutcome::missed;
  CallStatus status = CallStatus::missed;
  std::vector<OfferAction> offer{};
  std::vector<CreatedEntity> created{};  ///< deal, lead, contact, company, invoice
  std::vector<Reassignment> reassigned{};
  std::optional<CallActivity> activity{};
  CallRecord history{};
  CreationReason creation = CreationReason::not_in_crm;  ///< why it created what it did
  friend bool operator==(const CallResult&, const CallResult&) = default;
};

TELCRM_END_NAMESPACE
