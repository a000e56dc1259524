// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <telcrm/memory/memory_crm_store.hpp>

#include <fmt/core.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <type_traits>
#include <utility>

TELCRM_BEGIN_NAMESPACE

namespace detail {
template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;
}  // namespace detail

namespace detail {
// The records of `rows` by id, the last one of an id kept (as assigning them one by one would).
template <class T>
std::map<EntityId, T> by_id(const std::vector<T>& rows) {
  std::map<EntityId, T> map;
  for (const auto& row : rows) map[row.id] = row;
  return map;
}
}  // namespace detail

TELCRM_INLINE MemoryCrmStore::MemoryCrmStore(const CrmSnapshot& initial, MemoryStoreOptions options)
    : options_(options) {
  for (auto& [id, v] : detail::by_id(initial.contacts)) contacts_.append(std::move(v));
  for (auto& [id, v] : detail::by_id(initial.companies)) companies_.append(std::move(v));
  for (auto& [id, v] : detail::by_id(initial.leads)) leads_.append(std::move(v));
  for (auto& [id, v] : detail::by_id(initial.deals)) deals_.append(std::move(v));
  for (auto& [id, v] : detail::by_id(initial.invoices)) invoices_.append(std::move(v));
  for (auto& [id, v] : detail::by_id(initial.activities)) activities_.push_back(std::move(v));
  for (const auto& m : initial.missed_calls) missed_calls_.push_back(m);
  for (const auto& h : initial.history) history_.push_back(h);
}

TELCRM_INLINE Result<void> MemoryCrmStore::check_available() const {
  if (!available_.load())
    return fail(Errc::storage_unavailable, "memory store: marked unavailable");
  return {};
}

TELCRM_INLINE Result<void> MemoryCrmStore::scan(CrmVisitor& visitor) const {
  if (auto ok = check_available(); !ok) return ok;
  std::shared_lock lock(mutex_);
  auto visit = [&](const auto& record) { visitor.visit(record); };
  contacts_.for_each(visit);
  companies_.for_each(visit);
  leads_.for_each(visit);
  deals_.for_each(visit);
  return {};
}

namespace detail {
template <class Table>
auto find_in(const Table& table, EntityId id)
    -> Result<std::optional<std::decay_t<decltype(*table.find(id))>>> {
  using T = std::decay_t<decltype(*table.find(id))>;
  if (const T* found = table.find(id)) return std::optional<T>{*found};
  return std::optional<T>{};
}
}  // namespace detail

TELCRM_INLINE Result<std::optional<Contact>> MemoryCrmStore::find_contact(EntityId id) const {
  if (auto ok = check_available(); !ok) return fail(ok.error());
  std::shared_lock lock(mutex_);
  return detail::find_in(contacts_, id);
}
TELCRM_INLINE Result<std::optional<Company>> MemoryCrmStore::find_company(EntityId id) const {
  if (auto ok = check_available(); !ok) return fail(ok.error());
  std::shared_lock lock(mutex_);
  return detail::find_in(companies_, id);
}
TELCRM_INLINE Result<std::optional<Lead>> MemoryCrmStore::find_lead(EntityId id) const {
  if (auto ok = check_available(); !ok) return fail(ok.error());
  std::shared_lock lock(mutex_);
  return detail::find_in(leads_, id);
}
TELCRM_INLINE Result<std::optional<Deal>> MemoryCrmStore::find_deal(EntityId id) const {
  if (auto ok = check_available(); !ok) return fail(ok.error());
  std::shared_lock lock(mutex_);
  return detail::find_in(deals_, id);
}

TELCRM_INLINE Result<std::vector<Deal>> MemoryCrmStore::open_deals_of(EntityRef client) const {
  if (auto ok = check_available(); !ok) return fail(ok.error());
  std::shared_lock lock(mutex_);
  std::vector<Deal> out;
  deals_.for_each([&](const Deal& d) {
    if (!is_open(d)) return;
    if ((client.type == EntityType::contact && d.contact == client.id) ||
        (client.type == EntityType::company && d.company == client.id))
      out.push_back(d);
  });
  std::stable_sort(out.begin(), out.end(), [](const Deal& a, const Deal& b) {
    if (a.modified != b.modified) return b.modified < a.modified;
    return a.id < b.id;
  });
  return out;
}

