// SPDX-License-Identifier: Apache-2.0
// telcrm demo: replays a bundled working day through the real engine and tells it call by
// call, then sums it up.
#include <telcrm/json/scenario_json.hpp>
#include <telcrm/sim/replay.hpp>
#include <telcrm/sqlite/sqlite_crm_store.hpp>
#if TELCRM_CLI_POSTGRES
#include <telcrm/postgres/postgres_crm_store.hpp>
#endif

#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "commands.hpp"
#include "demo_data.hpp"
#include "io.hpp"
#include "progress.hpp"
#include "timeline.hpp"

namespace telcrm::cli {

namespace {

constexpr std::string_view demo_file = "demo-day.json";

struct Options {
  std::optional<std::string> scenario;
  std::optional<std::uint64_t> seed;
  std::string color = "auto";
  std::optional<std::uint64_t> calls;
  std::optional<StoreSpec> db;  // the large demo
  std::optional<std::uint64_t> contacts;
  std::optional<std::uint64_t> day_calls;
  bool quiet = false;
};

constexpr const char* details =
    "Replays a working day of a small company — about thirty calls on four lines: number\n"
    "formats, matching, exceptions, routing, queues, lead creation, transfers, voicemail and\n"
    "missed calls — through the engine, with an in-memory CRM and a simulated PBX, and prints\n"
    "what happened to each call: the number as received and read, the client found (or why\n"
    "not), each routing step with its reason, who answered, what the CRM got; then a summary\n"
    "of the day.\n"
    "\n"
    "With --db FILE (or --store sqlite:FILE|postgres:CONNINFO) the demo is large: the first\n"
    "run generates a CRM of ~10^5 contacts and companies (numbers from several countries,\n"
    "written every way people write them, with duplicates and junk) into the database, then\n"
    "replays a day of calls against it through the store and shows the summary and the\n"
    "first calls (--calls, default 5). Every later run reuses the database and replays the\n"
    "next day.\n\n"
    "The bundled day is looked up in the source tree this program was built from, then in\n"
    "<prefix>/share/telcrm beside the installed program, then in the configured install\n"
    "directory. Any scenario in the format of `telcrm replay` can be shown with --scenario.";

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

// The large demo (issue 6): a generated CRM in a database (`db` names it in messages), one
// more day per run.
template <class Store>
int database_demo(Store& store, const std::string& db, const char* kind, const Options& given,
                  Scenario company, ReplayOptions options, ColorMode mode, std::uint64_t shown) {
  DemoSize size;
  if (given.contacts) {
    size.contacts = *given.contacts;
    size.companies = *given.contacts / 2;
    size.leads = *given.contacts / 6;
  }
  if (given.day_calls) size.calls = *given.day_calls;
  const bool quiet = given.quiet;
  const auto started = std::chrono::steady_clock::now();
  auto seconds_since = [](auto since) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
  };

  auto filled = store.has_data();
  if (!filled) return database_error("demo", filled.error());
  if (!*filled) {
    DemoDataStats stats;
    CrmSnapshot crm;
    {
      auto bar = Progress::on_stderr("generating the CRM", quiet);
      crm = generate_crm(size, company.employees, stats,
                         [&](std::size_t d, std::size_t t) { bar.update(d, t); });
    }
    {
      auto bar = Progress::on_stderr("writing it to " + db, quiet);
      if (auto ok = store.import(crm, [&](std::size_t d, std::size_t t) { bar.update(d, t); }); !ok)
        return database_error("demo", ok.error());
    }
    if (auto ok = store.save_settings(company.settings, company.employees); !ok)
      return database_error("demo", ok.error());
    fmt::print(
        "Generated {}: {} contacts, {} companies, {} leads, {} deals — {} phones, {} foreign, "
        "{} shared by two records, {} junk ({:.1f} s)\n\n",
        db, crm.contacts.size(), crm.companies.size(), crm.leads.size(), crm.deals.size(),
        stats.phones, stats.foreign_phones, stats.shared_numbers, stats.junk_phones,
        seconds_since(started));
  } else {
    fmt::print("Reusing {} (empty it to start over)\n\n", db);
  }

