// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <telcrm/crm/crm_index.hpp>

#include <algorithm>
#include <unordered_map>

TELCRM_BEGIN_NAMESPACE

namespace detail {

inline std::uint64_t ref_key(EntityRef ref) noexcept {
  std::uint64_t k = static_cast<std::uint64_t>(ref.id) * 8 + static_cast<std::uint64_t>(ref.type);
  k ^= k >> 33;
  k *= 0xFF51AFD7ED558CCDULL;
  k ^= k >> 33;
  return k | 1;  // never 0, the empty-slot marker
}

struct EntityRefHash {
  std::size_t operator()(EntityRef r) const noexcept {
    return static_cast<std::size_t>(ref_key(r));
  }
};

inline std::optional<Timestamp> from_seconds(std::int64_t s, std::int64_t none) {
  if (s == none) return std::nullopt;
  return Timestamp(Seconds(s));
}

// Open deals are kept most recently modified first; a missing time is the oldest (R-M3);
// equal times go to the lower id.
inline bool more_recent(const DealFact& a, const DealFact& b) noexcept {
  if (a.modified != b.modified) {
    if (!a.modified) return false;
    if (!b.modified) return true;
    return *a.modified > *b.modified;
  }
  return a.id < b.id;
}

// Where each entity's facts are while a fold collects the delta's newest ones: a flat
// open-addressing table (8 bytes a slot, no node per entity: a delta of new leads adds one per
// call). A slot holds 32 bits of the ref's hash beside the position, so a probe rarely has to
// read the facts, and the table can grow without them (the home slot is derived from them).
class FactsPositions {
 public:
  static constexpr std::uint32_t npos = 0xFFFFFFFFu;

  /// The position of `ref` in `facts`, or npos.
  template <class Facts>
  [[nodiscard]] std::uint32_t find(EntityRef ref, const Facts& facts) const {
    if (slots_.empty()) return npos;
    const std::uint64_t fingerprint = ref_key(ref) >> 32;
    for (std::size_t i = home(fingerprint);; i = next(i)) {
      const std::uint64_t s = slots_[i];
      if (s == 0) return npos;
      const auto position = static_cast<std::uint32_t>(s) - 1;
      if ((s >> 32) == fingerprint && facts[position].ref == ref) return position;
    }
  }
  /// Files `position` under `ref` (not present yet).
  void insert(EntityRef ref, std::uint32_t position) {
    if ((size_ + 1) * 4 > slots_.size() * 3) grow();
    place(ref_key(ref) >> 32, position);
    ++size_;
  }

 private:
  [[nodiscard]] std::size_t home(std::uint64_t fingerprint) const noexcept {
    return static_cast<std::size_t>((fingerprint * slots_.size()) >> 32);
  }
  [[nodiscard]] std::size_t next(std::size_t i) const noexcept {
    return i + 1 == slots_.size() ? 0 : i + 1;
  }
  void place(std::uint64_t fingerprint, std::uint32_t position) {
    std::size_t i = home(fingerprint);
    while (slots_[i] != 0) i = next(i);
    slots_[i] = (fingerprint << 32) | (std::uint64_t{position} + 1);
  }
  void grow() {
    std::vector<std::uint64_t> old = std::move(slots_);
    slots_.assign(std::max<std::size_t>(16, old.size() * 2), 0);
    for (std::uint64_t s : old)
      if (s != 0) place(s >> 32, static_cast<std::uint32_t>(s) - 1);
  }
  std::vector<std::uint64_t> slots_;  // fingerprint << 32 | position + 1; 0 is empty
  std::size_t size_ = 0;
};

}  // namespace detail

// --- Base --------------------------------------------------------------------------------

TELCRM_INLINE std::optional<std::uint32_t> CrmIndex::Base::find(EntityRef ref) const {
  // A record created since the base was built has an id outside its range: answered
  // without the cache miss of a probe (every new lead's indexing asks).
  if (ids.outside(ref)) return std::nullopt;
  std::optional<std::uint32_t> found;
  refs.for_each(detail::ref_key(ref), [&](std::uint32_t ordinal) {
    if (records[ordinal].ref == ref) found = ordinal;
  });
  return found;
}

