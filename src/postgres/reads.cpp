// SPDX-License-Identifier: Apache-2.0
// telcrm::postgres: reading records — scan, find_*, snapshot, inspection, the directory,
// counts. Reads go through the store's reading connection; a read of several statements
// is one round trip inside a REPEATABLE READ transaction, so it sees one consistent state.
#include "../compiled_lib.hpp"  // first: stops a build without TELCRM_COMPILED_LIB

#include <telcrm/json/settings_json.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <bit>
#include <type_traits>

#include "store_impl.hpp"

TELCRM_BEGIN_NAMESPACE

using pg_detail::Connection;
using pg_detail::Params;
using pg_detail::PgResult;
using pg_detail::Pipeline;
using pg_detail::type_code;

namespace {

constexpr std::array lead_statuses{LeadStatus::in_progress, LeadStatus::converted,
                                   LeadStatus::junk};
constexpr std::array deal_stages{DealStage::in_progress, DealStage::won, DealStage::lost};
constexpr std::array directions{CallDirection::incoming, CallDirection::outgoing,
                                CallDirection::callback};
constexpr std::array activity_statuses{ActivityStatus::answered, ActivityStatus::missed,
                                       ActivityStatus::voicemail};
constexpr std::array crm_states{CrmState::matched, CrmState::unknown, CrmState::excepted,
                                CrmState::employee, CrmState::disabled};
constexpr std::array presences{Presence::online, Presence::offline, Presence::busy};
constexpr std::array workdays{Workday::untracked, Workday::open, Workday::closed, Workday::paused};

// Reads one row's columns; remembers the first value that is not what the schema allows
// (another application may have written the tables).
class Row {
 public:
  Row(const PgResult& r, int row, std::string_view table) : r_(r), row_(row), table_(table) {}
  [[nodiscard]] std::int64_t int64(int c) const { return r_.int64(row_, c); }
  [[nodiscard]] std::optional<std::int64_t> opt_int64(int c) const { return r_.opt_int64(row_, c); }
  [[nodiscard]] std::string text(int c) const { return std::string(r_.text(row_, c)); }
  [[nodiscard]] std::optional<std::string> opt_text(int c) const { return r_.opt_text(row_, c); }
  [[nodiscard]] double real(int c) const { return r_.real(row_, c); }
  [[nodiscard]] bool flag(int c) const { return r_.flag(row_, c); }
  [[nodiscard]] std::optional<Timestamp> opt_time(int c) const {
    if (r_.is_null(row_, c)) return std::nullopt;
    return Timestamp(Seconds(r_.int64(row_, c)));
  }
  [[nodiscard]] Timestamp time(int c) const { return Timestamp(Seconds(r_.int64(row_, c))); }
  template <class E, std::size_t N>
  E one_of(int c, const std::array<E, N>& values) {
    const auto text = r_.text(row_, c);
    for (E v : values)
      if (format_as(v) == text) return v;
    if (!problem_) problem_ = fmt::format("{}: unknown value '{}'", table_, text);
    return values[0];
  }
  EntityType type(int c) {
    auto t = pg_detail::type_from_code(r_.int64(row_, c));
    if (!t && !problem_) problem_ = fmt::format("{}: unknown entity type {}", table_, int64(c));
    return t.value_or(EntityType::contact);
  }
  [[nodiscard]] const std::optional<std::string>& problem() const { return problem_; }

