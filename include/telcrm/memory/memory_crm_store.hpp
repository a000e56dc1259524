// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// MemoryCrmStore: an in-memory, thread-safe CrmStore. Shipped beside the core as the
/// reference implementation of the port: hosts run their own test suites against it.

#include <telcrm/config.hpp>
#include <telcrm/detail/chunked_log.hpp>
#include <telcrm/ports/crm_inspection.hpp>
#include <telcrm/ports/crm_store.hpp>
#include <telcrm/ports/linked_batches.hpp>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

TELCRM_BEGIN_NAMESPACE

/// How a MemoryCrmStore keeps its receipts and claims.
struct MemoryStoreOptions {
  /// How long receipts (R-I1) and claims (R-I2) are kept, measured from a batch's `at` to the
  /// newest `at` the store has seen. They are forgotten between one and two retentions later,
  /// a generation at a time.
  Seconds receipt_retention = default_receipt_retention;
};

// The overriders are declared TELCRM_INLINE as well as defined so: header-only, a virtual
// function declared without `inline` becomes the class's key function, and every file that
// includes this header would emit the vtable and compile every overrider it points to.
/// A CRM held in memory. apply() is all-or-nothing and idempotent per (call, seq); claims
/// are honoured (R-I2); receipts and claims are pruned by age (MemoryStoreOptions).
/// Thread-safe: readers share a lock, writers take it alone.
class MemoryCrmStore final : public CrmStore, public CrmInspection {
 public:
  MemoryCrmStore() = default;
  /// An empty store that keeps receipts and claims as `options` say.
  explicit MemoryCrmStore(MemoryStoreOptions options) : options_(options) {}
  /// A store holding `initial` (ids as given).
  explicit MemoryCrmStore(const CrmSnapshot& initial, MemoryStoreOptions options = {});

  [[nodiscard]] TELCRM_INLINE Result<void> scan(CrmVisitor& visitor) const override;
  [[nodiscard]] TELCRM_INLINE Result<std::optional<Contact>> find_contact(
      EntityId id) const override;
  [[nodiscard]] TELCRM_INLINE Result<std::optional<Company>> find_company(
      EntityId id) const override;
  [[nodiscard]] TELCRM_INLINE Result<std::optional<Lead>> find_lead(EntityId id) const override;
  [[nodiscard]] TELCRM_INLINE Result<std::optional<Deal>> find_deal(EntityId id) const override;
  [[nodiscard]] TELCRM_INLINE Result<WriteReceipt> apply(const WriteBatch& batch) override;
  /// As apply(), moving the batch's records, activity and history into the store once it
  /// is validated (CrmStore::apply_consuming); a refused batch is left as given.
  [[nodiscard]] TELCRM_INLINE Result<WriteReceipt> apply_consuming(WriteBatch& batch) override;
  /// The batches under one lock, each as apply() applies it; a batch's references to records
  /// an earlier one created resolved (CrmStore::apply_linked).
  [[nodiscard]] TELCRM_INLINE std::vector<Result<WriteReceipt>> apply_linked(
      std::span<const WriteBatch> batches) override;
  /// As apply_linked(), moving what each applied batch holds into the store.
  [[nodiscard]] TELCRM_INLINE std::vector<Result<WriteReceipt>> apply_linked_consuming(
      std::span<WriteBatch> batches) override;
  /// True (see apply_linked()): the engine hands a call's batches over in one group.
  [[nodiscard]] bool resolves_group_references() const noexcept override { return true; }
  [[nodiscard]] const CrmInspection* inspection() const noexcept override { return this; }

  // CrmInspection
  [[nodiscard]] TELCRM_INLINE Result<std::vector<Deal>> open_deals_of(
      EntityRef client) const override;
  [[nodiscard]] TELCRM_INLINE Result<std::vector<Lead>> open_repeat_leads_of(
      EntityRef client) const override;
  [[nodiscard]] TELCRM_INLINE Result<CrmSnapshot> snapshot() const override;
  /// Calls `f(record)` for every record, list by list in the order of CrmSnapshot's members,
  /// each list by id: what snapshot() holds, without the copy (`telcrm replay` writes its
  /// output so). `f` must not call the store.
  template <class F>
  void for_each_record(F&& f) const {
    std::shared_lock lock(mutex_);
    contacts_.for_each(f);
    companies_.for_each(f);
    leads_.for_each(f);
    deals_.for_each(f);
    invoices_.for_each(f);
    activities_.for_each(f);
    missed_calls_.for_each(f);
    history_.for_each(f);
  }

  /// Simulates an outage: while unavailable, every method fails with
  /// Errc::storage_unavailable (for testing R-I3 and hosts' fault handling).
  void set_available(bool available) noexcept { available_.store(available); }

  /// How many receipts and claims the store keeps now (the conformance kit's size probe).
  [[nodiscard]] std::size_t remembered() const;

