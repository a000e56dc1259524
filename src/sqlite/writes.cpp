// SPDX-License-Identifier: Apache-2.0
// telcrm::sqlite: writing records, receipts (R-I1) and claims (R-I2): apply().
#include "../compiled_lib.hpp"  // first: stops a build without TELCRM_COMPILED_LIB

#include <telcrm/ports/linked_batches.hpp>

#include <fmt/format.h>

#include <mutex>
#include <span>
#include <vector>

#include "store_impl.hpp"

TELCRM_BEGIN_NAMESPACE

namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

}  // namespace

// --- phones -----------------------------------------------------------------------------
// Binds the keys of `phone` (as CrmIndex::keys_of files it) to parameters 4 … 8 of an
// insert or update of the phones table.
void SqliteCrmStore::Impl::bind_keys(Statement& s, std::string_view phone) const {
  const PhoneNumber n = normalizer_.normalize(phone, keys_.default_region);
  if (n.is_dialable())
    s.bind(4, n.e164());
  else
    s.bind(4, std::nullopt);
  for (int i = 5; i <= 8; ++i) s.bind(i, std::nullopt);
  for (const auto& k : CrmIndex::keys_of(phone, keys_, normalizer_)) {
    switch (k.kind) {
      case KeyKind::e164:
        s.bind(5, stored_key(k.key));
        s.bind(7, format_as(k.form));
        break;
      case KeyKind::raw:
        s.bind(6, stored_key(k.key));
        s.bind(7, format_as(k.form));
        break;
      case KeyKind::suffix: s.bind(8, stored_key(k.key)); break;
    }
  }
}

Result<void> SqliteCrmStore::Impl::insert_phones(EntityType type, EntityId id,
                                                 const std::vector<std::string>& phones) {
  if (phones.empty()) return {};
  auto s = stmt(
      "INSERT INTO phones(owner_type, owner_id, position, phone, e164, e164_key, raw_key, "
      "form, suffix_key) VALUES(?1, ?2, ?3, ?9, ?4, ?5, ?6, ?7, ?8)");
  if (!s) return fail(s.error());
  for (std::size_t i = 0; i < phones.size(); ++i) {
    Statement& st = **s;
    st.bind(1, type_code(type));
    st.bind(2, id);
    st.bind(3, static_cast<std::int64_t>(i));
    st.bind(9, phones[i]);
    bind_keys(st, phones[i]);
    if (auto ok = conn_.run(st, "writing phones"); !ok) return ok;
  }
  return {};
}

Result<void> SqliteCrmStore::Impl::insert_emails(EntityType type, EntityId id,
                                                 const std::vector<std::string>& emails) {
  if (emails.empty()) return {};
  auto s = stmt("INSERT INTO emails(owner_type, owner_id, position, email) VALUES(?1, ?2, ?3, ?4)");
  if (!s) return fail(s.error());
  for (std::size_t i = 0; i < emails.size(); ++i) {
    (*s)->bind(1, type_code(type));
    (*s)->bind(2, id);
    (*s)->bind(3, static_cast<std::int64_t>(i));
    (*s)->bind(4, emails[i]);
    if (auto ok = conn_.run(**s, "writing emails"); !ok) return ok;
  }
  return {};
}

// --- writing records -------------------------------------------------------------------------
// Records that `ref` changed in this transaction (contacts, companies, leads, deals).
Result<void> SqliteCrmStore::Impl::log_change(EntityRef ref) {
  if (ref.type == EntityType::invoice) return {};
  if (!change_seq_) {
    auto next = conn_.query_int("SELECT coalesce(max(seq), 0) + 1 FROM changes");
    if (!next) return fail(next.error());
    change_seq_ = next->value_or(1);
  }
  auto s = stmt(
      "INSERT INTO changes(entity_type, entity_id, seq) VALUES(?1, ?2, ?3) "
      "ON CONFLICT(entity_type, entity_id) DO UPDATE SET seq = excluded.seq");
  if (!s) return fail(s.error());
  (*s)->bind(1, type_code(ref.type));
  (*s)->bind(2, ref.id);
  (*s)->bind(3, *change_seq_);
  return conn_.run(**s, "writing the change log");
}

// Inserts a row whose id is either given or, with `id` nullopt, the table's max + 1
// (INTEGER PRIMARY KEY without AUTOINCREMENT) — the reference's rule. Returns the id.
Result<EntityId> SqliteCrmStore::Impl::insert_row(Statement& s, std::string_view context) {
  if (auto ok = conn_.run(s, context); !ok) return fail(ok.error());
  return static_cast<EntityId>(sqlite3_last_insert_rowid(conn_.get()));
}

