// SPDX-License-Identifier: Apache-2.0
// telcrm replay: run a scenario's calls through the real engine; print what happened.
#include <telcrm/json/scenario_json.hpp>
#include <telcrm/sim/replay.hpp>
#include <telcrm/sqlite/sqlite_replay.hpp>

#include <fmt/core.h>

#include <charconv>
#include <optional>

#include "cli.hpp"
#include "commands.hpp"
#include "progress.hpp"

namespace telcrm::cli {

namespace {
const Command replay_command{
    "replay",
    "SCENARIO.json [--seed N] [--store memory|sqlite:PATH] [--quiet]",
    "Runs the calls of a scenario through the engine, with a simulated PBX, and prints the\n"
    "output document: what happened to each call and the CRM afterwards (see the scenario\n"
    "format). Errors in the scenario are printed as `SCENARIO.json: $.calls[2].direction: …`\n"
    "with exit code 2; nothing is run then.\n"
    "\n"
    "The CRM is in memory (holding the scenario's `crm`) unless --store sqlite:PATH names an\n"
    "SQLite database: one without CRM records first gets the scenario's `crm`; calls already\n"
    "complete in it (their history record is stored) are skipped, by call id, so running the\n"
    "replay again after an interruption completes the other calls and duplicates none. All\n"
    "writes of one call are one transaction. The output lists the calls run now and the\n"
    "whole database's CRM. A database that is damaged, not telcrm's, newer or read-only is\n"
    "refused with exit code 2 and left as it is; a storage failure midway is exit code 1.",
    {{"--seed", "N", "seed of the `random` queue distribution (default 1)"},
     {"--store", "STORE", "memory (default) or sqlite:PATH"},
     {"--quiet", "", "no progress bar and no notes on stderr (with --store sqlite:)"}}};

// Replays `scenario` (read from `scenario_path`) into the SQLite database at `path`; prints
// the output document.
int replay_sqlite(const std::string& path, const std::string& scenario_path,
                  const Scenario& scenario, const ReplayOptions& replay_options, bool quiet) {
  SqliteOptions options;
  options.check_integrity = true;  // a damaged file is reported, never written to
  options.phone_keys =
      IndexOptions{scenario.settings.default_region, scenario.settings.match_suffix_digits};
  auto store = SqliteCrmStore::open(path, options);
  if (!store) return database_error("replay", store.error());
  auto importing = Progress::on_stderr("importing", quiet);
  auto calling = Progress::on_stderr("calls", quiet);
  SqliteReplayOptions sqlite_options;
  sqlite_options.replay = replay_options;
  sqlite_options.import_progress = [&](std::size_t done, std::size_t total) {
    importing.update(done, total);
  };
  sqlite_options.call_progress = [&](std::size_t done, std::size_t total) {
    importing.finish();
    calling.update(done, total);
  };
  auto result = replay_resumable(scenario, **store, sqlite_options);
  importing.finish();
  calling.finish();
  if (!result) {
    switch (result.error().code()) {
      case Errc::storage_unavailable:
      case Errc::storage_corrupt:
      case Errc::unsupported_version:
      case Errc::permission_denied:
      case Errc::io_error: return database_error("replay", result.error());
      default:  // what the engine found wrong with the scenario, as without a database
        fmt::print(stderr, "{}: {}\n", scenario_path, result.error().message());
        return exit_failure;
    }
  }
  if (!quiet && result->skipped > 0)
    fmt::print(stderr, "{}: {} call(s) already complete in the database were skipped\n", path,
               grouped(result->skipped));
  fmt::print("{}", replay_output_to_json(result->output.calls, result->output.crm_after));
  return exit_ok;
}

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
  const std::string store = args->value_or("--store", "memory");
  if (store.rfind("sqlite:", 0) == 0) {
    const std::string db = store.substr(7);
    if (db.empty()) return usage_error("replay", "--store sqlite:PATH needs a PATH");
    return replay_sqlite(db, path, *scenario, options, args->has("--quiet"));
  }
  if (store != "memory")
    return usage_error("replay",
                       fmt::format("--store: '{}' is neither memory nor sqlite:PATH", store));
  auto output = replay(*scenario, options);
  if (!output) {
    fmt::print(stderr, "{}: {}\n", path, output.error().message());
    return exit_failure;
  }
  fmt::print("{}", replay_output_to_json(output->calls, output->crm_after));
  return exit_ok;
}

}  // namespace telcrm::cli