 private:
  const PgResult& r_;
  int row_;
  std::string_view table_;
  std::optional<std::string> problem_;
};

#define TELCRM_CONTACT_COLUMNS "id, name, responsible, company"
#define TELCRM_COMPANY_COLUMNS "id, title, responsible"
#define TELCRM_LEAD_COLUMNS \
  "id, title, responsible, status, modified, contact, company, source, repeat"
#define TELCRM_DEAL_COLUMNS \
  "id, title, contact, company, responsible, stage, pipeline, modified, source, repeat"
#define TELCRM_INVOICE_COLUMNS "id, amount, entity_type, entity_id, responsible, call"
#define TELCRM_ACTIVITY_COLUMNS                                                                \
  "id, call, subject, direction, start, duration, status, responsible, recording, voicemail, " \
  "comment"
#define TELCRM_EMPLOYEE_COLUMNS \
  "id, name, active, presence, workday, mobile, personal, work, extension"

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
  a.start = r.time(4);
  a.duration = Seconds(r.int64(5));
  a.status = r.one_of(6, activity_statuses);
  a.responsible = r.opt_int64(7);
  a.recording = r.opt_text(8);
  a.voicemail = r.opt_text(9);
  a.comment = r.opt_text(10);
  return a;
}
Employee read_employee(Row& r) {
  Employee e;
  e.id = r.int64(0);
  e.name = r.text(1);
  e.active = r.flag(2);
  e.presence = r.one_of(3, presences);
  e.workday = r.one_of(4, workdays);
  e.phones.mobile = r.opt_text(5);
  e.phones.personal = r.opt_text(6);
  e.phones.work = r.opt_text(7);
  e.extension = r.opt_text(8);
  return e;
}
MissedCall read_missed(Row& r) {
  return MissedCall{r.text(0), r.text(1), r.opt_text(2)};
}
CallRecord read_history(Row& r) {
  CallRecord h;
  h.call = r.text(0);
  h.direction = r.one_of(1, directions);
  h.number = r.text(2);
  h.line = r.text(3);
  h.start = r.time(4);
  h.duration = Seconds(r.int64(5));
  h.status = static_cast<CallStatus>(r.int64(6));
  h.employee = r.opt_int64(7);
  h.crm = r.one_of(8, crm_states);
  return h;
}

// Rows (owner, value…) ordered by owner, handed out to records read in id order.
class Lists {
 public:
  explicit Lists(const PgResult& r) : r_(r) {}
  template <class V, class Read>
  std::vector<V> take(std::int64_t owner, Read read) {
    std::vector<V> out;
    while (at_ < r_.rows() && r_.int64(at_, 0) < owner) ++at_;  // owners that are gone
    for (; at_ < r_.rows() && r_.int64(at_, 0) == owner; ++at_) out.push_back(read(r_, at_));
    return out;
  }
  std::vector<std::string> texts(std::int64_t owner) {
    return take<std::string>(owner,
                             [](const PgResult& r, int i) { return std::string(r.text(i, 1)); });
  }

 private:
  const PgResult& r_;
  int at_ = 0;
};

// Reads every row of `r` with `read`; a value the schema does not allow is storage_corrupt.
template <class T, class Read>
Result<std::vector<T>> rows_of(const Connection& c, const PgResult& r, std::string_view table,
                               Read read) {
  std::vector<T> out;
  out.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) {
    Row row(r, i, table);
    out.push_back(read(row));
    if (row.problem())
      return fail(Errc::storage_corrupt, fmt::format("{}: {}", c.label(), *row.problem()));
  }
  return out;
}

constexpr const char* begin_read = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";

// Runs `p`; ends the read transaction it may have left open after a failure.
Result<void> run_read(Connection& c, Pipeline& p, std::string_view context) {
  auto ok = p.run(context);
  if (!ok && !c.broken() && PQtransactionStatus(c.get()) != PQTRANS_IDLE)
    (void)c.exec("ROLLBACK", "ending a failed read");
  return ok;
}

// Runs `read(Connection&)` on the reading connection, once more after a reconnect when the
// connection was lost (a read is safe to repeat).
template <class F>
auto with_reader(const PostgresCrmStore::Impl& impl, F&& read) -> decltype(read(impl.reader_)) {
  std::lock_guard lock(impl.read_mutex_);
  for (int attempt = 0;; ++attempt) {
    if (auto ok = impl.reader_.ensure(); !ok) return fail(ok.error());
    auto r = read(impl.reader_);
    if (r || attempt > 0 || !impl.reader_.broken()) return r;
  }
}

