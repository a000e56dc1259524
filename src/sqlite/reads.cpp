// SPDX-License-Identifier: Apache-2.0
// telcrm::sqlite: reading records — scan, find, inspection, the change feed, lookups, counts.
#include "../compiled_lib.hpp"  // first: stops a build without TELCRM_COMPILED_LIB

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <mutex>
#include <type_traits>

#include "store_impl.hpp"

TELCRM_BEGIN_NAMESPACE

namespace {

Contact read_contact(Row& r) {
  Contact c;
  c.id = r.int64(0);
  c.name = r.text(1);
  c.responsible = r.opt_int64(2);
  c.company = r.opt_int64(3);
  return c;
}
Company read_company(Row& r) {
  Company c;
  c.id = r.int64(0);
  c.title = r.text(1);
  c.responsible = r.opt_int64(2);
  return c;
}
Lead read_lead(Row& r) {
  Lead l;
  l.id = r.int64(0);
  l.title = r.text(1);
  l.responsible = r.opt_int64(2);
  l.status = r.one_of(3, lead_statuses);
  l.modified = r.opt_time(4);
  l.contact = r.opt_int64(5);
  l.company = r.opt_int64(6);
  l.source = r.opt_text(7);
  l.repeat = r.flag(8);
  return l;
}
Deal read_deal(Row& r) {
  Deal d;
  d.id = r.int64(0);
  d.title = r.text(1);
  d.contact = r.opt_int64(2);
  d.company = r.opt_int64(3);
  d.responsible = r.opt_int64(4);
  d.stage = r.one_of(5, deal_stages);
  d.pipeline = r.int64(6);
  d.modified = r.opt_time(7);
  d.source = r.opt_text(8);
  d.repeat = r.flag(9);
  return d;
}
Invoice read_invoice(Row& r) {
  Invoice i;
  i.id = r.int64(0);
  i.amount = r.real(1);
  i.entity = {r.type(2), r.int64(3)};
  i.responsible = r.opt_int64(4);
  i.call = r.text(5);
  return i;
}
CallActivity read_activity(Row& r) {
  CallActivity a;
  a.id = r.int64(0);
  a.call = r.text(1);
  a.subject = r.text(2);
  a.direction = r.one_of(3, directions);
  a.start = timestamp_of(r.int64(4));
  a.duration = Seconds(r.int64(5));
  a.status = r.one_of(6, activity_statuses);
  a.responsible = r.opt_int64(7);
  a.recording = r.opt_text(8);
  a.voicemail = r.opt_text(9);
  a.comment = r.opt_text(10);
  return a;
}

}  // namespace

// --- reading records -------------------------------------------------------------------------
// The phones (or emails) of one record, in order.
Result<std::vector<std::string>> SqliteCrmStore::Impl::list_of(const char* sql, EntityType type,
                                                               EntityId id) const {
  auto s = stmt(sql);
  if (!s) return fail(s.error());
  Use use(**s);
  use->bind(1, type_code(type));
  use->bind(2, id);
  std::vector<std::string> out;
  int rc = 0;
  while ((rc = use->step()) == SQLITE_ROW) out.emplace_back(use->text(0));
  if (rc != SQLITE_DONE) return fail(error(rc, "reading a record"));
  return out;
}

Result<std::vector<std::string>> SqliteCrmStore::Impl::phones_of(EntityType type,
                                                                 EntityId id) const {
  return list_of(
      "SELECT phone FROM phones WHERE owner_type = ?1 AND owner_id = ?2 ORDER BY position", type,
      id);
}

Result<std::vector<std::string>> SqliteCrmStore::Impl::emails_of(EntityType type,
                                                                 EntityId id) const {
  return list_of(
      "SELECT email FROM emails WHERE owner_type = ?1 AND owner_id = ?2 ORDER BY position", type,
      id);
}

