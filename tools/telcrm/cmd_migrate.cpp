// SPDX-License-Identifier: Apache-2.0
// telcrm crm migrate: a whole SQLite deployment (settings, employees, CRM, activities, call
// history, missed calls) into PostgreSQL, in one transaction.
#include <telcrm/json/outbox_json.hpp>
#include <telcrm/sqlite/sqlite_crm_store.hpp>
#if TELCRM_CLI_POSTGRES
#include <telcrm/postgres/postgres_crm_store.hpp>
#endif

#include <fmt/core.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <system_error>

#include "commands.hpp"
#include "progress.hpp"

namespace telcrm::cli {

namespace {

struct MigrateOptions {
  std::optional<StoreSpec> from;
  std::optional<StoreSpec> to;
  std::string journal;  // default: FROM.outbox
  bool quiet = false;
};

constexpr const char* migrate_details =
    "Moves a whole SQLite deployment into PostgreSQL: the settings, the employees, and every\n"
    "CRM record — contacts, companies, leads, deals, invoices, call activities, call history\n"
    "and missed calls — with their ids, in one transaction (COPY): all of it or none. The\n"
    "SQLite file is opened read-only and stays as it was. Stop the nodes first: writes that\n"
    "wait in the outbox journal beside the file (FILE.outbox, or --journal) are refused\n"
    "(start `telcrm serve` on the SQLite file once to flush them). The PostgreSQL database\n"
    "must hold no CRM record yet; its tables are created when missing. Receipts and claims\n"
    "(R-I1, R-I2) are not moved: they only matter to calls in progress.\n"
    "Exit codes: 0 moved; 2 nothing was done (a file that is damaged, not telcrm's or\n"
    "newer, a target that already holds a CRM, writes waiting in the journal); 1 the storage\n"
    "failed.";

#if TELCRM_CLI_POSTGRES

std::string tally(std::size_t contacts, std::size_t companies, std::size_t leads, std::size_t deals,
                  std::size_t activities, std::size_t history, std::size_t missed) {
  return fmt::format(
      "{} contacts, {} companies, {} leads, {} deals, {} activities, {} calls in the history, "
      "{} missed calls",
      grouped(contacts), grouped(companies), grouped(leads), grouped(deals), grouped(activities),
      grouped(history), grouped(missed));
}

int run_migrate(const MigrateOptions& options) {
  constexpr std::string_view command = "crm migrate";
  if (!options.from || options.from->kind != StoreSpec::Kind::sqlite)
    return usage_error(command, "--from: expected sqlite:FILE");
  if (!options.to || options.to->kind != StoreSpec::Kind::postgres)
    return usage_error(command, "--to: expected postgres:CONNINFO");
  const std::string& file = options.from->location;
  const auto start = std::chrono::steady_clock::now();

  // Writes still waiting in the journal belong to the SQLite file: moving without them
  // would lose them.
  const std::string journal_path = options.journal.empty() ? file + ".outbox" : options.journal;
  std::error_code ec;
  if (std::filesystem::exists(journal_path, ec)) {
    auto journal = FileOutboxJournal::open(journal_path);
    if (!journal) return database_error(command, journal.error());
    auto pending = (*journal)->pending();
    if (!pending) return database_error(command, pending.error());
    if (!pending->empty())
      return usage_error(command,
                         fmt::format("{} holds {} write(s) not yet in {}: start `telcrm serve "
                                     "--store sqlite:{}` once to flush them, then migrate",
                                     journal_path, pending->size(), file, file));
  }

  SqliteOptions sqlite_options;
  sqlite_options.read_only = true;
  sqlite_options.check_integrity = true;  // a damaged file is reported, never moved
  auto source = SqliteCrmStore::open(file, sqlite_options);
  if (!source) return database_error(command, source.error());
  auto settings = (*source)->load_settings();
  if (!settings) return database_error(command, settings.error());
  auto staff = (*source)->employees();
  if (!staff) return database_error(command, staff.error());
  auto crm = (*source)->snapshot();
  if (!crm) return database_error(command, crm.error());

  // The phones keyed as the source keys them (the same R-N6 tiers on every node).
  PostgresOptions pg_options;
  pg_options.phone_keys = (*source)->phone_keys();
  pg_options.listen = false;
  auto target = PostgresCrmStore::open(options.to->location, pg_options);
  if (!target) return database_error(command, target.error());
  PostgresCrmStore& pg = **target;
  auto failed = [&](const Error& e) {
    pg.rollback_group();
    return database_error(command, e);
  };
  if (auto ok = pg.begin_group(); !ok) return failed(ok.error());
  if (*settings) {
    if (auto ok = pg.save_settings(**settings, *staff); !ok) return failed(ok.error());
  } else if (auto ok = pg.set_employees(*staff); !ok) {
    return failed(ok.error());
  }
  {
    auto bar = Progress::on_stderr("moving", options.quiet);
    auto ok = pg.import(*crm, [&](std::size_t d, std::size_t t) { bar.update(d, t); });
    bar.finish();
    if (!ok) return failed(ok.error());
  }
  if (auto ok = pg.commit_group(); !ok) return failed(ok.error());

  // What PostgreSQL now holds, counted there: the proof that everything arrived.
  auto counts = pg.counts();
  if (!counts) return database_error(command, counts.error());
  const bool whole =
      counts->contacts == crm->contacts.size() && counts->companies == crm->companies.size() &&
      counts->leads == crm->leads.size() && counts->deals == crm->deals.size() &&
      counts->invoices == crm->invoices.size() && counts->activities == crm->activities.size() &&
      counts->history == crm->history.size() && counts->missed_calls == crm->missed_calls.size() &&
      counts->employees == staff->size();
  if (!whole) {
    fmt::print(
        stderr, "telcrm crm migrate: {} holds {} after the move, not {}\n", pg.describe(),
        tally(counts->contacts, counts->companies, counts->leads, counts->deals, counts->activities,
              counts->history, counts->missed_calls),
        tally(crm->contacts.size(), crm->companies.size(), crm->leads.size(), crm->deals.size(),
              crm->activities.size(), crm->history.size(), crm->missed_calls.size()));
    return exit_failure;
  }
  if (!options.quiet) {
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    fmt::print(stderr, "{} -> {}: moved {}, {} employees{} in {:.1f} s\n", file, pg.describe(),
               tally(counts->contacts, counts->companies, counts->leads, counts->deals,
                     counts->activities, counts->history, counts->missed_calls),
               grouped(counts->employees), *settings ? " and the settings" : "", seconds);
  }
  return exit_ok;
}

#else

int run_migrate(const MigrateOptions&) {
  return usage_error("crm migrate", "this telcrm was built without PostgreSQL (telcrm::postgres)");
}

#endif

}  // namespace

void add_crm_migrate(CLI::App& crm, Commands& commands) {
  auto options = std::make_shared<MigrateOptions>();
  CLI::App* app = add_subcommand(crm, "migrate", "move a whole SQLite deployment to PostgreSQL",
                                 migrate_details);
  // Both read like --store, so a bad spec is a usage error that never echoes a conninfo.
  auto spec_option = [&](const std::string& name, std::optional<StoreSpec> MigrateOptions::*member,
                         const std::string& help, const std::string& type) {
    auto read = [options, name, member](const std::string& text) {
      std::string error;
      auto spec = parse_store_spec(text, error);
      if (!spec) throw CLI::ValidationError(name, error);
      (*options).*member = std::move(*spec);
    };
    app->add_option_function<std::string>(name, read, help)->type_name(type)->required();
  };
  spec_option("--from", &MigrateOptions::from, "the deployment to move", "sqlite:FILE");
  spec_option("--to", &MigrateOptions::to, "where it goes (a libpq conninfo)", "postgres:CONNINFO");
  app->add_option("--journal", options->journal,
                  "the outbox journal of the SQLite deployment (default FILE.outbox)")
      ->type_name("FILE");
  app->add_flag("--quiet", options->quiet, "no progress bar and no summary");
  commands.push_back({app, [options] { return run_migrate(*options); }});
}

}  // namespace telcrm::cli
