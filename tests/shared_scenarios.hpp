// SPDX-License-Identifier: Apache-2.0
#pragma once
// Where the public scenarios are (../shared/scenarios beside the clone, or
// $TELCRM_SHARED_DIR/scenarios). A test that needs them and cannot find them fails: a missing
// folder must never pass silently. A clone that really has no shared folder says so with
// TELCRM_NO_SHARED_SCENARIOS=1, and the tests then use the project's own scenarios only.

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace telcrm_test {

struct SharedScenarios {
  std::optional<std::filesystem::path> dir{};  // none: told they are absent
  std::string problem{};                       // not empty: they should be there and are not
};

inline SharedScenarios shared_scenarios(std::string_view configured) {
  namespace fs = std::filesystem;
  if (const char* absent = std::getenv("TELCRM_NO_SHARED_SCENARIOS");
      absent && std::string_view(absent) == "1")
    return {};
  fs::path dir(configured);
  if (const char* shared = std::getenv("TELCRM_SHARED_DIR")) dir = fs::path(shared) / "scenarios";
  if (fs::is_directory(dir)) return {dir, {}};
  return {std::nullopt, "no public scenarios at " + dir.string() +
                            " (set TELCRM_SHARED_DIR, or TELCRM_NO_SHARED_SCENARIOS=1 when this "
                            "clone has none)"};
}

}  // namespace telcrm_test