// Adds what a record keeps in other tables (phones, emails).
Result<void> SqliteCrmStore::Impl::complete(Contact& c) const {
  auto phones = phones_of(EntityType::contact, c.id);
  if (!phones) return fail(phones.error());
  auto emails = emails_of(EntityType::contact, c.id);
  if (!emails) return fail(emails.error());
  c.phones = std::move(*phones);
  c.emails = std::move(*emails);
  return {};
}

Result<void> SqliteCrmStore::Impl::complete(Company& c) const {
  auto phones = phones_of(EntityType::company, c.id);
  if (!phones) return fail(phones.error());
  auto emails = emails_of(EntityType::company, c.id);
  if (!emails) return fail(emails.error());
  c.phones = std::move(*phones);
  c.emails = std::move(*emails);
  return {};
}

Result<void> SqliteCrmStore::Impl::complete(Lead& l) const {
  auto phones = phones_of(EntityType::lead, l.id);
  if (!phones) return fail(phones.error());
  l.phones = std::move(*phones);
  return {};
}

// Walks `SELECT owner, value … ORDER BY owner, position` beside a table read in id order,
// handing each record its list (phones, emails, bindings) without a query per record.
class SqliteCrmStore::Impl::ListCursor {
 public:
  ListCursor(const Impl& impl, const char* sql, std::optional<std::int64_t> type) : impl_(impl) {
    auto s = impl_.stmt(sql);
    if (!s) {
      error_ = s.error();
      return;
    }
    s_ = *s;
    if (type) s_->bind(1, *type);
    advance();
  }
  ~ListCursor() {
    if (s_ != nullptr) s_->reset();
  }
  ListCursor(const ListCursor&) = delete;
  ListCursor& operator=(const ListCursor&) = delete;

  // The values of `owner`; rows of owners before it (records that no longer exist) are skipped.
  template <class V, class Read>
  std::vector<V> take(std::int64_t owner, Read read) {
    std::vector<V> out;
    while (has_ && s_->int64(0) < owner) advance();
    while (has_ && s_->int64(0) == owner) {
      out.push_back(read(*s_));
      advance();
    }
    return out;
  }
  [[nodiscard]] Result<void> status() const {
    if (error_) return fail(*error_);
    return {};
  }

 private:
  void advance() {
    const int rc = s_->step();
    has_ = rc == SQLITE_ROW;
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) error_ = impl_.error(rc, "reading lists");
  }
  const Impl& impl_;
  Statement* s_ = nullptr;
  bool has_ = false;
  std::optional<Error> error_;
};

// Streams one table in id order with its phones (and emails), calling `emit(T&&)`.
template <class T, class Read, class Emit>
Result<void> SqliteCrmStore::Impl::stream(const char* sql, EntityType type, bool with_emails,
                                          std::string_view table, Read read, Emit emit) const {
  ListCursor phones(
      *this, "SELECT owner_id, phone FROM phones WHERE owner_type = ?1 ORDER BY owner_id, position",
      type_code(type));
  std::optional<ListCursor> emails;
  if (with_emails)
    emails.emplace(
        *this,
        "SELECT owner_id, email FROM emails WHERE owner_type = ?1 ORDER BY owner_id, position",
        type_code(type));
  if (auto ok = phones.status(); !ok) return ok;
  if (emails)
    if (auto ok = emails->status(); !ok) return ok;
  auto s = stmt(sql);
  if (!s) return fail(s.error());
  Use use(**s);
  int rc = 0;
  while ((rc = use->step()) == SQLITE_ROW) {
    Row row(*use, table);
    T v = read(row);
    if (row.problem())
      return fail(Errc::storage_corrupt, fmt::format("{}: {}", conn_.path(), *row.problem()));
    v.phones = phones.template take<std::string>(v.id, text_at1);
    if constexpr (std::is_same_v<T, Contact> || std::is_same_v<T, Company>)
      if (emails) v.emails = emails->template take<std::string>(v.id, text_at1);
    emit(std::move(v));
  }
  if (rc != SQLITE_DONE) return fail(error(rc, fmt::format("reading {}", table)));
  if (auto ok = phones.status(); !ok) return ok;
  if (emails)
    if (auto ok = emails->status(); !ok) return ok;
  return {};
}

