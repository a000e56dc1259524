// SPDX-License-Identifier: Apache-2.0
// telcrm crm: work with CRM snapshots and databases (check, import, export).
#include <telcrm/crm/data_quality.hpp>
#include <telcrm/json/crm_json.hpp>
#include <telcrm/json/settings_json.hpp>
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
#include "io.hpp"
#include "progress.hpp"

namespace telcrm::cli {

namespace {

struct CheckOptions {
  std::string snapshot;
  std::string settings;
};

struct ImportOptions {
  std::string snapshot;
  std::optional<StoreSpec> db;  // required: sqlite or postgres
  std::optional<std::string> settings;
  bool quiet = false;
};

struct ExportOptions {
  std::optional<StoreSpec> db;  // required: sqlite or postgres
};

void print_ref(const EntityRef& ref, bool first) {
  fmt::print("{}{} {}", first ? "" : ", ", ref.type, ref.id);
}

int run_check(const CheckOptions& options) {
  const std::string& settings_path = options.settings;
  std::string error;
  auto settings_text = read_file(settings_path, error);
  if (!settings_text) return usage_error("crm check", error);
  auto settings = settings_from_json(*settings_text, "settings");
  if (!settings) {
    fmt::print(stderr, "{}: {}\n", settings_path, settings.error().message());
    return exit_usage;
  }
  const std::string& crm_path = options.snapshot;
  auto crm_text = read_file(crm_path, error);
  if (!crm_text) return usage_error("crm check", error);
  auto crm = crm_from_json(*crm_text, "crm");
  if (!crm) {
    fmt::print(stderr, "{}: {}\n", crm_path, crm.error().message());
    return exit_usage;
  }

  const auto report = check_data_quality(
      *crm,
      IndexOptions{settings->settings.default_region, settings->settings.match_suffix_digits});
  fmt::print("{}: {} records with {} phones, read against {}\n", crm_path, report.records,
             report.phones, settings->settings.default_region.code());
  if (report.unnormalised.empty()) {
    fmt::print("  every phone normalises\n");
  } else {
    fmt::print("  {} phone(s) do not normalise; they match only by their digits (R-N7):\n",
               report.unnormalised.size());
    for (const auto& u : report.unnormalised)
      fmt::print("    {} {:<8} {:<28} {}{}{}\n", u.entity.type, u.entity.id,
                 fmt::format("\"{}\"", u.phone), u.status,
                 u.reason == InvalidReason::none ? "" : ": ",
                 u.reason == InvalidReason::none ? std::string_view{} : format_as(u.reason));
  }
  if (report.shared.empty()) {
    fmt::print("  no number is stored on more than one record\n");
  } else {
    fmt::print("  {} number(s) are stored on more than one record (R-M3 ranks them):\n",
               report.shared.size());
    for (const auto& s : report.shared) {
      fmt::print("    {:<16} ", s.number);
      for (std::size_t i = 0; i < s.entities.size(); ++i) print_ref(s.entities[i], i == 0);
      fmt::print("\n");
    }
  }
  return report.unnormalised.empty() && report.shared.empty() ? exit_ok : exit_failure;
}

constexpr const char* import_details =
    "Loads a CRM snapshot (the scenario format's `crm` section, as `crm export` prints it)\n"
    "into a database — an SQLite file (--db FILE or --store sqlite:FILE), created when\n"
    "missing, or PostgreSQL (--store postgres:CONNINFO, the tables created when missing;\n"
    "COPY) — in one transaction: all of it or none.\n"
    "The database must not hold CRM records yet. With --settings the settings are stored\n"
    "too and the phones are keyed for their default region (else for none: only numbers\n"
    "written with a country code get an E.164 key until settings are stored).\n"
    "Exit codes: 0 imported; 2 nothing was done (bad snapshot or settings, a database that\n"
    "is damaged, not telcrm's, newer, read-only or not empty); 1 the storage failed.";

constexpr const char* export_details =
    "Prints the CRM of a database (--db FILE, --store sqlite:FILE or postgres:CONNINFO) as a\n"
    "snapshot (the scenario format's `crm` section, every list in id order) on stdout. Opens\n"
    "it read-only: it works on read-only files and never changes the database. `crm import`\n"
    "of the output gives the same database back. Exit codes as `crm import`.";

// Settings and CRM into `store` in one transaction: all of it or none (`cleanup` runs after
// the rollback of a failed import).
template <class Store, class Cleanup>
int import_into(Store& store, const std::string& label,
                const std::optional<LoadedSettings>& settings, const CrmSnapshot& crm, bool quiet,
                Cleanup cleanup) {
  const auto start = std::chrono::steady_clock::now();
  auto failed = [&](const Error& e) {
    store.rollback_group();
    cleanup();
    return database_error("crm import", e);
  };
  if (auto ok = store.begin_group(); !ok) return failed(ok.error());
  if (settings) {
    auto staff = settings->directory->employees();
    if (!staff) return failed(staff.error());
    if (auto ok = store.save_settings(settings->settings, *staff); !ok) return failed(ok.error());
  }
  {
    auto bar = Progress::on_stderr("importing", quiet);
    auto ok =
        store.import(crm, [&](std::size_t done, std::size_t total) { bar.update(done, total); });
    bar.finish();
    if (!ok) return failed(ok.error());
  }
  if (auto ok = store.commit_group(); !ok) return failed(ok.error());
  if (!quiet) {
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    fmt::print(stderr, "{}: imported {} contacts, {} companies, {} leads, {} deals in {:.1f} s\n",
               label, grouped(crm.contacts.size()), grouped(crm.companies.size()),
               grouped(crm.leads.size()), grouped(crm.deals.size()), seconds);
  }
  return exit_ok;
}

int run_import(const ImportOptions& options) {
  if (int code = require_database("crm import", options.db); code != exit_ok) return code;
  const std::string& db = options.db->location;
  const bool quiet = options.quiet;

  std::string error;
  std::optional<LoadedSettings> settings;
  if (const auto& settings_path = options.settings) {
    auto text = read_file(*settings_path, error);
    if (!text) return usage_error("crm import", error);
    auto parsed = settings_from_json(*text, "settings");
    if (!parsed) {
      fmt::print(stderr, "{}: {}\n", *settings_path, parsed.error().message());
      return exit_usage;
    }
    settings = std::move(*parsed);
  }
  const std::string& crm_path = options.snapshot;
  auto crm_text = read_file(crm_path, error);
  if (!crm_text) return usage_error("crm import", error);
  auto crm = crm_from_json(*crm_text, "crm");
  if (!crm) {
    fmt::print(stderr, "{}: {}\n", crm_path, crm.error().message());
    return exit_usage;
  }

  if (options.db->kind == StoreSpec::Kind::postgres) {
#if TELCRM_CLI_POSTGRES
    auto store = PostgresCrmStore::open(options.db->location);
    if (!store) return database_error("crm import", store.error());
    return import_into(**store, (*store)->describe(), settings, *crm, quiet, [] {});
#endif
  }
  std::error_code ec;
  const bool existed = std::filesystem::exists(db, ec);
  SqliteOptions sqlite;
  sqlite.check_integrity = true;  // a damaged file is reported, never written to
  auto store = SqliteCrmStore::open(db, sqlite);
  if (!store) return database_error("crm import", store.error());
  // A file this run created goes again when nothing could be imported.
  return import_into(**store, db, settings, *crm, quiet, [&] {
    store->reset();
    if (!existed)
      for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db + suffix, ec);
  });
}

int run_export(const ExportOptions& options) {
  if (int code = require_database("crm export", options.db); code != exit_ok) return code;
  if (options.db->kind == StoreSpec::Kind::postgres) {
#if TELCRM_CLI_POSTGRES
    PostgresOptions pg;
    pg.read_only = true;
    pg.create = false;
    pg.listen = false;
    auto store = PostgresCrmStore::open(options.db->location, pg);
    if (!store) return database_error("crm export", store.error());
    auto crm = (*store)->snapshot();
    if (!crm) return database_error("crm export", crm.error());
    fmt::print("{}", crm_to_json(*crm));
    return exit_ok;
#endif
  }
  SqliteOptions sqlite;
  sqlite.read_only = true;
  auto store = SqliteCrmStore::open(options.db->location, sqlite);
  if (!store) return database_error("crm export", store.error());
  auto crm = (*store)->snapshot();
  if (!crm) return database_error("crm export", crm.error());
  fmt::print("{}", crm_to_json(*crm));
  return exit_ok;
}

}  // namespace

