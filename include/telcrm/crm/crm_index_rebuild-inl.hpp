// SPDX-License-Identifier: Apache-2.0
#pragma once
// CrmIndex's full rebuild (one thread or several) and its facts in and out. Included by
// crm_index-inl.hpp.
//
// A rebuild visits every entity of the CRM, so it builds the base's flat tables directly: the
// records and their phone keys are appended in scan order (no per-entity allocation, no hash
// insertion), the open-deal and repeat-lead lists are grouped by a counting sort, and the
// phone tables are laid down from sorted entries (PhoneTable's constructor).

#include <telcrm/crm/crm_index.hpp>
#include <telcrm/detail/bulk_memory.hpp>

#include <algorithm>
#include <array>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

TELCRM_BEGIN_NAMESPACE

namespace detail {

// The keys of one record's phones, each once (as append_keys files them), appended to `out`;
// `scratch` is reused from record to record so that reading allocates nothing.
template <class Phones>
void append_record_keys(const Phones& phones, const IndexOptions& options,
                        const PhoneNormalizer& normalizer, std::vector<PhoneKey>& scratch,
                        std::vector<PhoneKey>& out) {
  scratch.clear();
  for (const auto& p : phones) CrmIndex::append_keys(p, options, normalizer, scratch);
  // Lists longer than 65535 are cut, as the base cuts them: no client has that many phones.
  const std::size_t n = std::min<std::size_t>(scratch.size(), 0xFFFF);
  grow_bulk(out, n);
  out.insert(out.end(), scratch.begin(), scratch.begin() + static_cast<std::ptrdiff_t>(n));
}

// Contact and company ids to their ordinals in the records: an array indexed by id when the
// ids are dense (they are numbered by the store), else a sorted list.
class IdOrdinals {
 public:
  static constexpr std::uint32_t npos = 0xFFFFFFFFu;

  template <class Records>
  void build(const Records& records, EntityType type) {
    EntityId lo = 0, hi = 0;
    std::size_t count = 0;
    for (const auto& r : records)
      if (r.ref.type == type) {
        lo = count == 0 ? r.ref.id : std::min(lo, r.ref.id);
        hi = count == 0 ? r.ref.id : std::max(hi, r.ref.id);
        ++count;
      }
    if (count == 0) return;
    min_ = lo;
    const auto range = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo);
    if (range < 4 * count + 1024) {
      assign_bulk(dense_, range + 1, npos);
      for (std::uint32_t i = 0; i < records.size(); ++i)
        if (records[i].ref.type == type)
          dense_[static_cast<std::uint64_t>(records[i].ref.id) - static_cast<std::uint64_t>(lo)] =
              i;
      return;
    }
    reserve_bulk(sparse_, count);
    for (std::uint32_t i = 0; i < records.size(); ++i)
      if (records[i].ref.type == type) sparse_.emplace_back(records[i].ref.id, i);
    std::sort(sparse_.begin(), sparse_.end());
  }
  [[nodiscard]] std::uint32_t find(EntityId id) const {
    if (!dense_.empty()) {
      const auto at = static_cast<std::uint64_t>(id) - static_cast<std::uint64_t>(min_);
      return at < dense_.size() ? dense_[at] : npos;
    }
    auto it =
        std::lower_bound(sparse_.begin(), sparse_.end(), std::pair<EntityId, std::uint32_t>(id, 0));
    return it != sparse_.end() && it->first == id ? it->second : npos;
  }

 private:
  EntityId min_ = 0;
  std::vector<std::uint32_t> dense_;
  std::vector<std::pair<EntityId, std::uint32_t>> sparse_;
};

// Gathers a rebuild's records into the base's tables, then files them (finish()). Templates
// of an unused parameter (always void), like the rebuild functions that name them: header-only,
// only a file that rebuilds an index compiles them (most of the umbrella's cost otherwise).
template <class Unused>
class BulkBuild final : public CrmVisitor {
 public:
  using Base = CrmIndex::Base;
  using Record = Base::Record;

  BulkBuild(const IndexOptions& options, const PhoneNormalizer& normalizer)
      : options_(options), normalizer_(normalizer) {}