  // One more working day per run: day k starts after the k calls-days already recorded.
  auto counts = store.counts();
  if (!counts) return database_error("demo", counts.error());
  const std::size_t day_number = counts->history / std::max<std::size_t>(size.calls, 1);
  const Timestamp first_day = company.calls.empty()
                                  ? std::chrono::sys_days(std::chrono::year(2026) / 11 / 24)
                                  : std::chrono::floor<std::chrono::days>(company.calls.front().at);
  const Timestamp day = first_day + std::chrono::days(static_cast<int>(day_number));
  auto snapshot = store.snapshot();
  if (!snapshot) return database_error("demo", snapshot.error());
  Scenario scenario;
  scenario.name =
      fmt::format("Day {} of a generated CRM: {} contacts, {} companies, {} leads", day_number + 1,
                  snapshot->contacts.size(), snapshot->companies.size(), snapshot->leads.size());
  scenario.settings = company.settings;
  scenario.employees = company.employees;
  scenario.calls = generate_day(size, company.settings, company.employees, *snapshot, day);
  for (auto& call : scenario.calls) call.id = fmt::format("day{}-{}", day_number + 1, call.id);

  const auto replay_started = std::chrono::steady_clock::now();
  auto output = replay(scenario, store, options);
  if (!output) return database_error("demo", output.error());
  const double replay_seconds = seconds_since(replay_started);
  scenario.crm = std::move(output->crm_after);

  const Timeline timeline(scenario, output->calls, scenario.crm.missed_calls,
                          Style::for_stream(stdout, mode));
  timeline.print_overview(stdout);
  timeline.print_calls(
      stdout, static_cast<std::size_t>(std::min<std::uint64_t>(shown, output->calls.size())));
  timeline.print_summary(stdout);
  fmt::print(
      "\n{} calls through the engine and the {} store in {:.2f} s ({:.0f} calls/s, index and "
      "CRM load included); {:.1f} s in all.\n",
      output->calls.size(), kind, replay_seconds,
      static_cast<double>(output->calls.size()) / std::max(replay_seconds, 1e-9),
      seconds_since(started));
  return exit_ok;
}

int run_database_demo(const Options& given, Scenario company, ReplayOptions options, ColorMode mode,
                      std::uint64_t shown) {
  // The generated day tries a transfer on some calls before knowing whether anyone will
  // answer them; those nobody answered are simply not transferred.
  options.skip_unanswered_transfers = true;
  if (given.db->kind == StoreSpec::Kind::postgres) {
#if TELCRM_CLI_POSTGRES
    PostgresOptions pg;
    pg.listen = false;
    auto store = PostgresCrmStore::open(given.db->location, pg);
    if (!store) return database_error("demo", store.error());
    return database_demo(**store, (*store)->describe(), "PostgreSQL", given, std::move(company),
                         options, mode, shown);
#endif
  }
  const std::string& db = given.db->location;
  auto store = SqliteCrmStore::open(db, SqliteOptions{});
  if (!store) return database_error("demo", store.error());
  return database_demo(**store, db, "SQLite", given, std::move(company), options, mode, shown);
}

int run(const Options& given) {
  ReplayOptions options;
  if (given.seed) options.seed = *given.seed;
  const std::uint64_t limit = given.calls.value_or(std::numeric_limits<std::uint64_t>::max());
  const auto mode = parse_color_mode(given.color);  // the parse checked it: never nullopt
  if (!mode) return usage_error("demo", fmt::format("--color: '{}'", given.color));

  std::string path;
  if (given.scenario) {
    path = *given.scenario;
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
  if (given.db && given.db->kind != StoreSpec::Kind::memory)
    return run_database_demo(given, std::move(*scenario), options, *mode, given.calls.value_or(5));
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

}  // namespace

void add_demo(CLI::App& parent, Commands& commands) {
  auto options = std::make_shared<Options>();
  CLI::App* app =
      add_subcommand(parent, "demo", "replay a bundled working day; tell it call by call", details);
  app->add_option("--scenario", options->scenario,
                  "replay FILE instead of the bundled demo-day.json")
      ->type_name("FILE");
  add_count(*app, "--seed", options->seed, "seed of the `random` queue distribution (default 1)");
  app->add_option("--color", options->color,
                  "auto (default: colour on a terminal), always or never")
      ->type_name("WHEN")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  add_count(*app, "--calls", options->calls,
            "show only the first N calls (the summary still counts them all)");
  auto* db = add_db_option(*app, options->db,
                           "the large demo: a generated CRM in this SQLite file, a day of calls");
  add_store_option(*app, options->db,
                   "memory (the small demo, default), or the large demo in sqlite:FILE (as "
                   "--db) or postgres:CONNINFO")
      ->excludes(db);
  add_count(*app, "--contacts", options->contacts,
            "with --db: contacts to generate (default 70000, plus half as many companies)", 1);
  add_count(*app, "--day-calls", options->day_calls, "with --db: calls in the day (default 1200)",
            1);
  app->add_flag("--quiet", options->quiet, "with --db: no progress bars");
  commands.push_back({app, [options] { return run(*options); }});
}

}  // namespace telcrm::cli