Result<EntityId> SqliteCrmStore::Impl::insert_contact(const Contact& c,
                                                      std::optional<EntityId> id) {
  auto s = stmt("INSERT INTO contacts(id, name, responsible, company) VALUES(?1, ?2, ?3, ?4)");
  if (!s) return fail(s.error());
  (*s)->bind(1, id);
  (*s)->bind(2, c.name);
  (*s)->bind(3, c.responsible);
  (*s)->bind(4, c.company);
  auto made = insert_row(**s, "writing a contact");
  if (!made) return made;
  if (auto ok = insert_phones(EntityType::contact, *made, c.phones); !ok) return fail(ok.error());
  if (auto ok = insert_emails(EntityType::contact, *made, c.emails); !ok) return fail(ok.error());
  if (auto ok = log_change({EntityType::contact, *made}); !ok) return fail(ok.error());
  return made;
}

Result<EntityId> SqliteCrmStore::Impl::insert_company(const Company& c,
                                                      std::optional<EntityId> id) {
  auto s = stmt("INSERT INTO companies(id, title, responsible) VALUES(?1, ?2, ?3)");
  if (!s) return fail(s.error());
  (*s)->bind(1, id);
  (*s)->bind(2, c.title);
  (*s)->bind(3, c.responsible);
  auto made = insert_row(**s, "writing a company");
  if (!made) return made;
  if (auto ok = insert_phones(EntityType::company, *made, c.phones); !ok) return fail(ok.error());
  if (auto ok = insert_emails(EntityType::company, *made, c.emails); !ok) return fail(ok.error());
  if (auto ok = log_change({EntityType::company, *made}); !ok) return fail(ok.error());
  return made;
}

