// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// CrmIndex: every stored phone of contacts, companies and leads, plus the few facts
/// about each entity that matching and ranking need, kept current while calls are served.

#include <telcrm/config.hpp>
#include <telcrm/crm/detail/append_map.hpp>
#include <telcrm/crm/detail/phone_table.hpp>
#include <telcrm/crm/entity.hpp>
#include <telcrm/crm/index_keys.hpp>
#include <telcrm/crm/snapshot.hpp>
#include <telcrm/detail/chunked_log.hpp>
#include <telcrm/phone/phone_normalizer.hpp>
#include <telcrm/phone/region.hpp>
#include <telcrm/ports/crm_store.hpp>
#include <telcrm/result.hpp>
#include <telcrm/time.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <vector>

TELCRM_BEGIN_NAMESPACE

namespace detail {
/// The smallest and largest id of each entity type a table holds: an id outside that range is
/// not there, answered without a probe's cache miss (a record just stored has an id above
/// every other, a provisional one an id below every other).
struct IdRange {
  std::array<EntityId, 5> min{};
  std::array<EntityId, 5> max{};
  void note(EntityRef ref) noexcept {
    const auto t = static_cast<std::size_t>(ref.type);
    min[t] = std::min(min[t], ref.id);
    max[t] = std::max(max[t], ref.id);
  }
  [[nodiscard]] bool outside(EntityRef ref) const noexcept {
    const auto t = static_cast<std::size_t>(ref.type);
    return ref.id > max[t] || ref.id < min[t];
  }
};
}  // namespace detail

namespace detail {
template <class Unused>
class BulkBuild;
struct IndexFileAccess;
struct RebuildTestAccess;  // defined by the tests: the pipelined rebuild with small chunks
}  // namespace detail

/// An open deal as the index knows it: enough to rank clients (R-M3) and bind calls (R-M5).
struct DealFact {
  EntityId id = 0;                      ///< the deal
  std::optional<Timestamp> modified{};  ///< when it last changed (ranking, R-M3)
  /// Equal when every member is.
  friend constexpr bool operator==(const DealFact&, const DealFact&) = default;
};

/// What the index knows about one entity. For contacts and companies it also holds the
/// derived lists telcrm needs per call: their open deals (most recently modified first) and
/// their open repeat leads.
struct EntityFacts {
  EntityRef ref{};     ///< the entity these facts are about
  bool exists = true;  ///< false for a removed entity, or one only referenced by a deal
  std::optional<EmployeeId> responsible{};           ///< its responsible employee (R-M4)
  std::optional<EntityId> contact{};                 ///< lead, deal
  std::optional<EntityId> company{};                 ///< contact, lead, deal
  std::optional<Timestamp> modified{};               ///< lead, deal
  LeadStatus lead_status = LeadStatus::in_progress;  ///< lead
  DealStage deal_stage = DealStage::in_progress;     ///< deal
  bool repeat = false;             ///< lead, deal: a repeat record for a known client (R-L6, R-S2)
  std::vector<PhoneKey> phones{};  ///< the keys this entity is filed under
  std::vector<DealFact> open_deals{};         ///< contact, company: most recently modified first
  std::vector<EntityId> open_repeat_leads{};  ///< contact, company (R-L6)
  /// Equal when every member is.
  friend bool operator==(const EntityFacts&, const EntityFacts&) = default;

  /// Facts that say only that `ref` exists (or, with exists = false, is merely referenced).
  static EntityFacts of(EntityRef ref, bool exists = true) {
    EntityFacts f{};
    f.ref = ref;
    f.exists = exists;
    return f;
  }
};

