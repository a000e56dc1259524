// SPDX-License-Identifier: Apache-2.0
// telcrm::sqlite: SqliteCrmStore. Behaves exactly as MemoryCrmStore (the reference): ids are
// max + 1 per type, a batch is validated whole before anything is written, a claim lost
// applies nothing, receipts answer repeated batches.
#include "compiled_lib.hpp"  // first: stops a build without TELCRM_COMPILED_LIB

#include <telcrm/json/settings_json.hpp>
#include <telcrm/phone/phone_normalizer.hpp>
#include <telcrm/sqlite/sqlite_crm_store.hpp>

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <type_traits>
#include <unordered_set>

#include "sqlite_db.hpp"

TELCRM_BEGIN_NAMESPACE

using sqlite_detail::Connection;
using sqlite_detail::Statement;
using sqlite_detail::type_code;
using sqlite_detail::Use;

namespace {

// --- values as stored ------------------------------------------------------------------------

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

std::int64_t seconds_of(Timestamp t) {
  return t.time_since_epoch().count();
}
Timestamp timestamp_of(std::int64_t s) {
  return Timestamp(Seconds(s));
}
std::optional<std::int64_t> seconds_of(const std::optional<Timestamp>& t) {
  if (!t) return std::nullopt;
  return seconds_of(*t);
}
// Keys are unsigned 64-bit values; SQLite stores signed ones. The bits are kept.
std::int64_t stored_key(std::uint64_t key) {
  return std::bit_cast<std::int64_t>(key);
}

// Reads one row's columns; remembers the first value that is not what the schema allows.
class Row {
 public:
  Row(const Statement& s, std::string_view table) : s_(s), table_(table) {}
  [[nodiscard]] std::int64_t int64(int c) const { return s_.int64(c); }
  [[nodiscard]] std::optional<std::int64_t> opt_int64(int c) const { return s_.opt_int64(c); }
  [[nodiscard]] std::string text(int c) const { return std::string(s_.text(c)); }
  [[nodiscard]] std::optional<std::string> opt_text(int c) const { return s_.opt_text(c); }
  [[nodiscard]] double real(int c) const { return s_.real(c); }
  [[nodiscard]] bool flag(int c) const { return s_.int64(c) != 0; }
  [[nodiscard]] std::optional<Timestamp> opt_time(int c) const {
    if (s_.is_null(c)) return std::nullopt;
    return timestamp_of(s_.int64(c));
  }
  template <class E, std::size_t N>
  E one_of(int c, const std::array<E, N>& values) {
    const auto text = s_.text(c);
    for (E v : values)
      if (format_as(v) == text) return v;
    if (!problem_) problem_ = fmt::format("{}: unknown value '{}'", table_, text);
    return values[0];
  }
  EntityType type(int c) {
    auto t = sqlite_detail::type_from_code(s_.int64(c));
    if (!t && !problem_) problem_ = fmt::format("{}: unknown entity type {}", table_, s_.int64(c));
    return t.value_or(EntityType::contact);
  }
  [[nodiscard]] const std::optional<std::string>& problem() const { return problem_; }

 private:
  const Statement& s_;
  std::string_view table_;
  std::optional<std::string> problem_;
};

// Column lists, shared by the single-record and the whole-table queries.
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
  a.start = timestamp_of(r.int64(4));
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

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

bool same_keys(const IndexOptions& a, const IndexOptions& b) {
  return a.default_region == b.default_region && a.suffix_digits == b.suffix_digits;
}

}  // namespace

// --- the store's state ------------------------------------------------------------------------

class SqliteCrmStore::Impl {
 public:
  Impl(Connection c, SqliteOptions o) : conn_(std::move(c)), options_(std::move(o)) {}

  mutable std::mutex mutex_;  // guards everything below
  mutable Connection conn_;
  SqliteOptions options_;
  IndexOptions keys_{};
  PhoneNormalizer normalizer_;
  bool group_open_ = false;
  std::optional<Error> group_lost_;         // why the open group ended on its own
  std::optional<std::int64_t> change_seq_;  // the change-log number of this transaction

  // --- errors and transactions ------------------------------------------------------------

  [[nodiscard]] Error error(int rc, std::string_view context) const {
    return conn_.error(rc, context);
  }

  Result<Statement*> stmt(const char* sql) const { return conn_.statement(sql); }