// The whole CRM, from one snapshot (snapshot(); scan() streams instead).
Result<CrmSnapshot> read_all(Connection& c) {
  Pipeline p(c);
  p.add(begin_read);
  const auto contacts = p.add("SELECT " TELCRM_CONTACT_COLUMNS " FROM contacts ORDER BY id");
  const auto contact_phones =
      p.add("SELECT owner_id, phone FROM phones WHERE owner_type = 1 ORDER BY owner_id, position");
  const auto contact_emails =
      p.add("SELECT owner_id, email FROM emails WHERE owner_type = 1 ORDER BY owner_id, position");
  const auto companies = p.add("SELECT " TELCRM_COMPANY_COLUMNS " FROM companies ORDER BY id");
  const auto company_phones =
      p.add("SELECT owner_id, phone FROM phones WHERE owner_type = 2 ORDER BY owner_id, position");
  const auto company_emails =
      p.add("SELECT owner_id, email FROM emails WHERE owner_type = 2 ORDER BY owner_id, position");
  const auto leads = p.add("SELECT " TELCRM_LEAD_COLUMNS " FROM leads ORDER BY id");
  const auto lead_phones =
      p.add("SELECT owner_id, phone FROM phones WHERE owner_type = 3 ORDER BY owner_id, position");
  const auto deals = p.add("SELECT " TELCRM_DEAL_COLUMNS " FROM deals ORDER BY id");
  const auto invoices = p.add("SELECT " TELCRM_INVOICE_COLUMNS " FROM invoices ORDER BY id");
  const auto activities = p.add("SELECT " TELCRM_ACTIVITY_COLUMNS " FROM activities ORDER BY id");
  const auto bindings = p.add(
      "SELECT activity, entity_type, entity_id FROM activity_bindings "
      "ORDER BY activity, position");
  const auto missed = p.add("SELECT number, call, called_back_by FROM missed_calls ORDER BY seq");
  const auto history = p.add(
      "SELECT call, direction, number, line, start, duration, status_code, employee, crm "
      "FROM history ORDER BY seq");
  p.add("COMMIT");
  if (auto ok = run_read(c, p, "reading the CRM"); !ok) return fail(ok.error());

  CrmSnapshot s;
  auto take = [&](auto& into, std::size_t at, std::string_view table, auto read) -> Result<void> {
    using T = typename std::decay_t<decltype(into)>::value_type;
    auto all = rows_of<T>(c, p[at], table, read);
    if (!all) return fail(all.error());
    into = std::move(*all);
    return {};
  };
  if (auto ok = take(s.contacts, contacts, "contacts", read_contact); !ok) return fail(ok.error());
  if (auto ok = take(s.companies, companies, "companies", read_company); !ok)
    return fail(ok.error());
  if (auto ok = take(s.leads, leads, "leads", read_lead); !ok) return fail(ok.error());
  if (auto ok = take(s.deals, deals, "deals", read_deal); !ok) return fail(ok.error());
  {
    Lists phones(p[contact_phones]), emails(p[contact_emails]);
    for (auto& v : s.contacts) {
      v.phones = phones.texts(v.id);
      v.emails = emails.texts(v.id);
    }
  }
  {
    Lists phones(p[company_phones]), emails(p[company_emails]);
    for (auto& v : s.companies) {
      v.phones = phones.texts(v.id);
      v.emails = emails.texts(v.id);
    }
  }
  {
    Lists phones(p[lead_phones]);
    for (auto& v : s.leads) v.phones = phones.texts(v.id);
  }
  if (auto ok = take(s.invoices, invoices, "invoices", read_invoice); !ok) return fail(ok.error());
  if (auto ok = take(s.activities, activities, "activities", read_activity); !ok)
    return fail(ok.error());
  if (auto ok = take(s.missed_calls, missed, "missed_calls", read_missed); !ok)
    return fail(ok.error());
  if (auto ok = take(s.history, history, "history", read_history); !ok) return fail(ok.error());
  Lists links(p[bindings]);
  std::optional<std::string> problem;
  for (auto& a : s.activities)
    a.bindings = links.take<EntityRef>(a.id, [&](const PgResult& r, int i) {
      auto t = pg_detail::type_from_code(r.int64(i, 1));
      if (!t) problem = fmt::format("activity_bindings: unknown entity type {}", r.int64(i, 1));
      return EntityRef{t.value_or(EntityType::contact), r.int64(i, 2)};
    });
  if (problem) return fail(Errc::storage_corrupt, fmt::format("{}: {}", c.label(), *problem));
  return s;
}

