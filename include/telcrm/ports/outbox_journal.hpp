// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// The OutboxJournal port: durable keeping of CRM writes that wait for the store (R-I3).

#include <telcrm/config.hpp>
#include <telcrm/ports/crm_store.hpp>
#include <telcrm/result.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

TELCRM_BEGIN_NAMESPACE

/// A batch as a journal knows it: its call and its number within the call.
struct JournalKey {
  std::string call;       ///< WriteBatch::call
  std::uint32_t seq = 0;  ///< WriteBatch::seq
};

/// Where the engine keeps the write batches that wait for the CRM store, so that they
/// survive a restart (R-I3). The engine appends every batch when an event queues it (after
/// the event's command went to the PBX), removes it once the store applied it — a batch that
/// created records stays until no waiting batch refers to them —, calls sync() after each
/// flush, and on start takes up every batch still pending, in order. Applying a batch twice
/// is harmless: the store deduplicates by (call, seq).
///
/// Durability: what append() returned from must survive a crash of the process; what sync()
/// returned from must survive a crash of the machine (fsync). A journal may make each
/// append durable at once (then sync() has nothing to do) or group them at sync().
///
/// Shipped: MemoryOutboxJournal (no durability; tests), FileOutboxJournal (telcrm::json).
/// Thread safety: append(), remove() and remove_all() are called under the engine's outbox
/// lock, one at a time. sync() is called without that lock (so that no event waits for the disk),
/// from the flushing thread: it may run while an event's append() does, and a journal must allow
/// that pair. pending() is called once, when the engine is created, before any other call.
class OutboxJournal {
 public:
  virtual ~OutboxJournal() = default;
  /// Keeps `batch` (see Durability above).
  [[nodiscard]] virtual Result<void> append(const WriteBatch& batch) = 0;
  /// Forgets the batch (call, seq): the store has applied it.
  [[nodiscard]] virtual Result<void> remove(std::string_view call, std::uint32_t seq) = 0;
  /// Forgets the batches of a group the store has applied, as remove() each in turn (the
  /// engine calls it once per group); a journal may note them all in one write. The default
  /// calls remove() for every one and returns the first error.
  [[nodiscard]] virtual Result<void> remove_all(std::span<const JournalKey> keys) {
    Result<void> first{};
    for (const auto& k : keys)
      if (auto gone = remove(k.call, k.seq); !gone && first) first = std::move(gone);
    return first;
  }
  /// Every batch appended and not removed, in the order it was appended.
  [[nodiscard]] virtual Result<std::vector<WriteBatch>> pending() const = 0;
  /// Makes everything appended and removed so far survive a crash of the machine.
  [[nodiscard]] virtual Result<void> sync() { return {}; }
};

TELCRM_END_NAMESPACE