/// A read-only view of an entity's facts, valid while the Snapshot it came from is alive.
struct FactsView {
  EntityRef ref{};                                   ///< see EntityFacts
  bool exists = true;                                ///< see EntityFacts
  std::optional<EmployeeId> responsible{};           ///< see EntityFacts
  std::optional<EntityId> contact{};                 ///< see EntityFacts
  std::optional<EntityId> company{};                 ///< see EntityFacts
  std::optional<Timestamp> modified{};               ///< see EntityFacts
  LeadStatus lead_status = LeadStatus::in_progress;  ///< see EntityFacts
  DealStage deal_stage = DealStage::in_progress;     ///< see EntityFacts
  bool repeat = false;                               ///< see EntityFacts
  std::span<const PhoneKey> phones{};                ///< see EntityFacts
  std::span<const DealFact> open_deals{};            ///< see EntityFacts
  std::span<const EntityId> open_repeat_leads{};     ///< see EntityFacts

  /// An owning copy.
  [[nodiscard]] EntityFacts to_facts() const {
    return EntityFacts{ref,
                       exists,
                       responsible,
                       contact,
                       company,
                       modified,
                       lead_status,
                       deal_stage,
                       repeat,
                       {phones.begin(), phones.end()},
                       {open_deals.begin(), open_deals.end()},
                       {open_repeat_leads.begin(), open_repeat_leads.end()}};
  }
  /// A view of `f`, valid while `f` is.
  static FactsView of(const EntityFacts& f) {
    return FactsView{f.ref,     f.exists,   f.responsible, f.contact,
                     f.company, f.modified, f.lead_status, f.deal_stage,
                     f.repeat,  f.phones,   f.open_deals,  f.open_repeat_leads};
  }
};

/// Options that decide how stored phones are keyed; changing them needs a rebuild.
struct IndexOptions {
  Region default_region{};  ///< stored numbers are read against it (R-N2)
  int suffix_digits = 0;    ///< R-N6 tier 3: 0 = off, else 7 … 15
  /// Updates held before they are folded into a new base: four times the base's entities, within
  /// these bounds. More means fewer O(base) folds; the bound caps the memory held by updates
  /// (about 200 bytes each) and the log's bucket arrays.
  std::size_t min_delta_capacity = 1 << 16;  ///< the least room for updates
  std::size_t max_delta_capacity = 1 << 21;  ///< the most room for updates
};

/// Counts that tell how healthy the index's data is.
struct IndexStats {
  std::size_t entities = 0;             ///< contacts, companies, leads and deals
  std::size_t phones = 0;               ///< stored phones filed (contacts, companies, leads)
  std::size_t unnormalised_phones = 0;  ///< of those, filed by raw digits only (R-N7)
  std::size_t base_bytes = 0;           ///< memory of the base phone table
  std::size_t pending_updates = 0;      ///< updates not yet folded into the base
};

/// The phone index of a CRM (R-N6, R-N7) and the entity facts ranking needs (R-M3 … R-M5).
///
/// Thread safety: any number of threads may read (snapshot()) while one thread at a time
/// writes (update(), rebuild() — writers are serialised inside). Readers never wait for a
/// writer: an update is appended to a lock-free log that readers filter by sequence number,
/// so each lookup sees every update completely or not at all; when the log is full, fold()
/// (off the writers' way) folds it into a new immutable base, which readers pick up at
/// their next snapshot.
class CrmIndex {
  struct Generation;

 public:
  /// A consistent read view. Cheap to take; keep it for one call's lookups.
  class Snapshot {
   public:
    /// The facts of an entity; nullopt when the index has never seen it.
    [[nodiscard]] std::optional<FactsView> facts(EntityRef ref) const;
    /// Calls `f(EntityRef, WrittenForm)` for each entity filed under `key`.
    template <class F>
    void for_each_posting(std::uint64_t key, F&& f) const;
    /// The sequence number of the last update this view includes.
    [[nodiscard]] std::uint64_t sequence() const noexcept { return seq_; }
    /// The options the index was built with.
    [[nodiscard]] const IndexOptions& options() const noexcept { return *options_; }

   private:
    friend class CrmIndex;
    struct Posting {
      EntityRef ref{};
      WrittenForm form{};
    };
    void collect(std::uint64_t key, std::vector<Posting>& out) const;
    std::shared_ptr<const Generation> gen_;
    std::uint64_t seq_ = 0;
    const IndexOptions* options_ = nullptr;
  };

