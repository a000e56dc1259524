// SPDX-License-Identifier: Apache-2.0
// Every public scenario (../shared/scenarios) and every scenario of tests/scenarios, replayed
// in-process and checked against its NAME.expect.json (scenario-format.md, "Expectations").
#include <telcrm/json/scenario_json.hpp>
#include <telcrm/sim/replay.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "scenarios/containment.hpp"
#include "shared_scenarios.hpp"

namespace fs = std::filesystem;

namespace {

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<fs::path> scenarios_in(const fs::path& dir) {
  std::vector<fs::path> out;
  if (!fs::exists(dir)) return out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const auto name = entry.path().filename().string();
    if (entry.path().extension() == ".json" && name.find(".expect.") == std::string::npos)
      out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

void check_folder(const fs::path& dir, std::size_t at_least) {
  const auto files = scenarios_in(dir);
  CHECK(files.size() >= at_least);
  for (const auto& file : files) {
    CAPTURE(file.string());
    auto expect_path = file;
    expect_path.replace_extension(".expect.json");
    CHECK_MESSAGE(fs::exists(expect_path), "no " << expect_path.filename().string());
    if (!fs::exists(expect_path)) continue;
    auto scenario = telcrm::scenario_from_json(read(file));
    CHECK_MESSAGE(scenario.has_value(), file.filename().string()
                                            << ": " << scenario.error().message());
    if (!scenario) continue;
    auto output = telcrm::replay(*scenario);
    CHECK_MESSAGE(output.has_value(), file.filename().string() << ": " << output.error().message());
    if (!output) continue;
    const auto actual = nlohmann::ordered_json::parse(
        telcrm::replay_output_to_json(output->calls, output->crm_after));
    const auto expected = nlohmann::ordered_json::parse(read(expect_path));
    const auto difference = telcrm_test::first_difference(expected, actual);
    CHECK_MESSAGE(!difference.has_value(), file.filename().string()
                                               << ": " << difference.value_or(""));
  }
}

}  // namespace

TEST_CASE("every public scenario passes (../shared/scenarios)") {
  const auto shared = telcrm_test::shared_scenarios(TELCRM_SHARED_SCENARIOS);
  REQUIRE_MESSAGE(shared.problem.empty(), shared.problem);
  if (!shared.dir) return;  // told they are absent
  const fs::path& dir = *shared.dir;
  check_folder(dir, 7);
}

TEST_CASE("every scenario of tests/scenarios passes") {
  check_folder(TELCRM_OWN_SCENARIOS, 15);
}

TEST_CASE("the containment rule reports the path of the first difference") {
  auto j = [](const char* text) { return nlohmann::ordered_json::parse(text); };
  CHECK_FALSE(telcrm_test::first_difference(j(R"({"a": 1})"), j(R"({"a": 1, "b": 2})")));
  CHECK(*telcrm_test::first_difference(j(R"({"calls": [{"route": [{"users": [3]}]}]})"),
                                       j(R"({"calls": [{"route": [{"users": [1]}]}]})")) ==
        "$.calls[0].route[0].users: expected [3], got [1]");
  CHECK(*telcrm_test::first_difference(j(R"({"x": [1, 2]})"), j(R"({"x": [1]})")) ==
        "$.x: expected [1,2], got [1]");
  CHECK(*telcrm_test::first_difference(j(R"({"x": null})"), j(R"({})")) ==
        "$.x: missing (expected null)");
}