  void visit(const Contact& c) override { add(record_of(c), c.phones); }
  void visit(const Company& c) override { add(record_of(c), c.phones); }
  void visit(const Lead& l) override { add(record_of(l), l.phones); }
  void visit(const Deal& d) override { take(record_of(d), {}); }

  static Record record_of(const Contact& c) {
    Record r = fresh({EntityType::contact, c.id}, c.responsible);
    r.company = c.company.value_or(Base::none);
    return r;
  }
  static Record record_of(const Company& c) {
    return fresh({EntityType::company, c.id}, c.responsible);
  }
  static Record record_of(const Lead& l) {
    Record r = linked({EntityType::lead, l.id}, l);
    r.lead_status = l.status;
    return r;
  }
  static Record record_of(const Deal& d) {
    Record r = linked({EntityType::deal, d.id}, d);
    r.deal_stage = d.stage;
    return r;
  }

  // A record whose phones were read into `keys` already (the parallel rebuild's workers).
  void take(const Record& r, std::span<const PhoneKey> keys) {
    const std::size_t begin = keys_.size();
    grow_bulk(keys_, keys.size());
    keys_.insert(keys_.end(), keys.begin(), keys.end());
    push(r, begin);
  }

  // The base with every record filed, and how many raw-digit keys it files.
  std::pair<std::shared_ptr<Base>, std::size_t> finish() {
    if (!ordered_) merge_repeated();
    auto base = std::make_shared<Base>();
    base->records = std::move(records_);
    base->phone_keys = std::move(keys_);
    link(*base);
    return {base, file(*base)};
  }

 private:
  static Record fresh(EntityRef ref, std::optional<EmployeeId> responsible) {
    Record r;
    r.ref = ref;
    r.responsible = responsible.value_or(Base::none);
    return r;
  }
  // What leads and deals record alike.
  template <class R>
  static Record linked(EntityRef ref, const R& x) {
    Record r = fresh(ref, x.responsible);
    r.contact = x.contact.value_or(Base::none);
    r.company = x.company.value_or(Base::none);
    r.modified = seconds_of(x.modified);
    r.repeat = x.repeat;
    return r;
  }
  static std::int64_t seconds_of(const std::optional<Timestamp>& t) {
    return t ? t->time_since_epoch().count() : Base::none;
  }
  template <class Phones>
  void add(const Record& r, const Phones& phones) {
    const std::size_t begin = keys_.size();
    append_record_keys(phones, options_, normalizer_, scratch_, keys_);
    push(r, begin);
  }
  // Files `r` with the keys appended since `begin`.
  void push(Record r, std::size_t begin) {
    r.phones_begin = static_cast<std::uint32_t>(begin);
    r.phones_count = static_cast<std::uint16_t>(keys_.size() - begin);
    const auto type = static_cast<std::size_t>(r.ref.type);
    if (seen_[type] && r.ref.id <= last_id_[type]) ordered_ = false;
    seen_[type] = true;
    last_id_[type] = r.ref.id;
    grow_bulk(records_);
    records_.push_back(r);
  }

  // A scan that did not stream each type in increasing id order may have visited an entity
  // twice: the later visit's facts win, filed where it was first seen (as update() would).
  void merge_repeated() {
    std::unordered_map<EntityRef, std::uint32_t, EntityRefHash> first;
    first.reserve(records_.size());
    std::vector<Record> merged;
    reserve_bulk(merged, records_.size());
    for (const Record& r : records_) {
      auto [it, fresh] = first.try_emplace(r.ref, static_cast<std::uint32_t>(merged.size()));
      if (fresh)
        merged.push_back(r);
      else
        merged[it->second] = r;
    }
    if (merged.size() == records_.size()) return;
    std::vector<PhoneKey> keys;
    reserve_bulk(keys, keys_.size());
    for (Record& r : merged) {
      const auto from = keys_.begin() + r.phones_begin;
      r.phones_begin = static_cast<std::uint32_t>(keys.size());
      keys.insert(keys.end(), from, from + r.phones_count);
    }
    records_ = std::move(merged);
    keys_ = std::move(keys);
  }

