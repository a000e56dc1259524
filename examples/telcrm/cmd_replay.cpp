// SPDX-License-Identifier: Apache-2.0
// telcrm replay: run a scenario's calls through the real engine; print what happened.
#include <telcrm/json/scenario_json.hpp>
#include <telcrm/sim/replay.hpp>

#include <fmt/core.h>

#include <charconv>

#include "cli.hpp"
#include "commands.hpp"

namespace telcrm::cli {

namespace {
const Command replay_command{
    "replay",
    "SCENARIO.json [--seed N]",
    "Runs the calls of a scenario through the engine, with an in-memory CRM and a simulated\n"
    "PBX, and prints the output document: what happened to each call and the CRM afterwards\n"
    "(see the scenario format). Errors in the scenario are printed as\n"
    "`SCENARIO.json: $.calls[2].direction: …` with exit code 2; nothing is run then.",
    {{"--seed", "N", "seed of the `random` queue distribution (default 1)"}}};
}  // namespace

int run_replay(std::span<const std::string_view> argv) {
  int code = exit_ok;
  auto args = parse(replay_command, argv, code);
  if (!args) return code;
  if (args->positional().size() != 1) return usage_error("replay", "give one SCENARIO.json");
  ReplayOptions options;
  if (auto seed = args->value("--seed")) {
    auto [end, ec] = std::from_chars(seed->data(), seed->data() + seed->size(), options.seed);
    if (ec != std::errc() || end != seed->data() + seed->size())
      return usage_error("replay", fmt::format("--seed: '{}' is not a number", *seed));
  }
  const std::string& path = args->positional().front();
  std::string error;
  auto text = read_file(path, error);
  if (!text) return usage_error("replay", error);
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
  fmt::print("{}", replay_output_to_json(output->calls, output->crm_after));
  return exit_ok;
}

}  // namespace telcrm::cli
