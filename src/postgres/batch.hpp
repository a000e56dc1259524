// SPDX-License-Identifier: Apache-2.0
#pragma once
// Private to telcrm::postgres: the SQL of one batch — the reads that decide it (its receipt,
// its claim, the records it references) and the writes that apply it — as pipelined
// statements (batch.cpp); writes.cpp runs them inside a transaction.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "store_impl.hpp"

TELCRM_BEGIN_NAMESPACE

namespace pg_detail {

inline constexpr std::size_t none = static_cast<std::size_t>(-1);
/// Each batch of a group in a savepoint of its own (released or rolled back after it).
inline constexpr const char* batch_savepoint = "SAVEPOINT telcrm_batch";

inline std::int64_t seconds_of(Timestamp t) {
  return t.time_since_epoch().count();
}

// What the reading half of a batch asked, by statement index in its pipeline.
struct Reads {
  std::size_t receipt = none;
  std::size_t claim = none;
  std::size_t recordings = none;
  std::array<std::size_t, 5> exists{none, none, none, none, none};
  std::size_t first = none, last = none;  // the range of the batch's statements
};

// What the writing half of a batch will give back.
struct Writes {
  std::size_t batch = none;
  std::vector<std::size_t> creates;  // statements returning a created id, in operation order
  std::vector<EntityType> types;
  std::optional<WriteReceipt> fixed;  // a replay or a lost claim: known before writing
  std::size_t first = none, last = none;
};

/// Queues the reading half of `b` (in a savepoint of its own when `savepoint`).
Reads add_reads(Pipeline& p, const WriteBatch& b, bool savepoint);
/// Queues the writes of `b`: its operations, its claim, its receipt; `window` is the claim
/// window the database keeps (the exclusion constraint covers claims made with it); `names`
/// are the transaction's (PostgresCrmStore::Impl::local_names_).
void queue_writes(const PostgresCrmStore::Impl& impl, Pipeline& next, const WriteBatch& b,
                  const IndexOptions& keys, Seconds window, LocalNames& names, Writes& writes);
/// Queues the receipt of a batch whose claim was lost: the winner's records.
void queue_lost_receipt(Pipeline& next, const WriteBatch& b, const WriteReceipt& lost);
/// The advisory keys of `batches`, ascending, each once: claimed numbers and the rows they
/// update (a record reassigned, a number's missed calls, a call's activities).
std::vector<std::int64_t> lock_keys_of(std::span<const WriteBatch> batches,
                                       const PostgresTestHooks& hooks);

}  // namespace pg_detail

TELCRM_END_NAMESPACE