TELCRM_INLINE FactsView CrmIndex::Base::facts(std::uint32_t ordinal) const {
  const Record& r = records[ordinal];
  FactsView v;
  v.ref = r.ref;
  v.exists = r.exists;
  if (r.responsible != none) v.responsible = r.responsible;
  if (r.contact != none) v.contact = r.contact;
  if (r.company != none) v.company = r.company;
  v.modified = detail::from_seconds(r.modified, none);
  v.lead_status = r.lead_status;
  v.deal_stage = r.deal_stage;
  v.repeat = r.repeat;
  v.phones = std::span(phone_keys).subspan(r.phones_begin, r.phones_count);
  v.open_deals = std::span(deals).subspan(r.deals_begin, r.deals_count);
  v.open_repeat_leads = std::span(repeats).subspan(r.repeats_begin, r.repeats_count);
  return v;
}

TELCRM_INLINE std::shared_ptr<CrmIndex::Base> CrmIndex::Base::build(
    std::vector<EntityFacts> facts) {
  auto base = std::make_shared<Base>();
  base->records.reserve(facts.size());
  Entries posting_entries;
  Entries ref_entries;
  ref_entries.reserve(facts.size());
  std::size_t phones = 0;
  for (const auto& f : facts) phones += f.phones.size();
  posting_entries.reserve(phones);
  base->phone_keys.reserve(phones);
  for (const auto& f : facts) base->append(FactsView::of(f), posting_entries, ref_entries);
  base->index(std::move(posting_entries), ref_entries);
  return base;
}

TELCRM_INLINE void CrmIndex::Base::append(const FactsView& f, Entries& posting_entries,
                                          Entries& ref_entries) {
  const auto ordinal = static_cast<std::uint32_t>(records.size());
  Record r;
  r.ref = f.ref;
  r.exists = f.exists;
  r.responsible = f.responsible.value_or(none);
  r.contact = f.contact.value_or(none);
  r.company = f.company.value_or(none);
  r.modified = f.modified ? f.modified->time_since_epoch().count() : none;
  r.lead_status = f.lead_status;
  r.deal_stage = f.deal_stage;
  r.repeat = f.repeat;
  // Lists longer than 65535 are cut: no client has that many phones or open deals.
  auto count = [](std::size_t n) {
    return static_cast<std::uint16_t>(std::min<std::size_t>(n, 0xFFFF));
  };
  r.phones_begin = static_cast<std::uint32_t>(phone_keys.size());
  r.phones_count = count(f.phones.size());
  phone_keys.insert(phone_keys.end(), f.phones.begin(), f.phones.begin() + r.phones_count);
  r.deals_begin = static_cast<std::uint32_t>(deals.size());
  r.deals_count = count(f.open_deals.size());
  deals.insert(deals.end(), f.open_deals.begin(), f.open_deals.begin() + r.deals_count);
  r.repeats_begin = static_cast<std::uint32_t>(repeats.size());
  r.repeats_count = count(f.open_repeat_leads.size());
  repeats.insert(repeats.end(), f.open_repeat_leads.begin(),
                 f.open_repeat_leads.begin() + r.repeats_count);
  records.push_back(r);
  ids.note(f.ref);
  ref_entries.push_back({detail::ref_key(f.ref), ordinal});
  if (f.exists) {
    for (const auto& k : f.phones.first(r.phones_count)) {
      posting_entries.push_back({k.key, ordinal << 2 | static_cast<std::uint32_t>(k.form)});
      if (k.kind != KeyKind::suffix) ++phone_count;
    }
  }
}

