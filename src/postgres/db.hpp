// SPDX-License-Identifier: Apache-2.0
#pragma once
// Private to telcrm::postgres: a thin RAII layer over libpq (a connection that reconnects,
// cached prepared statements, pipelines of statements sent in one round trip, errors as
// telcrm::Error), in the manner of src/sqlite_db.hpp. Never installed.

#include <telcrm/config.hpp>
#include <telcrm/crm/entity.hpp>
#include <telcrm/result.hpp>

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

TELCRM_BEGIN_NAMESPACE

namespace pg_detail {

/// The Errc of a SQLSTATE (see docs/postgres-store.md, "Errors").
Errc errc_of(std::string_view sqlstate) noexcept;
/// True for the SQLSTATEs the store retries a whole transaction for (serialisation failures,
/// deadlocks, and the claims' exclusion constraint: another writer slipped past the lock).
bool retryable(std::string_view sqlstate) noexcept;

/// A PGresult, freed on destruction. Values are read as text (the store binds and reads text).
class PgResult {
 public:
  PgResult() = default;
  explicit PgResult(PGresult* r) noexcept : r_(r) {}
  PgResult(PgResult&& o) noexcept : r_(std::exchange(o.r_, nullptr)) {}
  PgResult& operator=(PgResult&& o) noexcept {
    if (this != &o) {
      PQclear(r_);
      r_ = std::exchange(o.r_, nullptr);
    }
    return *this;
  }
  PgResult(const PgResult&) = delete;
  PgResult& operator=(const PgResult&) = delete;
  ~PgResult() { PQclear(r_); }

  [[nodiscard]] PGresult* get() const noexcept { return r_; }
  [[nodiscard]] int rows() const noexcept { return r_ == nullptr ? 0 : PQntuples(r_); }
  [[nodiscard]] bool is_null(int row, int col) const noexcept {
    return PQgetisnull(r_, row, col) != 0;
  }
  [[nodiscard]] std::string_view text(int row, int col) const noexcept {
    return {PQgetvalue(r_, row, col), static_cast<std::size_t>(PQgetlength(r_, row, col))};
  }
  [[nodiscard]] std::int64_t int64(int row, int col) const noexcept;
  [[nodiscard]] double real(int row, int col) const noexcept;
  [[nodiscard]] bool flag(int row, int col) const noexcept { return text(row, col) == "t"; }
  [[nodiscard]] std::optional<std::int64_t> opt_int64(int row, int col) const noexcept {
    if (is_null(row, col)) return std::nullopt;
    return int64(row, col);
  }
  [[nodiscard]] std::optional<std::string> opt_text(int row, int col) const {
    if (is_null(row, col)) return std::nullopt;
    return std::string(text(row, col));
  }

 private:
  PGresult* r_ = nullptr;
};

/// The parameters of one statement, as text (NULL for a missing value).
class Params {
 public:
  Params& add(std::int64_t v);
  Params& add(int v) { return add(std::int64_t{v}); }
  Params& add(std::uint32_t v) { return add(std::int64_t{v}); }
  Params& add(bool v) { return text(v ? "t" : "f"); }
  Params& add(double v);
  Params& add(std::string_view v) { return text(v); }
  Params& add(const std::string& v) { return text(v); }
  Params& add(const char* v) { return text(v); }
  Params& add(std::nullopt_t) {
    values_.emplace_back();
    null_.push_back(true);
    return *this;
  }
  template <class T>
  Params& add(const std::optional<T>& v) {
    return v ? add(*v) : add(std::nullopt);
  }
  [[nodiscard]] int size() const noexcept { return static_cast<int>(values_.size()); }
  /// True when a value holds a NUL character: PostgreSQL's text cannot, and libpq would cut
  /// the value there without a word.
  [[nodiscard]] bool has_nul() const noexcept { return has_nul_; }
  /// Pointers for libpq, valid until the next add().
  void pointers(std::vector<const char*>& values, std::vector<int>& lengths) const;

 private:
  Params& text(std::string_view v) {
    values_.emplace_back(v);
    null_.push_back(false);
    has_nul_ = has_nul_ || v.find('\0') != std::string_view::npos;
    return *this;
  }
  std::vector<std::string> values_;
  std::vector<bool> null_;
  bool has_nul_ = false;
};

/// Array literals for `$n::int8[]`, `$n::text[]` parameters.
std::string int_array(const std::vector<std::int64_t>& values);
std::string int_array(const std::vector<std::optional<std::int64_t>>& values);
std::string text_array(const std::vector<std::optional<std::string>>& values);
std::string text_array(const std::vector<std::string>& values);

/// How Connection::open() connects: libpq keywords placed *before* the host's conninfo, so
/// what the conninfo says wins; and the SET commands run on every (re)connect.
struct Session {
  std::string application_name = "telcrm";
  int connect_timeout_s = 5;
  std::string setup_sql;  // the store's own SET commands (no input in it)
};

/// One libpq connection with a cache of prepared statements, keyed by their SQL text (always
/// a string literal of this component: no SQL is ever built from input). Reconnects when the
/// server went away (ensure()); the conninfo is kept for that and never put in a message.
class Connection {
 public:
  Connection() = default;
  Connection(Connection&& o) noexcept
      : conn_(std::exchange(o.conn_, nullptr)),
        conninfo_(std::move(o.conninfo_)),
        session_(std::move(o.session_)),
        label_(std::move(o.label_)),
        prepared_(std::move(o.prepared_)),
        reconnects_(o.reconnects_) {}
  Connection& operator=(Connection&&) = delete;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() { close(); }

