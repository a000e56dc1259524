// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <telcrm/memory/memory_crm_store.hpp>
#include <telcrm/memory/memory_directory.hpp>
#include <telcrm/ports/clock.hpp>
#include <telcrm/ports/crm_inspection.hpp>
#include <telcrm/sim/replay.hpp>
#include <telcrm/sim/simulated_pbx.hpp>

#include <algorithm>
#include <string_view>
#include <unordered_map>

TELCRM_BEGIN_NAMESPACE

namespace detail {

// How many finished calls a replay's engine must remember for its repeated call ids to be
// answered as by an engine remembering `limit` (R-I1): each call is played whole before the
// next begins, so a repeat finds its first call if fewer than that many calls ended between.
// Remembering only that many keeps a long scenario's memory from growing with its calls.
TELCRM_INLINE std::size_t remembered_for(const std::vector<ScenarioCall>& calls,
                                         std::size_t limit) {
  std::unordered_map<std::string_view, std::size_t> last;  // call id -> its latest index
  last.reserve(calls.size());
  std::size_t needed = 1;
  for (std::size_t i = 0; i < calls.size(); ++i) {
    auto [it, inserted] = last.try_emplace(calls[i].id, i);
    if (!inserted) {
      needed = std::max(needed, i - it->second);
      it->second = i;
    }
  }
  return std::min(limit, std::max<std::size_t>(needed, 64));
}

}  // namespace detail

TELCRM_INLINE Result<ReplayOutput> replay(const Scenario& scenario, CrmStore& store,
                                          ReplayOptions options) {
  const CrmInspection* inspection = store.inspection();
  if (inspection == nullptr)
    return fail(Errc::invalid_argument, "replay: the store cannot be inspected (no snapshot)");
  MemoryDirectory directory(scenario.employees);
  SimulatedPbx pbx(scenario.settings.default_region);
  pbx.skip_unanswered_transfers(options.skip_unanswered_transfers);
  pbx.keep_commands(false);
  ManualClock clock(scenario.calls.empty() ? Timestamp{} : scenario.calls.front().at);
  EngineOptions engine_options;
  engine_options.seed = options.seed;
  engine_options.remembered_calls =
      options.remembered_calls
          ? *options.remembered_calls
          : detail::remembered_for(scenario.calls, EngineOptions{}.remembered_calls);
  auto engine =
      CallEngine::create(scenario.settings, Ports{store, directory, pbx, clock}, engine_options);
  if (!engine) return fail(engine.error());

  ReplayOutput out;
  for (std::size_t i = 0; i < scenario.calls.size(); ++i) {
    const ScenarioCall& call = scenario.calls[i];
    clock.set(call.at);
    // Presence is exactly what the settings and this call say; nothing carries over.
    for (const auto& [id, presence] : call.presence) directory.set_presence(id, presence);
    auto result = pbx.play(**engine, call);
    for (const auto& [id, presence] : call.presence)
      for (const auto& e : scenario.employees)
        if (e.id == id) directory.set_presence(id, e.presence);
    if (!result) return fail(result.error().with_context("$.calls[" + std::to_string(i) + "]"));
    if (options.on_call)
      options.on_call(*result);
    else
      out.calls.push_back(std::move(*result));
  }
  (*engine)->flush();
  if (!options.crm_after) return out;
  engine->reset();  // its index and remembered calls go before the CRM is copied
  auto after = inspection->snapshot();
  if (!after) return fail(after.error());
  out.crm_after = std::move(*after);
  return out;
}

TELCRM_INLINE Result<ReplayOutput> replay(const Scenario& scenario, ReplayOptions options) {
  MemoryCrmStore store(scenario.crm);
  return replay(scenario, store, options);
}

TELCRM_END_NAMESPACE
