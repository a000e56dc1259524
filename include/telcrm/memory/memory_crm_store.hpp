// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file MemoryCrmStore: an in-memory, thread-safe CrmStore. Shipped beside the core as the
/// reference implementation of the port: hosts run their own test suites against it.

#include <telcrm/config.hpp>
#include <telcrm/ports/crm_store.hpp>

#include <atomic>
#include <cstdint>
#include <map>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

TELCRM_BEGIN_NAMESPACE

/// A CRM held in memory. apply() is all-or-nothing and idempotent per (call, seq); claims
/// are honoured (R-I2). Thread-safe: readers share a lock, writers take it alone.
class MemoryCrmStore final : public CrmStore {
 public:
  MemoryCrmStore() = default;
  /// A store holding `initial` (ids as given).
  explicit MemoryCrmStore(const CrmSnapshot& initial);

  [[nodiscard]] Result<void> scan(CrmVisitor& visitor) const override;
  [[nodiscard]] Result<std::optional<Contact>> find_contact(EntityId id) const override;
  [[nodiscard]] Result<std::optional<Company>> find_company(EntityId id) const override;
  [[nodiscard]] Result<std::optional<Lead>> find_lead(EntityId id) const override;
  [[nodiscard]] Result<std::optional<Deal>> find_deal(EntityId id) const override;
  [[nodiscard]] Result<std::vector<Deal>> open_deals_of(EntityRef client) const override;
  [[nodiscard]] Result<std::vector<Lead>> open_repeat_leads_of(EntityRef client) const override;
  [[nodiscard]] Result<CrmSnapshot> snapshot() const override;
  [[nodiscard]] Result<std::uint64_t> data_version() const override;
  [[nodiscard]] Result<WriteReceipt> apply(const WriteBatch& batch) override;

  /// Simulates an outage: while unavailable, every method fails with
  /// Errc::storage_unavailable (for testing R-I3 and hosts' fault handling).
  void set_available(bool available) noexcept { available_.store(available); }

 private:
  // An append-only sequence in chunks of 256 elements: growing never moves what it holds and
  // costs one allocation per chunk (std::deque allocates per 512 bytes — per record here — and
  // std::vector moves everything it holds when it grows).
  template <class T>
  class Log {
   public:
    static constexpr std::size_t chunk = 256;
    [[nodiscard]] std::size_t size() const noexcept { return size_; }
    [[nodiscard]] bool empty() const noexcept { return size_ == 0; }
    [[nodiscard]] const T& operator[](std::size_t i) const { return chunks_[i / chunk][i % chunk]; }
    [[nodiscard]] T& operator[](std::size_t i) { return chunks_[i / chunk][i % chunk]; }
    [[nodiscard]] const T& front() const { return chunks_.front().front(); }
    [[nodiscard]] const T& back() const { return chunks_.back().back(); }
    void push_back(T value) {
      if (size_ % chunk == 0) chunks_.emplace_back().reserve(chunk);
      chunks_.back().push_back(std::move(value));
      ++size_;
    }
    template <class F>
    void for_each(F&& f) const {
      for (const auto& c : chunks_)
        for (const auto& v : c) f(v);
    }
    template <class F>
    void for_each(F&& f) {
      for (auto& c : chunks_)
        for (auto& v : c) f(v);
    }
    [[nodiscard]] std::vector<T> to_vector() const {
      std::vector<T> out;
      out.reserve(size_);
      for_each([&](const T& v) { out.push_back(v); });
      return out;
    }

   private:
    std::vector<std::vector<T>> chunks_;
    std::size_t size_ = 0;
  };

