// SPDX-License-Identifier: Apache-2.0
// telcrm::sqlite: import() of a whole snapshot, has_data().
#include "../compiled_lib.hpp"  // first: stops a build without TELCRM_COMPILED_LIB

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <mutex>
#include <unordered_set>

#include "store_impl.hpp"

TELCRM_BEGIN_NAMESPACE
// --- import ----------------------------------------------------------------------------------
Result<void> SqliteCrmStore::Impl::check_snapshot(const CrmSnapshot& crm) {
  std::array<std::unordered_set<EntityId>, 5> ids;
  auto ids_of = [&](EntityType t) -> std::unordered_set<EntityId>& {
    return ids[static_cast<std::size_t>(t)];
  };
  auto add = [&](EntityType t, EntityId id) -> Result<void> {
    if (!ids_of(t).insert(id).second)
      return fail(Errc::invalid_argument, fmt::format("snapshot: {} {} appears twice", t, id));
    return {};
  };
  for (const auto& c : crm.contacts)
    if (auto ok = add(EntityType::contact, c.id); !ok) return ok;
  for (const auto& c : crm.companies)
    if (auto ok = add(EntityType::company, c.id); !ok) return ok;
  for (const auto& l : crm.leads)
    if (auto ok = add(EntityType::lead, l.id); !ok) return ok;
  for (const auto& d : crm.deals)
    if (auto ok = add(EntityType::deal, d.id); !ok) return ok;
  for (const auto& i : crm.invoices)
    if (auto ok = add(EntityType::invoice, i.id); !ok) return ok;
  std::unordered_set<EntityId> activities;
  for (const auto& a : crm.activities)
    if (!activities.insert(a.id).second)
      return fail(Errc::invalid_argument, fmt::format("snapshot: activity {} appears twice", a.id));
  auto ref = [&](EntityRef owner, EntityType type,
                 const std::optional<EntityId>& id) -> Result<void> {
    if (id && ids_of(type).count(*id) == 0)
      return fail(Errc::invalid_argument, fmt::format("snapshot: {} {}: {} {} does not exist",
                                                      owner.type, owner.id, type, *id));
    return {};
  };
  for (const auto& c : crm.contacts)
    if (auto ok = ref({EntityType::contact, c.id}, EntityType::company, c.company); !ok) return ok;
  for (const auto& l : crm.leads) {
    if (auto ok = ref({EntityType::lead, l.id}, EntityType::contact, l.contact); !ok) return ok;
    if (auto ok = ref({EntityType::lead, l.id}, EntityType::company, l.company); !ok) return ok;
  }
  for (const auto& d : crm.deals) {
    if (auto ok = ref({EntityType::deal, d.id}, EntityType::contact, d.contact); !ok) return ok;
    if (auto ok = ref({EntityType::deal, d.id}, EntityType::company, d.company); !ok) return ok;
  }
  for (const auto& i : crm.invoices)
    if (auto ok = ref({EntityType::invoice, i.id}, i.entity.type, i.entity.id); !ok) return ok;
  for (const auto& a : crm.activities)
    for (const auto& b : a.bindings)
      if (ids_of(b.type).count(b.id) == 0)
        return fail(Errc::invalid_argument,
                    fmt::format("snapshot: activity {}: {} {} does not exist", a.id, b.type, b.id));
  return {};
}

Result<bool> SqliteCrmStore::Impl::has_data_locked() const {
  auto v = conn_.query_int(
      "SELECT EXISTS(SELECT 1 FROM contacts) OR EXISTS(SELECT 1 FROM companies) OR "
      "EXISTS(SELECT 1 FROM leads) OR EXISTS(SELECT 1 FROM deals) OR EXISTS(SELECT 1 FROM "
      "invoices) OR "
      "EXISTS(SELECT 1 FROM activities) OR EXISTS(SELECT 1 FROM missed_calls) OR "
      "EXISTS(SELECT 1 FROM history)");
  if (!v) return fail(v.error());
  return v->value_or(0) != 0;
}

Result<void> SqliteCrmStore::Impl::import_locked(const CrmSnapshot& crm,
                                                 const SqliteProgress& progress) {
  if (auto ok = check_snapshot(crm); !ok) return ok;
  const std::size_t total = crm.contacts.size() + crm.companies.size() + crm.leads.size() +
                            crm.deals.size() + crm.invoices.size() + crm.activities.size() +
                            crm.missed_calls.size() + crm.history.size();
  const std::size_t every = std::max<std::size_t>(1, total / 200);
  std::size_t done = 0;
  auto step = [&] {
    ++done;
    if (progress && (done % every == 0 || done == total)) progress(done, total);
  };
  if (progress) progress(0, total);
  if (auto ok = begin_write(); !ok) return ok;
  auto any = has_data_locked();
  if (!any) return abort_write(any.error());
  if (*any)
    return abort_write(Error(
        Errc::already_exists,
        fmt::format("{}: already holds CRM records; import into an empty database", conn_.path())));
  // Companies first: contacts, leads and deals refer to them (foreign keys).
  for (const auto& c : crm.companies) {
    if (auto ok = insert_company(c, c.id); !ok) return abort_write(ok.error());
    step();
  }
  for (const auto& c : crm.contacts) {
    if (auto ok = insert_contact(c, c.id); !ok) return abort_write(ok.error());
    step();
  }
  for (const auto& l : crm.leads) {
    if (auto ok = insert_lead(l, l.id); !ok) return abort_write(ok.error());
    step();
  }
  for (const auto& d : crm.deals) {
    if (auto ok = insert_deal(d, d.id); !ok) return abort_write(ok.error());
    step();
  }
  for (const auto& i : crm.invoices) {
    if (auto ok = insert_invoice(i, i.id); !ok) return abort_write(ok.error());
    step();
  }
  for (const auto& a : crm.activities) {
    if (auto ok = insert_activity(a, a.id); !ok) return abort_write(ok.error());
    step();
  }
  for (const auto& m : crm.missed_calls) {
    if (auto ok = insert_missed(m); !ok) return abort_write(ok.error());
    step();
  }
  for (const auto& h : crm.history) {
    if (auto ok = insert_history(h); !ok) return abort_write(ok.error());
    step();
  }
  return commit_write();
}

// --- bulk work and inspection ---------------------------------------------------------------

Result<void> SqliteCrmStore::import(const CrmSnapshot& crm, const SqliteProgress& progress) {
  std::lock_guard lock(impl_->mutex_);
  return impl_->import_locked(crm, progress);
}

Result<bool> SqliteCrmStore::has_data() const {
  std::lock_guard lock(impl_->mutex_);
  return impl_->has_data_locked();
}

TELCRM_END_NAMESPACE