  // The derived lists: each client's open deals (most recently modified first) and open
  // repeat leads, grouped by client with a counting sort. A client a deal or lead names that
  // was not visited gets a record that says it does not exist.
  static void link(Base& base) {
    auto& records = base.records;
    IdOrdinals contacts, companies;
    contacts.build(records, EntityType::contact);
    companies.build(records, EntityType::company);
    std::unordered_map<EntityRef, std::uint32_t, EntityRefHash> missing;
    auto client = [&](EntityType type, EntityId id) {
      const auto at = (type == EntityType::contact ? contacts : companies).find(id);
      if (at != IdOrdinals::npos) return at;
      const EntityRef ref{type, id};
      auto [it, fresh] = missing.try_emplace(ref, static_cast<std::uint32_t>(records.size()));
      if (fresh) {
        Record r = BulkBuild::fresh(ref, std::nullopt);
        r.exists = false;
        r.phones_begin = static_cast<std::uint32_t>(base.phone_keys.size());
        grow_bulk(records);
        records.push_back(r);
      }
      return it->second;
    };
    std::vector<std::pair<std::uint32_t, DealFact>> deals;
    std::vector<std::pair<std::uint32_t, EntityId>> leads;
    const std::size_t visited = records.size();
    for (std::size_t i = 0; i < visited; ++i) {
      const Record r = records[i];  // a copy: client() may add records
      if (r.ref.type == EntityType::deal && r.deal_stage == DealStage::in_progress) {
        const DealFact d{r.ref.id, from_seconds(r.modified, Base::none)};
        grow_bulk(deals, 2);
        if (r.contact != Base::none) deals.emplace_back(client(EntityType::contact, r.contact), d);
        if (r.company != Base::none) deals.emplace_back(client(EntityType::company, r.company), d);
      }
      if (r.ref.type == EntityType::lead && r.repeat && r.lead_status == LeadStatus::in_progress) {
        grow_bulk(leads, 2);
        if (r.contact != Base::none)
          leads.emplace_back(client(EntityType::contact, r.contact), r.ref.id);
        if (r.company != Base::none)
          leads.emplace_back(client(EntityType::company, r.company), r.ref.id);
      }
    }
    group(records, deals, base.deals, &Record::deals_begin, &Record::deals_count, more_recent);
    group(records, leads, base.repeats, &Record::repeats_begin, &Record::repeats_count,
          std::less<EntityId>());
  }

  template <class T, class Less>
  static void group(std::vector<Record>& records,
                    const std::vector<std::pair<std::uint32_t, T>>& links, std::vector<T>& out,
                    std::uint32_t Record::*begin, std::uint16_t Record::*count, Less less) {
    std::vector<std::uint32_t> start;
    assign_bulk(start, records.size() + 1, 0u);
    for (const auto& l : links) ++start[l.first + 1];
    for (std::size_t i = 1; i < start.size(); ++i) start[i] += start[i - 1];
    reserve_bulk(out, links.size());
    out.resize(links.size());
    {
      std::vector<std::uint32_t> next;
      reserve_bulk(next, records.size());
      next.assign(start.begin(), start.end() - 1);
      for (const auto& l : links) out[next[l.first]++] = l.second;
    }
    for (std::size_t i = 0; i < records.size(); ++i) {
      const std::uint32_t n = start[i + 1] - start[i];
      if (n > 1) std::sort(out.begin() + start[i], out.begin() + start[i + 1], less);
      records[i].*begin = start[i];
      // Lists longer than 65535 are cut, as the base cuts them.
      records[i].*count = static_cast<std::uint16_t>(std::min<std::uint32_t>(n, 0xFFFF));
    }
  }

  // The phone and ref tables; returns the raw-digit keys filed.
  static std::size_t file(Base& base) {
    Base::Entries postings, raw, refs;
    reserve_bulk(postings, base.phone_keys.size());
    reserve_bulk(refs, base.records.size());
    std::size_t unnormalised = 0;
    for (std::uint32_t ordinal = 0; ordinal < base.records.size(); ++ordinal) {
      const Record& r = base.records[ordinal];
      base.ids.note(r.ref);
      refs.push_back({ref_key(r.ref), ordinal});
      for (std::uint32_t i = r.phones_begin; i < r.phones_begin + r.phones_count; ++i) {
        const PhoneKey& k = base.phone_keys[i];
        if (k.kind == KeyKind::raw) ++unnormalised;
        if (!r.exists) continue;
        (is_raw_key(k.key) ? raw : postings)
            .push_back({k.key, ordinal << 2 | static_cast<std::uint32_t>(k.form)});
        if (k.kind != KeyKind::suffix) ++base.phone_count;
      }
    }
    base.postings = PhoneTable(postings);
    base.raw_postings = PhoneTable(raw);
    base.refs = PhoneTable(refs);
    return unnormalised;
  }

