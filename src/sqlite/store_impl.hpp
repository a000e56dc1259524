// SPDX-License-Identifier: Apache-2.0
#pragma once
// Private to telcrm::sqlite: the state SqliteCrmStore::Impl shares between the files of
// src/sqlite/ (store.cpp: opening, meta, transactions, write groups; reads.cpp; writes.cpp:
// records, receipts and claims; import.cpp; directory.cpp: employees and settings), and the
// helpers they all use to read rows. Never installed.

#include <telcrm/phone/phone_normalizer.hpp>
#include <telcrm/sqlite/sqlite_crm_store.hpp>

#include <fmt/format.h>

#include <array>
#include <bit>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "db.hpp"

TELCRM_BEGIN_NAMESPACE

namespace sqlite_detail {

// --- values as stored ------------------------------------------------------------------------

inline constexpr std::array lead_statuses{LeadStatus::in_progress, LeadStatus::converted,
                                          LeadStatus::junk};
inline constexpr std::array deal_stages{DealStage::in_progress, DealStage::won, DealStage::lost};
inline constexpr std::array directions{CallDirection::incoming, CallDirection::outgoing,
                                       CallDirection::callback};
inline constexpr std::array activity_statuses{ActivityStatus::answered, ActivityStatus::missed,
                                              ActivityStatus::voicemail};
inline constexpr std::array crm_states{CrmState::matched, CrmState::unknown, CrmState::excepted,
                                       CrmState::employee, CrmState::disabled};
inline constexpr std::array presences{Presence::online, Presence::offline, Presence::busy};
inline constexpr std::array workdays{Workday::untracked, Workday::open, Workday::closed,
                                     Workday::paused};

inline std::int64_t seconds_of(Timestamp t) {
  return t.time_since_epoch().count();
}
inline Timestamp timestamp_of(std::int64_t s) {
  return Timestamp(Seconds(s));
}
inline std::optional<std::int64_t> seconds_of(const std::optional<Timestamp>& t) {
  if (!t) return std::nullopt;
  return seconds_of(*t);
}
// Keys are unsigned 64-bit values; SQLite stores signed ones. The bits are kept.
inline std::int64_t stored_key(std::uint64_t key) {
  return std::bit_cast<std::int64_t>(key);
}

inline bool same_keys(const IndexOptions& a, const IndexOptions& b) {
  return a.default_region == b.default_region && a.suffix_digits == b.suffix_digits;
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
    auto t = type_from_code(s_.int64(c));
    if (!t && !problem_) problem_ = fmt::format("{}: unknown entity type {}", table_, s_.int64(c));
    return t.value_or(EntityType::contact);
  }
  [[nodiscard]] const std::optional<std::string>& problem() const { return problem_; }

 private:
  const Statement& s_;
  std::string_view table_;
  std::optional<std::string> problem_;
};

}  // namespace sqlite_detail

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

// The values as stored, for the readers of every file.
using sqlite_detail::activity_statuses;
using sqlite_detail::crm_states;
using sqlite_detail::deal_stages;
using sqlite_detail::directions;
using sqlite_detail::lead_statuses;
using sqlite_detail::presences;
using sqlite_detail::workdays;

