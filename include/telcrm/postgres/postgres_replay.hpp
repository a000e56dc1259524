// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// replay_resumable() into a PostgresCrmStore: a scenario replayed so that it can be
/// interrupted at any moment and run again (`telcrm replay --store postgres:CONNINFO`).

#include <telcrm/config.hpp>
#include <telcrm/postgres/postgres_crm_store.hpp>
#include <telcrm/result.hpp>
#include <telcrm/sim/replay.hpp>
#include <telcrm/sim/scenario.hpp>

#include <cstddef>

TELCRM_BEGIN_NAMESPACE

/// Options of replay_resumable() into PostgreSQL.
struct PostgresReplayOptions {
  ReplayOptions replay{};              ///< as for replay()
  PostgresProgress import_progress{};  ///< told how far the import of the scenario's CRM got
  PostgresProgress call_progress{};    ///< told how many of the calls to run are complete
};

/// What replay_resumable() into PostgreSQL did.
struct PostgresReplayOutput {
  /// The results of the calls run now, and the whole CRM afterwards.
  ReplayOutput output{};
  /// Records imported from the scenario's `crm` (0 when the store already held a CRM).
  std::size_t imported = 0;
  /// Calls of the scenario skipped because the store already holds their history record.
  std::size_t skipped = 0;
};

/// Replays `scenario` into `store` as the SQLite overload does (see sqlite_replay.hpp): the
/// scenario is first run in memory (its faults write nothing), a store without CRM records
/// gets the scenario's `crm` and settings, calls whose history record is stored are skipped
/// (by call id), and all writes of one call are one write group — each call whole or absent,
/// whatever interrupts the run. Errors: the scenario's (nothing written), the import's, and
/// storage errors (calls completed before stay stored).
/// Thread safety: runs on the calling thread; nothing else may write through `store`
/// meanwhile (other nodes may write to the database).
[[nodiscard]] Result<PostgresReplayOutput> replay_resumable(
    const Scenario& scenario, PostgresCrmStore& store, const PostgresReplayOptions& options = {});

TELCRM_END_NAMESPACE
