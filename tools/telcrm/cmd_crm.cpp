// SPDX-License-Identifier: Apache-2.0
// telcrm crm: work with CRM snapshots and databases (check, import, export).
#include <telcrm/crm/data_quality.hpp>
#include <telcrm/json/crm_json.hpp>
#include <telcrm/json/settings_json.hpp>
#include <telcrm/sqlite/sqlite_crm_store.hpp>

#include <fmt/core.h>

#include <chrono>
#include <filesystem>
#include <system_error>

#include "cli.hpp"
#include "commands.hpp"
#include "progress.hpp"

namespace telcrm::cli {

namespace {

const Command check_command{
    "crm check",
    "SNAPSHOT.json --settings SETTINGS.json",
    "Reports the phones of a CRM snapshot that do not normalise (they are matched only by\n"
    "their digits, R-N7) and the numbers stored on more than one record. Exit code 0 when\n"
    "there is nothing to report, 1 when there is.",
    {{"--settings", "FILE", "the scenario format's settings object (default_region is used)"}}};

void print_ref(const EntityRef& ref, bool first) {
  fmt::print("{}{} {}", first ? "" : ", ", ref.type, ref.id);
}

int run_check(std::span<const std::string_view> argv) {
  int code = exit_ok;
  auto args = parse(check_command, argv, code);
  if (!args) return code;
  if (args->positional().size() != 1) return usage_error("crm check", "give one SNAPSHOT.json");
  auto settings_path = args->value("--settings");
  if (!settings_path) return usage_error("crm check", "--settings is required (see --help)");

  std::string error;
  auto settings_text = read_file(*settings_path, error);
  if (!settings_text) return usage_error("crm check", error);
  auto settings = settings_from_json(*settings_text, "settings");
  if (!settings) {
    fmt::print(stderr, "{}: {}\n", *settings_path, settings.error().message());
    return exit_usage;
  }
  const std::string& crm_path = args->positional().front();
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

const Command import_command{
    "crm import",
    "SNAPSHOT.json --db crm.db [--settings SETTINGS.json] [--quiet]",
    "Loads a CRM snapshot (the scenario format's `crm` section, as `crm export` prints it)\n"
    "into an SQLite database, created when missing, in one transaction: all of it or none.\n"
    "The database must not hold CRM records yet. With --settings the settings are stored\n"
    "too and the phones are keyed for their default region (else for none: only numbers\n"
    "written with a country code get an E.164 key until settings are stored).\n"
    "Exit codes: 0 imported; 2 nothing was done (bad snapshot or settings, a database that\n"
    "is damaged, not telcrm's, newer, read-only or not empty); 1 the storage failed.",
    {{"--db", "FILE", "the SQLite database (required)"},
     {"--settings", "FILE", "the scenario format's settings object, stored with the CRM"},
     {"--quiet", "", "no progress bar and no summary"}}};

const Command export_command{
    "crm export",
    "--db crm.db",
    "Prints the CRM of an SQLite database as a snapshot (the scenario format's `crm`\n"
    "section, every list in id order) on stdout. Opens the file read-only: it works on\n"
    "read-only files and never changes the database. `crm import` of the output gives the\n"
    "same database back. Exit codes as `crm import`.",
    {{"--db", "FILE", "the SQLite database (required)"}}};

int run_import(std::span<const std::string_view> argv) {
  int code = exit_ok;
  auto args = parse(import_command, argv, code);
  if (!args) return code;
  if (args->positional().size() != 1) return usage_error("crm import", "give one SNAPSHOT.json");
  auto db = args->value("--db");
  if (!db) return usage_error("crm import", "--db is required (see --help)");
  const bool quiet = args->has("--quiet");

  std::string error;
  std::optional<LoadedSettings> settings;
  if (auto settings_path = args->value("--settings")) {
    auto text = read_file(*settings_path, error);
    if (!text) return usage_error("crm import", error);
    auto parsed = settings_from_json(*text, "settings");
    if (!parsed) {
      fmt::print(stderr, "{}: {}\n", *settings_path, parsed.error().message());
      return exit_usage;
    }
    settings = std::move(*parsed);
  }
  const std::string& crm_path = args->positional().front();
  auto crm_text = read_file(crm_path, error);
  if (!crm_text) return usage_error("crm import", error);
  auto crm = crm_from_json(*crm_text, "crm");
  if (!crm) {
    fmt::print(stderr, "{}: {}\n", crm_path, crm.error().message());
    return exit_usage;
  }

  const auto start = std::chrono::steady_clock::now();
  std::error_code ec;
  const bool existed = std::filesystem::exists(*db, ec);
  SqliteOptions options;
  options.check_integrity = true;  // a damaged file is reported, never written to
  auto store = SqliteCrmStore::open(*db, options);
  if (!store) return database_error("crm import", store.error());
  // Settings and CRM in one transaction: all of it or none; a file this run created goes
  // again when nothing could be imported.
  auto failed = [&](const Error& e) {
    (*store)->rollback_group();
    store->reset();
    if (!existed)
      for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(*db + suffix, ec);
    return database_error("crm import", e);
  };
  if (auto ok = (*store)->begin_group(); !ok) return failed(ok.error());
  if (settings) {
    auto staff = settings->directory->employees();
    if (!staff) return failed(staff.error());
    if (auto ok = (*store)->save_settings(settings->settings, *staff); !ok)
      return failed(ok.error());
  }
  {
    auto bar = Progress::on_stderr("importing", quiet);
    auto ok = (*store)->import(
        *crm, [&](std::size_t done, std::size_t total) { bar.update(done, total); });
    bar.finish();
    if (!ok) return failed(ok.error());
  }
  if (auto ok = (*store)->commit_group(); !ok) return failed(ok.error());
  if (!quiet) {
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    fmt::print(stderr, "{}: imported {} contacts, {} companies, {} leads, {} deals in {:.1f} s\n",
               *db, grouped(crm->contacts.size()), grouped(crm->companies.size()),
               grouped(crm->leads.size()), grouped(crm->deals.size()), seconds);
  }
  return exit_ok;
}

int run_export(std::span<const std::string_view> argv) {
  int code = exit_ok;
  auto args = parse(export_command, argv, code);
  if (!args) return code;
  if (!args->positional().empty())
    return usage_error("crm export", "takes no positional arguments");
  auto db = args->value("--db");
  if (!db) return usage_error("crm export", "--db is required (see --help)");
  SqliteOptions options;
  options.read_only = true;
  auto store = SqliteCrmStore::open(*db, options);
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

int run_crm(std::span<const std::string_view> argv) {
  if (argv.empty() || argv.front() == "--help" || argv.front() == "-h") {
    fmt::print(argv.empty() ? stderr : stdout,
               "usage: telcrm crm <command> …\n\ncommands:\n"
               "  check        report phones that do not normalise and numbers on several records\n"
               "  import       load a CRM snapshot into an SQLite database\n"
               "  export       print the CRM of an SQLite database as a snapshot\n");
    return argv.empty() ? exit_usage : exit_ok;
  }
  if (argv.front() == "check") return run_check(argv.subspan(1));
  if (argv.front() == "import") return run_import(argv.subspan(1));
  if (argv.front() == "export") return run_export(argv.subspan(1));
  return usage_error("crm",
                     fmt::format("unknown command '{}' (see telcrm crm --help)", argv.front()));
}

}  // namespace telcrm::cli