// --- scan: the records in chunks ---------------------------------------------------------------
// scan() streams: each table and its lists are read through cursors inside one REPEATABLE READ
// transaction (one snapshot), a chunk of rows per round trip, and each record goes to the
// visitor as soon as it is whole. Reading everything first (as snapshot() does) would hold
// the whole CRM twice — libpq's results and the records — while a node builds its index:
// gigabytes at 10M stored numbers.

// Rows of one cursor, fetched `chunk` at a time.
class CursorRows {
 public:
  CursorRows(Connection& c, std::string name, std::size_t chunk)
      : c_(c), name_(std::move(name)), fetch_(fmt::format("FETCH {} FROM {}", chunk, name_)) {}

  // Opens the cursor on `sql` (inside the caller's transaction).
  Result<void> open(const char* sql) {
    auto r = c_.exec(fmt::format("DECLARE {} NO SCROLL CURSOR FOR {}", name_, sql).c_str(),
                     "opening a scan cursor");
    if (!r) return fail(r.error());
    return {};
  }
  // The current row, fetching the next chunk when this one is used up; false at the end.
  Result<bool> ready() {
    if (at_ < rows_.rows()) return true;
    if (done_) return false;
    auto r = c_.exec(fetch_.c_str(), "scanning the CRM");
    if (!r) return fail(r.error());
    rows_ = std::move(*r);
    at_ = 0;
    done_ = rows_.rows() == 0;
    return !done_;
  }
  [[nodiscard]] const PgResult& rows() const noexcept { return rows_; }
  [[nodiscard]] int at() const noexcept { return at_; }
  void next() noexcept { ++at_; }

 private:
  Connection& c_;
  std::string name_;
  std::string fetch_;
  PgResult rows_;
  int at_ = 0;
  bool done_ = false;
};

// The (owner, text) rows of a list cursor handed out to records read in id order, as Lists.
class CursorLists {
 public:
  explicit CursorLists(CursorRows& rows) : rows_(rows) {}
  Result<std::vector<std::string>> texts(std::int64_t owner) {
    std::vector<std::string> out;
    for (;;) {
      auto more = rows_.ready();
      if (!more) return fail(more.error());
      if (!*more) return out;
      const std::int64_t at = rows_.rows().int64(rows_.at(), 0);
      if (at > owner) return out;
      if (at == owner) out.emplace_back(rows_.rows().text(rows_.at(), 1));
      rows_.next();  // a row of this owner, or of an owner that is gone
    }
  }

 private:
  CursorRows& rows_;
};