  /// Batches changes so they become visible together (see update()).
  class Writer {
   public:
    /// @{
    /// Files a record: its phones and facts, replacing what was filed for it.
    void upsert(const Contact& contact);
    void upsert(const Company& company);
    void upsert(const Lead& lead);
    void upsert(const Deal& deal);
    /// @}
    /// Files facts made by CrmIndex::facts_of() (normalised before the writer ran).
    void upsert(EntityFacts facts);
    /// Forgets an entity (and files its phones no more).
    void remove(EntityRef ref);
    /// Changes only the responsible (reassignment: phones and links stay).
    void set_responsible(EntityRef ref, std::optional<EmployeeId> responsible);
    /// Files an entity under another id, keeping its facts: a record the engine filed under a
    /// provisional id, once the store gave it its own. `relink(EntityType, EntityId)` maps
    /// the ids its links and lists name (records renamed alongside it). Phones are not read
    /// again. Nothing happens when `from` is not filed.
    template <class Relink>
    void rename(EntityRef from, EntityId to, Relink&& relink);

   private:
    friend class CrmIndex;
    explicit Writer(CrmIndex& index) : index_(index) {}
    CrmIndex& index_;
  };

  /// An empty index keyed with `options`; fill it with rebuild() or update().
  explicit CrmIndex(IndexOptions options);
  CrmIndex(const CrmIndex&) = delete;
  CrmIndex& operator=(const CrmIndex&) = delete;
  ~CrmIndex();

  /// Gathers records for rebuild(Loader&&). The index never reads a store itself (only the
  /// engine calls ports): the caller streams records into a loader — `store.scan(loader)`, or
  /// visit() one by one — and hands it back. It refers to its index: use it while that lives.
  class Loader final : public CrmVisitor {
   public:
    /// @{
    /// Movable, not copyable.
    Loader(Loader&&) noexcept;
    Loader& operator=(Loader&&) noexcept;
    /// @}
    // TELCRM_INLINE on the declarations: header-only, a virtual first declared non-inline is
    // the key function, so every includer would emit the vtable and all it reaches.
    TELCRM_INLINE ~Loader() override;
    /// @{
    /// One record to index.
    TELCRM_INLINE void visit(const Contact& c) override;
    TELCRM_INLINE void visit(const Company& c) override;
    TELCRM_INLINE void visit(const Lead& l) override;
    TELCRM_INLINE void visit(const Deal& d) override;
    /// @}

   private:
    friend class CrmIndex;
    explicit Loader(std::unique_ptr<CrmVisitor> collector);
    std::unique_ptr<CrmVisitor> collector_;  // a detail::BulkBuild<void>
  };

  // The rebuilds below are templates of an unused parameter (always void; call them without
  // one): header-only, only a file that rebuilds an index compiles them. The compiled library
  // holds their one instantiation.

  /// An empty loader keyed as this index is.
  template <class Unused = void>
  [[nodiscard]] Loader loader() const;
  /// Replaces the whole index with what `loaded` gathered.
  template <class Unused = void>
  void rebuild(Loader&& loaded);
  /// Replaces the whole index with the contents of `snapshot`.
  template <class Unused = void>
  void rebuild(const CrmSnapshot& snapshot);
  /// How a rebuild reads the records: a function that streams them to the visitor it is
  /// given, e.g. `[&](CrmVisitor& v) { return store.scan(v); }` — the caller (the engine)
  /// reads the store; the index never calls a port.
  using Scan = std::function<Result<void>(CrmVisitor&)>;
  /// Replaces the whole index with what `scan` streams, on `threads` threads (0: every core;
  /// 1: this thread only, as rebuild(Loader&&)). With more, it is a pipeline: the scan runs
  /// on this thread and streams records in chunks; one helper files them in scan order while
  /// the scan goes on, and the others read chunks' phones into keys ahead of it — so the
  /// index equals the one a single thread builds.
  template <class Unused = void>
  [[nodiscard]] Result<void> rebuild(const Scan& scan, unsigned threads);
  /// Replaces the whole index with `facts` (as export_facts() returned them, e.g. read back
  /// from an index snapshot file: see telcrm/crm/index_snapshot.hpp). No phone is read.
  void rebuild(std::vector<EntityFacts> facts);
  /// Every entity's facts as the index holds them now (folding pending updates first), in
  /// the order a rebuild would file them.
  [[nodiscard]] std::vector<EntityFacts> export_facts();

