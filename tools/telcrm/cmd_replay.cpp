// SPDX-License-Identifier: Apache-2.0
// telcrm replay: run a scenario's calls through the real engine; print what happened.
#include <telcrm/json/scenario_json.hpp>
#include <telcrm/sim/replay.hpp>
#include <telcrm/sqlite/sqlite_replay.hpp>

#include <fmt/core.h>

#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "commands.hpp"
#include "io.hpp"
#include "progress.hpp"

namespace telcrm::cli {

namespace {

struct Options {
  std::string path;
  std::optional<std::uint64_t> seed;
  std::optional<StoreSpec> store;  // memory when not given
  bool quiet = false;
};

constexpr const char* details =
    "Runs the calls of a scenario through the engine, with a simulated PBX, and prints the\n"
    "output document: what happened to each call and the CRM afterwards (see the scenario\n"
    "format). Errors in the scenario are printed as `SCENARIO.json: $.calls[2].direction: …`\n"
    "with exit code 2 — also those only running it finds (a transfer_to on a call no employee\n"
    "answered): the whole scenario runs in memory first, so nothing is written then.\n"
    "\n"
    "The CRM is in memory (holding the scenario's `crm`) unless --store sqlite:FILE names an\n"
    "SQLite database: one without CRM records first gets the scenario's `crm`; calls already\n"
    "complete in it (their history record is stored) are skipped, by call id, so running the\n"
    "replay again after an interruption completes the other calls and duplicates none. All\n"
    "writes of one call are one transaction. The output lists the calls run now and the\n"
    "whole database's CRM. A database that is damaged, not telcrm's, newer or read-only is\n"
    "refused with exit code 2 and left as it is; a storage failure midway is exit code 1.";

// A replay error the scenario caused (exit 2, nothing written: replays run in memory first),
// rather than the storage (exit 1).
bool scenario_fault(const Error& error) {
  switch (error.code()) {
    case Errc::invalid_argument:
    case Errc::parse_error:
    case Errc::invalid_state:
    case Errc::not_found: return true;
    default: return false;
  }
}

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
        return scenario_fault(result.error()) ? exit_usage : exit_failure;
    }
  }
  if (!quiet && result->skipped > 0)
    fmt::print(stderr, "{}: {} call(s) already complete in the database were skipped\n", path,
               grouped(result->skipped));
  fmt::print("{}", replay_output_to_json(result->output.calls, result->output.crm_after));
  return exit_ok;
}

int run(const Options& given) {
  ReplayOptions options;
  if (given.seed) options.seed = *given.seed;
  const std::string& path = given.path;
  std::string error;
  auto text = read_file(path, error);
  if (!text) return usage_error("replay", error);
  auto scenario = scenario_from_json(*text);
  if (!scenario) {
    fmt::print(stderr, "{}: {}\n", path, scenario.error().message());
    return exit_usage;
  }
  const StoreSpec store = given.store.value_or(StoreSpec{});
  switch (store.kind) {
    case StoreSpec::Kind::sqlite:
      return replay_sqlite(store.location, path, *scenario, options, given.quiet);
    case StoreSpec::Kind::memory: break;
  }
  // The whole scenario runs in memory first, keeping no result: a fault found halfway is
  // exit 2 with nothing printed. Then it runs again, each call's result printed as it ends,
  // so memory does not grow with the output (the run is deterministic: same seed, same calls).
  ReplayOptions dry = options;
  dry.on_call = [](const CallResult&) {};
  if (auto checked = replay(*scenario, dry); !checked) {
    fmt::print(stderr, "{}: {}\n", path, checked.error().message());
    return scenario_fault(checked.error()) ? exit_usage : exit_failure;
  }
  bool first = true;
  options.on_call = [&first](const CallResult& result) {
    fmt::print("{}", replay_output_json_call(result, first));
    first = false;
  };
  fmt::print("{}", replay_output_json_begin());
  auto output = replay(*scenario, options);
  if (!output) {
    fmt::print(stderr, "{}: {}\n", path, output.error().message());
    return exit_failure;
  }
  replay_output_json_end(output->crm_after, !first, [](std::string_view piece) {
    std::fwrite(piece.data(), 1, piece.size(), stdout);
  });
  return exit_ok;
}

}  // namespace

void add_replay(CLI::App& parent, Commands& commands) {
  auto options = std::make_shared<Options>();
  CLI::App* app = add_subcommand(parent, "replay",
                                 "run a scenario through the engine; print what happened", details);
  app->add_option("SCENARIO.json", options->path, "the scenario")->type_name("")->required();
  add_count(*app, "--seed", options->seed, "seed of the `random` queue distribution (default 1)");
  add_store_option(*app, options->store, "memory (default) or sqlite:FILE");
  app->add_flag("--quiet", options->quiet,
                "no progress bar and no notes on stderr (with --store sqlite:)");
  commands.push_back({app, [options] { return run(*options); }});
}

}  // namespace telcrm::cli
