// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <telcrm/memory/memory_crm_store.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <mutex>
#include <type_traits>

TELCRM_BEGIN_NAMESPACE

namespace detail {
template <class Map>
EntityId next_id(const Map& map) {
  return map.empty() ? 1 : map.rbegin()->first + 1;
}
template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;
}  // namespace detail

TELCRM_INLINE MemoryCrmStore::MemoryCrmStore(const CrmSnapshot& initial) {
  for (const auto& c : initial.contacts) contacts_[c.id] = c;
  for (const auto& c : initial.companies) companies_[c.id] = c;
  for (const auto& l : initial.leads) leads_[l.id] = l;
  for (const auto& d : initial.deals) deals_[d.id] = d;
  for (const auto& i : initial.invoices) invoices_[i.id] = i;
  for (const auto& a : initial.activities) activities_[a.id] = a;
  missed_calls_ = initial.missed_calls;
  history_ = initial.history;
}

TELCRM_INLINE Result<void> MemoryCrmStore::check_available() const {
  if (!available_.load())
    return fail(Errc::storage_unavailable, "memory store: marked unavailable");
  return {};
}

TELCRM_INLINE Result<void> MemoryCrmStore::scan(CrmVisitor& visitor) const {
  if (auto ok = check_available(); !ok) return ok;
  std::shared_lock lock(mutex_);
  for (const auto& [id, c] : contacts_) visitor.visit(c);
  for (const auto& [id, c] : companies_) visitor.visit(c);
  for (const auto& [id, l] : leads_) visitor.visit(l);
  for (const auto& [id, d] : deals_) visitor.visit(d);
  return {};
}