  // A write transaction: BEGIN IMMEDIATE (the write lock first, so a claim check and the
  // writes it guards are one atomic step across processes), or a savepoint in a group.
  Result<void> begin_write() {
    change_seq_.reset();
    return conn_.command(group_open_ ? "SAVEPOINT batch" : "BEGIN IMMEDIATE");
  }
  Result<void> commit_write() {
    auto ok = conn_.command(group_open_ ? "RELEASE batch" : "COMMIT");
    if (!ok) rollback_write();
    return ok;
  }
  void rollback_write() noexcept {
    const bool open = sqlite3_get_autocommit(conn_.get()) == 0;
    if (group_open_) {
      if (open) {
        (void)conn_.command("ROLLBACK TO batch");
        (void)conn_.command("RELEASE batch");
      } else {  // SQLite rolled the whole group back (e.g. an I/O error)
        group_open_ = false;
        group_lost_ =
            Error(Errc::storage_unavailable,
                  fmt::format("{}: the write group was rolled back by an error", conn_.path()));
      }
    } else if (open) {
      (void)conn_.command("ROLLBACK");
    }
  }
  // Ends a write transaction that failed with `e`.
  Unexpected abort_write(Error e) noexcept {
    rollback_write();
    return fail(std::move(e));
  }

  // A consistent read of several statements: a read transaction unless one is open.
  class ReadScope {
   public:
    explicit ReadScope(const Impl& impl) : impl_(impl) {
      own_ = sqlite3_get_autocommit(impl_.conn_.get()) != 0 &&
             impl_.conn_.command("BEGIN").has_value();
    }
    ~ReadScope() {
      if (own_) (void)impl_.conn_.command("COMMIT");
    }
    ReadScope(const ReadScope&) = delete;
    ReadScope& operator=(const ReadScope&) = delete;

   private:
    const Impl& impl_;
    bool own_ = false;
  };

  // --- meta -------------------------------------------------------------------------------