TELCRM_INLINE Result<std::vector<Lead>> MemoryCrmStore::open_repeat_leads_of(
    EntityRef client) const {
  if (auto ok = check_available(); !ok) return fail(ok.error());
  std::shared_lock lock(mutex_);
  std::vector<Lead> out;
  leads_.for_each([&](const Lead& l) {
    if (!l.repeat || !is_open(l)) return;
    if ((client.type == EntityType::contact && l.contact == client.id) ||
        (client.type == EntityType::company && l.company == client.id))
      out.push_back(l);
  });
  return out;
}

TELCRM_INLINE Result<CrmSnapshot> MemoryCrmStore::snapshot() const {
  if (auto ok = check_available(); !ok) return fail(ok.error());
  std::shared_lock lock(mutex_);
  CrmSnapshot s;
  s.contacts = contacts_.to_vector();
  s.companies = companies_.to_vector();
  s.leads = leads_.to_vector();
  s.deals = deals_.to_vector();
  s.invoices = invoices_.to_vector();
  s.activities = activities_.to_vector();
  s.missed_calls = missed_calls_.to_vector();
  s.history = history_.to_vector();
  return s;
}

TELCRM_INLINE Result<void> MemoryCrmStore::validate_locked(const WriteBatch& batch,
                                                           const LinkedBatches* linked) const {
  auto exists = [&](EntityType type, EntityId id) -> Result<bool> {
    switch (type) {
      case EntityType::contact: return contacts_.contains(id);
      case EntityType::company: return companies_.contains(id);
      case EntityType::lead: return leads_.contains(id);
      case EntityType::deal: return deals_.contains(id);
      case EntityType::invoice: return invoices_.contains(id);
    }
    return false;
  };
  auto earlier = [&](EntityType type, EntityId id) {
    return linked != nullptr && linked->find({type, id}).has_value();
  };
  auto refs = check_batch_references(batch, exists, earlier);
  if (!refs) return refs;
  return check_recordings(batch, [&](std::string_view call) -> Result<bool> {
    bool found = false;
    activities_.for_each([&](const CallActivity& a) { found = found || a.call == call; });
    return found;
  });
}