  // The records of one type in id order, found by id in O(1). Ids only grow (a new record
  // gets the largest id + 1), so appending keeps the order. While the ids are dense (each the
  // one before + 1: always, unless the initial records had gaps) a record's position is its id
  // minus the first; otherwise a hash index finds it. Either spares apply() the cache misses
  // of a tree walk for every reference it checks.
  template <class T>
  class Table {
   public:
    [[nodiscard]] const T* find(EntityId id) const {
      if (dense_) {
        if (rows_.empty() || id < rows_.front().id) return nullptr;
        const auto at = static_cast<std::size_t>(id - rows_.front().id);
        return at < rows_.size() ? &rows_[at] : nullptr;
      }
      auto it = at_.find(id);
      return it == at_.end() ? nullptr : &rows_[it->second];
    }
    [[nodiscard]] T* find(EntityId id) {
      return const_cast<T*>(static_cast<const Table&>(*this).find(id));
    }
    [[nodiscard]] bool contains(EntityId id) const { return find(id) != nullptr; }
    [[nodiscard]] EntityId next_id() const { return rows_.empty() ? 1 : rows_.back().id + 1; }
    /// Appends `row`, whose id must be larger than every id held.
    void append(T row) {
      if (dense_ && !rows_.empty() && row.id != rows_.back().id + 1) {
        dense_ = false;  // a gap: index every row by id from now on
        for (std::size_t i = 0; i < rows_.size(); ++i) at_.emplace(rows_[i].id, i);
      }
      if (!dense_) at_.emplace(row.id, rows_.size());
      rows_.push_back(std::move(row));
    }
    /// Calls `f(row)` for every row, in id order.
    template <class F>
    void for_each(F&& f) const {
      rows_.for_each(f);
    }
    [[nodiscard]] std::vector<T> to_vector() const { return rows_.to_vector(); }

   private:
    Log<T> rows_;
    bool dense_ = true;
    std::unordered_map<EntityId, std::size_t> at_;  // only when not dense
  };

  // A string -> index map for the per-call and per-number logs below: open addressing over
  // (hash tag, entry) pairs, the keys in one vector. It grows with every call the store ever
  // saw, so a lookup costs about one cache miss and an insert allocates nothing but the key
  // (call ids and E.164 numbers fit the small-string buffer).
  class KeyIndex {
   public:
    static constexpr std::uint32_t none = 0xFFFFFFFF;
    /// The value stored under `key`, or `none`.
    /// Not const: it remembers the entry found last (apply() holds the exclusive lock).
    [[nodiscard]] std::uint32_t get(std::string_view key);
    /// Stores `value` under `key` (added when new).
    void set(std::string_view key, std::uint32_t value);

   private:
    struct Slot {
      std::uint32_t tag = 0;    // the hash's high half
      std::uint32_t entry = 0;  // 1 + index into entries_; 0: free
    };
    struct Entry {
      std::string key;
      std::uint32_t value;
    };
    [[nodiscard]] std::size_t probe(std::string_view key, std::uint64_t hash) const;
    std::vector<Slot> slots_;  // a power of two, at most half full
    Log<Entry> entries_;
    // The entry found last: a call's batches come in a row. (Written by get(), which apply()
    // calls under the exclusive lock.)
    std::uint32_t last_ = none;
  };

  // R-I1: every applied batch's receipt, a call's batches chained newest first.
  struct Applied {
    std::uint32_t seq;
    std::uint32_t previous;  // the call's batch before this one, or KeyIndex::none
    WriteReceipt receipt;
  };
  // R-I2: a won claim; what it created is its batch's receipt.
  struct Claim {
    std::string call;
    Timestamp at;
    std::uint32_t applied;   // index into applied_
    std::uint32_t previous;  // the number's claim before this one, or KeyIndex::none
  };
  [[nodiscard]] Result<void> check_available() const;
  [[nodiscard]] Result<void> validate_locked(const WriteBatch& batch) const;
  WriteReceipt apply_locked(const WriteBatch& batch);
  // Keeps `receipt` as the answer to (batch.call, batch.seq).
  void remember_locked(const WriteBatch& batch, std::uint32_t previous, WriteReceipt receipt);

  mutable std::shared_mutex mutex_;
  Table<Contact> contacts_;
  Table<Company> companies_;
  Table<Lead> leads_;
  Table<Deal> deals_;
  Table<Invoice> invoices_;
  Log<CallActivity> activities_;  // in id order
  Log<MissedCall> missed_calls_;
  Log<CallRecord> history_;
  Log<Applied> applied_;
  KeyIndex receipts_;  // call id -> its newest entry in applied_
  Log<Claim> claim_log_;
  KeyIndex claims_;  // E.164 number -> its newest entry in claim_log_
  std::atomic<bool> available_{true};
};

TELCRM_END_NAMESPACE

#ifdef TELCRM_HEADER_ONLY
#include <telcrm/impl/memory_crm_store-inl.hpp>
#endif