TELCRM_INLINE void CrmIndex::Base::index(Entries posting_entries, const Entries& ref_entries) {
  auto raw = std::stable_partition(posting_entries.begin(), posting_entries.end(),
                                   [](const auto& e) { return !detail::is_raw_key(e.key); });
  raw_postings = detail::PhoneTable(std::span(raw, posting_entries.end()));
  postings = detail::PhoneTable(std::span(posting_entries.begin(), raw));
  refs = detail::PhoneTable(ref_entries);
}

// --- Snapshot ----------------------------------------------------------------------------

TELCRM_INLINE std::optional<FactsView> CrmIndex::Snapshot::facts(EntityRef ref) const {
  const EntityFacts* latest = nullptr;
  gen_->delta->facts.for_each(ref, seq_, [&](const EntityFacts* f, std::uint64_t) {
    latest = f;
    return false;
  });
  if (latest != nullptr) return FactsView::of(*latest);
  if (auto ordinal = gen_->base->find(ref)) return gen_->base->facts(*ordinal);
  return std::nullopt;
}

TELCRM_INLINE void CrmIndex::Snapshot::collect(std::uint64_t key, std::vector<Posting>& out) const {
  const Base& base = *gen_->base;
  base.table_for(key).for_each(key, [&](std::uint32_t p) {
    out.push_back({base.records[p >> 2].ref, static_cast<WrittenForm>(p & 3)});
  });
  // Changes since the base, applied oldest first.
  std::vector<Delta::PostingChange> changes;
  gen_->delta->postings.for_each(key, seq_, [&](const Delta::PostingChange& c, std::uint64_t) {
    changes.push_back(c);
    return true;
  });
  for (auto it = changes.rbegin(); it != changes.rend(); ++it) {
    auto same = [&](const Posting& p) { return p.ref == it->ref && p.form == it->form; };
    auto found = std::find_if(out.begin(), out.end(), same);
    if (it->removed) {
      if (found != out.end()) out.erase(found);
    } else if (found == out.end()) {
      out.push_back({it->ref, it->form});
    }
  }
}

// --- CrmIndex ----------------------------------------------------------------------------

TELCRM_INLINE CrmIndex::CrmIndex(IndexOptions options) : options_(options) {
  std::lock_guard lock(write_mutex_);
  publish_locked(Base::build({}));
}

TELCRM_INLINE CrmIndex::~CrmIndex() = default;

TELCRM_INLINE void CrmIndex::append_keys(std::string_view phone, const IndexOptions& options,
                                         const PhoneNormalizer& normalizer,
                                         std::vector<PhoneKey>& out) {
  auto add = [&](PhoneKey k) {
    if (std::find(out.begin(), out.end(), k) == out.end()) out.push_back(k);
  };
  const PhoneNumber n = normalizer.normalize(phone, options.default_region);
  std::string_view tail_digits;
  if (n.is_dialable()) {
    add({n.key(), KeyKind::e164, written_form(n)});
    tail_digits = n.e164().substr(1);
  } else if (auto raw = raw_key(n.digits()); raw != 0) {
    // R-N7: no E.164 form, so filed by its digits. Without a '+' it was written nationally
    // as far as anyone can tell, so a foreign caller's national form may match it.
    const bool has_plus = phone.find('+') != std::string_view::npos;
    add({raw, KeyKind::raw, has_plus ? WrittenForm::international : WrittenForm::national});
    tail_digits = n.digits();
  }
  if (options.suffix_digits > 0)
    if (auto s = suffix_key(tail_digits, options.suffix_digits); s != 0)
      add({s, KeyKind::suffix, WrittenForm::international});
}

TELCRM_INLINE std::vector<PhoneKey> CrmIndex::keys_of(std::string_view phone,
                                                      const IndexOptions& options,
                                                      const PhoneNormalizer& normalizer) {
  std::vector<PhoneKey> keys;
  append_keys(phone, options, normalizer, keys);
  return keys;
}

TELCRM_INLINE std::vector<PhoneKey> CrmIndex::keys_of(std::span<const std::string> phones) const {
  std::vector<PhoneKey> out;
  for (const auto& p : phones) append_keys(p, options_, normalizer_, out);
  return out;
}