// One table with its phones (and e-mails), streamed to `visit`.
template <class T, class Read, class Visit>
Result<void> scan_table(Connection& c, std::size_t chunk, const char* sql, int owner_type,
                        bool with_emails, std::string_view table, Read read, Visit&& visit) {
  CursorRows records(c, "telcrm_scan_records", chunk);
  CursorRows phones(c, "telcrm_scan_phones", chunk);
  CursorRows emails(c, "telcrm_scan_emails", chunk);
  if (auto ok = records.open(sql); !ok) return ok;
  if (owner_type != 0) {
    const std::string phone_sql = fmt::format(
        "SELECT owner_id, phone FROM phones WHERE owner_type = {} ORDER BY owner_id, position",
        owner_type);
    if (auto ok = phones.open(phone_sql.c_str()); !ok) return ok;
  }
  if (with_emails) {
    const std::string email_sql = fmt::format(
        "SELECT owner_id, email FROM emails WHERE owner_type = {} ORDER BY owner_id, position",
        owner_type);
    if (auto ok = emails.open(email_sql.c_str()); !ok) return ok;
  }
  CursorLists phone_lists(phones), email_lists(emails);
  for (;;) {
    auto more = records.ready();
    if (!more) return fail(more.error());
    if (!*more) break;
    Row row(records.rows(), records.at(), table);
    T v = read(row);
    if (row.problem())
      return fail(Errc::storage_corrupt, fmt::format("{}: {}", c.label(), *row.problem()));
    records.next();
    if constexpr (!std::is_same_v<T, Deal>) {
      auto p = phone_lists.texts(v.id);
      if (!p) return fail(p.error());
      v.phones = std::move(*p);
    }
    if constexpr (std::is_same_v<T, Contact> || std::is_same_v<T, Company>) {
      if (with_emails) {
        auto e = email_lists.texts(v.id);
        if (!e) return fail(e.error());
        v.emails = std::move(*e);
      }
    }
    visit(v);
  }
  // The scan's transaction holds only its own cursors; the next table declares them again.
  auto closed = c.exec("CLOSE ALL", "closing the scan's cursors");
  if (!closed) return fail(closed.error());
  return {};
}

// Every contact, company, lead and deal to `visitor`, from one snapshot.
Result<void> scan_all(Connection& c, std::size_t chunk, CrmVisitor& visitor) {
  if (auto ok = c.exec(begin_read, "beginning a scan"); !ok) return fail(ok.error());
  auto streamed = [&]() -> Result<void> {
    auto visit = [&](const auto& v) { visitor.visit(v); };
    if (auto ok = scan_table<Contact>(c, chunk,
                                      "SELECT " TELCRM_CONTACT_COLUMNS " FROM contacts ORDER BY id",
                                      1, true, "contacts", read_contact, visit);
        !ok)
      return ok;
    if (auto ok = scan_table<Company>(
            c, chunk, "SELECT " TELCRM_COMPANY_COLUMNS " FROM companies ORDER BY id", 2, true,
            "companies", read_company, visit);
        !ok)
      return ok;
    if (auto ok =
            scan_table<Lead>(c, chunk, "SELECT " TELCRM_LEAD_COLUMNS " FROM leads ORDER BY id", 3,
                             false, "leads", read_lead, visit);
        !ok)
      return ok;
    return scan_table<Deal>(c, chunk, "SELECT " TELCRM_DEAL_COLUMNS " FROM deals ORDER BY id", 0,
                            false, "deals", read_deal, visit);
  }();
  if (!streamed) {
    if (!c.broken() && c.in_transaction()) (void)c.exec("ROLLBACK", "ending a failed scan");
    return streamed;
  }
  if (auto ok = c.exec("COMMIT", "ending a scan"); !ok) return fail(ok.error());
  return {};
}

// One record with its phones (and e-mails), from one snapshot.
template <class T, class Read>
Result<std::optional<T>> find_one(Connection& c, const char* sql, const char* phones,
                                  const char* emails, EntityId id, std::string_view table,
                                  Read read) {
  Pipeline p(c);
  Params key;
  key.add(id);
  p.add(begin_read);
  const auto row = p.add(sql, key);
  const auto ph = phones ? p.add(phones, key) : 0;
  const auto em = emails ? p.add(emails, key) : 0;
  p.add("COMMIT");
  if (auto ok = run_read(c, p, fmt::format("reading {} {}", table, id)); !ok)
    return fail(ok.error());
  auto all = rows_of<T>(c, p[row], table, read);
  if (!all) return fail(all.error());
  if (all->empty()) return std::optional<T>{};
  T v = std::move(all->front());
  if constexpr (!std::is_same_v<T, Deal> && !std::is_same_v<T, Employee>) {
    if (phones) v.phones = Lists(p[ph]).texts(id);
    if constexpr (std::is_same_v<T, Contact> || std::is_same_v<T, Company>)
      if (emails) v.emails = Lists(p[em]).texts(id);
  }
  return std::optional<T>(std::move(v));
}

}  // namespace

