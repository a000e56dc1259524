// SPDX-License-Identifier: Apache-2.0
#pragma once
// A readable account of replayed calls — one block per call, then a summary of the day — for
// `telcrm demo` and any later demo that replays calls (e.g. from a SQLite database) and wants
// to show the first few of them. Everything printed comes from the CallResults and the
// missed-call list; the scenario only supplies names (employees, lines, CRM records). What a
// value means is told in the library's words (describe()); words.hpp puts them in context.
// The calls are printed by timeline.cpp, the day's tallies by timeline_summary.cpp.

#include <telcrm/crm/activity.hpp>
#include <telcrm/engine/call_result.hpp>
#include <telcrm/sim/scenario.hpp>

#include <cstddef>
#include <cstdio>
#include <limits>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace telcrm::cli {

/// ANSI SGR codes the timeline paints with.
namespace ansi {
inline constexpr std::string_view bold = "1";
inline constexpr std::string_view dim = "2";
inline constexpr std::string_view red = "31";
inline constexpr std::string_view green = "32";
inline constexpr std::string_view yellow = "33";
inline constexpr std::string_view magenta = "35";
inline constexpr std::string_view cyan = "36";
}  // namespace ansi

/// Incoming calls and callbacks: the calls that are routed.
constexpr bool is_incoming(CallDirection d) noexcept {
  return d != CallDirection::outgoing;
}

/// `--color auto|always|never`.
enum class ColorMode { automatic, always, never };

/// Reads "auto", "always" or "never"; nullopt for anything else.
std::optional<ColorMode> parse_color_mode(std::string_view text);

/// How text is decorated: ANSI colours on a terminal, nothing otherwise.
struct Style {
  bool color = false;
  /// The style for `stream` under `mode`: `automatic` colours only when it is a terminal.
  static Style for_stream(std::FILE* stream, ColorMode mode);
};

/// Prints replayed calls and their summary. Holds references: the scenario, the results and
/// the missed calls must outlive it. Building it indexes the names once, so printing the
/// first calls of a large day stays cheap.
class Timeline {
 public:
  /// `calls` are the replay's results in order (a repeated event appears again with the same
  /// call id); `missed_calls` is the CRM's missed-call list after the replay (R-A6).
  Timeline(const Scenario& scenario, std::span<const CallResult> calls,
           std::span<const MissedCall> missed_calls, Style style);

  /// The company as the scenario sets it up: lines, queues and employees, a few lines each.
  void print_overview(std::FILE* out) const;
  /// The block of `calls[index]`: number, client, route, answer, CRM changes, activity.
  void print_call(std::FILE* out, std::size_t index) const;
  /// The blocks of the first `limit` calls, then a note on how many were left out.
  void print_calls(std::FILE* out,
                   std::size_t limit = std::numeric_limits<std::size_t>::max()) const;
  /// Counts over every call (repeated events once): outcomes, records created, work per
  /// employee, missed calls nobody called back.
  void print_summary(std::FILE* out) const;

 private:
  [[nodiscard]] std::string paint(std::string_view text, std::string_view ansi) const;
  [[nodiscard]] std::string employee(std::optional<EmployeeId> id) const;
  [[nodiscard]] std::string entity(EntityRef ref) const;
  [[nodiscard]] std::string phone_owner(const RouteEntry& step) const;
  [[nodiscard]] std::string route_step(const RouteEntry& step) const;
  [[nodiscard]] std::string answer(const CallResult& call) const;
  [[nodiscard]] bool is_repeat(std::size_t index) const;
  [[nodiscard]] const LineSettings* line(std::string_view number) const;

  const Scenario& scenario_;
  std::span<const CallResult> calls_;
  std::span<const MissedCall> missed_;
  Style style_;
  std::map<EmployeeId, std::string> employees_;
  // Each employee's own phones in E.164 with their kind ("mobile"), to name forward targets.
  std::map<std::string, std::pair<EmployeeId, std::string>, std::less<>> own_phones_;
  std::map<EntityRef, std::string> names_;  // CRM records: starting CRM + what calls created
  std::map<std::string, std::size_t, std::less<>> first_index_;  // call id → first result
};

}  // namespace telcrm::cli