  /// Whether the pending updates have filled their room and fold() has work to do.
  [[nodiscard]] bool fold_due() const noexcept { return fold_due_.load(std::memory_order_relaxed); }
  /// Folds the pending updates into a new base when fold_due(), off the writers' way: the
  /// O(entities) build runs without the writer lock, so update() — a call filing the lead it
  /// creates — never waits for it; writers wait only while the updates they made meanwhile
  /// are carried over. Readers never wait. The engine calls it from CallEngine::refresh().
  /// Without it a writer folds by itself (and waits for it) once the updates reach one and a
  /// half times their room. Returns whether it folded.
  bool fold();

  /// Runs `changes(Writer&)` and publishes all its changes at once.
  template <class F>
  void update(F&& changes) {
    std::lock_guard lock(write_mutex_);
    Writer writer(*this);
    changes(writer);
    commit_locked();
  }

  /// @{
  /// What the index files for a record: its facts, its phones read into keys. Pure; lets a
  /// caller do the reading before it takes the writer (see Writer::upsert(EntityFacts)).
  [[nodiscard]] EntityFacts facts_of(const Contact& contact) const;
  [[nodiscard]] EntityFacts facts_of(const Company& company) const;
  [[nodiscard]] EntityFacts facts_of(const Lead& lead) const;
  [[nodiscard]] EntityFacts facts_of(const Deal& deal) const;
  /// @}

  /// A read view of the current state.
  [[nodiscard]] Snapshot snapshot() const;
  /// The options the index keys phones with.
  [[nodiscard]] const IndexOptions& options() const noexcept { return options_; }
  /// The normaliser that reads stored phones.
  [[nodiscard]] const PhoneNormalizer& normalizer() const noexcept { return normalizer_; }
  /// Counts for monitoring (a consistent view, like snapshot()).
  [[nodiscard]] IndexStats stats() const;

  /// The keys a stored phone is filed under with these options (at most three: its E.164 or
  /// raw-digits key, and its suffix key when enabled).
  [[nodiscard]] static std::vector<PhoneKey> keys_of(std::string_view phone,
                                                     const IndexOptions& options,
                                                     const PhoneNormalizer& normalizer);
  /// The same, appended to `out` unless already there (no allocation of its own).
  static void append_keys(std::string_view phone, const IndexOptions& options,
                          const PhoneNormalizer& normalizer, std::vector<PhoneKey>& out);

 private:
  struct Base;
  struct Delta;
  template <class>
  friend class detail::BulkBuild;         // builds a Base from a scan
  friend struct detail::IndexFileAccess;  // reads and writes a Base (index snapshot files)
  friend struct detail::RebuildTestAccess;

  // rebuild(scan, threads) for threads >= 2, in chunks of `chunk_size` records, the scan
  // waiting while `max_pending` chunks wait to be filed.
  template <class Unused = void>
  [[nodiscard]] Result<void> rebuild_pipelined(const Scan& scan, unsigned threads,
                                               std::size_t chunk_size, std::size_t max_pending);

  // Replaces the whole index with `base`, which files `unnormalised` raw-digit keys.
  void install(std::shared_ptr<Base> base, std::size_t unnormalised);

