// SPDX-License-Identifier: Apache-2.0
// telcrm crm: work with CRM snapshots (check).
#include <telcrm/crm/data_quality.hpp>
#include <telcrm/json/crm_json.hpp>
#include <telcrm/json/settings_json.hpp>

#include <fmt/core.h>

#include "cli.hpp"
#include "commands.hpp"

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
      *crm, IndexOptions{settings->default_region, settings->match_suffix_digits});
  fmt::print("{}: {} records with {} phones, read against {}\n", crm_path, report.records,
             report.phones, settings->default_region.code());
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

}  // namespace

int run_crm(std::span<const std::string_view> argv) {
  if (argv.empty() || argv.front() == "--help" || argv.front() == "-h") {
    fmt::print(argv.empty() ? stderr : stdout,
               "usage: telcrm crm <command> …\n\ncommands:\n"
               "  check        report phones that do not normalise and numbers on several records\n");
    return argv.empty() ? exit_usage : exit_ok;
  }
  if (argv.front() == "check") return run_check(argv.subspan(1));
  return usage_error("crm", fmt::format("unknown command '{}' (see telcrm crm --help)", argv.front()));
}

}  // namespace telcrm::cli