TELCRM_INLINE WriteReceipt MemoryCrmStore::apply_locked(const WriteBatch& batch,
                                                        const LinkedBatches* linked, bool consume) {
  // A part of the batch for the store to keep: moved out when the caller gave the batch up
  // (apply_consuming(): it is not const then; the ids and kinds that stay are plain values).
  auto own = [consume](const auto& part) {
    using Part = std::remove_cvref_t<decltype(part)>;
    return consume ? Part(std::move(const_cast<Part&>(part))) : Part(part);
  };
  LocalRefs local;
  // A local id: a record this batch created, else one an earlier batch of the group did.
  auto real = [&](EntityType t, EntityId id) {
    if (id >= 0) return id;
    if (auto mine = local.find(t, id)) return *mine;
    if (linked)
      if (auto before = linked->find({t, id})) return *before;
    return id;
  };
  auto ref = [&](EntityType t, std::optional<EntityId> id) -> std::optional<EntityId> {
    if (!id) return std::nullopt;
    return real(t, *id);
  };
  auto made = [&](EntityType t, EntityId local_id, EntityId id) { local.add(local_id, {t, id}); };
  for (const auto& op : batch.ops) {
    std::visit(detail::Overloaded{
                   [&](const CreateLead& c) {
                     Lead l = own(c.lead);
                     l.id = leads_.next_id();
                     l.contact = ref(EntityType::contact, l.contact);
                     l.company = ref(EntityType::company, l.company);
                     made(EntityType::lead, c.lead.id, l.id);
                     leads_.append(std::move(l));
                   },
                   [&](const CreateContact& c) {
                     Contact v = own(c.contact);
                     v.id = contacts_.next_id();
                     v.company = ref(EntityType::company, v.company);
                     made(EntityType::contact, c.contact.id, v.id);
                     contacts_.append(std::move(v));
                   },
                   [&](const CreateCompany& c) {
                     Company v = own(c.company);
                     v.id = companies_.next_id();
                     made(EntityType::company, c.company.id, v.id);
                     companies_.append(std::move(v));
                   },
                   [&](const CreateDeal& c) {
                     Deal d = own(c.deal);
                     d.id = deals_.next_id();
                     d.contact = ref(EntityType::contact, d.contact);
                     d.company = ref(EntityType::company, d.company);
                     made(EntityType::deal, c.deal.id, d.id);
                     deals_.append(std::move(d));
                   },
                   [&](const CreateInvoice& c) {
                     Invoice v = own(c.invoice);
                     v.id = invoices_.next_id();
                     v.entity.id = real(v.entity.type, v.entity.id);
                     made(EntityType::invoice, c.invoice.id, v.id);
                     invoices_.append(std::move(v));
                   },
                   [&](const Reassign& r) {
                     const EntityId id = real(r.entity.type, r.entity.id);
                     auto give = [&](auto* row) {  // validated: the record exists
                       if (row) row->responsible = r.to;
                     };
                     switch (r.entity.type) {
                       case EntityType::contact: give(contacts_.find(id)); break;
                       case EntityType::company: give(companies_.find(id)); break;
                       case EntityType::lead: give(leads_.find(id)); break;
                       case EntityType::deal: give(deals_.find(id)); break;
                       case EntityType::invoice: give(invoices_.find(id)); break;
                     }
                   },
                   [&](const WriteActivity& w) {
                     CallActivity a = own(w.activity);
                     a.id = activities_.empty() ? 1 : activities_.back().id + 1;
                     for (auto& b : a.bindings) b.id = real(b.type, b.id);
                     activities_.push_back(std::move(a));
                   },
                   [&](const RecordMissedCall& m) { missed_calls_.push_back(own(m.missed)); },
                   [&](const MarkCalledBack& m) {
                     missed_calls_.for_each([&](MissedCall& missed) {
                       if (missed.number == m.number && !missed.called_back_by)
                         missed.called_back_by = m.call;
                     });
                   },
                   [&](const RecordCall& r) { history_.push_back(own(r.record)); },
                   [&](const AttachRecording& r) {  // validated: the call has an activity
                     activities_.for_each([&](CallActivity& a) {
                       if (a.call == r.call) a.recording = r.recording;
                     });
                   },
               },
               op);
  }
  WriteReceipt receipt;
  receipt.created = std::move(local).take_created();
  return receipt;
}

// --- the receipt and claim logs ---------------------------------------------------------------

// A key's home slot comes from its tag alone (the hash's high half, scaled to the table), so
// growing the table moves slots without reading a single key.
TELCRM_INLINE std::size_t MemoryCrmStore::KeyIndex::home(std::uint32_t tag) const noexcept {
  return static_cast<std::size_t>((static_cast<std::uint64_t>(tag) * slots_.size()) >> 32);
}

TELCRM_INLINE std::size_t MemoryCrmStore::KeyIndex::probe(std::string_view key,
                                                          std::uint32_t tag) const {
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = home(tag);; i = (i + 1) & mask) {
    const Slot& slot = slots_[i];
    if (slot.entry == 0 || (slot.tag == tag && entries_[slot.entry - 1].key == key)) return i;
  }
}

