// SPDX-License-Identifier: Apache-2.0
#pragma once
// The timeline's words that are not the library's: times of day, dates, durations, counts
// of things, and the reading of a route step's `why` back into the library's RouteReason so
// that its describe() words can be used. What an enum value means is the library's to say
// (describe() next to each enum's format_as); this file only puts those words in context.

#include <telcrm/engine/call_result.hpp>
#include <telcrm/routing/route_step.hpp>
#include <telcrm/settings/settings.hpp>
#include <telcrm/time.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace telcrm::cli {

/// "HH:MM" of `t` shifted by `offset` (a line's UTC offset, or zero for UTC).
std::string clock_time(Timestamp t, std::chrono::minutes offset);

/// "2026-11-24 (Tuesday)".
std::string calendar_day(Timestamp t);

/// Talk time as a person reads it at a glance: "45 s", "4 min", "1 h 5 min".
std::string talk_time(std::int64_t seconds);

/// "1 lead", "3 leads", "2 companies".
std::string count(int n, std::string_view noun);

/// `text` on one line: line ends become '/'.
std::string one_line(std::string_view text);

/// R-A5's code with the library's words: "code 486 (busy)", or "code 487" for codes it does
/// not name.
std::string status_text(CallStatus status);

/// The RouteReason a step's `why` spells ("responsible_busy", "queue:sales"); nullopt for a
/// spelling the library does not have (the timeline then shows it as it is).
std::optional<RouteReason> read_route_reason(std::string_view why);

/// Why the call created what it did, for the CRM row: the library's words, with the line's
/// "create for" choice when that is the reason. Empty for `not_in_crm`: the client row
/// already says why the CRM stayed out.
std::string creation_words(const CallResult& call, const LineSettings* line);

}  // namespace telcrm::cli