  Result<std::optional<std::string>> meta_text(const char* key) const {
    auto s = stmt("SELECT value FROM meta WHERE key = ?1");
    if (!s) return fail(s.error());
    Use use(**s);
    use->bind(1, key);
    const int rc = use->step();
    if (rc == SQLITE_ROW) return use->opt_text(0);
    if (rc == SQLITE_DONE) return std::optional<std::string>{};
    return fail(error(rc, "reading meta"));
  }
  template <class V>
  Result<void> put_meta(const char* key, const V& value) {
    auto s = stmt(
        "INSERT INTO meta(key, value) VALUES(?1, ?2) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
    if (!s) return fail(s.error());
    (*s)->bind(1, key);
    (*s)->bind(2, value);
    return conn_.run(**s, "writing meta");
  }
  Result<void> bump_directory() {
    auto s = stmt(
        "INSERT INTO meta(key, value) VALUES('directory_version', 1) "
        "ON CONFLICT(key) DO UPDATE SET value = value + 1");
    if (!s) return fail(s.error());
    return conn_.run(**s, "writing meta");
  }

  // --- phones -----------------------------------------------------------------------------

  // Binds the keys of `phone` (as CrmIndex::keys_of files it) to parameters 4 … 8 of an
  // insert or update of the phones table.
  void bind_keys(Statement& s, std::string_view phone) const {
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

  Result<void> insert_phones(EntityType type, EntityId id, const std::vector<std::string>& phones) {
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

  Result<void> insert_emails(EntityType type, EntityId id, const std::vector<std::string>& emails) {
    if (emails.empty()) return {};
    auto s =
        stmt("INSERT INTO emails(owner_type, owner_id, position, email) VALUES(?1, ?2, ?3, ?4)");
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

  // Re-keys every stored phone for `fresh` and records them (inside a write transaction).
  Result<void> rekey_locked(const IndexOptions& fresh) {
    struct Stored {
      std::int64_t type, id, position;
      std::string phone;
    };
    std::vector<Stored> all;
    {
      auto s = stmt("SELECT owner_type, owner_id, position, phone FROM phones");
      if (!s) return fail(s.error());
      Use use(**s);
      int rc = 0;
      while ((rc = use->step()) == SQLITE_ROW)
        all.push_back({use->int64(0), use->int64(1), use->int64(2), std::string(use->text(3))});
      if (rc != SQLITE_DONE) return fail(error(rc, "re-keying phones"));
    }
    const IndexOptions before = keys_;
    keys_ = fresh;
    auto s = stmt(
        "UPDATE phones SET e164 = ?4, e164_key = ?5, raw_key = ?6, form = ?7, suffix_key = ?8 "
        "WHERE owner_type = ?1 AND owner_id = ?2 AND position = ?3");
    if (!s) {
      keys_ = before;
      return fail(s.error());
    }
    for (const auto& p : all) {
      (*s)->bind(1, p.type);
      (*s)->bind(2, p.id);
      (*s)->bind(3, p.position);
      bind_keys(**s, p.phone);
      if (auto ok = conn_.run(**s, "re-keying phones"); !ok) {
        keys_ = before;
        return ok;
      }
    }
    if (auto ok = put_meta("key_region", std::string(fresh.default_region.code())); !ok) {
      keys_ = before;
      return ok;
    }
    if (auto ok = put_meta("key_suffix_digits", std::int64_t{fresh.suffix_digits}); !ok) {
      keys_ = before;
      return ok;
    }
    return {};
  }

  // Decides the key options at open: explicit ones, else the file's, else its settings'.
  Result<void> resolve_keys() {
    auto region = meta_text("key_region");
    if (!region) return fail(region.error());
    std::optional<IndexOptions> stored;
    if (*region) {
      auto digits = conn_.query_int("SELECT value FROM meta WHERE key = 'key_suffix_digits'");
      if (!digits) return fail(digits.error());
      IndexOptions o;
      if (!(*region)->empty()) {
        auto r = Region::from_code(**region);
        if (!r)
          return fail(Errc::storage_corrupt,
                      fmt::format("{}: unknown key region '{}'", conn_.path(), **region));
        o.default_region = *r;
      }
      o.suffix_digits = static_cast<int>(digits->value_or(0));
      stored = o;
    }
    std::optional<IndexOptions> wanted = options_.phone_keys;
    if (!wanted && !stored) {
      auto settings = load_settings_locked();
      if (!settings) return fail(settings.error());
      IndexOptions o;
      if (*settings) {
        o.default_region = (*settings)->default_region;
        o.suffix_digits = (*settings)->match_suffix_digits;
      }
      wanted = o;
    }
    if (options_.read_only || !wanted || (stored && same_keys(*stored, *wanted))) {
      keys_ = stored ? *stored : wanted.value_or(IndexOptions{});
      return {};
    }
    if (auto ok = begin_write(); !ok) return ok;
    if (auto ok = rekey_locked(*wanted); !ok) return abort_write(ok.error());
    return commit_write();
  }

  // --- reading records -------------------------------------------------------------------------

  // The phones (or emails) of one record, in order.
  Result<std::vector<std::string>> list_of(const char* sql, EntityType type, EntityId id) const {
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
  Result<std::vector<std::string>> phones_of(EntityType type, EntityId id) const {
    return list_of(
        "SELECT phone FROM phones WHERE owner_type = ?1 AND owner_id = ?2 ORDER BY position", type,
        id);
  }
  Result<std::vector<std::string>> emails_of(EntityType type, EntityId id) const {
    return list_of(
        "SELECT email FROM emails WHERE owner_type = ?1 AND owner_id = ?2 ORDER BY position", type,
        id);
  }

  // Adds what a record keeps in other tables (phones, emails).
  Result<void> complete(Contact& c) const {
    auto phones = phones_of(EntityType::contact, c.id);
    if (!phones) return fail(phones.error());
    auto emails = emails_of(EntityType::contact, c.id);
    if (!emails) return fail(emails.error());
    c.phones = std::move(*phones);
    c.emails = std::move(*emails);
    return {};
  }
  Result<void> complete(Company& c) const {
    auto phones = phones_of(EntityType::company, c.id);
    if (!phones) return fail(phones.error());
    auto emails = emails_of(EntityType::company, c.id);
    if (!emails) return fail(emails.error());
    c.phones = std::move(*phones);
    c.emails = std::move(*emails);
    return {};
  }
  Result<void> complete(Lead& l) const {
    auto phones = phones_of(EntityType::lead, l.id);
    if (!phones) return fail(phones.error());
    l.phones = std::move(*phones);
    return {};
  }
  // Deals, invoices, the call log and employees keep everything in their own row.
  template <class T>
  static Result<void> complete(T&) {
    return {};
  }

  // Runs `s` (bound) and reads every row with `read`, completing each record.
  template <class T, class Read>
  Result<std::vector<T>> read_all(Statement& s, std::string_view table, Read read) const {
    std::vector<T> out;
    int rc = 0;
    while ((rc = s.step()) == SQLITE_ROW) {
      Row row(s, table);
      T v = read(row);
      if (row.problem())
        return fail(Errc::storage_corrupt, fmt::format("{}: {}", conn_.path(), *row.problem()));
      out.push_back(std::move(v));
    }
    if (rc != SQLITE_DONE) return fail(error(rc, fmt::format("reading {}", table)));
    for (auto& v : out)
      if (auto ok = complete(v); !ok) return fail(ok.error());
    return out;
  }

  template <class T, class Read>
  Result<std::optional<T>> find_one(const char* sql, EntityId id, std::string_view table,
                                    Read read) const {
    auto s = stmt(sql);
    if (!s) return fail(s.error());
    Use use(**s);
    use->bind(1, id);
    auto all = read_all<T>(*use, table, read);
    if (!all) return fail(all.error());
    if (all->empty()) return std::optional<T>{};
    return std::optional<T>(std::move(all->front()));
  }

  // Walks `SELECT owner, value … ORDER BY owner, position` beside a table read in id order,
  // handing each record its list (phones, emails, bindings) without a query per record.
  class ListCursor {
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

  static std::string text_at1(Statement& s) { return std::string(s.text(1)); }

  // Streams one table in id order with its phones (and emails), calling `emit(T&&)`.
  template <class T, class Read, class Emit>
  Result<void> stream(const char* sql, EntityType type, bool with_emails, std::string_view table,
                      Read read, Emit emit) const {
    ListCursor phones(
        *this,
        "SELECT owner_id, phone FROM phones WHERE owner_type = ?1 ORDER BY owner_id, position",
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
  Result<void> stream_contacts(Emit emit) const {
    return stream<Contact>("SELECT " TELCRM_CONTACT_COLUMNS " FROM contacts ORDER BY id",
                           EntityType::contact, true, "contacts", read_contact, emit);
  }
  template <class Emit>
  Result<void> stream_companies(Emit emit) const {
    return stream<Company>("SELECT " TELCRM_COMPANY_COLUMNS " FROM companies ORDER BY id",
                           EntityType::company, true, "companies", read_company, emit);
  }
  template <class Emit>
  Result<void> stream_leads(Emit emit) const {
    return stream<Lead>("SELECT " TELCRM_LEAD_COLUMNS " FROM leads ORDER BY id", EntityType::lead,
                        false, "leads", read_lead, emit);
  }
  template <class Emit>
  Result<void> stream_deals(Emit emit) const {
    auto s = stmt("SELECT " TELCRM_DEAL_COLUMNS " FROM deals ORDER BY id");
    if (!s) return fail(s.error());
    Use use(**s);
    auto all = read_all<Deal>(*use, "deals", read_deal);
    if (!all) return fail(all.error());
    for (auto& d : *all) emit(std::move(d));
    return {};
  }

  Result<std::vector<CallActivity>> all_activities() const {
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

  Result<std::vector<Invoice>> all_invoices() const {
    auto s = stmt("SELECT " TELCRM_INVOICE_COLUMNS " FROM invoices ORDER BY id");
    if (!s) return fail(s.error());
    Use use(**s);
    return read_all<Invoice>(*use, "invoices", read_invoice);
  }

  Result<std::vector<MissedCall>> all_missed_calls() const {
    auto s = stmt("SELECT number, call, called_back_by FROM missed_calls ORDER BY seq");
    if (!s) return fail(s.error());
    Use use(**s);
    return read_all<MissedCall>(*use, "missed_calls", [](Row& r) {
      return MissedCall{r.text(0), r.text(1), r.opt_text(2)};
    });
  }

  Result<std::vector<CallRecord>> all_history() const {
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

  Result<std::optional<IntegrationSettings>> load_settings_locked() const {
    auto text = meta_text("settings");
    if (!text) return fail(text.error());
    if (!*text) return std::optional<IntegrationSettings>{};
    auto settings = settings_from_json(**text, "settings");
    if (!settings)
      return fail(Errc::storage_corrupt, fmt::format("{}: the stored settings do not read: {}",
                                                     conn_.path(), settings.error().message()));
    return std::optional<IntegrationSettings>(std::move(settings->settings));
  }

  Result<std::vector<Employee>> employees_locked() const {
    auto s = stmt("SELECT " TELCRM_EMPLOYEE_COLUMNS " FROM employees ORDER BY id");
    if (!s) return fail(s.error());
    Use use(**s);
    return read_all<Employee>(*use, "employees", read_employee);
  }

  // --- writing records -------------------------------------------------------------------------

  // Records that `ref` changed in this transaction (contacts, companies, leads, deals).
  Result<void> log_change(EntityRef ref) {
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
  Result<EntityId> insert_row(Statement& s, std::string_view context) {
    if (auto ok = conn_.run(s, context); !ok) return fail(ok.error());
    return static_cast<EntityId>(sqlite3_last_insert_rowid(conn_.get()));
  }

  Result<EntityId> insert_contact(const Contact& c, std::optional<EntityId> id) {
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
  Result<EntityId> insert_company(const Company& c, std::optional<EntityId> id) {
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
  Result<EntityId> insert_lead(const Lead& l, std::optional<EntityId> id) {
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
  Result<EntityId> insert_deal(const Deal& d, std::optional<EntityId> id) {
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
  Result<EntityId> insert_invoice(const Invoice& i, std::optional<EntityId> id) {
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
  Result<EntityId> insert_activity(const CallActivity& a, std::optional<EntityId> id) {
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
  Result<void> insert_missed(const MissedCall& m) {
    auto s = stmt("INSERT INTO missed_calls(number, call, called_back_by) VALUES(?1, ?2, ?3)");
    if (!s) return fail(s.error());
    (*s)->bind(1, m.number);
    (*s)->bind(2, m.call);
    (*s)->bind(3, m.called_back_by);
    return conn_.run(**s, "writing a missed call");
  }
  Result<void> insert_history(const CallRecord& h) {
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
  Result<void> reassign(EntityRef ref, EmployeeId to) {
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

  Result<bool> exists(EntityType type, EntityId id) const {
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

  Result<std::optional<WriteReceipt>> find_receipt(const WriteBatch& batch) const {
    auto s = stmt("SELECT created, claimed_by FROM receipts WHERE call = ?1 AND seq = ?2");
    if (!s) return fail(s.error());
    Use use(**s);
    use->bind(1, batch.call);
    use->bind(2, std::int64_t{batch.seq});
    const int rc = use->step();
    if (rc == SQLITE_DONE) return std::optional<WriteReceipt>{};
    if (rc != SQLITE_ROW) return fail(error(rc, "reading receipts"));
    auto created = sqlite_detail::decode_refs(use->text(0));
    if (!created)
      return fail(Errc::storage_corrupt, fmt::format("{}: receipt {}#{} does not read",
                                                     conn_.path(), batch.call, batch.seq));
    WriteReceipt r;
    r.created = std::move(*created);
    r.claimed_by = use->opt_text(1);
    return std::optional<WriteReceipt>(std::move(r));
  }

  Result<void> put_receipt(const WriteBatch& batch, const WriteReceipt& r) {
    auto s = stmt("INSERT INTO receipts(call, seq, created, claimed_by) VALUES(?1, ?2, ?3, ?4)");
    if (!s) return fail(s.error());
    (*s)->bind(1, batch.call);
    (*s)->bind(2, std::int64_t{batch.seq});
    (*s)->bind(3, sqlite_detail::encode_refs(r.created));
    (*s)->bind(4, r.claimed_by);
    return conn_.run(**s, "writing a receipt");
  }

  // The first claim (in the order claims were made) on the number by another call within the
  // window, as the receipt the losing batch gets.
  Result<std::optional<WriteReceipt>> lost_claim(const WriteBatch& batch) const {
    const UnknownCallerClaim& c = *batch.claim;
    auto s = stmt(
        "SELECT call, created FROM claims WHERE number = ?1 AND at BETWEEN ?2 AND ?3 "
        "AND call <> ?4 ORDER BY id LIMIT 1");
    if (!s) return fail(s.error());
    Use use(**s);
    use->bind(1, c.number);
    use->bind(2, seconds_of(c.at) - c.window.count());
    use->bind(3, seconds_of(c.at) + c.window.count());
    use->bind(4, batch.call);
    const int rc = use->step();
    if (rc == SQLITE_DONE) return std::optional<WriteReceipt>{};
    if (rc != SQLITE_ROW) return fail(error(rc, "reading claims"));
    auto created = sqlite_detail::decode_refs(use->text(1));
    if (!created)
      return fail(Errc::storage_corrupt, fmt::format("{}: a claim does not read", conn_.path()));
    WriteReceipt lost;
    lost.created = std::move(*created);
    lost.claimed_by = std::string(use->text(0));
    return std::optional<WriteReceipt>(std::move(lost));
  }

  Result<void> put_claim(const WriteBatch& batch, const std::vector<EntityRef>& created) {
    auto s = stmt("INSERT INTO claims(number, at, call, created) VALUES(?1, ?2, ?3, ?4)");
    if (!s) return fail(s.error());
    (*s)->bind(1, batch.claim->number);
    (*s)->bind(2, seconds_of(batch.claim->at));
    (*s)->bind(3, batch.call);
    (*s)->bind(4, sqlite_detail::encode_refs(created));
    return conn_.run(**s, "writing a claim");
  }

  // Every reference of the batch names an existing record or one created earlier in it.
  Result<void> validate(const WriteBatch& batch) const {
    auto refs = check_batch_references(
        batch, [&](EntityType type, EntityId id) { return exists(type, id); });
    if (!refs) return refs;
    return check_recordings(batch, [&](std::string_view call) -> Result<bool> {
      auto s = stmt("SELECT 1 FROM activities WHERE call = ?1 LIMIT 1");
      if (!s) return fail(s.error());
      auto use = *s;
      use->bind(1, call);
      const int rc = use->step();
      if (rc == SQLITE_ROW) return true;
      if (rc == SQLITE_DONE) return false;
      return fail(error(rc, "reading activities"));
    });
  }

  Result<std::vector<EntityRef>> write_ops(const WriteBatch& batch) {
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

  Result<WriteReceipt> apply_locked(const WriteBatch& batch) {
    if (auto ok = begin_write(); !ok) return fail(ok.error());
    auto before = find_receipt(batch);
    if (!before) return abort_write(before.error());
    if (*before) {  // R-I1: applied before; nothing changes
      if (auto ok = commit_write(); !ok) return fail(ok.error());
      WriteReceipt again = std::move(**before);
      again.replayed = true;
      return again;
    }
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

  // --- import ----------------------------------------------------------------------------------

  static Result<void> check_snapshot(const CrmSnapshot& crm) {
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
        return fail(Errc::invalid_argument,
                    fmt::format("snapshot: activity {} appears twice", a.id));
    auto ref = [&](EntityRef owner, EntityType type,
                   const std::optional<EntityId>& id) -> Result<void> {
      if (id && ids_of(type).count(*id) == 0)
        return fail(Errc::invalid_argument, fmt::format("snapshot: {} {}: {} {} does not exist",
                                                        owner.type, owner.id, type, *id));
      return {};
    };
    for (const auto& c : crm.contacts)
      if (auto ok = ref({EntityType::contact, c.id}, EntityType::company, c.company); !ok)
        return ok;
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
          return fail(
              Errc::invalid_argument,
              fmt::format("snapshot: activity {}: {} {} does not exist", a.id, b.type, b.id));
    return {};
  }

  Result<bool> has_data_locked() const {
    auto v = conn_.query_int(
        "SELECT EXISTS(SELECT 1 FROM contacts) OR EXISTS(SELECT 1 FROM companies) OR "
        "EXISTS(SELECT 1 FROM leads) OR EXISTS(SELECT 1 FROM deals) OR EXISTS(SELECT 1 FROM "
        "invoices) OR "
        "EXISTS(SELECT 1 FROM activities) OR EXISTS(SELECT 1 FROM missed_calls) OR "
        "EXISTS(SELECT 1 FROM history)");
    if (!v) return fail(v.error());
    return v->value_or(0) != 0;
  }

  Result<void> import_locked(const CrmSnapshot& crm, const SqliteProgress& progress) {
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
      return abort_write(
          Error(Errc::already_exists,
                fmt::format("{}: already holds CRM records; import into an empty database",
                            conn_.path())));
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

  // --- the directory -------------------------------------------------------------------------

  Result<void> put_employees(const std::vector<Employee>& staff) {
    if (auto ok = conn_.exec("DELETE FROM employees"); !ok) return ok;
    auto s = stmt("INSERT INTO employees(" TELCRM_EMPLOYEE_COLUMNS
                  ") VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    if (!s) return fail(s.error());
    for (const auto& e : staff) {
      Statement& st = **s;
      st.bind(1, e.id);
      st.bind(2, e.name);
      st.bind(3, e.active);
      st.bind(4, format_as(e.presence));
      st.bind(5, format_as(e.workday));
      st.bind(6, e.phones.mobile);
      st.bind(7, e.phones.personal);
      st.bind(8, e.phones.work);
      st.bind(9, e.extension);
      if (auto ok = conn_.run(st, "writing employees"); !ok) return ok;
    }
    return bump_directory();
  }

  template <class V>
  Result<bool> set_employee_field(const char* sql, EmployeeId id, V value) {
    if (auto ok = begin_write(); !ok) return fail(ok.error());
    auto s = stmt(sql);
    if (!s) return abort_write(s.error());
    (*s)->bind(1, id);
    (*s)->bind(2, format_as(value));
    if (auto ok = conn_.run(**s, "writing employees"); !ok) return abort_write(ok.error());
    const bool changed = sqlite3_changes(conn_.get()) > 0;
    if (changed)
      if (auto ok = bump_directory(); !ok) return abort_write(ok.error());
    if (auto ok = commit_write(); !ok) return fail(ok.error());
    return changed;
  }
};

// --- opening --------------------------------------------------------------------------------

namespace {

// A file whose permissions allow no writing at all is read-only for everyone, root included:
// a read-write open of it is refused rather than written behind its owner's back.
Result<bool> file_exists_checked(const std::string& path, const SqliteOptions& options) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return false;
    return fail(Errc::io_error, fmt::format("{}: {}", path, std::strerror(errno)));
  }
  if (S_ISDIR(st.st_mode)) return fail(Errc::io_error, fmt::format("{}: is a directory", path));
  if (!options.read_only && ((st.st_mode & 0222) == 0 || ::access(path.c_str(), W_OK) != 0))
    return fail(Errc::permission_denied,
                fmt::format("{}: the file is read-only; open it read-only to read it", path));
  return true;
}

}  // namespace

SqliteCrmStore::SqliteCrmStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SqliteCrmStore::~SqliteCrmStore() {
  if (impl_) {
    std::lock_guard lock(impl_->mutex_);
    if (impl_->group_open_) impl_->rollback_write();
  }
}

Result<std::unique_ptr<SqliteCrmStore>> SqliteCrmStore::open(const std::string& path,
                                                             SqliteOptions options) {
  auto exists = file_exists_checked(path, options);
  if (!exists) return fail(exists.error());
  if (!*exists && (options.read_only || !options.create))
    return fail(Errc::not_found, fmt::format("{}: no such file", path));
  int flags = SQLITE_OPEN_NOMUTEX;  // the store's own mutex serialises the connection
  flags |= options.read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  auto conn = Connection::open(path, flags);
  if (!conn) return fail(conn.error());
  sqlite3_busy_timeout(conn->get(), static_cast<int>(std::clamp<std::int64_t>(
                                        options.busy_timeout.count(), 0, std::int64_t{1} << 30)));
  if (!options.read_only && sqlite3_db_readonly(conn->get(), "main") == 1)
    return fail(Errc::permission_denied, fmt::format("{}: the file is read-only", path));
  if (auto ok = sqlite_detail::prepare_schema(*conn, options); !ok) return fail(ok.error());
  auto impl = std::make_unique<Impl>(std::move(*conn), std::move(options));
  if (auto ok = impl->resolve_keys(); !ok) return fail(ok.error());
  return std::unique_ptr<SqliteCrmStore>(new SqliteCrmStore(std::move(impl)));
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

Result<WriteReceipt> SqliteCrmStore::apply(const WriteBatch& batch) {
  std::lock_guard lock(impl_->mutex_);
  return impl_->apply_locked(batch);
}

// --- Directory ------------------------------------------------------------------------------

Result<std::vector<Employee>> SqliteCrmStore::employees() const {
  std::lock_guard lock(impl_->mutex_);
  return impl_->employees_locked();
}

Result<std::optional<Employee>> SqliteCrmStore::find_employee(EmployeeId id) const {
  std::lock_guard lock(impl_->mutex_);
  return impl_->find_one<Employee>("SELECT " TELCRM_EMPLOYEE_COLUMNS
                                   " FROM employees WHERE id = ?1",
                                   id, "employees", read_employee);
}

Result<std::uint64_t> SqliteCrmStore::version() const {
  std::lock_guard lock(impl_->mutex_);
  auto v = impl_->conn_.query_int("SELECT value FROM meta WHERE key = 'directory_version'");
  if (!v) return fail(v.error());
  return static_cast<std::uint64_t>(v->value_or(0)) + 1;
}

Result<void> SqliteCrmStore::set_employees(const std::vector<Employee>& employees) {
  std::lock_guard lock(impl_->mutex_);
  if (auto ok = impl_->begin_write(); !ok) return ok;
  if (auto ok = impl_->put_employees(employees); !ok) return impl_->abort_write(ok.error());
  return impl_->commit_write();
}

Result<bool> SqliteCrmStore::set_presence(EmployeeId id, Presence presence) {
  std::lock_guard lock(impl_->mutex_);
  return impl_->set_employee_field("UPDATE employees SET presence = ?2 WHERE id = ?1", id,
                                   presence);
}

Result<bool> SqliteCrmStore::set_workday(EmployeeId id, Workday workday) {
  std::lock_guard lock(impl_->mutex_);
  return impl_->set_employee_field("UPDATE employees SET workday = ?2 WHERE id = ?1", id, workday);
}

// --- settings -------------------------------------------------------------------------------

Result<void> SqliteCrmStore::save_settings(const IntegrationSettings& settings,
                                           std::span<const Employee> employees) {
  const std::string text = settings_to_json(settings);  // employees: the directory's table
  std::lock_guard lock(impl_->mutex_);
  Impl& e = *impl_;
  if (auto ok = e.begin_write(); !ok) return ok;
  if (auto ok = e.put_meta("settings", text); !ok) return e.abort_write(ok.error());
  if (auto ok = e.put_employees({employees.begin(), employees.end()}); !ok)
    return e.abort_write(ok.error());
  const IndexOptions wanted{settings.default_region, settings.match_suffix_digits};
  const IndexOptions before = e.keys_;
  if (!e.options_.phone_keys && !same_keys(wanted, e.keys_))
    if (auto ok = e.rekey_locked(wanted); !ok) return e.abort_write(ok.error());
  if (auto ok = e.commit_write(); !ok) {
    e.keys_ = before;
    return ok;
  }
  return {};
}

Result<std::optional<IntegrationSettings>> SqliteCrmStore::load_settings() const {
  std::lock_guard lock(impl_->mutex_);
  Impl::ReadScope read(*impl_);
  return impl_->load_settings_locked();
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

// --- write groups ---------------------------------------------------------------------------

Result<void> SqliteCrmStore::begin_group() {
  std::lock_guard lock(impl_->mutex_);
  if (impl_->group_open_)
    return fail(Errc::invalid_state, fmt::format("{}: a write group is open", path()));
  impl_->group_lost_.reset();
  if (auto ok = impl_->conn_.exec("BEGIN IMMEDIATE"); !ok) return ok;
  impl_->group_open_ = true;
  return {};
}

Result<void> SqliteCrmStore::commit_group() {
  std::lock_guard lock(impl_->mutex_);
  if (!impl_->group_open_) {
    if (impl_->group_lost_) return fail(*std::exchange(impl_->group_lost_, std::nullopt));
    return fail(Errc::invalid_state, fmt::format("{}: no write group is open", path()));
  }
  impl_->group_open_ = false;
  if (auto ok = impl_->conn_.exec("COMMIT"); !ok) {
    if (sqlite3_get_autocommit(impl_->conn_.get()) == 0) (void)impl_->conn_.exec("ROLLBACK");
    return ok;
  }
  return {};
}

void SqliteCrmStore::rollback_group() noexcept {
  std::lock_guard lock(impl_->mutex_);
  if (!impl_->group_open_) return;
  impl_->group_open_ = false;
  if (sqlite3_get_autocommit(impl_->conn_.get()) == 0) (void)impl_->conn_.exec("ROLLBACK");
}

bool SqliteCrmStore::in_group() const {
  std::lock_guard lock(impl_->mutex_);
  return impl_->group_open_;
}

const std::string& SqliteCrmStore::path() const noexcept {
  return impl_->conn_.path();
}

IndexOptions SqliteCrmStore::phone_keys() const {
  std::lock_guard lock(impl_->mutex_);
  return impl_->keys_;
}

TELCRM_END_NAMESPACE