TELCRM_INLINE std::uint32_t& MemoryCrmStore::KeyIndex::at(std::string_view key) {
  if (last_ != none && entries_[last_].key == key) return entries_[last_].value;
  if (2 * (entries_.size() + 1) > slots_.size()) {
    std::vector<Slot> old(std::max<std::size_t>(64, 2 * slots_.size()));
    slots_.swap(old);
    const std::size_t mask = slots_.size() - 1;
    for (const Slot& moved : old) {
      if (moved.entry == 0) continue;
      std::size_t i = home(moved.tag);
      while (slots_[i].entry != 0) i = (i + 1) & mask;
      slots_[i] = moved;
    }
  }
  const auto tag = static_cast<std::uint32_t>(std::hash<std::string_view>{}(key) >> 32);
  Slot& slot = slots_[probe(key, tag)];
  if (slot.entry == 0) {
    entries_.push_back({std::string(key), none});
    slot = {tag, static_cast<std::uint32_t>(entries_.size())};
  }
  last_ = slot.entry - 1;
  return entries_[last_].value;
}

TELCRM_INLINE std::uint32_t MemoryCrmStore::KeyIndex::find(std::string_view key) const {
  if (slots_.empty()) return none;
  const auto tag = static_cast<std::uint32_t>(std::hash<std::string_view>{}(key) >> 32);
  const Slot& slot = slots_[probe(key, tag)];
  return slot.entry == 0 ? none : entries_[slot.entry - 1].value;
}

TELCRM_INLINE void MemoryCrmStore::age_locked(Timestamp at) {
  if (!newest_ || at > *newest_) newest_ = at;
  if (!current_->opened) {
    current_->opened = *newest_;
  } else if (*newest_ - *current_->opened >= options_.receipt_retention) {
    // Everything in previous_ was made before current_ opened, a retention ago: forgotten.
    previous_ = std::exchange(current_, std::make_unique<Generation>());
    current_->opened = *newest_;
  }
}

TELCRM_INLINE void MemoryCrmStore::remember_locked(const WriteBatch& batch, std::uint32_t& newest,
                                                   Applied applied) {
  applied.seq = batch.seq;
  applied.previous = newest;
  current_->applied.push_back(applied);
  newest = static_cast<std::uint32_t>(current_->applied.size() - 1);
}

TELCRM_INLINE WriteReceipt MemoryCrmStore::receipt_of(const Generation& generation,
                                                      const Applied& applied) {
  WriteReceipt receipt;
  receipt.created.reserve(applied.created_count);
  for (std::uint32_t i = 0; i < applied.created_count; ++i)
    receipt.created.push_back(generation.created[applied.created_begin + i]);
  if (applied.lost_to != KeyIndex::none) receipt.claimed_by = generation.winners[applied.lost_to];
  return receipt;
}

TELCRM_INLINE std::size_t MemoryCrmStore::remembered() const {
  std::shared_lock lock(mutex_);
  std::size_t n = current_->applied.size() + current_->claim_log.size();
  if (previous_) n += previous_->applied.size() + previous_->claim_log.size();
  return n;
}

TELCRM_INLINE Result<WriteReceipt> MemoryCrmStore::apply(const WriteBatch& batch) {
  if (auto ok = check_available(); !ok) return fail(ok.error());
  std::unique_lock lock(mutex_);
  return apply_one_locked(batch, nullptr);
}

TELCRM_INLINE Result<WriteReceipt> MemoryCrmStore::apply_consuming(WriteBatch& batch) {
  if (auto ok = check_available(); !ok) return fail(ok.error());
  std::unique_lock lock(mutex_);
  return apply_one_locked(batch, nullptr, true);
}

TELCRM_INLINE std::vector<Result<WriteReceipt>> MemoryCrmStore::apply_linked(
    std::span<const WriteBatch> batches) {
  return apply_group(batches, false);
}

TELCRM_INLINE std::vector<Result<WriteReceipt>> MemoryCrmStore::apply_linked_consuming(
    std::span<WriteBatch> batches) {
  return apply_group(batches, true);
}