// --- CrmStore reads -------------------------------------------------------------------------

Result<void> PostgresCrmStore::scan(CrmVisitor& visitor) const {
  // Not with_reader(): a scan that lost its connection midway has visited records already,
  // and repeating it would visit them twice. The caller (a rebuild) tries again later.
  std::lock_guard lock(impl_->read_mutex_);
  if (auto ok = impl_->reader_.ensure(); !ok) return fail(ok.error());
  const std::size_t chunk = impl_->options_.test_hooks.scan_chunk_rows > 0
                                ? impl_->options_.test_hooks.scan_chunk_rows
                                : std::size_t{10000};
  return scan_all(impl_->reader_, chunk, visitor);
}

Result<std::optional<Contact>> PostgresCrmStore::find_contact(EntityId id) const {
  return with_reader(*impl_, [&](Connection& c) {
    return find_one<Contact>(
        c, "SELECT " TELCRM_CONTACT_COLUMNS " FROM contacts WHERE id = $1",
        "SELECT owner_id, phone FROM phones WHERE owner_type = 1 AND owner_id = $1 "
        "ORDER BY position",
        "SELECT owner_id, email FROM emails WHERE owner_type = 1 AND owner_id = $1 "
        "ORDER BY position",
        id, "contacts", read_contact);
  });
}

Result<std::optional<Company>> PostgresCrmStore::find_company(EntityId id) const {
  return with_reader(*impl_, [&](Connection& c) {
    return find_one<Company>(
        c, "SELECT " TELCRM_COMPANY_COLUMNS " FROM companies WHERE id = $1",
        "SELECT owner_id, phone FROM phones WHERE owner_type = 2 AND owner_id = $1 "
        "ORDER BY position",
        "SELECT owner_id, email FROM emails WHERE owner_type = 2 AND owner_id = $1 "
        "ORDER BY position",
        id, "companies", read_company);
  });
}

Result<std::optional<Lead>> PostgresCrmStore::find_lead(EntityId id) const {
  return with_reader(*impl_, [&](Connection& c) {
    return find_one<Lead>(c, "SELECT " TELCRM_LEAD_COLUMNS " FROM leads WHERE id = $1",
                          "SELECT owner_id, phone FROM phones WHERE owner_type = 3 AND "
                          "owner_id = $1 ORDER BY position",
                          nullptr, id, "leads", read_lead);
  });
}

Result<std::optional<Deal>> PostgresCrmStore::find_deal(EntityId id) const {
  return with_reader(*impl_, [&](Connection& c) {
    return find_one<Deal>(c, "SELECT " TELCRM_DEAL_COLUMNS " FROM deals WHERE id = $1", nullptr,
                          nullptr, id, "deals", read_deal);
  });
}

// --- CrmInspection ------------------------------------------------------------------------------

