// SPDX-License-Identifier: Apache-2.0
#pragma once
// Private to telcrm::sqlite: a thin RAII layer over the SQLite C API (one connection, cached
// prepared statements, errors as telcrm::Error), and the schema. Never installed.

#include <telcrm/config.hpp>
#include <telcrm/crm/entity.hpp>
#include <telcrm/result.hpp>
#include <telcrm/sqlite/sqlite_crm_store.hpp>

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

TELCRM_BEGIN_NAMESPACE

namespace sqlite_detail {

/// The Errc of an SQLite result code (primary or extended).
Errc errc_of(int rc) noexcept;

/// A prepared statement. Binds and reads by 1-based (bind) and 0-based (column) indexes, as
/// SQLite does. Move-only; finalised on destruction.
class Statement {
 public:
  Statement() = default;
  explicit Statement(sqlite3_stmt* stmt) noexcept : stmt_(stmt) {}
  Statement(Statement&& other) noexcept : stmt_(std::exchange(other.stmt_, nullptr)) {}
  Statement& operator=(Statement&& other) noexcept {
    if (this != &other) {
      sqlite3_finalize(stmt_);
      stmt_ = std::exchange(other.stmt_, nullptr);
    }
    return *this;
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement() { sqlite3_finalize(stmt_); }

  void bind(int i, std::int64_t v) noexcept { sqlite3_bind_int64(stmt_, i, v); }
  void bind(int i, int v) noexcept { sqlite3_bind_int64(stmt_, i, v); }
  void bind(int i, bool v) noexcept { sqlite3_bind_int64(stmt_, i, v ? 1 : 0); }
  void bind(int i, double v) noexcept { sqlite3_bind_double(stmt_, i, v); }
  void bind(int i, std::string_view v) noexcept {
    // SQLite copies the text (SQLITE_TRANSIENT, spelled without the macro's C cast).
    sqlite3_bind_text64(stmt_, i, v.data(), v.size(),
                        reinterpret_cast<sqlite3_destructor_type>(std::intptr_t{-1}), SQLITE_UTF8);
  }
  void bind(int i, const std::string& v) noexcept { bind(i, std::string_view(v)); }
  void bind(int i, const char* v) noexcept { bind(i, std::string_view(v)); }
  void bind(int i, std::nullopt_t) noexcept { sqlite3_bind_null(stmt_, i); }
  template <class T>
  void bind(int i, const std::optional<T>& v) noexcept {
    if (v)
      bind(i, *v);
    else
      sqlite3_bind_null(stmt_, i);
  }

  /// SQLITE_ROW, SQLITE_DONE or an error code.
  int step() noexcept { return sqlite3_step(stmt_); }
  /// Ready for the next use: reset, bindings cleared.
  void reset() noexcept {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

  [[nodiscard]] bool is_null(int c) const noexcept {
    return sqlite3_column_type(stmt_, c) == SQLITE_NULL;
  }
  [[nodiscard]] std::int64_t int64(int c) const noexcept { return sqlite3_column_int64(stmt_, c); }
  [[nodiscard]] double real(int c) const noexcept { return sqlite3_column_double(stmt_, c); }
  [[nodiscard]] std::string_view text(int c) const noexcept {
    const auto* p = sqlite3_column_text(stmt_, c);
    return p == nullptr
               ? std::string_view{}
               : std::string_view(reinterpret_cast<const char*>(p),
                                  static_cast<std::size_t>(sqlite3_column_bytes(stmt_, c)));
  }
  [[nodiscard]] std::optional<std::int64_t> opt_int64(int c) const noexcept {
    if (is_null(c)) return std::nullopt;
    return int64(c);
  }
  [[nodiscard]] std::optional<std::string> opt_text(int c) const {
    if (is_null(c)) return std::nullopt;
    return std::string(text(c));
  }
  [[nodiscard]] sqlite3_stmt* get() const noexcept { return stmt_; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

/// Resets a cached statement when the scope that used it ends.
class Use {
 public:
  explicit Use(Statement& s) noexcept : s_(s) {}
  ~Use() { s_.reset(); }
  Use(const Use&) = delete;
  Use& operator=(const Use&) = delete;
  Statement* operator->() noexcept { return &s_; }
  Statement& operator*() noexcept { return s_; }

 private:
  Statement& s_;
};

/// One connection with a cache of prepared statements, keyed by their SQL text (always a
/// string literal of this component: no SQL is ever built from input).
class Connection {
 public:
  Connection() = default;
  Connection(Connection&& other) noexcept
      : db_(std::exchange(other.db_, nullptr)),
        path_(std::move(other.path_)),
        cache_(std::move(other.cache_)) {}
  Connection& operator=(Connection&&) = delete;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() { close(); }

  /// Opens `path` with sqlite3_open_v2 `flags`.
  [[nodiscard]] static Result<Connection> open(const std::string& path, int flags);
  void close() noexcept;

  [[nodiscard]] sqlite3* get() const noexcept { return db_; }
  [[nodiscard]] const std::string& path() const noexcept { return path_; }

  /// The statement for `sql`, prepared on first use.
  [[nodiscard]] Result<Statement*> statement(const char* sql);
  /// Runs SQL text without results, statement by statement (schema, pragmas).
  [[nodiscard]] Result<void> exec(const char* sql);
  /// Runs one statement without results, prepared once (transaction control on hot paths).
  [[nodiscard]] Result<void> command(const char* sql);
  /// Runs a statement that returns at most one integer (a pragma, a count); nullopt when it
  /// returns no row.
  [[nodiscard]] Result<std::optional<std::int64_t>> query_int(const char* sql);

  /// The error of `rc` with SQLite's message: "<path>: <context>: <message>".
  [[nodiscard]] Error error(int rc, std::string_view context) const;
  /// Steps a statement that returns no row. Errors as error().
  [[nodiscard]] Result<void> run(Statement& s, std::string_view context) const;

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
  std::unordered_map<const char*, Statement> cache_;
};

/// Makes the file at `conn.path()` a telcrm database of the current schema, or explains why it
/// cannot be one. Reads before it writes: a file it refuses is left untouched.
[[nodiscard]] Result<void> prepare_schema(Connection& conn, const SqliteOptions& options);

// --- stable codes of values in the file (independent of the C++ enums' order) -------------

/// Entity types as stored: contact 1, company 2, lead 3, deal 4, invoice 5.
std::int64_t type_code(EntityType t) noexcept;
std::optional<EntityType> type_from_code(std::int64_t code) noexcept;

/// Refs as stored in receipts and claims: "1:5,3:12" (type code:id).
std::string encode_refs(const std::vector<EntityRef>& refs);
std::optional<std::vector<EntityRef>> decode_refs(std::string_view text);

}  // namespace sqlite_detail

TELCRM_END_NAMESPACE