 private:
  template <class T>
  using Log = detail::ChunkedLog<T>;

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
  // (hash tag, entry) pairs, the keys in a log. It grows with every call the store ever saw,
  // so a lookup costs about one cache miss, an insert allocates nothing but the key (call ids
  // and E.164 numbers fit the small-string buffer), and growing reads no key.
  class KeyIndex {
   public:
    static constexpr std::uint32_t none = 0xFFFFFFFF;
    /// The value stored under `key`, to read and to write: `none` when the key is new (it is
    /// added then). One probe for both; the reference stays valid as keys are added.
    [[nodiscard]] std::uint32_t& at(std::string_view key);
    /// The value stored under `key`, or `none`; adds nothing.
    [[nodiscard]] std::uint32_t find(std::string_view key) const;

   private:
    struct Slot {
      std::uint32_t tag = 0;    // the hash's high half
      std::uint32_t entry = 0;  // 1 + index into entries_; 0: free
    };
    struct Entry {
      std::string key;
      std::uint32_t value;
    };
    [[nodiscard]] std::size_t home(std::uint32_t tag) const noexcept;
    [[nodiscard]] std::size_t probe(std::string_view key, std::uint32_t tag) const;
    std::vector<Slot> slots_;  // a power of two, at most half full
    Log<Entry> entries_;
    // The entry found last: a call's batches come in a row.
    std::uint32_t last_ = none;
  };

  // R-I1: what every applied batch answered, a call's batches chained newest first. Kept
  // compact (a store remembers every batch of a retention): the created records are a range
  // of Generation::created, a lost claim the index of the winner's call in winners.
  struct Applied {
    std::uint32_t seq;
    std::uint32_t previous;  // the call's batch before this one, or KeyIndex::none
    std::uint32_t created_begin;
    std::uint32_t created_count;
    std::uint32_t lost_to = KeyIndex::none;  // into winners when the claim was lost
  };
  // R-I2: a won claim; what it created is its batch's receipt.
  struct Claim {
    std::string call;
    Timestamp at;
    std::uint32_t applied;   // index into applied
    std::uint32_t previous;  // the number's claim before this one, or KeyIndex::none
  };
  // Receipts and claims in two generations: new ones go to the current one; when the newest
  // `at` is a retention past the moment the current one opened, the previous generation is
  // dropped whole and the current one becomes the previous. Pruning so costs nothing per
  // batch and no lookup slows down; an entry lives at least a retention past its own `at`
  // (it was made while the current generation was open, so no earlier than its opening),
  // and at most about two.
  struct Generation {
    Log<Applied> applied;
    Log<EntityRef> created;    // what the applied batches created, in ranges
    KeyIndex receipts;         // call id -> its newest entry in applied
    Log<Claim> claim_log;      //
    KeyIndex claims;           // E.164 number -> its newest entry in claim_log
    Log<std::string> winners;  // the calls lost claims were lost to
    std::optional<Timestamp> opened;
  };
  [[nodiscard]] Result<void> check_available() const;
  // The three take the group's earlier batches (apply_linked()), or nullptr (apply()).
  [[nodiscard]] Result<void> validate_locked(const WriteBatch& batch,
                                             const LinkedBatches* linked) const;
  // apply() under the lock: the receipt of a replay or a lost claim, or the batch applied.
  // `consume`: the batch was given as the caller's own (apply_consuming()): what it holds is
  // moved into the store rather than copied, once the batch is validated.
  [[nodiscard]] Result<WriteReceipt> apply_one_locked(const WriteBatch& batch,
                                                      const LinkedBatches* linked,
                                                      bool consume = false);
  WriteReceipt apply_locked(const WriteBatch& batch, const LinkedBatches* linked, bool consume);
  // apply_linked() and apply_linked_consuming().
  [[nodiscard]] std::vector<Result<WriteReceipt>> apply_group(std::span<const WriteBatch> batches,
                                                              bool consume);
  // Moves the newest `at` on to `at`, opening a new generation when the current one is a
  // retention old.
  void age_locked(Timestamp at);
  // Keeps `applied` as the answer to (batch.call, batch.seq); `newest` is the call's entry.
  void remember_locked(const WriteBatch& batch, std::uint32_t& newest, Applied applied);
  [[nodiscard]] static WriteReceipt receipt_of(const Generation& generation,
                                               const Applied& applied);

  mutable std::shared_mutex mutex_;
  Table<Contact> contacts_;
  Table<Company> companies_;
  Table<Lead> leads_;
  Table<Deal> deals_;
  Table<Invoice> invoices_;
  Log<CallActivity> activities_;  // in id order
  Log<MissedCall> missed_calls_;
  Log<CallRecord> history_;
  MemoryStoreOptions options_{};
  std::unique_ptr<Generation> current_ = std::make_unique<Generation>();
  std::unique_ptr<Generation> previous_;  // nullptr until the first generation ages
  std::optional<Timestamp> newest_;       // the newest `at` of the batches applied
  std::atomic<bool> available_{true};
};

TELCRM_END_NAMESPACE

#ifdef TELCRM_HEADER_ONLY
#include <telcrm/memory/memory_crm_store-inl.hpp>
#endif
