// SPDX-License-Identifier: Apache-2.0
// telcrm::sqlite: the connection layer (errors, prepared statements) and the stable codes of
// values in the file.
#include "../compiled_lib.hpp"  // first: stops a build without TELCRM_COMPILED_LIB

#include <fmt/format.h>

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

#include "db.hpp"

TELCRM_BEGIN_NAMESPACE

namespace sqlite_detail {

// --- errors ---------------------------------------------------------------------------------

Errc errc_of(int rc) noexcept {
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_PROTOCOL:
    case SQLITE_NOMEM:
    case SQLITE_INTERRUPT: return Errc::storage_unavailable;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_FORMAT: return Errc::storage_corrupt;
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH: return Errc::permission_denied;
    case SQLITE_CANTOPEN:
    case SQLITE_NOLFS: return Errc::io_error;
    case SQLITE_CONSTRAINT: return Errc::conflict;
    case SQLITE_TOOBIG:
    case SQLITE_RANGE:
    case SQLITE_MISMATCH: return Errc::invalid_argument;
    default: return Errc::internal;
  }
}

// --- Connection -------------------------------------------------------------------------------

Result<Connection> Connection::open(const std::string& path, int flags) {
  Connection c;
  c.path_ = path;
  const int rc = sqlite3_open_v2(path.c_str(), &c.db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    Error e = c.db_ != nullptr
                  ? c.error(rc, "cannot open")
                  : Error(Errc::storage_unavailable, path + ": cannot open: out of memory");
    return fail(std::move(e));
  }
  sqlite3_extended_result_codes(c.db_, 1);
  return c;
}

void Connection::close() noexcept {
  cache_.clear();  // statements first: sqlite3_close refuses a connection with live ones
  if (db_ != nullptr) sqlite3_close(db_);
  db_ = nullptr;
}

Error Connection::error(int rc, std::string_view context) const {
  // The connection's message describes its last failed call; without one, the code's text.
  const char* message = db_ != nullptr && sqlite3_errcode(db_) != SQLITE_OK ? sqlite3_errmsg(db_)
                                                                            : sqlite3_errstr(rc);
  return Error(errc_of(rc), fmt::format("{}: {}: {}", path_, context, message));
}

Result<Statement*> Connection::statement(const char* sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) return &it->second;
  sqlite3_stmt* raw = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(raw);
    return fail(error(rc, "prepare"));
  }
  return &cache_.emplace(sql, Statement(raw)).first->second;
}

Result<void> Connection::exec(const char* sql) {
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return fail(error(rc, "exec"));
  return {};
}

Result<void> Connection::command(const char* sql) {
  auto s = statement(sql);
  if (!s) return fail(s.error());
  return run(**s, sql);
}

Result<std::optional<std::int64_t>> Connection::query_int(const char* sql) {
  auto s = statement(sql);
  if (!s) return fail(s.error());
  Use use(**s);
  const int rc = use->step();
  if (rc == SQLITE_ROW) return std::optional<std::int64_t>(use->int64(0));
  if (rc == SQLITE_DONE) return std::optional<std::int64_t>{};
  return fail(error(rc, "query"));
}

Result<void> Connection::run(Statement& s, std::string_view context) const {
  const int rc = s.step();
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
    Error e = error(rc, context);
    s.reset();
    return fail(std::move(e));
  }
  s.reset();
  return {};
}

// --- stable codes ------------------------------------------------------------------------------

std::int64_t type_code(EntityType t) noexcept {
  switch (t) {
    case EntityType::contact: return 1;
    case EntityType::company: return 2;
    case EntityType::lead: return 3;
    case EntityType::deal: return 4;
    case EntityType::invoice: return 5;
  }
  return 0;
}

std::optional<EntityType> type_from_code(std::int64_t code) noexcept {
  switch (code) {
    case 1: return EntityType::contact;
    case 2: return EntityType::company;
    case 3: return EntityType::lead;
    case 4: return EntityType::deal;
    case 5: return EntityType::invoice;
    default: return std::nullopt;
  }
}

std::string encode_refs(const std::vector<EntityRef>& refs) {
  std::string out;
  for (const auto& r : refs) {
    if (!out.empty()) out += ',';
    out += fmt::format("{}:{}", type_code(r.type), r.id);
  }
  return out;
}

std::optional<std::vector<EntityRef>> decode_refs(std::string_view text) {
  std::vector<EntityRef> out;
  while (!text.empty()) {
    const auto comma = text.find(',');
    const std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    const auto colon = item.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    std::int64_t code = 0;
    EntityId id = 0;
    const auto a = std::from_chars(item.data(), item.data() + colon, code);
    const auto b = std::from_chars(item.data() + colon + 1, item.data() + item.size(), id);
    if (a.ec != std::errc() || b.ec != std::errc() || b.ptr != item.data() + item.size())
      return std::nullopt;
    auto type = type_from_code(code);
    if (!type) return std::nullopt;
    out.push_back({*type, id});
  }
  return out;
}

}  // namespace sqlite_detail

TELCRM_END_NAMESPACE
