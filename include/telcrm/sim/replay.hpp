// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// replay(): runs a scenario's calls through the real engine (`telcrm replay`).

#include <telcrm/config.hpp>
#include <telcrm/crm/snapshot.hpp>
#include <telcrm/engine/call_result.hpp>
#include <telcrm/ports/crm_store.hpp>
#include <telcrm/result.hpp>
#include <telcrm/sim/scenario.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

TELCRM_BEGIN_NAMESPACE

/// Options of replay().
struct ReplayOptions {
  std::uint64_t seed = 1;  ///< the `random` distribution's seed (`--seed N`)
  /// When set, each call's result is handed here as the call ends and is not kept in
  /// ReplayOutput::calls: a replay's memory then does not grow with its calls' results
  /// (`telcrm replay` streams its output so).
  std::function<void(const CallResult&)> on_call{};
  /// How many finished calls the engine remembers to answer repeated call ids (R-I1).
  /// When not set, as many as the scenario's repeated call ids need to be answered as with
  /// EngineOptions::remembered_calls (at most that), so memory does not grow with the calls.
  std::optional<std::size_t> remembered_calls{};
  /// SimulatedPbx::skip_unanswered_transfers: for generated days, not written scenarios.
  bool skip_unanswered_transfers = false;
  /// false: ReplayOutput::crm_after is left empty, and no copy of the CRM is made (the
  /// caller reads the store itself, or needs no CRM: `telcrm replay`'s dry run).
  bool crm_after = true;
};

/// What a replay produced: one result per scenario call, in order, and the CRM afterwards.
struct ReplayOutput {
  std::vector<CallResult> calls{};  ///< one per scenario call, in order
  CrmSnapshot crm_after{};          ///< the store's CRM after the last call
};

/// Runs `scenario` against `store`, which the caller has filled with the scenario's CRM.
/// Presence overrides apply to their call only; time is each call's `at`.
[[nodiscard]] Result<ReplayOutput> replay(const Scenario& scenario, CrmStore& store,
                                          ReplayOptions options = {});
/// Runs `scenario` against a new in-memory store holding `scenario.crm`.
[[nodiscard]] Result<ReplayOutput> replay(const Scenario& scenario, ReplayOptions options = {});

TELCRM_END_NAMESPACE

#ifdef TELCRM_HEADER_ONLY
#include <telcrm/sim/replay-inl.hpp>
#endif