  const IndexOptions& options_;
  const PhoneNormalizer& normalizer_;
  std::vector<Record> records_;
  std::vector<PhoneKey> keys_;
  std::vector<PhoneKey> scratch_;
  std::array<EntityId, 5> last_id_{};
  std::array<bool, 5> seen_{};
  bool ordered_ = true;  // each type's ids strictly increasing so far: no entity seen twice
};

// One chunk of a parallel rebuild: the records as the scan streamed them, their phones as
// text, then the keys a worker read from them.
template <class Unused>
struct ScanChunk {
  std::vector<typename BulkBuild<Unused>::Record> records;
  std::vector<std::uint32_t> phone_counts;  // per record
  std::string text;                         // every phone, one after another
  std::vector<std::uint32_t> ends;          // where each phone ends in text
  std::vector<PhoneKey> keys;               // filled by a worker
  std::vector<std::uint16_t> key_counts;    // per record
};

// The work of a parallel rebuild, a pipeline: the scan (the caller's thread) hands chunks
// in; one helper, the merge, files them into the base's tables in scan order as they come,
// reading a chunk's phones itself unless a worker (the other helpers, and the scan's thread
// once the scan is over) took it first. Filing and reading phones thus run beside the scan
// instead of after it, and a chunk is freed as soon as it is filed.
template <class Unused>
class RebuildWork final : public CrmVisitor {
 public:
  using Build = BulkBuild<Unused>;
  using Chunk = ScanChunk<Unused>;

  // `chunk_size` records a chunk; at most `max_pending` chunks handed in and not yet filed:
  // the scan waits beyond (its records would otherwise pile up in memory when it outruns the
  // merge). Tests make both small.
  RebuildWork(const IndexOptions& options, const PhoneNormalizer& normalizer, Build& build,
              std::size_t chunk_size, std::size_t max_pending)
      : options_(options),
        normalizer_(normalizer),
        build_(build),
        chunk_size_(chunk_size),
        max_pending_(max_pending),
        current_(std::make_unique<Chunk>()) {}

  void visit(const Contact& c) override { add(Build::record_of(c), c.phones); }
  void visit(const Company& c) override { add(Build::record_of(c), c.phones); }
  void visit(const Lead& l) override { add(Build::record_of(l), l.phones); }
  void visit(const Deal& d) override { add(Build::record_of(d), std::vector<std::string>{}); }

  // The scan is over (or failed): the last chunk goes in; the rest is read and filed.
  void close() {
    hand_over();
    std::lock_guard lock(mutex_);
    closed_ = true;
    wake_.notify_all();
  }