  std::optional<EntityFacts> current_facts_locked(EntityRef ref) const;
  void put_facts_locked(EntityFacts facts);
  void file_phones_locked(EntityRef ref, const std::vector<PhoneKey>& before,
                          const std::vector<PhoneKey>& after);
  void upsert_locked(EntityFacts fresh);
  void link_deal_locked(const EntityFacts& deal, bool add);
  void link_repeat_lead_locked(const EntityFacts& lead, bool add);
  void remove_locked(EntityRef ref);
  // remove_locked with the record's current facts already at hand: `gone` (its phones
  // given apart, as `phones`) becomes its tombstone.
  void remove_found_locked(EntityFacts gone, const std::vector<PhoneKey>& phones);
  void set_responsible_locked(EntityRef ref, std::optional<EmployeeId> responsible);
  void commit_locked();
  void fold_locked();
  // The base `delta`'s first `upto` facts entries make of `base` (reads nothing else).
  static std::shared_ptr<Base> folded(const Base& base, const Delta& delta, std::size_t upto);
  // A generation of `base` with an empty delta sized for it.
  std::shared_ptr<Generation> generation_of(std::shared_ptr<Base> base) const;
  void publish_locked(std::shared_ptr<Base> base);
  void publish_locked(std::shared_ptr<Generation> gen);
  std::vector<PhoneKey> keys_of(std::span<const std::string> phones) const;

  IndexOptions options_;
  PhoneNormalizer normalizer_;
  mutable std::mutex write_mutex_;           // one writer at a time
  std::mutex fold_mutex_;                    // one fold() at a time
  std::atomic<bool> fold_due_{false};        // the delta is full; fold() has work
  mutable std::mutex publish_mutex_;         // guards the generation pointer only
  std::shared_ptr<Generation> current_;      // replaced only under both mutexes
  std::atomic<std::uint64_t> committed_{0};  // the last complete update
  std::uint64_t next_seq_ = 1;               // writer only
  bool dirty_ = false;                       // writer only: appended since the last commit
  std::size_t unnormalised_ = 0;             // writer only
  std::atomic<std::size_t> unnormalised_published_{0};
};

/// \cond TELCRM_INTERNAL
// --- implementation details needed by the template above -----------------------------------

struct CrmIndex::Base {
  struct Record {
    EntityRef ref{};
    std::int64_t responsible = none;
    std::int64_t contact = none;
    std::int64_t company = none;
    std::int64_t modified = none;  // seconds since the epoch
    std::uint32_t phones_begin = 0;
    std::uint32_t deals_begin = 0;
    std::uint32_t repeats_begin = 0;
    std::uint16_t phones_count = 0;
    std::uint16_t deals_count = 0;
    std::uint16_t repeats_count = 0;
    LeadStatus lead_status = LeadStatus::in_progress;
    DealStage deal_stage = DealStage::in_progress;
    bool repeat = false;
    bool exists = true;
  };
  static constexpr std::int64_t none = INT64_MIN;

  detail::PhoneTable postings;      // key → ordinal << 2 | written form
  detail::PhoneTable raw_postings;  // the same, for raw-digit keys (R-N7), kept apart
  detail::PhoneTable refs;          // hash(ref) → ordinal
  std::vector<Record> records{};
  std::vector<PhoneKey> phone_keys{};
  std::vector<DealFact> deals{};
  std::vector<EntityId> repeats{};
  std::size_t phone_count = 0;
  detail::IdRange ids{};  // the ids of each type held

  // Raw-digit keys are few (unreadable stored phones) but probed on every call: a table of
  // their own stays in cache instead of costing a miss in the big one.
  [[nodiscard]] const detail::PhoneTable& table_for(std::uint64_t key) const noexcept {
    return detail::is_raw_key(key) ? raw_postings : postings;
  }
  [[nodiscard]] std::optional<std::uint32_t> find(EntityRef ref) const;
  [[nodiscard]] FactsView facts(std::uint32_t ordinal) const;
  static std::shared_ptr<Base> build(std::vector<EntityFacts> facts);

  // Building: append() every entity, then index() files the phones and refs appended.
  using Entries = std::vector<detail::PhoneTable::Entry>;
  void append(const FactsView& f, Entries& posting_entries, Entries& ref_entries);
  void index(Entries posting_entries, const Entries& ref_entries);
};