TELCRM_INLINE CrmIndex::Snapshot CrmIndex::snapshot() const {
  Snapshot s;
  s.options_ = &options_;
  std::lock_guard lock(publish_mutex_);
  s.gen_ = current_;
  // Read under the lock so the sequence belongs to the generation taken with it.
  s.seq_ = committed_.load(std::memory_order_acquire);
  return s;
}

TELCRM_INLINE IndexStats CrmIndex::stats() const {
  Snapshot s = snapshot();
  IndexStats st;
  st.entities = s.gen_->base->records.size();
  st.phones = s.gen_->base->phone_count;
  st.base_bytes = s.gen_->base->postings.memory_bytes() + s.gen_->base->raw_postings.memory_bytes();
  st.unnormalised_phones = unnormalised_published_.load(std::memory_order_relaxed);
  {
    // The delta's size is writer-owned; read it under the writer lock.
    std::lock_guard lock(write_mutex_);
    st.pending_updates = current_->delta->facts.size();
  }
  return st;
}

TELCRM_INLINE void CrmIndex::publish_locked(std::shared_ptr<Base> base) {
  publish_locked(generation_of(std::move(base)));
}

TELCRM_INLINE void CrmIndex::publish_locked(std::shared_ptr<Generation> gen) {
  fold_due_.store(gen->delta->full(), std::memory_order_relaxed);
  std::lock_guard lock(publish_mutex_);
  current_ = std::move(gen);
}

TELCRM_INLINE std::shared_ptr<CrmIndex::Generation> CrmIndex::generation_of(
    std::shared_ptr<Base> base) const {
  auto gen = std::make_shared<Generation>();
  // Four times the base's entities (within bounds): the O(base) fold is paid once per that
  // many updates. A call that creates a lead makes about five (filed, taken over, renamed),
  // so a smaller room would have every call pay for copying a record or two of the base.
  const std::size_t capacity =
      std::clamp(4 * base->records.size(), options_.min_delta_capacity,
                 std::max(options_.min_delta_capacity, options_.max_delta_capacity));
  gen->base = std::move(base);
  gen->delta = std::make_unique<Delta>(capacity);
  return gen;
}

TELCRM_INLINE std::optional<EntityFacts> CrmIndex::current_facts_locked(EntityRef ref) const {
  // A record newer than any the index holds (a lead a call just created, stored or
  // provisional): no lookup needed.
  if (current_->base->ids.outside(ref) && current_->delta->ids.outside(ref)) return std::nullopt;
  // As Snapshot::facts, read in place (the writer holds the generation): the writer also
  // sees what it appended in this update (next_seq_).
  const EntityFacts* latest = nullptr;
  current_->delta->facts.for_each(ref, next_seq_, [&](const EntityFacts* f, std::uint64_t) {
    latest = f;
    return false;
  });
  if (latest != nullptr) return *latest;
  if (auto ordinal = current_->base->find(ref)) return current_->base->facts(*ordinal).to_facts();
  return std::nullopt;
}

TELCRM_INLINE void CrmIndex::put_facts_locked(EntityFacts facts) {
  current_->delta->put(std::move(facts), next_seq_);
  dirty_ = true;
}

TELCRM_INLINE void CrmIndex::file_phones_locked(EntityRef ref, const std::vector<PhoneKey>& before,
                                                const std::vector<PhoneKey>& after) {
  Delta& delta = *current_->delta;
  for (const auto& k : before)
    if (std::find(after.begin(), after.end(), k) == after.end()) {
      delta.postings.append(k.key, {ref, k.form, true}, next_seq_);
      if (k.kind == KeyKind::raw) --unnormalised_;
    }
  for (const auto& k : after)
    if (std::find(before.begin(), before.end(), k) == before.end()) {
      delta.postings.append(k.key, {ref, k.form, false}, next_seq_);
      if (k.kind == KeyKind::raw) ++unnormalised_;
    }
  dirty_ = true;
}

