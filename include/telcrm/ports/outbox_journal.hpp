// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file The OutboxJournal port: durable keeping of CRM writes that wait for the store (R-I3).

#include <telcrm/config.hpp>
#include <telcrm/ports/crm_store.hpp>
#include <telcrm/result.hpp>

#include <cstdint>
#include <string_view>
#include <vector>

TELCRM_BEGIN_NAMESPACE

/// Where the engine keeps the write batches the CRM store could not take, so that they
/// survive a restart and are applied once the store is back (R-I3). The engine appends a
/// batch before it tries it, removes it once the store applied it, and on start takes up
/// every batch still pending, in order. Applying a batch twice is harmless: the store
/// deduplicates by (call, seq).
///
/// Shipped: MemoryOutboxJournal (no durability; tests), FileOutboxJournal (telcrm::json).
/// Thread safety: the engine calls it under its own outbox lock, one call at a time.
class OutboxJournal {
 public:
  virtual ~OutboxJournal() = default;
  /// Keeps `batch` durably before returning.
  [[nodiscard]] virtual Result<void> append(const WriteBatch& batch) = 0;
  /// Forgets the batch (call, seq): the store has applied it.
  [[nodiscard]] virtual Result<void> remove(std::string_view call, std::uint32_t seq) = 0;
  /// Every batch appended and not removed, in the order it was appended.
  [[nodiscard]] virtual Result<std::vector<WriteBatch>> pending() const = 0;
};

TELCRM_END_NAMESPACE
