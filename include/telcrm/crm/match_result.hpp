// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// MatchResult: who a number belongs to, how it was found, and where its call goes.

#include <telcrm/config.hpp>
#include <telcrm/crm/activity.hpp>
#include <telcrm/crm/entity.hpp>
#include <telcrm/detail/enum_format.hpp>
#include <telcrm/phone/phone_number.hpp>

#include <optional>
#include <string_view>
#include <vector>

TELCRM_BEGIN_NAMESPACE

/// How a candidate was found (R-N6, R-N7, R-M1).
enum class MatchHow : std::uint8_t {
  e164,      ///< tier 1: equal E.164
  national,  ///< tier 2: a stored national form equal to the caller's national number
  suffix,    ///< tier 3: the last N digits
  raw,       ///< tier 1: equal digits of a stored phone that does not normalise
  card,      ///< the call was started from this entity's card: no search
};
/// The value's name, as fmt prints it.
constexpr std::string_view format_as(MatchHow h) noexcept {
  switch (h) {
    case MatchHow::e164: return "e164";
    case MatchHow::national: return "national";
    case MatchHow::suffix: return "suffix";
    case MatchHow::raw: return "raw";
    case MatchHow::card: return "card";
  }
  return "unknown";
}
/// How a candidate was found, in words that follow "found by" ("the last digits").
constexpr std::string_view describe(MatchHow h) noexcept {
  switch (h) {
    case MatchHow::e164: return "its E.164 number";
    case MatchHow::national: return "a national form stored without country code";
    case MatchHow::suffix: return "the last digits";
    case MatchHow::raw: return "the raw digits of a stored number that does not normalise";
    case MatchHow::card: return "the CRM card the call was started from";
  }
  return "unknown";
}

/// One entity of the winning tier.
struct MatchCandidate {
  EntityRef ref{};                ///< the entity
  MatchHow how = MatchHow::e164;  ///< the tier that found it
  /// Equal when every member is.
  friend constexpr bool operator==(const MatchCandidate&, const MatchCandidate&) = default;
};

/// What the CRM knows of a number.
struct MatchResult {
  PhoneNumber number{};                     ///< the number as normalised
  CrmState crm = CrmState::unknown;         ///< why nothing matched, or `matched`
  std::optional<EntityRef> primary{};       ///< the one entity the call binds to (R-M3)
  MatchHow how = MatchHow::e164;            ///< how the primary was found
  std::optional<EmployeeId> responsible{};  ///< R-M4: the primary's responsible, if active
  /// Every candidate of the winning tier: the primary first, then contacts, companies and
  /// leads, each by id (R-M3).
  std::vector<MatchCandidate> candidates{};
  /// Where the call activity goes (R-M5): open deals, then leads, contacts, companies.
  std::vector<EntityRef> bindings{};
  /// The matched company the primary contact belongs to, if it also matched (R-M5).
  std::optional<EntityRef> company{};
  /// The company the primary contact belongs to, matched or not (repeat leads carry it, R-L6).
  std::optional<EntityId> contact_company{};
  /// For `crm == employee`: whose number it is.
  std::optional<EmployeeId> employee{};
  /// The primary contact or company has an open deal — its own, or its matched company's.
  bool has_open_deal = false;
  /// The primary contact or company has an in-progress repeat lead (R-L6).
  bool has_open_repeat_lead = false;
  /// Equal when every member is.
  friend bool operator==(const MatchResult&, const MatchResult&) = default;
};

TELCRM_END_NAMESPACE
