// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// Scenarios and replay output as JSON (scenario-format.md). Part of telcrm::json.

#include <telcrm/config.hpp>
#include <telcrm/crm/snapshot.hpp>
#include <telcrm/engine/call_result.hpp>
#include <telcrm/result.hpp>
#include <telcrm/sim/scenario.hpp>

#include <span>
#include <string>
#include <string_view>

TELCRM_BEGIN_NAMESPACE

/// Reads a scenario. Errors (Errc::parse_error) start with the JSON path, e.g.
/// `$.calls[2].direction: expected one of incoming, outgoing, callback`; besides bad JSON,
/// unknown keys and bad values they cover references to unknown employees, queues and lines,
/// settings that do not validate, and a call id repeated with different content.
[[nodiscard]] Result<Scenario> scenario_from_json(std::string_view text);

/// One call's entry of the replay output (`calls[]`), as a JSON object.
[[nodiscard]] std::string call_result_to_json(const CallResult& result, int indent = -1);

/// The whole replay output: `{"calls": […], "crm_after": {…}}`, pretty-printed.
[[nodiscard]] std::string replay_output_to_json(std::span<const CallResult> calls,
                                                const CrmSnapshot& crm_after);

TELCRM_END_NAMESPACE