  // A worker: reads the phones of chunks nobody has taken, in order, until the scan is
  // closed and none is left.
  void work() {
    for (;;) {
      std::size_t i = 0;
      Chunk* chunk = nullptr;
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [&] { return next_ < chunks_.size() || closed_; });
        if (next_ == chunks_.size()) return;  // closed, nothing left
        i = next_++;
        chunk = chunks_[i].get();
      }
      read_phones(*chunk);  // claimed: no other thread touches it until it is read
      std::lock_guard lock(mutex_);
      read_[i] = true;
      wake_.notify_all();
    }
  }

  // The merge: files every chunk into the build in scan order, then returns (the scan
  // closed). The build is this thread's alone until it returns.
  void merge() {
    for (std::size_t i = 0;; ++i) {
      bool claimed = false;
      Chunk* chunk = nullptr;
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [&] { return i < chunks_.size() || closed_; });
        if (i == chunks_.size()) return;  // closed, every chunk filed
        // Chunks are taken in order: chunk i is either the next one or taken already.
        if (next_ == i) {
          ++next_;
          claimed = true;
        } else {
          wake_.wait(lock, [&] { return read_[i]; });
        }
        chunk = chunks_[i].get();
      }
      if (claimed) read_phones(*chunk);
      std::size_t key = 0;
      for (std::size_t r = 0; r < chunk->records.size(); ++r) {
        build_.take(chunk->records[r], std::span(chunk->keys).subspan(key, chunk->key_counts[r]));
        key += chunk->key_counts[r];
      }
      std::unique_ptr<Chunk> filed;  // freed at the end of this turn, outside the lock
      std::lock_guard lock(mutex_);
      filed = std::move(chunks_[i]);
      ++filed_;
      wake_.notify_all();  // the scan may wait for room
    }
  }

 private:
  template <class Phones>
  void add(const typename Build::Record& r, const Phones& phones) {
    Chunk& c = *current_;
    c.records.push_back(r);
    c.phone_counts.push_back(static_cast<std::uint32_t>(phones.size()));
    for (const auto& p : phones) {
      c.text.append(p);
      c.ends.push_back(static_cast<std::uint32_t>(c.text.size()));
    }
    if (c.records.size() == chunk_size_) hand_over();
  }
  void hand_over() {
    if (current_->records.empty()) return;
    std::unique_lock lock(mutex_);
    wake_.wait(lock, [&] { return chunks_.size() - filed_ < max_pending_; });
    chunks_.push_back(std::exchange(current_, std::make_unique<Chunk>()));
    read_.push_back(false);
    wake_.notify_all();
  }
  void read_phones(Chunk& chunk) const {
    std::vector<PhoneKey> scratch;
    std::vector<std::string_view> phones;
    chunk.key_counts.resize(chunk.records.size());
    std::size_t phone = 0;
    std::uint32_t from = 0;
    for (std::size_t i = 0; i < chunk.records.size(); ++i) {
      phones.clear();
      for (std::uint32_t n = 0; n < chunk.phone_counts[i]; ++n, ++phone) {
        phones.emplace_back(chunk.text.data() + from, chunk.ends[phone] - from);
        from = chunk.ends[phone];
      }
      const std::size_t before = chunk.keys.size();
      append_record_keys(phones, options_, normalizer_, scratch, chunk.keys);
      chunk.key_counts[i] = static_cast<std::uint16_t>(chunk.keys.size() - before);
    }
  }

  const IndexOptions& options_;
  const PhoneNormalizer& normalizer_;
  Build& build_;  // the merge's thread only, until it returns
  const std::size_t chunk_size_;
  const std::size_t max_pending_;
  std::unique_ptr<Chunk> current_;  // the scan's thread only
  std::mutex mutex_;
  std::condition_variable wake_;
  // Guarded by mutex_ (a chunk itself belongs to the thread that claimed it until it is
  // read, then to the merge): every chunk handed in, nullptr once filed.
  std::vector<std::unique_ptr<Chunk>> chunks_;
  std::vector<bool> read_;  // per chunk: its phones are read
  std::size_t next_ = 0;    // the first chunk nobody has taken
  std::size_t filed_ = 0;   // chunks filed by the merge
  bool closed_ = false;
};

}  // namespace detail

TELCRM_INLINE CrmIndex::Loader::Loader(std::unique_ptr<CrmVisitor> collector)
    : collector_(std::move(collector)) {}
TELCRM_INLINE CrmIndex::Loader::Loader(Loader&&) noexcept = default;
TELCRM_INLINE CrmIndex::Loader& CrmIndex::Loader::operator=(Loader&&) noexcept = default;
TELCRM_INLINE CrmIndex::Loader::~Loader() = default;
TELCRM_INLINE void CrmIndex::Loader::visit(const Contact& c) {
  collector_->visit(c);
}
TELCRM_INLINE void CrmIndex::Loader::visit(const Company& c) {
  collector_->visit(c);
}
TELCRM_INLINE void CrmIndex::Loader::visit(const Lead& l) {
  collector_->visit(l);
}
TELCRM_INLINE void CrmIndex::Loader::visit(const Deal& d) {
  collector_->visit(d);
}