template <class Emit>
Result<void> SqliteCrmStore::Impl::stream_contacts(Emit emit) const {
  return stream<Contact>("SELECT " TELCRM_CONTACT_COLUMNS " FROM contacts ORDER BY id",
                         EntityType::contact, true, "contacts", read_contact, emit);
}

template <class Emit>
Result<void> SqliteCrmStore::Impl::stream_companies(Emit emit) const {
  return stream<Company>("SELECT " TELCRM_COMPANY_COLUMNS " FROM companies ORDER BY id",
                         EntityType::company, true, "companies", read_company, emit);
}

template <class Emit>
Result<void> SqliteCrmStore::Impl::stream_leads(Emit emit) const {
  return stream<Lead>("SELECT " TELCRM_LEAD_COLUMNS " FROM leads ORDER BY id", EntityType::lead,
                      false, "leads", read_lead, emit);
}

template <class Emit>
Result<void> SqliteCrmStore::Impl::stream_deals(Emit emit) const {
  // Row by row like the other tables (deals keep no lists): collecting the whole table first
  // cost a rebuild a vector of every deal, grown by doubling (a tenth of the scan at 1M).
  auto s = stmt("SELECT " TELCRM_DEAL_COLUMNS " FROM deals ORDER BY id");
  if (!s) return fail(s.error());
  Use use(**s);
  int rc = 0;
  while ((rc = use->step()) == SQLITE_ROW) {
    Row row(*use, "deals");
    Deal d = read_deal(row);
    if (row.problem())
      return fail(Errc::storage_corrupt, fmt::format("{}: {}", conn_.path(), *row.problem()));
    emit(std::move(d));
  }
  if (rc != SQLITE_DONE) return fail(error(rc, "reading deals"));
  return {};
}

Result<std::vector<CallActivity>> SqliteCrmStore::Impl::all_activities() const {
  ListCursor bindings(*this,
                      "SELECT activity, entity_type, entity_id FROM activity_bindings "
                      "ORDER BY activity, position",
                      std::nullopt);
  if (auto ok = bindings.status(); !ok) return fail(ok.error());
  auto s = stmt("SELECT " TELCRM_ACTIVITY_COLUMNS " FROM activities ORDER BY id");
  if (!s) return fail(s.error());
  Use use(**s);
  std::vector<CallActivity> out;
  std::optional<std::string> problem;
  int rc = 0;
  while ((rc = use->step()) == SQLITE_ROW) {
    Row row(*use, "activities");
    CallActivity a = read_activity(row);
    if (row.problem()) problem = row.problem();
    a.bindings = bindings.take<EntityRef>(a.id, [&](Statement& b) {
      auto t = sqlite_detail::type_from_code(b.int64(1));
      if (!t) problem = fmt::format("activity_bindings: unknown entity type {}", b.int64(1));
      return EntityRef{t.value_or(EntityType::contact), b.int64(2)};
    });
    out.push_back(std::move(a));
  }
  if (rc != SQLITE_DONE) return fail(error(rc, "reading activities"));
  if (auto ok = bindings.status(); !ok) return fail(ok.error());
  if (problem) return fail(Errc::storage_corrupt, fmt::format("{}: {}", conn_.path(), *problem));
  return out;
}

Result<std::vector<Invoice>> SqliteCrmStore::Impl::all_invoices() const {
  auto s = stmt("SELECT " TELCRM_INVOICE_COLUMNS " FROM invoices ORDER BY id");
  if (!s) return fail(s.error());
  Use use(**s);
  return read_all<Invoice>(*use, "invoices", read_invoice);
}

Result<std::vector<MissedCall>> SqliteCrmStore::Impl::all_missed_calls() const {
  auto s = stmt("SELECT number, call, called_back_by FROM missed_calls ORDER BY seq");
  if (!s) return fail(s.error());
  Use use(**s);
  return read_all<MissedCall>(*use, "missed_calls", [](Row& r) {
    return MissedCall{r.text(0), r.text(1), r.opt_text(2)};
  });
}

