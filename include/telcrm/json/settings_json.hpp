// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// Integration settings as JSON, in exactly the scenario format's `settings` shape.
/// Part of the telcrm::json component.

#include <telcrm/config.hpp>
#include <telcrm/memory/memory_directory.hpp>
#include <telcrm/result.hpp>
#include <telcrm/settings/settings.hpp>

#include <memory>
#include <span>
#include <string>
#include <string_view>

TELCRM_BEGIN_NAMESPACE

/// Settings as the JSON formats hold them: the integration settings, and a directory holding
/// the `employees` array (employees are not settings: the Directory port serves them).
struct LoadedSettings {
  IntegrationSettings settings{};  ///< the integration settings
  std::shared_ptr<MemoryDirectory> directory =
      std::make_shared<MemoryDirectory>();  ///< the employees
};

/// Reads settings and their employees. Unknown keys, wrong types, unknown enum values or
/// regions, missing required keys (`default_region`, a queue's `id` and `members`, a line's
/// `number` and `queue`), malformed times (`"9h"`), UTC offsets or holidays, and employee ids
/// that repeat are errors (Errc::parse_error) whose message starts with the JSON path below
/// `root`: `settings.queues[0].rings: expected an integer, got a string`. Missing fields take
/// the documented defaults. Only the shape is checked: call validate() (settings/validate.hpp)
/// with the employees for references, ranges and duplicates, and lint() for warnings.
[[nodiscard]] Result<LoadedSettings> settings_from_json(std::string_view text,
                                                        std::string_view root = "settings");
/// Writes settings and employees as pretty-printed JSON with every field spelled out;
/// settings_from_json(settings_to_json(s, e)) gives s back, and a directory holding e.
[[nodiscard]] std::string settings_to_json(const IntegrationSettings& settings,
                                           std::span<const Employee> employees = {});

TELCRM_END_NAMESPACE