using sqlite_detail::Connection;
using sqlite_detail::Row;
using sqlite_detail::same_keys;
using sqlite_detail::seconds_of;
using sqlite_detail::Statement;
using sqlite_detail::stored_key;
using sqlite_detail::timestamp_of;
using sqlite_detail::type_code;
using sqlite_detail::Use;

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
  // Retention (receipts.cpp): the newest batch `at` this connection has seen, and the oldest
  // `at` of a receipt or claim as last read (nullopt: not read yet). Other connections only
  // add newer rows or delete old ones, so either errs on the side of keeping.
  std::optional<std::int64_t> newest_;
  std::optional<std::int64_t> oldest_;

  // --- errors and transactions ------------------------------------------------------------

  [[nodiscard]] Error error(int rc, std::string_view context) const {
    return conn_.error(rc, context);
  }

  Result<Statement*> stmt(const char* sql) const { return conn_.statement(sql); }

  // A write transaction: BEGIN IMMEDIATE (the write lock first, so a claim check and the
  // writes it guards are one atomic step across processes), or a savepoint in a group.
  Result<void> begin_write();
  Result<void> commit_write();
  void rollback_write() noexcept;
  // Ends a write transaction that failed with `e`.
  Unexpected abort_write(Error e) noexcept;

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
  Result<std::optional<std::string>> meta_text(const char* key) const;
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
  Result<void> bump_directory();

  // --- phones -----------------------------------------------------------------------------
  // Binds the keys of `phone` (as CrmIndex::keys_of files it) to parameters 4 … 8 of an
  // insert or update of the phones table.
  void bind_keys(Statement& s, std::string_view phone) const;

  Result<void> insert_phones(EntityType type, EntityId id, const std::vector<std::string>& phones);

  Result<void> insert_emails(EntityType type, EntityId id, const std::vector<std::string>& emails);

  // Re-keys every stored phone for `fresh` and records them (inside a write transaction).
  Result<void> rekey_locked(const IndexOptions& fresh);

  // Decides the key options at open: explicit ones, else the file's, else its settings'.
  Result<void> resolve_keys();

  // --- reading records -------------------------------------------------------------------------
  // The phones (or emails) of one record, in order.
  Result<std::vector<std::string>> list_of(const char* sql, EntityType type, EntityId id) const;
  Result<std::vector<std::string>> phones_of(EntityType type, EntityId id) const;
  Result<std::vector<std::string>> emails_of(EntityType type, EntityId id) const;

  // Adds what a record keeps in other tables (phones, emails).
  Result<void> complete(Contact& c) const;
  Result<void> complete(Company& c) const;
  Result<void> complete(Lead& l) const;
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
  class ListCursor;

  static std::string text_at1(Statement& s) { return std::string(s.text(1)); }

  // Streams one table in id order with its phones (and emails), calling `emit(T&&)`.
  template <class T, class Read, class Emit>
  Result<void> stream(const char* sql, EntityType type, bool with_emails, std::string_view table,
                      Read read, Emit emit) const;

  template <class Emit>
  Result<void> stream_contacts(Emit emit) const;
  template <class Emit>
  Result<void> stream_companies(Emit emit) const;
  template <class Emit>
  Result<void> stream_leads(Emit emit) const;
  template <class Emit>
  Result<void> stream_deals(Emit emit) const;

  Result<std::vector<CallActivity>> all_activities() const;

  Result<std::vector<Invoice>> all_invoices() const;

  Result<std::vector<MissedCall>> all_missed_calls() const;

  Result<std::vector<CallRecord>> all_history() const;

  Result<std::optional<IntegrationSettings>> load_settings_locked() const;

  Result<std::vector<Employee>> employees_locked() const;

  // --- writing records -------------------------------------------------------------------------
  // Records that `ref` changed in this transaction (contacts, companies, leads, deals).
  Result<void> log_change(EntityRef ref);

  // Inserts a row whose id is either given or, with `id` nullopt, the table's max + 1
  // (INTEGER PRIMARY KEY without AUTOINCREMENT) — the reference's rule. Returns the id.
  Result<EntityId> insert_row(Statement& s, std::string_view context);

  Result<EntityId> insert_contact(const Contact& c, std::optional<EntityId> id);
  Result<EntityId> insert_company(const Company& c, std::optional<EntityId> id);
  Result<EntityId> insert_lead(const Lead& l, std::optional<EntityId> id);
  Result<EntityId> insert_deal(const Deal& d, std::optional<EntityId> id);
  Result<EntityId> insert_invoice(const Invoice& i, std::optional<EntityId> id);
  Result<EntityId> insert_activity(const CallActivity& a, std::optional<EntityId> id);
  Result<void> insert_missed(const MissedCall& m);
  Result<void> insert_history(const CallRecord& h);
  Result<void> reassign(EntityRef ref, EmployeeId to);

  Result<bool> exists(EntityType type, EntityId id) const;

  // --- receipts, claims and their retention (receipts.cpp) ------------------------------------
  Result<std::optional<WriteReceipt>> find_receipt(const WriteBatch& batch) const;

  Result<void> put_receipt(const WriteBatch& batch, const WriteReceipt& r);

  // The first claim (in the order claims were made) on the number by another call within the
  // window, as the receipt the losing batch gets.
  Result<std::optional<WriteReceipt>> lost_claim(const WriteBatch& batch) const;

  Result<void> put_claim(const WriteBatch& batch, const std::vector<EntityRef>& created);

  // Moves the newest `at` on to `at` and, when receipts or claims are older than the
  // retention, deletes a bounded number of them (inside the open write transaction).
  Result<void> age(Timestamp at);
  Result<std::optional<std::int64_t>> nullable_int(const char* sql) const;

  // --- apply (the reference: MemoryCrmStore::apply) --------------------------------------------

  // Every reference of the batch names an existing record or one created earlier in it.
  Result<void> validate(const WriteBatch& batch) const;

  Result<std::vector<EntityRef>> write_ops(const WriteBatch& batch);

  Result<WriteReceipt> apply_locked(const WriteBatch& batch);
  // The batches in one transaction, each a savepoint (see SqliteCrmStore::apply_all).
  std::vector<Result<WriteReceipt>> apply_all_locked(std::span<const WriteBatch> batches,
                                                     bool linked);

  // --- import ----------------------------------------------------------------------------------
  static Result<void> check_snapshot(const CrmSnapshot& crm);

  Result<bool> has_data_locked() const;

  Result<void> import_locked(const CrmSnapshot& crm, const SqliteProgress& progress);

  // --- the directory -------------------------------------------------------------------------
  Result<void> put_employees(const std::vector<Employee>& staff);

  template <class V>
  Result<bool> set_employee_field(const char* sql, EmployeeId id, V value);
};

TELCRM_END_NAMESPACE