  /// Connects to `conninfo` (a libpq connection string or URI; PGPASSFILE, service files and
  /// the PG* environment work as libpq makes them) and runs the session's setup.
  [[nodiscard]] static Result<Connection> open(const std::string& conninfo, Session session);
  void close() noexcept;

  /// Reconnects when the connection is broken. Errors: Errc::storage_unavailable.
  [[nodiscard]] Result<void> ensure();
  [[nodiscard]] bool broken() const noexcept {
    return conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK;
  }
  [[nodiscard]] PGconn* get() const noexcept { return conn_; }
  /// True inside a transaction block (open, or failed and not yet rolled back).
  [[nodiscard]] bool in_transaction() const noexcept {
    return conn_ != nullptr && PQtransactionStatus(conn_) != PQTRANS_IDLE;
  }
  /// The server process of this connection (to recognise its own notifications).
  [[nodiscard]] int backend_pid() const noexcept { return conn_ ? PQbackendPID(conn_) : 0; }
  /// "postgres DB@HOST:PORT", for messages: no user, no password.
  [[nodiscard]] const std::string& label() const noexcept { return label_; }
  /// How many times it reconnected.
  [[nodiscard]] std::uint64_t reconnects() const noexcept { return reconnects_; }

  /// The prepared statement name of `sql`, or nullopt when it is not prepared yet.
  [[nodiscard]] const std::string* prepared(const char* sql) const;
  /// A name for `sql` (not yet prepared on the server).
  [[nodiscard]] std::string name_for(const char* sql) const;
  void mark_prepared(const char* sql, std::string name) { prepared_.emplace(sql, std::move(name)); }

  /// Runs SQL text without parameters (simple protocol; several statements allowed).
  [[nodiscard]] Result<PgResult> exec(const char* sql, std::string_view context);
  /// Runs one statement with parameters, prepared once.
  [[nodiscard]] Result<PgResult> query(const char* sql, const Params& params,
                                       std::string_view context);

  /// The error a failed result carries: "<label>: <context>: <message> (SQLSTATE …)".
  [[nodiscard]] Error error_of(const PGresult* r, std::string_view context) const;
  /// The error of the connection itself (lost, refused).
  [[nodiscard]] Error connection_error(std::string_view context) const;

 private:
  [[nodiscard]] static Result<PGconn*> connect(const std::string& conninfo, const Session& s);
  PGconn* conn_ = nullptr;
  std::string conninfo_;
  Session session_;
  std::string label_;
  std::unordered_map<const char*, std::string> prepared_;
  std::uint64_t reconnects_ = 0;
};

/// Statements sent together and answered together: one round trip (libpq pipeline mode).
/// add() queues a statement (preparing it first when needed); run() sends the sync and reads
/// every answer. A statement that fails makes the server skip the rest up to the sync; run()
/// returns the first error, and failed() / sqlstate() tell which.
class Pipeline {
 public:
  explicit Pipeline(Connection& c) : c_(c) {}
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  /// Queues `sql`; returns its index.
  std::size_t add(const char* sql, const Params& params = {});
  /// Sends everything, reads every answer. Errors: the first statement's error, or the
  /// connection's.
  [[nodiscard]] Result<void> run(std::string_view context);

  [[nodiscard]] std::size_t size() const noexcept { return items_.size(); }
  [[nodiscard]] const PgResult& operator[](std::size_t i) const { return items_[i].result; }
  /// True when statement `i` ran and succeeded.
  [[nodiscard]] bool ok(std::size_t i) const { return items_[i].ok; }
  /// The SQLSTATE of the failed statement, "" when none failed (or the connection broke).
  [[nodiscard]] const std::string& sqlstate() const noexcept { return sqlstate_; }
  /// The index of the failed statement, or size() when none failed.
  [[nodiscard]] std::size_t failed() const noexcept { return failed_; }

 private:
  struct Item {
    const char* sql = nullptr;
    bool sent = false;
    bool prepare = false;  // a Prepare message precedes it (its answer comes first)
    std::string name;
    PgResult result;
    bool ok = false;
  };
  bool begin();
  Connection& c_;
  std::vector<Item> items_;
  bool sending_ = false;  // in pipeline mode, with something sent
  bool send_failed_ = false;
  std::optional<std::size_t> refused_;  // a statement not sent: a value it cannot carry
  std::string sqlstate_;
  std::size_t failed_ = 0;
};

// --- stable codes of values in the database (as the SQLite store's) ------------------------

/// Entity types as stored: contact 1, company 2, lead 3, deal 4, invoice 5.
std::int64_t type_code(EntityType t) noexcept;
std::optional<EntityType> type_from_code(std::int64_t code) noexcept;

/// Refs as stored in receipts and claims: "1:5,3:12" (type code:id).
std::string encode_refs(const std::vector<EntityRef>& refs);
std::optional<std::vector<EntityRef>> decode_refs(std::string_view text);

}  // namespace pg_detail

TELCRM_END_NAMESPACE
