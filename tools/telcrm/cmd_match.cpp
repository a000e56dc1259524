// SPDX-License-Identifier: Apache-2.0
// telcrm match: who a number belongs to in a CRM snapshot, as JSON lines.
#include <telcrm/crm/crm_index.hpp>
#include <telcrm/crm/crm_matcher.hpp>
#include <telcrm/json/crm_json.hpp>
#include <telcrm/json/match_json.hpp>
#include <telcrm/json/settings_json.hpp>
#include <telcrm/settings/line_region.hpp>

#include <fmt/core.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "commands.hpp"
#include "io.hpp"

namespace telcrm::cli {

namespace {

struct Options {
  std::string settings;
  std::string crm;
  std::optional<std::string> line;
  std::vector<std::string> numbers;
};

// Reads and parses a file with `parse(text, root)`; prints the error and returns nullopt.
template <class Parse>
auto load(const std::string& path, std::string_view root, Parse parse)
    -> std::optional<typename decltype(parse(std::string_view{}, root))::value_type> {
  std::string error;
  auto text = read_file(path, error);
  if (!text) {
    fmt::print(stderr, "telcrm match: {}\n", error);
    return std::nullopt;
  }
  auto value = parse(*text, root);
  if (!value) {
    fmt::print(stderr, "{}: {}\n", path, value.error().message());
    return std::nullopt;
  }
  return std::move(*value);
}

int run(const Options& options) {
  const std::string& settings_path = options.settings;
  auto settings = load(settings_path, "settings", [](std::string_view t, std::string_view r) {
    return settings_from_json(t, r);
  });
  if (!settings) return exit_usage;
  auto crm = load(options.crm, "crm",
                  [](std::string_view t, std::string_view r) { return crm_from_json(t, r); });
  if (!crm) return exit_usage;

  auto staff = settings->directory->employees();
  const std::vector<Employee> employees_list = staff ? std::move(*staff) : std::vector<Employee>{};
  const IntegrationSettings& s = settings->settings;
  Region region = s.default_region;
  bool crm_lookup = true;
  if (const auto& line_number = options.line) {
    const LineSettings* line = nullptr;
    for (const auto& l : s.lines)
      if (l.number == *line_number) line = &l;
    if (line == nullptr)
      return usage_error("match", fmt::format("no line '{}' in {}", *line_number, settings_path));
    region = line_region(*line, s.default_region);
    crm_lookup = line->crm_lookup;
  } else if (!s.lines.empty()) {
    region = line_region(s.lines.front(), s.default_region);
    crm_lookup = s.lines.front().crm_lookup;
  }

  CrmIndex index(IndexOptions{s.default_region, s.match_suffix_digits});
  index.rebuild(*crm);
  ExceptionList exceptions(s.exceptions, s.default_region);
  EmployeeIndex employees(employees_list, s.default_region);
  CrmMatcher matcher;
  auto snapshot = index.snapshot();
  for (const auto& number : options.numbers) {
    MatchRequest request{.number = number, .region = region, .crm_lookup = crm_lookup, .card = {}};
    fmt::print("{}\n", match_result_to_json(matcher.match(request, snapshot, exceptions, employees),
                                            number));
  }
  return exit_ok;
}

}  // namespace

void add_match(CLI::App& parent, Commands& commands) {
  auto options = std::make_shared<Options>();
  CLI::App* app = add_subcommand(
      parent, "match", "find the CRM client of numbers in a CRM snapshot",
      "Looks each NUMBER up in the CRM snapshot the way a call on LINE would be, and prints one\n"
      "JSON object per number: {\"number\", \"crm\", \"match\", \"bindings\"} (the shapes of\n"
      "`telcrm replay`).\n\n"
      "SETTINGS gives default_region, match_suffix_digits, exceptions, employees and lines; the\n"
      "line gives the region the number is read against. Without lines, the default region.");
  app->add_option("--settings", options->settings, "the scenario format's settings object")
      ->type_name("FILE")
      ->required();
  app->add_option("--crm", options->crm, "the scenario format's crm object")
      ->type_name("FILE")
      ->required();
  app->add_option("--line", options->line,
                  "the line the call comes in on (default: the first line)")
      ->type_name("NUMBER");
  app->add_option("NUMBER", options->numbers, "the numbers to look up")->type_name("")->required();
  commands.push_back({app, [options] { return run(*options); }});
}

}  // namespace telcrm::cli
