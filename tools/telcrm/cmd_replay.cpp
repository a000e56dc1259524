// SPDX-License-Identifier: Apache-2.0
// telcrm replay: run a scenario's calls through the real engine; print what happened.
#include <telcrm/json/scenario_json.hpp>
#include <telcrm/memory/memory_crm_store.hpp>
#include <telcrm/sim/replay.hpp>
#include <telcrm/sqlite/sqlite_replay.hpp>
#if TELCRM_CLI_POSTGRES
#include <telcrm/postgres/postgres_replay.hpp>
#endif

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
    "The CRM is in memory (holding the scenario's `crm`) unless --store names a database,\n"
    "sqlite:FILE or postgres:CONNINFO (a libpq conninfo or URI; PGPASSFILE, service files\n"
    "and PG* variables work; it is never printed). A database without CRM records first gets\n"
    "the scenario's `crm`; calls already\n"
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

// Replays `scenario` (read from `scenario_path`) into `store` (`label` names it in messages);
// prints the output document.
template <class Store, class StoreReplayOptions>
int replay_into(Store& store, const std::string& label, const std::string& scenario_path,
                const Scenario& scenario, const ReplayOptions& replay_options, bool quiet) {
  auto importing = Progress::on_stderr("importing", quiet);
  auto calling = Progress::on_stderr("calls", quiet);
  StoreReplayOptions store_options;
  store_options.replay = replay_options;
  store_options.import_progress = [&](std::size_t done, std::size_t total) {
    importing.update(done, total);
  };
  store_options.call_progress = [&](std::size_t done, std::size_t total) {
    importing.finish();
    calling.update(done, total);
  };
  auto result = replay_resumable(scenario, store, store_options);
  importing.finish();
  calling.finish();
  if (!result) {
    switch (result.error().code()) {
      case Errc::storage_unavailable:
      case Errc::storage_corrupt:
      case Errc::unsupported_version:
      case Errc::permission_denied:
      case Errc::not_found:
      case Errc::io_error: return database_error("replay", result.error());
      default:  // what the engine found wrong with the scenario, as without a database
        fmt::print(stderr, "{}: {}\n", scenario_path, result.error().message());
        return scenario_fault(result.error()) ? exit_usage : exit_failure;
    }
  }
  if (!quiet && result->skipped > 0)
    fmt::print(stderr, "{}: {} call(s) already complete in the database were skipped\n", label,
               grouped(result->skipped));
  fmt::print("{}", replay_output_to_json(result->output.calls, result->output.crm_after));
  return exit_ok;
}

int replay_sqlite(const std::string& path, const std::string& scenario_path,
                  const Scenario& scenario, const ReplayOptions& replay_options, bool quiet) {
  SqliteOptions options;
  options.check_integrity = true;  // a damaged file is reported, never written to
  options.phone_keys =
      IndexOptions{scenario.settings.default_region, scenario.settings.match_suffix_digits};
  auto store = SqliteCrmStore::open(path, options);
  if (!store) return database_error("replay", store.error());
  return replay_into<SqliteCrmStore, SqliteReplayOptions>(**store, path, scenario_path, scenario,
                                                          replay_options, quiet);
}

#if TELCRM_CLI_POSTGRES
// The conninfo may hold a password: messages name the store by its describe().
int replay_postgres(const std::string& conninfo, const std::string& scenario_path,
                    const Scenario& scenario, const ReplayOptions& replay_options, bool quiet) {
  PostgresOptions options;
  options.phone_keys =
      IndexOptions{scenario.settings.default_region, scenario.settings.match_suffix_digits};
  options.listen = false;  // one writer for the run: nothing to hear
  auto store = PostgresCrmStore::open(conninfo, options);
  if (!store) return database_error("replay", store.error());
  return replay_into<PostgresCrmStore, PostgresReplayOptions>(
      **store, (*store)->describe(), scenario_path, scenario, replay_options, quiet);
}
#endif

int run(const Options& given) {
  ReplayOptions options;
  if (given.seed) options.seed = *given.seed;
  const std::string& path = given.path;
  std::string error;
  auto text = read_file(path, error);
  if (!text) return usage_error("replay", error);
  auto scenario = scenario_from_json(*text);
  text.reset();  // read: the run need not hold the file's text as well
  if (!scenario) {
    fmt::print(stderr, "{}: {}\n", path, scenario.error().message());
    return exit_usage;
  }
  const StoreSpec store = given.store.value_or(StoreSpec{});
  switch (store.kind) {
    case StoreSpec::Kind::sqlite:
      return replay_sqlite(store.location, path, *scenario, options, given.quiet);
    case StoreSpec::Kind::postgres:
#if TELCRM_CLI_POSTGRES
      return replay_postgres(store.location, path, *scenario, options, given.quiet);
#else
      break;  // refused by the parse
#endif
    case StoreSpec::Kind::memory: break;
  }
  // The whole scenario runs in memory first, keeping no result: a fault found halfway is
  // exit 2 with nothing printed. Then it runs again, each call's result printed as it ends,
  // so memory does not grow with the output (the run is deterministic: same seed, same calls).
  ReplayOptions dry = options;
  dry.on_call = [](const CallResult&) {};
  dry.crm_after = false;
  if (auto checked = replay(*scenario, dry); !checked) {
    fmt::print(stderr, "{}: {}\n", path, checked.error().message());
    return scenario_fault(checked.error()) ? exit_usage : exit_failure;
  }
  bool first = true;
  options.on_call = [&first](const CallResult& result) {
    fmt::print("{}", replay_output_json_call(result, first));
    first = false;
  };
  // crm_after is written from the store itself, record by record: the CRM is not copied.
  options.crm_after = false;
  MemoryCrmStore crm(scenario->crm);
  fmt::print("{}", replay_output_json_begin());
  auto output = replay(*scenario, crm, options);
  if (!output) {
    fmt::print(stderr, "{}: {}\n", path, output.error().message());
    return exit_failure;
  }
  ReplayOutputEnd end(
      !first, [](std::string_view piece) { std::fwrite(piece.data(), 1, piece.size(), stdout); });
  crm.for_each_record([&end](const auto& record) { end.add(record); });
  end.finish();
  return exit_ok;
}

}  // namespace

void add_replay(CLI::App& parent, Commands& commands) {
  auto options = std::make_shared<Options>();
  CLI::App* app = add_subcommand(parent, "replay",
                                 "run a scenario through the engine; print what happened", details);
  app->add_option("SCENARIO.json", options->path, "the scenario")->type_name("")->required();
  add_count(*app, "--seed", options->seed, "seed of the `random` queue distribution (default 1)");
  add_store_option(*app, options->store, "memory (default), sqlite:FILE or postgres:CONNINFO");
  app->add_flag("--quiet", options->quiet,
                "no progress bar and no notes on stderr (with a database)");
  commands.push_back({app, [options] { return run(*options); }});
}

}  // namespace telcrm::cli