Result<EntityId> SqliteCrmStore::Impl::insert_lead(const Lead& l, std::optional<EntityId> id) {
  auto s = stmt(
      "INSERT INTO leads(id, title, responsible, status, modified, contact, company, source, "
      "repeat) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  if (!s) return fail(s.error());
  Statement& st = **s;
  st.bind(1, id);
  st.bind(2, l.title);
  st.bind(3, l.responsible);
  st.bind(4, format_as(l.status));
  st.bind(5, seconds_of(l.modified));
  st.bind(6, l.contact);
  st.bind(7, l.company);
  st.bind(8, l.source);
  st.bind(9, l.repeat);
  auto made = insert_row(st, "writing a lead");
  if (!made) return made;
  if (auto ok = insert_phones(EntityType::lead, *made, l.phones); !ok) return fail(ok.error());
  if (auto ok = log_change({EntityType::lead, *made}); !ok) return fail(ok.error());
  return made;
}

Result<EntityId> SqliteCrmStore::Impl::insert_deal(const Deal& d, std::optional<EntityId> id) {
  auto s = stmt(
      "INSERT INTO deals(id, title, contact, company, responsible, stage, pipeline, modified, "
      "source, repeat) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
  if (!s) return fail(s.error());
  Statement& st = **s;
  st.bind(1, id);
  st.bind(2, d.title);
  st.bind(3, d.contact);
  st.bind(4, d.company);
  st.bind(5, d.responsible);
  st.bind(6, format_as(d.stage));
  st.bind(7, d.pipeline);
  st.bind(8, seconds_of(d.modified));
  st.bind(9, d.source);
  st.bind(10, d.repeat);
  auto made = insert_row(st, "writing a deal");
  if (!made) return made;
  if (auto ok = log_change({EntityType::deal, *made}); !ok) return fail(ok.error());
  return made;
}

Result<EntityId> SqliteCrmStore::Impl::insert_invoice(const Invoice& i,
                                                      std::optional<EntityId> id) {
  auto s = stmt(
      "INSERT INTO invoices(id, amount, entity_type, entity_id, responsible, call) "
      "VALUES(?1, ?2, ?3, ?4, ?5, ?6)");
  if (!s) return fail(s.error());
  Statement& st = **s;
  st.bind(1, id);
  st.bind(2, i.amount);
  st.bind(3, type_code(i.entity.type));
  st.bind(4, i.entity.id);
  st.bind(5, i.responsible);
  st.bind(6, i.call);
  return insert_row(st, "writing an invoice");
}

Result<EntityId> SqliteCrmStore::Impl::insert_activity(const CallActivity& a,
                                                       std::optional<EntityId> id) {
  auto s = stmt(
      "INSERT INTO activities(id, call, subject, direction, start, duration, status, "
      "responsible, recording, voicemail, comment) "
      "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
  if (!s) return fail(s.error());
  Statement& st = **s;
  st.bind(1, id);
  st.bind(2, a.call);
  st.bind(3, a.subject);
  st.bind(4, format_as(a.direction));
  st.bind(5, seconds_of(a.start));
  st.bind(6, std::int64_t{a.duration.count()});
  st.bind(7, format_as(a.status));
  st.bind(8, a.responsible);
  st.bind(9, a.recording);
  st.bind(10, a.voicemail);
  st.bind(11, a.comment);
  auto made = insert_row(st, "writing an activity");
  if (!made) return made;
  auto b = stmt(
      "INSERT INTO activity_bindings(activity, position, entity_type, entity_id) "
      "VALUES(?1, ?2, ?3, ?4)");
  if (!b) return fail(b.error());
  for (std::size_t i = 0; i < a.bindings.size(); ++i) {
    (*b)->bind(1, *made);
    (*b)->bind(2, static_cast<std::int64_t>(i));
    (*b)->bind(3, type_code(a.bindings[i].type));
    (*b)->bind(4, a.bindings[i].id);
    if (auto ok = conn_.run(**b, "writing an activity"); !ok) return fail(ok.error());
  }
  return made;
}

Result<void> SqliteCrmStore::Impl::insert_missed(const MissedCall& m) {
  auto s = stmt("INSERT INTO missed_calls(number, call, called_back_by) VALUES(?1, ?2, ?3)");
  if (!s) return fail(s.error());
  (*s)->bind(1, m.number);
  (*s)->bind(2, m.call);
  (*s)->bind(3, m.called_back_by);
  return conn_.run(**s, "writing a missed call");
}

Result<void> SqliteCrmStore::Impl::insert_history(const CallRecord& h) {
  auto s = stmt(
      "INSERT INTO history(call, direction, number, line, start, duration, status_code, "
      "employee, crm) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  if (!s) return fail(s.error());
  Statement& st = **s;
  st.bind(1, h.call);
  st.bind(2, format_as(h.direction));
  st.bind(3, h.number);
  st.bind(4, h.line);
  st.bind(5, seconds_of(h.start));
  st.bind(6, std::int64_t{h.duration.count()});
  st.bind(7, std::int64_t{code_of(h.status)});
  st.bind(8, h.employee);
  st.bind(9, format_as(h.crm));
  return conn_.run(st, "writing the call history");
}

Result<void> SqliteCrmStore::Impl::reassign(EntityRef ref, EmployeeId to) {
  const char* sql = nullptr;
  switch (ref.type) {
    case EntityType::contact: sql = "UPDATE contacts SET responsible = ?2 WHERE id = ?1"; break;
    case EntityType::company: sql = "UPDATE companies SET responsible = ?2 WHERE id = ?1"; break;
    case EntityType::lead: sql = "UPDATE leads SET responsible = ?2 WHERE id = ?1"; break;
    case EntityType::deal: sql = "UPDATE deals SET responsible = ?2 WHERE id = ?1"; break;
    case EntityType::invoice: sql = "UPDATE invoices SET responsible = ?2 WHERE id = ?1"; break;
  }
  auto s = stmt(sql);
  if (!s) return fail(s.error());
  (*s)->bind(1, ref.id);
  (*s)->bind(2, to);
  if (auto ok = conn_.run(**s, "reassigning"); !ok) return ok;
  return log_change(ref);
}

Result<bool> SqliteCrmStore::Impl::exists(EntityType type, EntityId id) const {
  const char* sql = nullptr;
  switch (type) {
    case EntityType::contact: sql = "SELECT 1 FROM contacts WHERE id = ?1"; break;
    case EntityType::company: sql = "SELECT 1 FROM companies WHERE id = ?1"; break;
    case EntityType::lead: sql = "SELECT 1 FROM leads WHERE id = ?1"; break;
    case EntityType::deal: sql = "SELECT 1 FROM deals WHERE id = ?1"; break;
    case EntityType::invoice: sql = "SELECT 1 FROM invoices WHERE id = ?1"; break;
  }
  auto s = stmt(sql);
  if (!s) return fail(s.error());
  Use use(**s);
  use->bind(1, id);
  const int rc = use->step();
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return fail(error(rc, "checking a reference"));
}

// --- apply (the reference: MemoryCrmStore::apply) --------------------------------------------

// Every reference of the batch names an existing record or one created earlier in it.
Result<void> SqliteCrmStore::Impl::validate(const WriteBatch& batch) const {
  auto refs =
      check_batch_references(batch, [&](EntityType type, EntityId id) { return exists(type, id); });
  if (!refs) return refs;
  return check_recordings(batch, [&](std::string_view call) -> Result<bool> {
    auto s = stmt("SELECT 1 FROM activities WHERE call = ?1 LIMIT 1");
    if (!s) return fail(s.error());
    Use use(**s);
    use->bind(1, call);
    const int rc = use->step();
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return fail(error(rc, "reading activities"));
  });
}

Result<std::vector<EntityRef>> SqliteCrmStore::Impl::write_ops(const WriteBatch& batch) {
  LocalRefs local;  // negative ids: records this batch created (see crm_store.hpp)
  auto ref = [&](EntityType t, std::optional<EntityId> id) { return local.resolve(t, id); };
  for (const auto& op : batch.ops) {
    Result<void> ok = std::visit(
        Overloaded{
            [&](const CreateLead& c) -> Result<void> {
              Lead l = c.lead;
              l.contact = ref(EntityType::contact, l.contact);
              l.company = ref(EntityType::company, l.company);
              auto id = insert_lead(l, std::nullopt);
              if (!id) return fail(id.error());
              local.add(c.lead.id, {EntityType::lead, *id});
              return {};
            },
            [&](const CreateContact& c) -> Result<void> {
              Contact v = c.contact;
              v.company = ref(EntityType::company, v.company);
              auto id = insert_contact(v, std::nullopt);
              if (!id) return fail(id.error());
              local.add(c.contact.id, {EntityType::contact, *id});
              return {};
            },
            [&](const CreateCompany& c) -> Result<void> {
              auto id = insert_company(c.company, std::nullopt);
              if (!id) return fail(id.error());
              local.add(c.company.id, {EntityType::company, *id});
              return {};
            },
            [&](const CreateDeal& c) -> Result<void> {
              Deal d = c.deal;
              d.contact = ref(EntityType::contact, d.contact);
              d.company = ref(EntityType::company, d.company);
              auto id = insert_deal(d, std::nullopt);
              if (!id) return fail(id.error());
              local.add(c.deal.id, {EntityType::deal, *id});
              return {};
            },
            [&](const CreateInvoice& c) -> Result<void> {
              Invoice v = c.invoice;
              v.entity.id = local.resolve(v.entity.type, v.entity.id);
              auto id = insert_invoice(v, std::nullopt);
              if (!id) return fail(id.error());
              local.add(c.invoice.id, {EntityType::invoice, *id});
              return {};
            },
            [&](const Reassign& r) -> Result<void> {
              return reassign({r.entity.type, local.resolve(r.entity.type, r.entity.id)}, r.to);
            },
            [&](const WriteActivity& w) -> Result<void> {
              CallActivity a = w.activity;
              for (auto& b : a.bindings) b.id = local.resolve(b.type, b.id);
              auto id = insert_activity(a, std::nullopt);
              if (!id) return fail(id.error());
              return {};
            },
            [&](const RecordMissedCall& m) -> Result<void> { return insert_missed(m.missed); },
            [&](const MarkCalledBack& m) -> Result<void> {
              auto s = stmt(
                  "UPDATE missed_calls SET called_back_by = ?2 "
                  "WHERE number = ?1 AND called_back_by IS NULL");
              if (!s) return fail(s.error());
              (*s)->bind(1, m.number);
              (*s)->bind(2, m.call);
              return conn_.run(**s, "marking missed calls");
            },
            [&](const RecordCall& r) -> Result<void> { return insert_history(r.record); },
            [&](const AttachRecording& a) -> Result<void> {
              auto s = stmt("UPDATE activities SET recording = ?2 WHERE call = ?1");
              if (!s) return fail(s.error());
              (*s)->bind(1, a.call);
              (*s)->bind(2, a.recording);
              return conn_.run(**s, "attaching a recording");
            },
        },
        op);
    if (!ok) return fail(ok.error());
  }
  return local.created();
}

Result<WriteReceipt> SqliteCrmStore::Impl::apply_locked(const WriteBatch& batch) {
  if (auto ok = begin_write(); !ok) return fail(ok.error());
  auto before = find_receipt(batch);
  if (!before) return abort_write(before.error());
  if (*before) {  // R-I1: applied before; nothing changes
    if (auto ok = commit_write(); !ok) return fail(ok.error());
    WriteReceipt again = std::move(**before);
    again.replayed = true;
    return again;
  }
  if (auto ok = age(batch.at); !ok) return abort_write(ok.error());
  if (batch.claim) {  // R-I2
    auto lost = lost_claim(batch);
    if (!lost) return abort_write(lost.error());
    if (*lost) {
      if (auto ok = put_receipt(batch, **lost); !ok) return abort_write(ok.error());
      if (auto ok = commit_write(); !ok) return fail(ok.error());
      return std::move(**lost);
    }
  }
  if (auto ok = validate(batch); !ok) return abort_write(ok.error());
  auto created = write_ops(batch);
  if (!created) return abort_write(created.error());
  WriteReceipt receipt;
  receipt.created = std::move(*created);
  if (batch.claim)
    if (auto ok = put_claim(batch, receipt.created); !ok) return abort_write(ok.error());
  if (auto ok = put_receipt(batch, receipt); !ok) return abort_write(ok.error());
  if (auto ok = commit_write(); !ok) return fail(ok.error());
  return receipt;
}

Result<WriteReceipt> SqliteCrmStore::apply(const WriteBatch& batch) {
  std::lock_guard lock(impl_->mutex_);
  return impl_->apply_locked(batch);
}

// One transaction for the whole group, each batch a savepoint of it (apply_locked() inside an
// open group), so that N batches cost one commit. The group stops at the first batch that
// fails with storage_unavailable: what came before is committed, that batch and the rest are
// answered with its error. When the commit fails, or SQLite rolled the transaction back
// itself, nothing was applied and every batch is answered with that error. `linked`: a
// batch's references to records an earlier one created are resolved (apply_linked()), and
// the group ends, with fewer answers, before a batch that refers to one never created.
std::vector<Result<WriteReceipt>> SqliteCrmStore::Impl::apply_all_locked(
    std::span<const WriteBatch> batches, bool linked) {
  std::vector<Result<WriteReceipt>> out;
  out.reserve(batches.size());
  auto all_fail = [&](const Error& e) {
    out.clear();
    for (std::size_t i = 0; i < batches.size(); ++i) out.emplace_back(fail(e));
    return std::move(out);
  };
  LinkedBatches links;
  std::optional<Error> stopped;  // storage_unavailable: that batch and the rest are not applied
  bool cut = false;              // a linked group ended before a batch
  // Each batch in turn; false when the open group's transaction was lost (see below).
  auto apply_each = [&](bool own_group) {
    for (const auto& b : batches) {
      const WriteBatch* ready = linked ? links.prepare(b) : &b;
      if (!ready) {
        cut = true;
        return true;
      }
      auto r = apply_locked(*ready);
      if (own_group && !group_open_) {  // rollback_write() found the transaction gone
        stopped = r ? *group_lost_ : r.error();
        group_lost_.reset();
        return false;
      }
      links.applied(b, r);
      const bool down = !r && r.error().code() == Errc::storage_unavailable;
      if (down) stopped = r.error();
      if (down && own_group) return true;  // not applied: answered below with the rest
      out.push_back(std::move(r));
      if (down) return true;
    }
    return true;
  };
  auto answer_rest = [&] {
    if (!cut && stopped)
      while (out.size() < batches.size()) out.emplace_back(fail(*stopped));
    return std::move(out);
  };
  if (group_open_ || batches.size() <= 1) {  // already inside one transaction, or nothing to save
    apply_each(false);
    return answer_rest();
  }
  if (auto ok = conn_.command("BEGIN IMMEDIATE"); !ok) return all_fail(ok.error());
  group_open_ = true;
  if (!apply_each(true)) return all_fail(*stopped);  // nothing was applied
  group_open_ = false;
  if (auto ok = conn_.command("COMMIT"); !ok) {
    if (sqlite3_get_autocommit(conn_.get()) == 0) (void)conn_.command("ROLLBACK");
    return all_fail(ok.error());
  }
  return answer_rest();
}

std::vector<Result<WriteReceipt>> SqliteCrmStore::apply_all(std::span<const WriteBatch> batches) {
  std::lock_guard lock(impl_->mutex_);
  return impl_->apply_all_locked(batches, false);
}

std::vector<Result<WriteReceipt>> SqliteCrmStore::apply_linked(
    std::span<const WriteBatch> batches) {
  std::lock_guard lock(impl_->mutex_);
  return impl_->apply_all_locked(batches, true);
}

TELCRM_END_NAMESPACE
