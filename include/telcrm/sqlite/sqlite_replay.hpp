// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// replay_resumable(): a scenario replayed into a SqliteCrmStore so that it can be
/// interrupted at any moment and run again (`telcrm replay --store sqlite:PATH`).

#include <telcrm/config.hpp>
#include <telcrm/result.hpp>
#include <telcrm/sim/replay.hpp>
#include <telcrm/sim/scenario.hpp>
#include <telcrm/sqlite/sqlite_crm_store.hpp>

#include <cstddef>

TELCRM_BEGIN_NAMESPACE

/// Options of replay_resumable().
struct SqliteReplayOptions {
  ReplayOptions replay{};  ///< as for replay()
  /// Told how far the import of the scenario's CRM got (records).
  SqliteProgress import_progress{};
  /// Told how many of the calls to run are complete.
  SqliteProgress call_progress{};
};

/// What replay_resumable() did.
struct SqliteReplayOutput {
  /// The results of the calls run now (the calls already complete are not run again), and
  /// the whole CRM afterwards.
  ReplayOutput output{};
  /// Records imported from the scenario's `crm` (0 when the store already held a CRM).
  std::size_t imported = 0;
  /// Calls of the scenario skipped because the store already holds their history record.
  std::size_t skipped = 0;
};

/// Replays `scenario` into `store`, the way `telcrm replay --store sqlite:PATH` does:
///  - the whole scenario is first run in memory; what it finds wrong (e.g. a transfer_to on a
///    call no employee answered) is returned with nothing written to `store`;
///  - a store without CRM records first gets the scenario's `crm` (one transaction) and its
///    settings (saved with save_settings());
///  - calls whose history record is already stored are complete and are skipped (by call id),
///    so running it again after an interruption completes the remaining calls and duplicates
///    none;
///  - all writes of one call share one write group (SqliteCrmStore::begin_group), so a crash
///    leaves each call with all of its writes or none of them.
/// Results of the calls run match replay() with an in-memory store holding the same CRM.
/// Errors: those of the scenario's run in memory (as replay(): nothing written), of the
/// import, and storage errors (calls completed before those stay stored, the call in progress
/// is rolled back).
/// Thread safety: runs on the calling thread; nothing else may write through `store` meanwhile.
[[nodiscard]] Result<SqliteReplayOutput> replay_resumable(const Scenario& scenario,
                                                          SqliteCrmStore& store,
                                                          const SqliteReplayOptions& options = {});

TELCRM_END_NAMESPACE