TELCRM_INLINE void CrmIndex::link_deal_locked(const EntityFacts& deal, bool add) {
  if (add && (!deal.exists || deal.deal_stage != DealStage::in_progress)) return;
  auto relink = [&](EntityRef client) {
    EntityFacts f = current_facts_locked(client).value_or(EntityFacts::of(client, false));
    std::erase_if(f.open_deals, [&](const DealFact& d) { return d.id == deal.ref.id; });
    if (add) {
      f.open_deals.push_back({deal.ref.id, deal.modified});
      std::sort(f.open_deals.begin(), f.open_deals.end(), detail::more_recent);
    }
    put_facts_locked(std::move(f));
  };
  if (deal.contact) relink({EntityType::contact, *deal.contact});
  if (deal.company) relink({EntityType::company, *deal.company});
}

TELCRM_INLINE void CrmIndex::link_repeat_lead_locked(const EntityFacts& lead, bool add) {
  if (!lead.repeat) return;
  if (add && (!lead.exists || lead.lead_status != LeadStatus::in_progress)) return;
  auto relink = [&](EntityRef client) {
    EntityFacts f = current_facts_locked(client).value_or(EntityFacts::of(client, false));
    std::erase(f.open_repeat_leads, lead.ref.id);
    if (add) {
      f.open_repeat_leads.push_back(lead.ref.id);
      std::sort(f.open_repeat_leads.begin(), f.open_repeat_leads.end());
    }
    put_facts_locked(std::move(f));
  };
  if (lead.contact) relink({EntityType::contact, *lead.contact});
  if (lead.company) relink({EntityType::company, *lead.company});
}

TELCRM_INLINE void CrmIndex::upsert_locked(EntityFacts fresh) {
  auto old = current_facts_locked(fresh.ref);
  if (old) {  // moved: what follows reads only old's phones, links and status
    fresh.open_deals = std::move(old->open_deals);
    fresh.open_repeat_leads = std::move(old->open_repeat_leads);
  }
  const bool had = old && old->exists;
  file_phones_locked(fresh.ref, had ? old->phones : std::vector<PhoneKey>{}, fresh.phones);
  if (fresh.ref.type == EntityType::deal) {
    if (had) link_deal_locked(*old, false);
    link_deal_locked(fresh, true);
  } else if (fresh.ref.type == EntityType::lead) {
    if (had) link_repeat_lead_locked(*old, false);
    link_repeat_lead_locked(fresh, true);
  }
  put_facts_locked(std::move(fresh));
}

TELCRM_INLINE void CrmIndex::remove_locked(EntityRef ref) {
  auto old = current_facts_locked(ref);
  if (!old || !old->exists) return;
  std::vector<PhoneKey> phones = std::move(old->phones);
  old->phones.clear();
  remove_found_locked(std::move(*old), phones);
}

TELCRM_INLINE void CrmIndex::remove_found_locked(EntityFacts gone,
                                                 const std::vector<PhoneKey>& phones) {
  file_phones_locked(gone.ref, phones, {});
  if (gone.ref.type == EntityType::deal) link_deal_locked(gone, false);
  if (gone.ref.type == EntityType::lead) link_repeat_lead_locked(gone, false);
  gone.exists = false;
  gone.phones.clear();
  put_facts_locked(std::move(gone));
}

TELCRM_INLINE void CrmIndex::set_responsible_locked(EntityRef ref,
                                                    std::optional<EmployeeId> responsible) {
  auto old = current_facts_locked(ref);
  if (!old || old->responsible == responsible) return;
  old->responsible = responsible;
  put_facts_locked(std::move(*old));
}