Result<std::vector<Deal>> PostgresCrmStore::open_deals_of(EntityRef client) const {
  const char* sql = nullptr;
  if (client.type == EntityType::contact)
    sql = "SELECT " TELCRM_DEAL_COLUMNS
          " FROM deals WHERE contact = $1 AND stage = 'in_progress' ORDER BY id";
  else if (client.type == EntityType::company)
    sql = "SELECT " TELCRM_DEAL_COLUMNS
          " FROM deals WHERE company = $1 AND stage = 'in_progress' ORDER BY id";
  else
    return std::vector<Deal>{};
  auto out = with_reader(*impl_, [&](Connection& c) -> Result<std::vector<Deal>> {
    Params p;
    p.add(client.id);
    auto r = c.query(sql, p, "reading open deals");
    if (!r) return fail(r.error());
    return rows_of<Deal>(c, *r, "deals", read_deal);
  });
  if (!out) return out;
  // The reference's order: most recently modified first (a missing time is the oldest), then id.
  std::stable_sort(out->begin(), out->end(), [](const Deal& a, const Deal& b) {
    if (a.modified != b.modified) return b.modified < a.modified;
    return a.id < b.id;
  });
  return out;
}

Result<std::vector<Lead>> PostgresCrmStore::open_repeat_leads_of(EntityRef client) const {
  const char* sql = nullptr;
  if (client.type == EntityType::contact)
    sql = "SELECT " TELCRM_LEAD_COLUMNS
          " FROM leads WHERE contact = $1 AND repeat AND status = 'in_progress' ORDER BY id";
  else if (client.type == EntityType::company)
    sql = "SELECT " TELCRM_LEAD_COLUMNS
          " FROM leads WHERE company = $1 AND repeat AND status = 'in_progress' ORDER BY id";
  else
    return std::vector<Lead>{};
  return with_reader(*impl_, [&](Connection& c) -> Result<std::vector<Lead>> {
    Params key;
    key.add(client.id);
    Pipeline p(c);
    p.add(begin_read);
    const auto rows = p.add(sql, key);
    const auto phones = p.add(
        "SELECT l.id, p.phone FROM leads l JOIN phones p ON p.owner_type = 3 AND p.owner_id = l.id "
        "WHERE (l.contact = $1 OR l.company = $1) ORDER BY l.id, p.position",
        key);
    p.add("COMMIT");
    if (auto ok = run_read(c, p, "reading repeat leads"); !ok) return fail(ok.error());
    auto out = rows_of<Lead>(c, p[rows], "leads", read_lead);
    if (!out) return out;
    Lists lists(p[phones]);
    for (auto& l : *out) l.phones = lists.texts(l.id);
    return out;
  });
}

Result<CrmSnapshot> PostgresCrmStore::snapshot() const {
  return with_reader(*impl_, [](Connection& c) { return read_all(c); });
}

// --- the directory and settings ---------------------------------------------------------------

Result<std::vector<Employee>> PostgresCrmStore::employees() const {
  return with_reader(*impl_, [](Connection& c) -> Result<std::vector<Employee>> {
    auto r = c.query("SELECT " TELCRM_EMPLOYEE_COLUMNS " FROM employees ORDER BY id", {},
                     "reading employees");
    if (!r) return fail(r.error());
    return rows_of<Employee>(c, *r, "employees", read_employee);
  });
}

Result<std::optional<Employee>> PostgresCrmStore::find_employee(EmployeeId id) const {
  return with_reader(*impl_, [&](Connection& c) {
    return find_one<Employee>(c, "SELECT " TELCRM_EMPLOYEE_COLUMNS " FROM employees WHERE id = $1",
                              nullptr, nullptr, id, "employees", read_employee);
  });
}

Result<std::optional<IntegrationSettings>> PostgresCrmStore::Impl::load_settings_with(
    Connection& c) const {
  auto r = c.query("SELECT value FROM meta WHERE key = 'settings'", {}, "reading the settings");
  if (!r) return fail(r.error());
  if (r->rows() == 0 || r->is_null(0, 0)) return std::optional<IntegrationSettings>{};
  auto settings = settings_from_json(r->text(0, 0), "settings");
  if (!settings)
    return fail(Errc::storage_corrupt, fmt::format("{}: the stored settings do not read: {}",
                                                   c.label(), settings.error().message()));
  return std::optional<IntegrationSettings>(std::move(settings->settings));
}

