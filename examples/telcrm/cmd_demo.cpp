// SPDX-License-Identifier: Apache-2.0
// telcrm demo: replays a bundled working day through the real engine and tells it call by
// call, then sums it up.
#include <telcrm/json/scenario_json.hpp>
#include <telcrm/sim/replay.hpp>

#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <string>
#include <system_error>
#include <vector>

#include "cli.hpp"
#include "commands.hpp"
#include "timeline.hpp"

namespace telcrm::cli {

namespace {

constexpr std::string_view demo_file = "demo-day.json";

const Command demo_command{
    "demo",
    "[--scenario FILE] [--seed N] [--color auto|always|never] [--calls N]",
    "Replays a working day of a small company — about thirty calls on four lines: number\n"
    "formats, matching, exceptions, routing, queues, lead creation, transfers, voicemail and\n"
    "missed calls — through the engine, with an in-memory CRM and a simulated PBX, and prints\n"
    "what happened to each call: the number as received and read, the client found (or why\n"
    "not), each routing step with its reason, who answered, what the CRM got; then a summary\n"
    "of the day.",
    {{"--scenario", "FILE", "replay FILE instead of the bundled demo-day.json"},
     {"--seed", "N", "seed of the `random` queue distribution (default 1)"},
     {"--color", "WHEN", "auto (default: colour on a terminal), always or never"},
     {"--calls", "N", "show only the first N calls (the summary still counts them all)"}},
    "The bundled day is looked up in the source tree this program was built from, then in\n"
    "<prefix>/share/telcrm beside the installed program, then in the configured install\n"
    "directory. Any scenario in the format of `telcrm replay` can be shown with --scenario."};

// The directory of the running program (Linux /proc; empty when it cannot be told).
std::filesystem::path program_dir() {
  std::array<char, 4096> buffer{};
  const auto n = ::readlink("/proc/self/exe", buffer.data(), buffer.size() - 1);
  if (n <= 0) return {};
  return std::filesystem::path(std::string(buffer.data(), static_cast<std::size_t>(n)))
      .parent_path();
}

// Where the bundled day may be, in the order they are tried.
std::vector<std::filesystem::path> demo_candidates() {
  std::vector<std::filesystem::path> paths;
#ifdef TELCRM_DEMO_SOURCE_DIR
  paths.emplace_back(std::filesystem::path(TELCRM_DEMO_SOURCE_DIR) / demo_file);
#endif
  // A relocated install: <prefix>/bin/telcrm next to <prefix>/share/telcrm.
  if (auto dir = program_dir(); !dir.empty())
    paths.emplace_back(dir.parent_path() / "share" / "telcrm" / demo_file);
#ifdef TELCRM_DEMO_INSTALL_DIR
  paths.emplace_back(std::filesystem::path(TELCRM_DEMO_INSTALL_DIR) / demo_file);
#endif
  return paths;
}

bool parse_count(std::string_view text, std::uint64_t& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

int run_demo(std::span<const std::string_view> argv) {
  int code = exit_ok;
  auto args = parse(demo_command, argv, code);
  if (!args) return code;
  if (!args->positional().empty())
    return usage_error("demo", fmt::format("unexpected argument '{}'", args->positional().front()));

  ReplayOptions options;
  if (auto seed = args->value("--seed"); seed && !parse_count(*seed, options.seed))
    return usage_error("demo", fmt::format("--seed: '{}' is not a number", *seed));
  std::uint64_t limit = std::numeric_limits<std::uint64_t>::max();
  if (auto calls = args->value("--calls"); calls && !parse_count(*calls, limit))
    return usage_error("demo", fmt::format("--calls: '{}' is not a number", *calls));
  const auto mode = parse_color_mode(args->value_or("--color", "auto"));
  if (!mode)
    return usage_error("demo", fmt::format("--color: expected auto, always or never, got '{}'",
                                           args->value_or("--color", "")));

  std::string path;
  if (auto given = args->value("--scenario")) {
    path = *given;
  } else {
    for (const auto& candidate : demo_candidates()) {
      std::error_code ec;
      if (std::filesystem::is_regular_file(candidate, ec)) {
        path = candidate.string();
        break;
      }
    }
    if (path.empty())
      return usage_error("demo", "the bundled demo-day.json was not found; give --scenario FILE");
  }

  std::string error;
  auto text = read_file(path, error);
  if (!text) return usage_error("demo", error);
  auto scenario = scenario_from_json(*text);
  if (!scenario) {
    fmt::print(stderr, "{}: {}\n", path, scenario.error().message());
    return exit_usage;
  }
  auto output = replay(*scenario, options);
  if (!output) {
    fmt::print(stderr, "{}: {}\n", path, output.error().message());
    return exit_failure;
  }

  const Timeline timeline(*scenario, output->calls, output->crm_after.missed_calls,
                          Style::for_stream(stdout, *mode));
  timeline.print_overview(stdout);
  timeline.print_calls(
      stdout, static_cast<std::size_t>(std::min<std::uint64_t>(limit, output->calls.size())));
  timeline.print_summary(stdout);
  return exit_ok;
}

}  // namespace telcrm::cli