TELCRM_INLINE void CrmIndex::commit_locked() {
  if (!dirty_) return;
  committed_.store(next_seq_, std::memory_order_release);
  unnormalised_published_.store(unnormalised_, std::memory_order_relaxed);
  ++next_seq_;
  dirty_ = false;
  // A full delta waits for fold() (the engine's refresh, off the calls' way): a fold here
  // would make the update that filled it — a call's — wait for an O(entities) build, a
  // tenth of a second at 100k entities. Only when nobody folded in time does the writer.
  if (current_->delta->overfull()) {
    fold_locked();
  } else if (current_->delta->full()) {
    fold_due_.store(true, std::memory_order_relaxed);
  }
}

// Folds the delta into a new base. Readers holding the old generation keep it alive and
// keep reading it; new snapshots see the new one. The committed sequence does not change.
TELCRM_INLINE void CrmIndex::fold_locked() {
  publish_locked(folded(*current_->base, *current_->delta, current_->delta->facts.size()));
}

TELCRM_INLINE bool CrmIndex::fold() {
  std::lock_guard folding(fold_mutex_);
  std::shared_ptr<Generation> gen;
  std::size_t facts_upto = 0;
  std::size_t postings_upto = 0;
  {
    std::lock_guard lock(write_mutex_);
    // Not when an update was left uncommitted (its code threw): the fold would publish it.
    if (!current_->delta->full() || dirty_) return false;
    gen = current_;
    facts_upto = gen->delta->facts.size();
    postings_upto = gen->delta->postings.size();
  }
  // Unlocked: the base is immutable, and the delta's entries up to here are never written
  // again (the writer lock ordered them before this read); writers go on appending.
  auto base = folded(*gen->base, *gen->delta, facts_upto);
  auto next = generation_of(std::move(base));
  std::lock_guard lock(write_mutex_);
  if (current_ != gen) return false;  // rebuilt, or folded by a writer, meanwhile
  // The updates made meanwhile go to the new delta as they were (same sequence numbers),
  // before anyone can see it: a snapshot of it must hold every committed update.
  const Delta& old = *gen->delta;
  Delta& fresh = *next->delta;
  if (old.facts.size() - facts_upto >= fresh.facts.capacity() ||
      old.postings.size() - postings_upto >= fresh.postings.capacity()) {
    fold_locked();  // far too many meanwhile for the new room: fold them all here
    return true;
  }
  old.facts.for_each_entry(
      facts_upto, old.facts.size(),
      [&](const EntityRef&, const EntityFacts* f, std::uint64_t seq) { fresh.put(*f, seq); });
  old.postings.for_each_entry(postings_upto, old.postings.size(),
                              [&](std::uint64_t key, const Delta::PostingChange& change,
                                  std::uint64_t seq) { fresh.postings.append(key, change, seq); });
  publish_locked(std::move(next));
  return true;
}

TELCRM_INLINE std::shared_ptr<CrmIndex::Base> CrmIndex::folded(const Base& old, const Delta& delta,
                                                               std::size_t upto) {
  // The newest facts of each entity the delta holds (it is in append order, so later entries
  // overwrite): by ordinal for those already in the base, in order of appearance for new ones.
  std::vector<const EntityFacts*> replaced(old.records.size(), nullptr);
  std::vector<const EntityFacts*> added;
  // Where each new entity is in `added`: a flat table (no node per entity: a delta of new
  // leads adds one per call).
  struct Added {
    const std::vector<const EntityFacts*>& facts;
    const EntityFacts& operator[](std::size_t i) const { return *facts[i]; }
  };
  detail::FactsPositions added_at;
  delta.facts.for_each_entry(
      0, upto, [&](const EntityRef& ref, const EntityFacts* f, std::uint64_t) {
        if (auto ordinal = old.find(ref)) {
          replaced[*ordinal] = f;
        } else if (auto at = added_at.find(ref, Added{added}); at == detail::FactsPositions::npos) {
          added_at.insert(ref, static_cast<std::uint32_t>(added.size()));
          added.push_back(f);
        } else {
          added[at] = f;
        }
      });
  // Unchanged records are copied from the old base as they are: no per-entity allocation,
  // so a fold costs little more than rebuilding the tables.
  std::size_t phones = old.phone_keys.size();
  for (const EntityFacts* f : added) phones += f->phones.size();
  for (const EntityFacts* f : replaced)
    if (f != nullptr) phones += f->phones.size();  // an upper bound: the old ones stay counted
  auto base = std::make_shared<Base>();
  base->records.reserve(old.records.size() + added.size());
  base->phone_keys.reserve(phones);
  Base::Entries posting_entries;
  posting_entries.reserve(phones);
  Base::Entries ref_entries;
  ref_entries.reserve(old.records.size() + added.size());
  // A provisional record that was renamed (or never written) leaves a tombstone that nothing
  // links to: it is not carried on, or every lead a call creates would leave one behind for
  // good. A missing record reads as a tombstone without links does.
  auto dead = [](const FactsView& v) {
    return !v.exists && v.ref.id < 0 && v.open_deals.empty() && v.open_repeat_leads.empty();
  };
  auto carry = [&](const FactsView& v) {
    if (!dead(v)) base->append(v, posting_entries, ref_entries);
  };
  for (std::uint32_t i = 0; i < old.records.size(); ++i)
    carry(replaced[i] ? FactsView::of(*replaced[i]) : old.facts(i));
  for (const EntityFacts* f : added) carry(FactsView::of(*f));
  base->index(std::move(posting_entries), ref_entries);
  return base;
}