Result<std::optional<IntegrationSettings>> PostgresCrmStore::load_settings() const {
  return with_reader(*impl_, [&](Connection& c) { return impl_->load_settings_with(c); });
}

// --- counts and lookups -------------------------------------------------------------------------

Result<bool> PostgresCrmStore::has_data() const {
  return with_reader(*impl_, [](Connection& c) -> Result<bool> {
    auto r = c.query(
        "SELECT EXISTS(SELECT 1 FROM contacts) OR EXISTS(SELECT 1 FROM companies) OR "
        "EXISTS(SELECT 1 FROM leads) OR EXISTS(SELECT 1 FROM deals) OR "
        "EXISTS(SELECT 1 FROM invoices) OR EXISTS(SELECT 1 FROM activities) OR "
        "EXISTS(SELECT 1 FROM missed_calls) OR EXISTS(SELECT 1 FROM history)",
        {}, "reading the CRM");
    if (!r) return fail(r.error());
    return r->flag(0, 0);
  });
}

Result<PostgresCounts> PostgresCrmStore::counts() const {
  return with_reader(*impl_, [](Connection& c) -> Result<PostgresCounts> {
    auto r = c.query(
        "SELECT (SELECT count(*) FROM contacts), (SELECT count(*) FROM companies), "
        "(SELECT count(*) FROM leads), (SELECT count(*) FROM deals), "
        "(SELECT count(*) FROM invoices), (SELECT count(*) FROM activities), "
        "(SELECT count(*) FROM missed_calls), (SELECT count(*) FROM history), "
        "(SELECT count(*) FROM phones), (SELECT count(*) FROM employees), "
        "(SELECT count(*) FROM receipts), (SELECT count(*) FROM claims)",
        {}, "counting records");
    if (!r) return fail(r.error());
    auto n = [&](int col) { return static_cast<std::size_t>(r->int64(0, col)); };
    return PostgresCounts{n(0), n(1), n(2), n(3), n(4), n(5), n(6), n(7), n(8), n(9), n(10), n(11)};
  });
}

Result<std::size_t> PostgresCrmStore::remembered() const {
  auto c = counts();
  if (!c) return fail(c.error());
  return c->receipts + c->claims;
}

Result<bool> PostgresCrmStore::has_call(std::string_view call) const {
  return with_reader(*impl_, [&](Connection& c) -> Result<bool> {
    Params p;
    p.add(call);
    auto r = c.query("SELECT EXISTS(SELECT 1 FROM history WHERE call = $1)", p,
                     "reading the call history");
    if (!r) return fail(r.error());
    return r->flag(0, 0);
  });
}

Result<std::vector<EntityRef>> PostgresCrmStore::find_by_phone(std::string_view number) const {
  const IndexOptions keys = impl_->keys();
  const PhoneNumber n = impl_->normalizer_.normalize(number, keys.default_region);
  std::vector<EntityRef> out;
  if (!n.is_dialable()) return out;  // R-M1: invalid and short numbers are not searched
  Params p;
  p.add(std::bit_cast<std::int64_t>(n.key()));
  if (const auto raw = raw_key(n.digits()); raw != 0)
    p.add(std::bit_cast<std::int64_t>(raw));
  else
    p.add(std::nullopt);
  return with_reader(*impl_, [&](Connection& c) -> Result<std::vector<EntityRef>> {
    auto r = c.query(
        "SELECT owner_type, owner_id FROM phones WHERE e164_key = $1 UNION "
        "SELECT owner_type, owner_id FROM phones WHERE raw_key = $2 ORDER BY 1, 2",
        p, "looking up a phone");
    if (!r) return fail(r.error());
    for (int i = 0; i < r->rows(); ++i)
      if (auto type = pg_detail::type_from_code(r->int64(i, 0)))
        out.push_back({*type, r->int64(i, 1)});
    return out;
  });
}

TELCRM_END_NAMESPACE