TELCRM_INLINE std::vector<Result<WriteReceipt>> MemoryCrmStore::apply_group(
    std::span<const WriteBatch> batches, bool consume) {
  std::vector<Result<WriteReceipt>> out;
  if (auto ok = check_available(); !ok) {
    out.assign(batches.size(), fail(ok.error()));
    return out;
  }
  out.reserve(batches.size());
  std::unique_lock lock(mutex_);  // one lock for the group: nothing else runs in between
  LinkedBatches linked;           // resolved as the batches are applied: no batch is copied
  for (const auto& batch : batches) {
    if (linked.waits(batch)) break;  // refers to a record never created: the engine decides
    out.push_back(apply_one_locked(batch, &linked, consume));
    linked.applied(batch, out.back());  // reads the ids a consumed batch keeps
  }
  return out;
}

TELCRM_INLINE Result<WriteReceipt> MemoryCrmStore::apply_one_locked(const WriteBatch& batch,
                                                                    const LinkedBatches* linked,
                                                                    bool consume) {
  age_locked(batch.at);
  Generation& gen = *current_;
  // R-I1: the batch's receipt, in the current generation or the previous one. (A batch that
  // fails validation leaves its call and number as keys with no entry: none.)
  std::uint32_t& newest = gen.receipts.at(batch.call);
  for (auto i = newest; i != KeyIndex::none; i = gen.applied[i].previous)
    if (gen.applied[i].seq == batch.seq) {
      WriteReceipt again = receipt_of(gen, gen.applied[i]);
      again.replayed = true;
      return again;
    }
  if (previous_)
    for (auto i = previous_->receipts.find(batch.call); i != KeyIndex::none;
         i = previous_->applied[i].previous)
      if (previous_->applied[i].seq == batch.seq) {
        WriteReceipt again = receipt_of(*previous_, previous_->applied[i]);
        again.replayed = true;
        return again;
      }
  std::uint32_t* claimed = batch.claim ? &gen.claims.at(batch.claim->number) : nullptr;
  if (claimed) {
    // The oldest claim on the number within the window wins: walk the chains (newest first;
    // a number has few claims), the previous generation's older ones last, keeping the last
    // match.
    const Generation* in = nullptr;
    std::uint32_t winner = KeyIndex::none;
    auto search = [&](const Generation& g, std::uint32_t from) {
      for (auto i = from; i != KeyIndex::none; i = g.claim_log[i].previous) {
        const Claim& claim = g.claim_log[i];
        const auto gap =
            claim.at > batch.claim->at ? claim.at - batch.claim->at : batch.claim->at - claim.at;
        if (claim.call != batch.call && gap <= batch.claim->window) {
          winner = i;
          in = &g;
        }
      }
    };
    search(gen, *claimed);
    if (previous_) search(*previous_, previous_->claims.find(batch.claim->number));
    if (in != nullptr) {
      // What the winner created, copied beside the loser's receipt: it outlives the winner's
      // generation if it must.
      const Claim& won = in->claim_log[winner];
      const Applied& made = in->applied[won.applied];
      const auto begin = static_cast<std::uint32_t>(gen.created.size());
      for (std::uint32_t i = 0; i < made.created_count; ++i)
        gen.created.push_back(in->created[made.created_begin + i]);
      gen.winners.push_back(won.call);
      remember_locked(
          batch, newest,
          {0, 0, begin, made.created_count, static_cast<std::uint32_t>(gen.winners.size() - 1)});
      return receipt_of(gen, gen.applied.back());
    }
  }
  if (auto ok = validate_locked(batch, linked); !ok) return fail(ok.error());
  WriteReceipt receipt = apply_locked(batch, linked, consume);
  const auto begin = static_cast<std::uint32_t>(gen.created.size());
  for (const auto& ref : receipt.created) gen.created.push_back(ref);
  remember_locked(
      batch, newest,
      {0, 0, begin, static_cast<std::uint32_t>(receipt.created.size()), KeyIndex::none});
  if (claimed) {
    gen.claim_log.push_back({batch.call, batch.claim->at, newest, *claimed});
    *claimed = static_cast<std::uint32_t>(gen.claim_log.size() - 1);
  }
  return receipt;
}

TELCRM_END_NAMESPACE