TELCRM_INLINE EntityFacts CrmIndex::facts_of(const Contact& c) const {
  EntityFacts f = EntityFacts::of({EntityType::contact, c.id});
  f.responsible = c.responsible;
  f.company = c.company;
  f.phones = keys_of(c.phones);
  return f;
}

TELCRM_INLINE EntityFacts CrmIndex::facts_of(const Company& c) const {
  EntityFacts f = EntityFacts::of({EntityType::company, c.id});
  f.responsible = c.responsible;
  f.phones = keys_of(c.phones);
  return f;
}

TELCRM_INLINE EntityFacts CrmIndex::facts_of(const Lead& l) const {
  EntityFacts f = EntityFacts::of({EntityType::lead, l.id});
  f.responsible = l.responsible;
  f.contact = l.contact;
  f.company = l.company;
  f.modified = l.modified;
  f.lead_status = l.status;
  f.repeat = l.repeat;
  f.phones = keys_of(l.phones);
  return f;
}

TELCRM_INLINE EntityFacts CrmIndex::facts_of(const Deal& d) const {
  EntityFacts f = EntityFacts::of({EntityType::deal, d.id});
  f.responsible = d.responsible;
  f.contact = d.contact;
  f.company = d.company;
  f.modified = d.modified;
  f.deal_stage = d.stage;
  f.repeat = d.repeat;
  return f;
}

// --- Writer ------------------------------------------------------------------------------

TELCRM_INLINE void CrmIndex::Writer::upsert(const Contact& c) {
  index_.upsert_locked(index_.facts_of(c));
}

TELCRM_INLINE void CrmIndex::Writer::upsert(const Company& c) {
  index_.upsert_locked(index_.facts_of(c));
}

TELCRM_INLINE void CrmIndex::Writer::upsert(const Lead& l) {
  index_.upsert_locked(index_.facts_of(l));
}

TELCRM_INLINE void CrmIndex::Writer::upsert(const Deal& d) {
  index_.upsert_locked(index_.facts_of(d));
}

TELCRM_INLINE void CrmIndex::Writer::upsert(EntityFacts facts) {
  index_.upsert_locked(std::move(facts));
}

TELCRM_INLINE void CrmIndex::Writer::remove(EntityRef ref) {
  index_.remove_locked(ref);
}

TELCRM_INLINE void CrmIndex::Writer::set_responsible(EntityRef ref,
                                                     std::optional<EmployeeId> responsible) {
  index_.set_responsible_locked(ref, responsible);
}

TELCRM_END_NAMESPACE

#include <telcrm/crm/crm_index_rebuild-inl.hpp>  // the parallel rebuild, facts in and out
