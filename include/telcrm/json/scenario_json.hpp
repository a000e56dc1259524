// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// Scenarios and replay output as JSON (scenario-format.md). Part of telcrm::json.

#include <telcrm/config.hpp>
#include <telcrm/crm/snapshot.hpp>
#include <telcrm/engine/call_result.hpp>
#include <telcrm/result.hpp>
#include <telcrm/sim/scenario.hpp>

#include <functional>
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

/// replay_output_to_json() in pieces, for output written call by call as a replay runs
/// (ReplayOptions::on_call): the opening, then each call (`first` for the first one), then the
/// closing with the CRM (`any_call`: whether a call was written). Concatenated they are
/// exactly replay_output_to_json(calls, crm_after).
[[nodiscard]] std::string replay_output_json_begin();
/// One call of the streamed output (see replay_output_json_begin()).
[[nodiscard]] std::string replay_output_json_call(const CallResult& result, bool first);
/// The end of the streamed output (see replay_output_json_begin()).
[[nodiscard]] std::string replay_output_json_end(const CrmSnapshot& crm_after, bool any_call);
/// The end of the streamed output, handed to `sink` piece by piece (one record at a time:
/// no whole CRM is held as JSON).
void replay_output_json_end(const CrmSnapshot& crm_after, bool any_call,
                            const std::function<void(std::string_view)>& sink);
/// The end of the streamed output written from records handed over one at a time, in
/// CrmSnapshot's order (each list by id; MemoryCrmStore::for_each_record gives them so): no
/// copy of the CRM is made. The constructor writes the opening of `crm_after`, finish() the
/// lists not reached and the closing.
class ReplayOutputEnd {
 public:
  /// Writes the opening of `crm_after` to `sink` (`any_call`: whether a call was written).
  ReplayOutputEnd(bool any_call, std::function<void(std::string_view)> sink);
  /// @{
  /// One record of `crm_after`.
  void add(const Contact& record);
  void add(const Company& record);
  void add(const Lead& record);
  void add(const Deal& record);
  void add(const Invoice& record);
  void add(const CallActivity& record);
  void add(const MissedCall& record);
  void add(const CallRecord& record);
  /// @}
  /// Closes the document.
  void finish();

 private:
  // Opens the lists up to `list` (an index in CrmSnapshot's order), closing the one open.
  void reach(int list);
  void item(int list, const std::string& text);
  std::function<void(std::string_view)> sink_;
  int list_ = -1;      // the list open now
  bool empty_ = true;  // it has no record yet
};
/// The whole replay output: `{"calls": […], "crm_after": {…}}`, pretty-printed.
[[nodiscard]] std::string replay_output_to_json(std::span<const CallResult> calls,
                                                const CrmSnapshot& crm_after);

TELCRM_END_NAMESPACE
