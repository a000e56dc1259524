// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file Integration settings as JSON, in exactly the scenario format's `settings` shape.
/// Part of the telcrm::json component.

#include <telcrm/config.hpp>
#include <telcrm/result.hpp>
#include <telcrm/settings/settings.hpp>

#include <string>
#include <string_view>

TELCRM_BEGIN_NAMESPACE

/// Reads settings. Unknown keys, wrong types, unknown enum values or regions, missing
/// required keys (`default_region`, a queue's `id` and `members`, a line's `number` and
/// `queue`) and malformed times (`"9h"`), UTC offsets or holidays are errors
/// (Errc::parse_error) whose message starts with the JSON path below `root`:
/// `settings.queues[0].rings: expected an integer, got a string`. Missing fields take the
/// documented defaults. Only the shape is checked: call validate() (settings/validate.hpp)
/// for references, ranges and duplicates, and lint() for warnings.
[[nodiscard]] Result<IntegrationSettings> settings_from_json(std::string_view text,
                                                             std::string_view root = "settings");

/// Writes settings as pretty-printed JSON with every field spelled out;
/// settings_from_json(settings_to_json(s)) == s.
[[nodiscard]] std::string settings_to_json(const IntegrationSettings& settings);

TELCRM_END_NAMESPACE
