// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <telcrm/memory/memory_crm_store.hpp>
#include <telcrm/memory/memory_directory.hpp>
#include <telcrm/ports/clock.hpp>
#include <telcrm/ports/crm_inspection.hpp>
#include <telcrm/sim/replay.hpp>
#include <telcrm/sim/simulated_pbx.hpp>

TELCRM_BEGIN_NAMESPACE

TELCRM_INLINE Result<ReplayOutput> replay(const Scenario& scenario, CrmStore& store,
                                          ReplayOptions options) {
  const CrmInspection* inspection = store.inspection();
  if (inspection == nullptr)
    return fail(Errc::invalid_argument, "replay: the store cannot be inspected (no snapshot)");
  MemoryDirectory directory(scenario.employees);
  SimulatedPbx pbx(scenario.settings.default_region);
  pbx.skip_unanswered_transfers(options.skip_unanswered_transfers);
  ManualClock clock(scenario.calls.empty() ? Timestamp{} : scenario.calls.front().at);
  EngineOptions engine_options;
  engine_options.seed = options.seed;
  if (options.remembered_calls) engine_options.remembered_calls = *options.remembered_calls;
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