Result<std::vector<CallRecord>> SqliteCrmStore::Impl::all_history() const {
  auto s = stmt(
      "SELECT call, direction, number, line, start, duration, status_code, employee, crm "
      "FROM history ORDER BY seq");
  if (!s) return fail(s.error());
  Use use(**s);
  return read_all<CallRecord>(*use, "history", [](Row& r) {
    CallRecord h;
    h.call = r.text(0);
    h.direction = r.one_of(1, directions);
    h.number = r.text(2);
    h.line = r.text(3);
    h.start = timestamp_of(r.int64(4));
    h.duration = Seconds(r.int64(5));
    h.status = static_cast<CallStatus>(r.int64(6));
    h.employee = r.opt_int64(7);
    h.crm = r.one_of(8, crm_states);
    return h;
  });
}

// --- CrmStore -------------------------------------------------------------------------------

Result<void> SqliteCrmStore::scan(CrmVisitor& visitor) const {
  std::lock_guard lock(impl_->mutex_);
  Impl::ReadScope read(*impl_);
  auto visit = [&](auto&& v) { visitor.visit(v); };
  if (auto ok = impl_->stream_contacts(visit); !ok) return ok;
  if (auto ok = impl_->stream_companies(visit); !ok) return ok;
  if (auto ok = impl_->stream_leads(visit); !ok) return ok;
  return impl_->stream_deals(visit);
}

Result<std::optional<Contact>> SqliteCrmStore::find_contact(EntityId id) const {
  std::lock_guard lock(impl_->mutex_);
  Impl::ReadScope read(*impl_);
  return impl_->find_one<Contact>("SELECT " TELCRM_CONTACT_COLUMNS " FROM contacts WHERE id = ?1",
                                  id, "contacts", read_contact);
}
Result<std::optional<Company>> SqliteCrmStore::find_company(EntityId id) const {
  std::lock_guard lock(impl_->mutex_);
  Impl::ReadScope read(*impl_);
  return impl_->find_one<Company>("SELECT " TELCRM_COMPANY_COLUMNS " FROM companies WHERE id = ?1",
                                  id, "companies", read_company);
}
Result<std::optional<Lead>> SqliteCrmStore::find_lead(EntityId id) const {
  std::lock_guard lock(impl_->mutex_);
  Impl::ReadScope read(*impl_);
  return impl_->find_one<Lead>("SELECT " TELCRM_LEAD_COLUMNS " FROM leads WHERE id = ?1", id,
                               "leads", read_lead);
}
Result<std::optional<Deal>> SqliteCrmStore::find_deal(EntityId id) const {
  std::lock_guard lock(impl_->mutex_);
  return impl_->find_one<Deal>("SELECT " TELCRM_DEAL_COLUMNS " FROM deals WHERE id = ?1", id,
                               "deals", read_deal);
}

Result<std::vector<Deal>> SqliteCrmStore::open_deals_of(EntityRef client) const {
  const char* sql = nullptr;
  if (client.type == EntityType::contact)
    sql = "SELECT " TELCRM_DEAL_COLUMNS
          " FROM deals WHERE contact = ?1 AND stage = 'in_progress' ORDER BY id";
  else if (client.type == EntityType::company)
    sql = "SELECT " TELCRM_DEAL_COLUMNS
          " FROM deals WHERE company = ?1 AND stage = 'in_progress' ORDER BY id";
  else
    return std::vector<Deal>{};
  std::lock_guard lock(impl_->mutex_);
  auto s = impl_->stmt(sql);
  if (!s) return fail(s.error());
  Use use(**s);
  use->bind(1, client.id);
  auto out = impl_->read_all<Deal>(*use, "deals", read_deal);
  if (!out) return out;
  // The reference's order: most recently modified first (a missing time is the oldest), then id.
  std::stable_sort(out->begin(), out->end(), [](const Deal& a, const Deal& b) {
    if (a.modified != b.modified) return b.modified < a.modified;
    return a.id < b.id;
  });
  return out;
}

