// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// MemoryOutboxJournal: an OutboxJournal in memory — the port's reference behaviour,
/// without durability (for tests).

#include <telcrm/config.hpp>
#include <telcrm/ports/outbox_journal.hpp>

#include <algorithm>
#include <mutex>
#include <string>

TELCRM_BEGIN_NAMESPACE

/// Keeps pending batches in a vector. Thread-safe.
class MemoryOutboxJournal final : public OutboxJournal {
 public:
  [[nodiscard]] Result<void> append(const WriteBatch& batch) override {
    std::lock_guard lock(mutex_);
    batches_.push_back(batch);
    return {};
  }
  [[nodiscard]] Result<void> remove(std::string_view call, std::uint32_t seq) override {
    std::lock_guard lock(mutex_);
    std::erase_if(batches_, [&](const WriteBatch& b) { return b.call == call && b.seq == seq; });
    return {};
  }
  [[nodiscard]] Result<std::vector<WriteBatch>> pending() const override {
    std::lock_guard lock(mutex_);
    return batches_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<WriteBatch> batches_;
};

TELCRM_END_NAMESPACE