int database_error(std::string_view command, const Error& error) {
  fmt::print(stderr, "telcrm {}: {}\n", command, error);
  switch (error.code()) {
    case Errc::storage_corrupt:
    case Errc::unsupported_version:
    case Errc::permission_denied:
    case Errc::not_found:
    case Errc::io_error:
    case Errc::invalid_argument:
    case Errc::already_exists:
    case Errc::parse_error: return exit_usage;
    default: return exit_failure;
  }
}

void add_crm(CLI::App& parent, Commands& commands) {
  CLI::App* crm = add_subcommand(
      parent, "crm", "work with CRM snapshots and databases: check, import, export, migrate");
  crm->require_subcommand(1);

  auto check = std::make_shared<CheckOptions>();
  CLI::App* app = add_subcommand(
      *crm, "check", "report phones that do not normalise and numbers on several records",
      "Reports the phones of a CRM snapshot that do not normalise (they are matched only by\n"
      "their digits, R-N7) and the numbers stored on more than one record. Exit code 0 when\n"
      "there is nothing to report, 1 when there is.");
  app->add_option("SNAPSHOT.json", check->snapshot, "the CRM snapshot")->type_name("")->required();
  app->add_option("--settings", check->settings,
                  "the scenario format's settings object (default_region is used)")
      ->type_name("FILE")
      ->required();
  commands.push_back({app, [check] { return run_check(*check); }});

  auto import = std::make_shared<ImportOptions>();
  app = add_subcommand(*crm, "import", "load a CRM snapshot into a database (SQLite, PostgreSQL)",
                       import_details);
  app->add_option("SNAPSHOT.json", import->snapshot, "the CRM snapshot")->type_name("")->required();
  add_database_options(*app, import->db);
  app->add_option("--settings", import->settings,
                  "the scenario format's settings object, stored with the CRM")
      ->type_name("FILE");
  app->add_flag("--quiet", import->quiet, "no progress bar and no summary");
  commands.push_back({app, [import] { return run_import(*import); }});

  auto exporting = std::make_shared<ExportOptions>();
  app = add_subcommand(*crm, "export", "print the CRM of a database as a snapshot", export_details);
  add_database_options(*app, exporting->db);
  commands.push_back({app, [exporting] { return run_export(*exporting); }});

  add_crm_migrate(*crm, commands);
}

}  // namespace telcrm::cli
