// SPDX-License-Identifier: Apache-2.0
// telcrm lint: the errors and warnings of a settings file, each with its JSON path.
#include <telcrm/json/settings_json.hpp>
#include <telcrm/settings/validate.hpp>

#include <fmt/format.h>

#include <memory>
#include <string>

#include "commands.hpp"
#include "io.hpp"

namespace telcrm::cli {

namespace {

struct Options {
  std::string path;
  bool warnings_as_errors = false;
};

constexpr const char* details =
    "Checks integration settings (the scenario format's `settings` object) and prints every\n"
    "error and warning with its JSON path, e.g.\n"
    "  settings.json: error: settings.queues[0].rings: must be 2 to 7 rings, got 9\n"
    "\n"
    "Errors make the settings unusable: a line or next_queue naming a queue that does not\n"
    "exist, unknown or repeated members, duplicate ids, rings outside 2-7, a missing or\n"
    "undialable forward_number, bad times or UTC offsets. Warnings are legal but probably not\n"
    "meant: next_queue chains that cycle, queues whose members are all inactive, `wait` on a\n"
    "queue that can be empty, work hours with from >= to, holidays that are not dates.\n\n"
    "Exit code: 0 without errors (warnings allowed), 1 with errors, 2 when the file cannot be\n"
    "read or is not valid settings JSON (unknown key, wrong type; reported on stderr).";

int run(const Options& options) {
  const std::string& path = options.path;

  std::string error;
  auto text = read_file(path, error);
  if (!text) return usage_error("lint", error);
  auto settings = settings_from_json(*text, "settings");
  if (!settings) {
    fmt::print(stderr, "{}: {}\n", path, settings.error().message());
    return exit_usage;
  }

  auto staff = settings->directory->employees();
  const std::vector<Employee> employees = staff ? std::move(*staff) : std::vector<Employee>{};
  const auto errors = validate(settings->settings, employees);
  const auto warnings = lint(settings->settings, employees);
  for (const auto* problems : {&errors, &warnings})
    for (const auto& p : *problems) fmt::print("{}: {}: {}\n", path, p.severity, p);
  fmt::print("{}: {} error{}, {} warning{}\n", path, errors.size(), errors.size() == 1 ? "" : "s",
             warnings.size(), warnings.size() == 1 ? "" : "s");
  const bool failed = !errors.empty() || (options.warnings_as_errors && !warnings.empty());
  return failed ? exit_failure : exit_ok;
}

}  // namespace

void add_lint(CLI::App& parent, Commands& commands) {
  auto options = std::make_shared<Options>();
  CLI::App* app = add_subcommand(
      parent, "lint", "check settings: errors and warnings with their JSON paths", details);
  app->add_flag("--warnings-as-errors", options->warnings_as_errors, "exit 1 on warnings too");
  app->add_option("SETTINGS.json", options->path, "the settings file")->type_name("")->required();
  commands.push_back({app, [options] { return run(*options); }});
}

}  // namespace telcrm::cli