template <class Unused>
CrmIndex::Loader CrmIndex::loader() const {
  static_assert(std::is_void_v<Unused>, "CrmIndex::loader takes no template argument");
  return Loader(std::make_unique<detail::BulkBuild<Unused>>(options_, normalizer_));
}

template <class Unused>
void CrmIndex::rebuild(const CrmSnapshot& snapshot) {
  static_assert(std::is_void_v<Unused>, "CrmIndex::rebuild takes no template argument");
  Loader loaded = loader<Unused>();
  for (const auto& c : snapshot.contacts) loaded.visit(c);
  for (const auto& c : snapshot.companies) loaded.visit(c);
  for (const auto& l : snapshot.leads) loaded.visit(l);
  for (const auto& d : snapshot.deals) loaded.visit(d);
  rebuild<Unused>(std::move(loaded));
}

template <class Unused>
void CrmIndex::rebuild(Loader&& loaded) {
  static_assert(std::is_void_v<Unused>, "CrmIndex::rebuild takes no template argument");
  // loader<Unused>() made it: its collector is this build.
  auto& build = static_cast<detail::BulkBuild<Unused>&>(*loaded.collector_);
  auto [base, unnormalised] = build.finish();
  install(std::move(base), unnormalised);
}

TELCRM_INLINE void CrmIndex::install(std::shared_ptr<Base> base, std::size_t unnormalised) {
  std::lock_guard lock(write_mutex_);
  unnormalised_ = unnormalised;
  publish_locked(std::move(base));
  dirty_ = true;
  commit_locked();
}

template <class Unused>
Result<void> CrmIndex::rebuild(const Scan& scan, unsigned threads) {
  static_assert(std::is_void_v<Unused>, "CrmIndex::rebuild takes no template argument");
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  if (threads == 1) {
    Loader loaded = loader<Unused>();
    if (auto scanned = scan(loaded); !scanned) return fail(scanned.error());
    rebuild<Unused>(std::move(loaded));
    return {};
  }
  constexpr std::size_t chunk_records = 4096;  // a chunk: a few hundred KB of records and text
  constexpr std::size_t max_unfiled = 64;      // then the scan waits (~262k records held)
  return rebuild_pipelined<Unused>(scan, threads, chunk_records, max_unfiled);
}

template <class Unused>
Result<void> CrmIndex::rebuild_pipelined(const Scan& scan, unsigned threads, std::size_t chunk_size,
                                         std::size_t max_pending) {
  static_assert(std::is_void_v<Unused>, "CrmIndex::rebuild_pipelined takes no template argument");
  detail::BulkBuild<Unused> build(options_, normalizer_);
  detail::RebuildWork<Unused> work(options_, normalizer_, build, chunk_size, max_pending);
  // The merge on one helper, threads - 2 workers beside it; the scan on this thread, which
  // works too once the scan is done.
  std::vector<std::thread> helpers;
  helpers.reserve(threads - 1);
  helpers.emplace_back([&work] { work.merge(); });
  for (unsigned i = 0; i + 2 < threads; ++i) helpers.emplace_back([&work] { work.work(); });
  auto scanned = scan(work);
  work.close();
  work.work();
  for (auto& t : helpers) t.join();
  if (!scanned) return fail(scanned.error());
  auto [base, unnormalised] = build.finish();
  install(std::move(base), unnormalised);
  return {};
}

TELCRM_INLINE void CrmIndex::rebuild(std::vector<EntityFacts> facts) {
  std::size_t raw = 0;
  for (const auto& f : facts)
    for (const auto& k : f.phones) raw += k.kind == KeyKind::raw ? 1 : 0;
  install(Base::build(std::move(facts)), raw);
}

TELCRM_INLINE std::vector<EntityFacts> CrmIndex::export_facts() {
  std::lock_guard lock(write_mutex_);
  fold_locked();  // the pending updates into the base: one list of facts
  const Base& base = *current_->base;
  std::vector<EntityFacts> out;
  out.reserve(base.records.size());
  for (std::uint32_t i = 0; i < base.records.size(); ++i) out.push_back(base.facts(i).to_facts());
  return out;
}

TELCRM_END_NAMESPACE