Result<std::vector<Lead>> SqliteCrmStore::open_repeat_leads_of(EntityRef client) const {
  const char* sql = nullptr;
  if (client.type == EntityType::contact)
    sql = "SELECT " TELCRM_LEAD_COLUMNS
          " FROM leads WHERE contact = ?1 AND repeat = 1 AND status = 'in_progress' ORDER BY id";
  else if (client.type == EntityType::company)
    sql = "SELECT " TELCRM_LEAD_COLUMNS
          " FROM leads WHERE company = ?1 AND repeat = 1 AND status = 'in_progress' ORDER BY id";
  else
    return std::vector<Lead>{};
  std::lock_guard lock(impl_->mutex_);
  Impl::ReadScope read(*impl_);
  auto s = impl_->stmt(sql);
  if (!s) return fail(s.error());
  Use use(**s);
  use->bind(1, client.id);
  return impl_->read_all<Lead>(*use, "leads", read_lead);
}

Result<CrmSnapshot> SqliteCrmStore::snapshot() const {
  std::lock_guard lock(impl_->mutex_);
  Impl::ReadScope read(*impl_);
  CrmSnapshot s;
  if (auto ok = impl_->stream_contacts([&](Contact&& v) { s.contacts.push_back(std::move(v)); });
      !ok)
    return fail(ok.error());
  if (auto ok = impl_->stream_companies([&](Company&& v) { s.companies.push_back(std::move(v)); });
      !ok)
    return fail(ok.error());
  if (auto ok = impl_->stream_leads([&](Lead&& v) { s.leads.push_back(std::move(v)); }); !ok)
    return fail(ok.error());
  if (auto ok = impl_->stream_deals([&](Deal&& v) { s.deals.push_back(std::move(v)); }); !ok)
    return fail(ok.error());
  auto invoices = impl_->all_invoices();
  if (!invoices) return fail(invoices.error());
  s.invoices = std::move(*invoices);
  auto activities = impl_->all_activities();
  if (!activities) return fail(activities.error());
  s.activities = std::move(*activities);
  auto missed = impl_->all_missed_calls();
  if (!missed) return fail(missed.error());
  s.missed_calls = std::move(*missed);
  auto history = impl_->all_history();
  if (!history) return fail(history.error());
  s.history = std::move(*history);
  return s;
}

Result<std::uint64_t> SqliteCrmStore::data_version() const {
  std::lock_guard lock(impl_->mutex_);
  auto v = impl_->conn_.query_int("PRAGMA data_version");
  if (!v) return fail(v.error());
  return static_cast<std::uint64_t>(v->value_or(0)) + 1;
}

Result<std::uint64_t> SqliteCrmStore::change_cursor() const {
  std::lock_guard lock(impl_->mutex_);
  Impl::ReadScope read(*impl_);
  auto last = impl_->conn_.query_int("SELECT coalesce(max(seq), 0) FROM changes");
  if (!last) return fail(last.error());
  return static_cast<std::uint64_t>(last->value_or(0));
}

Result<ChangeSet> SqliteCrmStore::changes_since(std::uint64_t cursor) const {
  std::lock_guard lock(impl_->mutex_);
  Impl::ReadScope read(*impl_);
  auto last = impl_->conn_.query_int("SELECT coalesce(max(seq), 0) FROM changes");
  if (!last) return fail(last.error());
  ChangeSet out;
  out.cursor = static_cast<std::uint64_t>(last->value_or(0));
  if (cursor > out.cursor) {  // not a cursor of this file: the caller must rebuild
    out.complete = false;
    return out;
  }
  if (cursor == out.cursor) return out;
  auto s = impl_->stmt(
      "SELECT entity_type, entity_id FROM changes WHERE seq > ?1 "
      "ORDER BY seq, entity_type, entity_id");
  if (!s) return fail(s.error());
  Use use(**s);
  use->bind(1, static_cast<std::int64_t>(cursor));
  int rc = 0;
  while ((rc = use->step()) == SQLITE_ROW) {
    auto type = sqlite_detail::type_from_code(use->int64(0));
    if (!type)
      return fail(Errc::storage_corrupt, fmt::format("{}: changes: unknown entity type {}",
                                                     impl_->conn_.path(), use->int64(0)));
    out.changed.push_back({*type, use->int64(1)});
  }
  if (rc != SQLITE_DONE) return fail(impl_->error(rc, "reading the change log"));
  return out;
}