struct CrmIndex::Delta {
  struct PostingChange {
    EntityRef ref{};
    WrittenForm form = WrittenForm::international;
    bool removed = false;
  };
  struct KeyHash {
    std::size_t operator()(std::uint64_t k) const noexcept {
      return static_cast<std::size_t>((k * 0x9E3779B97F4A7C15ULL) >> 20);
    }
  };
  struct RefHash {
    std::size_t operator()(EntityRef r) const noexcept {
      auto k = static_cast<std::uint64_t>(r.id) * 8 + static_cast<std::uint64_t>(r.type);
      return static_cast<std::size_t>((k * 0x9E3779B97F4A7C15ULL) >> 20);
    }
  };
  // Twice the room for facts: a record created during a call is usually written twice (when
  // created, and again when whoever answers takes it over), its phones filed once.
  explicit Delta(std::size_t capacity) : postings(capacity), facts(2 * capacity) {}
  detail::AppendOnlyMultiMap<std::uint64_t, PostingChange, KeyHash> postings;
  detail::AppendOnlyMultiMap<EntityRef, const EntityFacts*, RefHash> facts;
  detail::ChunkedLog<EntityFacts> owned;  // writer only; immutable once appended
  detail::IdRange ids{};                  // writer only: the ids of each type appended
  [[nodiscard]] bool full() const noexcept { return postings.full() || facts.full(); }
  [[nodiscard]] bool overfull() const noexcept { return postings.overfull() || facts.overfull(); }
  // Keeps `f` as the entity's newest facts at `seq` (writer only).
  void put(EntityFacts f, std::uint64_t seq) {
    ids.note(f.ref);
    owned.push_back(std::move(f));
    const EntityFacts* stored = &owned.back();
    facts.append(stored->ref, stored, seq);
  }
};

struct CrmIndex::Generation {
  std::shared_ptr<const Base> base{};
  std::unique_ptr<Delta> delta{};
};

template <class Relink>
void CrmIndex::Writer::rename(EntityRef from, EntityId to, Relink&& relink) {
  auto old = index_.current_facts_locked(from);
  if (!old || !old->exists) return;
  // One lookup for both halves: the tombstone is the record without its phones (no copy of
  // them), the renamed record takes them.
  std::vector<PhoneKey> phones = std::move(old->phones);
  old->phones.clear();
  EntityFacts moved = *old;
  moved.phones = std::move(phones);
  index_.remove_found_locked(std::move(*old), moved.phones);
  moved.ref.id = to;
  if (moved.contact) moved.contact = relink(EntityType::contact, *moved.contact);
  if (moved.company) moved.company = relink(EntityType::company, *moved.company);
  for (auto& d : moved.open_deals) d.id = relink(EntityType::deal, d.id);
  for (auto& l : moved.open_repeat_leads) l = relink(EntityType::lead, l);
  index_.upsert_locked(std::move(moved));
}

template <class F>
void CrmIndex::Snapshot::for_each_posting(std::uint64_t key, F&& f) const {
  bool changed = false;
  gen_->delta->postings.for_each(key, seq_, [&](const Delta::PostingChange&, std::uint64_t) {
    changed = true;
    return false;
  });
  if (!changed) {  // the common case: the base alone answers, without allocating
    const Base& base = *gen_->base;
    base.table_for(key).for_each(key, [&](std::uint32_t p) {
      f(base.records[p >> 2].ref, static_cast<WrittenForm>(p & 3));
    });
    return;
  }
  std::vector<Posting> postings{};
  collect(key, postings);
  for (const auto& p : postings) f(p.ref, p.form);
}

// The compiled library holds the rebuilds' one instantiation (src/crm.cpp).
#ifndef TELCRM_HEADER_ONLY
extern template CrmIndex::Loader CrmIndex::loader<>() const;
extern template void CrmIndex::rebuild<>(Loader&&);
extern template void CrmIndex::rebuild<>(const CrmSnapshot&);
extern template Result<void> CrmIndex::rebuild<>(const Scan&, unsigned);
extern template Result<void> CrmIndex::rebuild_pipelined<>(const Scan&, unsigned, std::size_t,
                                                           std::size_t);
#endif

/// \endcond

TELCRM_END_NAMESPACE

#ifdef TELCRM_HEADER_ONLY
#include <telcrm/crm/crm_index-inl.hpp>
#endif
