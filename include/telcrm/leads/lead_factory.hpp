// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// LeadFactory: whether a call creates CRM records, and which (R-L1 … R-L6).

#include <telcrm/config.hpp>
#include <telcrm/crm/activity.hpp>
#include <telcrm/crm/match_result.hpp>
#include <telcrm/leads/creation_plan.hpp>
#include <telcrm/leads/mode_strategy.hpp>
#include <telcrm/settings/settings.hpp>
#include <telcrm/time.hpp>

#include <optional>
#include <string>
#include <string_view>

TELCRM_BEGIN_NAMESPACE

/// Everything the decision depends on, as values.
struct CreationRequest {
  const LineSettings& line;   ///< the line the call is on
  CallDirection direction;    ///< R-L2 compares it with the line's create_for
  const MatchResult& match;   ///< with the number as normalised
  std::string_view number;    ///< as received
  Timestamp at;               ///< the call's start (titles may show it)
  bool repeat_sales = false;  ///< the integration's repeat sales switch (R-L6)
  /// The host's word for this call (e.g. a PBX connector's CRM_CREATE): true — an unknown
  /// caller gets its records whatever the line's R-L1 and R-L2 settings say (R-L3 still
  /// applies); false — the call creates nothing; nullopt — the line's settings decide.
  std::optional<bool> create{};
  /// The source of what the call creates, in place of the line's (R-L4).
  std::optional<std::string> source{};
};

/// "Incoming call", "Outgoing call", "Callback" — the `{direction}` of titles (R-L4).
constexpr std::string_view direction_title(CallDirection d) noexcept {
  switch (d) {
    case CallDirection::incoming: return "Incoming call";
    case CallDirection::outgoing: return "Outgoing call";
    case CallDirection::callback: return "Callback";
  }
  return "Call";
}

/// Renders a title template (R-L4): `{number}` (as received), `{direction}`, `{date}`
/// (YYYY-MM-DD), `{time}` (HH:MM) — both in the line's UTC offset when it has working hours,
/// else UTC — and `{line}`. Other text, and unknown `{…}`, are kept as written.
[[nodiscard]] std::string render_title(std::string_view title_template, std::string_view number,
                                       CallDirection direction, Timestamp at,
                                       const LineSettings& line);

/// Decides what a call creates. Pure and thread-safe.
class LeadFactory {
 public:
  /// The plan for a call: the gates of R-L1 … R-L3 and R-L6 here, the records per `mode`.
  [[nodiscard]] static CreationPlan plan(const CreationRequest& request, const ModeStrategy& mode);

 private:
  [[nodiscard]] static CreationPlan plan_for_line(const CreationRequest& request,
                                                  const ModeStrategy& mode);
};

TELCRM_END_NAMESPACE

#ifdef TELCRM_HEADER_ONLY
#include <telcrm/leads/lead_factory-inl.hpp>
#endif