Result<SqliteCounts> SqliteCrmStore::counts() const {
  std::lock_guard lock(impl_->mutex_);
  Impl::ReadScope read(*impl_);
  SqliteCounts c;
  struct Count {
    const char* sql;
    std::size_t* into;
  };
  const std::array<Count, 10> all{{{"SELECT count(*) FROM contacts", &c.contacts},
                                   {"SELECT count(*) FROM companies", &c.companies},
                                   {"SELECT count(*) FROM leads", &c.leads},
                                   {"SELECT count(*) FROM deals", &c.deals},
                                   {"SELECT count(*) FROM invoices", &c.invoices},
                                   {"SELECT count(*) FROM activities", &c.activities},
                                   {"SELECT count(*) FROM missed_calls", &c.missed_calls},
                                   {"SELECT count(*) FROM history", &c.history},
                                   {"SELECT count(*) FROM phones", &c.phones},
                                   {"SELECT count(*) FROM employees", &c.employees}}};
  for (const auto& q : all) {
    auto v = impl_->conn_.query_int(q.sql);
    if (!v) return fail(v.error());
    *q.into = static_cast<std::size_t>(v->value_or(0));
  }
  return c;
}

Result<bool> SqliteCrmStore::has_call(std::string_view call) const {
  std::lock_guard lock(impl_->mutex_);
  auto s = impl_->stmt("SELECT EXISTS(SELECT 1 FROM history WHERE call = ?1)");
  if (!s) return fail(s.error());
  Use use(**s);
  use->bind(1, call);
  const int rc = use->step();
  if (rc != SQLITE_ROW) return fail(impl_->error(rc, "reading the call history"));
  return use->int64(0) != 0;
}

Result<std::vector<EntityRef>> SqliteCrmStore::find_by_phone(std::string_view number) const {
  std::lock_guard lock(impl_->mutex_);
  const PhoneNumber n = impl_->normalizer_.normalize(number, impl_->keys_.default_region);
  std::vector<EntityRef> out;
  if (!n.is_dialable()) return out;  // R-M1: invalid and short numbers are not searched
  auto s = impl_->stmt(
      "SELECT owner_type, owner_id FROM phones WHERE e164_key = ?1 UNION "
      "SELECT owner_type, owner_id FROM phones WHERE raw_key = ?2 ORDER BY 1, 2");
  if (!s) return fail(s.error());
  Use use(**s);
  use->bind(1, stored_key(n.key()));
  if (const auto raw = raw_key(n.digits()); raw != 0) use->bind(2, stored_key(raw));
  int rc = 0;
  while ((rc = use->step()) == SQLITE_ROW)
    if (auto type = sqlite_detail::type_from_code(use->int64(0)))
      out.push_back({*type, use->int64(1)});
  if (rc != SQLITE_DONE) return fail(impl_->error(rc, "looking up a phone"));
  return out;
}

Result<std::vector<std::string>> SqliteCrmStore::check_integrity() const {
  std::lock_guard lock(impl_->mutex_);
  auto s = impl_->stmt("PRAGMA integrity_check");
  if (!s) return fail(s.error());
  Use use(**s);
  std::vector<std::string> findings;
  int rc = 0;
  while ((rc = use->step()) == SQLITE_ROW)
    if (use->text(0) != "ok") findings.emplace_back(use->text(0));
  if (rc != SQLITE_DONE) return fail(impl_->error(rc, "integrity check"));
  return findings;
}

TELCRM_END_NAMESPACE
