// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// A number and a match result as JSON, shaped exactly as in `telcrm replay` output
/// (scenario-format.md: `number`, `crm`, `match`). Part of the telcrm::json component.

#include <telcrm/config.hpp>
#include <telcrm/crm/match_result.hpp>

#include <string>
#include <string_view>

TELCRM_BEGIN_NAMESPACE

/// One line: `{"number": {…}, "crm": "matched", "match": {…}|null, "bindings": […]}`, where
/// `input` is the number as received.
[[nodiscard]] std::string match_result_to_json(const MatchResult& result, std::string_view input);

TELCRM_END_NAMESPACE
