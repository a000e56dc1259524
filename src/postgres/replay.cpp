// SPDX-License-Identifier: Apache-2.0
// telcrm::postgres: replay_resumable(), replay() made safe to interrupt.
#include "../compiled_lib.hpp"  // first: stops a build without TELCRM_COMPILED_LIB

#include <telcrm/postgres/postgres_replay.hpp>

#include <utility>

#include "../resumable_replay.hpp"

TELCRM_BEGIN_NAMESPACE

Result<PostgresReplayOutput> replay_resumable(const Scenario& scenario, PostgresCrmStore& store,
                                              const PostgresReplayOptions& options) {
  auto done = resumable_detail::run(scenario, store, options.replay, options.import_progress,
                                    options.call_progress);
  if (!done) return fail(done.error());
  PostgresReplayOutput out;
  out.output = std::move(done->output);
  out.imported = done->imported;
  out.skipped = done->skipped;
  return out;
}

TELCRM_END_NAMESPACE