namespace detail {
template <class T>
Result<std::optional<T>> find_in(const std::map<EntityId, T>& map, EntityId id) {
  auto it = map.find(id);
  if (it == map.end()) return std::optional<T>{};
  return std::optional<T>{it->second};
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
  for (const auto& [id, d] : deals_) {
    if (!is_open(d)) continue;
    if ((client.type == EntityType::contact && d.contact == client.id) ||
        (client.type == EntityType::company && d.company == client.id))
      out.push_back(d);
  }
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
  for (const auto& [id, l] : leads_) {
    if (!l.repeat || !is_open(l)) continue;
    if ((client.type == EntityType::contact && l.contact == client.id) ||
        (client.type == EntityType::company && l.company == client.id))
      out.push_back(l);
  }
  return out;
}

TELCRM_INLINE Result<CrmSnapshot> MemoryCrmStore::snapshot() const {
  if (auto ok = check_available(); !ok) return fail(ok.error());
  std::shared_lock lock(mutex_);
  CrmSnapshot s;
  for (const auto& [id, v] : contacts_) s.contacts.push_back(v);
  for (const auto& [id, v] : companies_) s.companies.push_back(v);
  for (const auto& [id, v] : leads_) s.leads.push_back(v);
  for (const auto& [id, v] : deals_) s.deals.push_back(v);
  for (const auto& [id, v] : invoices_) s.invoices.push_back(v);
  for (const auto& [id, v] : activities_) s.activities.push_back(v);
  s.missed_calls = missed_calls_;
  s.history = history_;
  return s;
}

// Every engine that shares this object sees its writes directly (the claim settles races),
// so there is never anything written "elsewhere" to refresh from: 0, as the port defines.
TELCRM_INLINE Result<std::uint64_t> MemoryCrmStore::data_version() const {
  return std::uint64_t{0};
}

TELCRM_INLINE Result<void> MemoryCrmStore::validate_locked(const WriteBatch& batch) const {
  return check_batch_references(batch, [&](EntityType type, EntityId id) -> Result<bool> {
    switch (type) {
      case EntityType::contact: return contacts_.count(id) > 0;
      case EntityType::company: return companies_.count(id) > 0;
      case EntityType::lead: return leads_.count(id) > 0;
      case EntityType::deal: return deals_.count(id) > 0;
      case EntityType::invoice: return invoices_.count(id) > 0;
    }
    return false;
  });
}

TELCRM_INLINE WriteReceipt MemoryCrmStore::apply_locked(const WriteBatch& batch) {
  LocalRefs local;
  auto ref = [&](EntityType t, std::optional<EntityId> id) { return local.resolve(t, id); };
  auto made = [&](EntityType t, EntityId id) { local.add({t, id}); };
  for (const auto& op : batch.ops) {
    std::visit(detail::Overloaded{
                   [&](const CreateLead& c) {
                     Lead l = c.lead;
                     l.id = detail::next_id(leads_);
                     l.contact = ref(EntityType::contact, l.contact);
                     l.company = ref(EntityType::company, l.company);
                     leads_[l.id] = l;
                     made(EntityType::lead, l.id);
                   },
                   [&](const CreateContact& c) {
                     Contact v = c.contact;
                     v.id = detail::next_id(contacts_);
                     v.company = ref(EntityType::company, v.company);
                     contacts_[v.id] = v;
                     made(EntityType::contact, v.id);
                   },
                   [&](const CreateCompany& c) {
                     Company v = c.company;
                     v.id = detail::next_id(companies_);
                     companies_[v.id] = v;
                     made(EntityType::company, v.id);
                   },
                   [&](const CreateDeal& c) {
                     Deal d = c.deal;
                     d.id = detail::next_id(deals_);
                     d.contact = ref(EntityType::contact, d.contact);
                     d.company = ref(EntityType::company, d.company);
                     deals_[d.id] = d;
                     made(EntityType::deal, d.id);
                   },
                   [&](const CreateInvoice& c) {
                     Invoice v = c.invoice;
                     v.id = detail::next_id(invoices_);
                     v.entity.id = local.resolve(v.entity.type, v.entity.id);
                     invoices_[v.id] = v;
                     made(EntityType::invoice, v.id);
                   },
                   [&](const Reassign& r) {
                     const EntityId id = local.resolve(r.entity.type, r.entity.id);
                     switch (r.entity.type) {
                       case EntityType::contact: contacts_[id].responsible = r.to; break;
                       case EntityType::company: companies_[id].responsible = r.to; break;
                       case EntityType::lead: leads_[id].responsible = r.to; break;
                       case EntityType::deal: deals_[id].responsible = r.to; break;
                       case EntityType::invoice: invoices_[id].responsible = r.to; break;
                     }
                   },
                   [&](const WriteActivity& w) {
                     CallActivity a = w.activity;
                     a.id = detail::next_id(activities_);
                     for (auto& b : a.bindings) b.id = local.resolve(b.type, b.id);
                     activities_.emplace_hint(activities_.end(), a.id, std::move(a));
                   },
                   [&](const RecordMissedCall& m) { missed_calls_.push_back(m.missed); },
                   [&](const MarkCalledBack& m) {
                     for (auto& missed : missed_calls_)
                       if (missed.number == m.number && !missed.called_back_by)
                         missed.called_back_by = m.call;
                   },
                   [&](const RecordCall& r) { history_.push_back(r.record); },
               },
               op);
  }
  WriteReceipt receipt;
  receipt.created = local.created();
  return receipt;
}

TELCRM_INLINE Result<WriteReceipt> MemoryCrmStore::apply(const WriteBatch& batch) {
  if (auto ok = check_available(); !ok) return fail(ok.error());
  std::unique_lock lock(mutex_);
  auto& receipts = receipts_[batch.call];
  for (const auto& [seq, earlier] : receipts)
    if (seq == batch.seq) {
      WriteReceipt again = earlier;
      again.replayed = true;
      return again;
    }
  if (batch.claim) {
    for (const auto& claim : claims_[batch.claim->number]) {
      const auto gap =
          claim.at > batch.claim->at ? claim.at - batch.claim->at : batch.claim->at - claim.at;
      if (claim.call != batch.call && gap <= batch.claim->window) {
        WriteReceipt lost;
        lost.created = claim.created;
        lost.claimed_by = claim.call;
        receipts.emplace_back(batch.seq, lost);
        return lost;
      }
    }
  }
  if (auto ok = validate_locked(batch); !ok) {
    if (receipts.empty()) receipts_.erase(batch.call);
    return fail(ok.error());
  }
  WriteReceipt receipt = apply_locked(batch);
  if (batch.claim)
    claims_[batch.claim->number].push_back({batch.call, batch.claim->at, receipt.created});
  receipts.emplace_back(batch.seq, receipt);
  return receipt;
}

TELCRM_END_NAMESPACE
