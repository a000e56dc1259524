// SPDX-License-Identifier: Apache-2.0
// telcrm::sqlite: the connection layer, the schema and its forward migrations.
//
// The schema version is `PRAGMA user_version`; `PRAGMA application_id` marks the file as
// telcrm's. Each migration takes the file from version n to n + 1 and never changes the
// meaning of what is stored; all pending ones run in one transaction.
#include "compiled_lib.hpp"  // first: stops a build without TELCRM_COMPILED_LIB

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

#include "sqlite_db.hpp"

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

// --- the schema ---------------------------------------------------------------------------------

namespace {

// 'TCRM': marks the file as telcrm's.
constexpr std::int64_t application_id = 0x5443524D;

// Version 1: the CRM, the call log, the engine's receipts and claims, the directory.
constexpr const char* schema_v1 = R"sql(
CREATE TABLE meta(
  key TEXT PRIMARY KEY,
  value ANY
) WITHOUT ROWID;
CREATE TABLE companies(
  id INTEGER PRIMARY KEY,
  title TEXT NOT NULL,
  responsible INTEGER
);
CREATE TABLE contacts(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  responsible INTEGER,
  company INTEGER REFERENCES companies(id)
);
CREATE INDEX contacts_company ON contacts(company) WHERE company IS NOT NULL;
CREATE TABLE leads(
  id INTEGER PRIMARY KEY,
  title TEXT NOT NULL,
  responsible INTEGER,
  status TEXT NOT NULL CHECK(status IN ('in_progress', 'converted', 'junk')),
  modified INTEGER,
  contact INTEGER REFERENCES contacts(id),
  company INTEGER REFERENCES companies(id),
  source TEXT,
  repeat INTEGER NOT NULL CHECK(repeat IN (0, 1))
);
CREATE INDEX leads_contact ON leads(contact) WHERE contact IS NOT NULL;
CREATE INDEX leads_company ON leads(company) WHERE company IS NOT NULL;
CREATE TABLE deals(
  id INTEGER PRIMARY KEY,
  title TEXT NOT NULL,
  contact INTEGER REFERENCES contacts(id),
  company INTEGER REFERENCES companies(id),
  responsible INTEGER,
  stage TEXT NOT NULL CHECK(stage IN ('in_progress', 'won', 'lost')),
  pipeline INTEGER NOT NULL,
  modified INTEGER,
  source TEXT,
  repeat INTEGER NOT NULL CHECK(repeat IN (0, 1))
);
CREATE INDEX deals_contact ON deals(contact) WHERE contact IS NOT NULL;
CREATE INDEX deals_company ON deals(company) WHERE company IS NOT NULL;
CREATE TABLE invoices(
  id INTEGER PRIMARY KEY,
  amount REAL NOT NULL,
  entity_type INTEGER NOT NULL CHECK(entity_type BETWEEN 1 AND 5),
  entity_id INTEGER NOT NULL,
  responsible INTEGER,
  call TEXT NOT NULL
);
-- Every stored phone of a contact (1), company (2) or lead (3), as written, with the keys
-- the engine's index files it under (telcrm/crm/index_keys.hpp) for the key options in meta.
CREATE TABLE phones(
  owner_type INTEGER NOT NULL CHECK(owner_type BETWEEN 1 AND 3),
  owner_id INTEGER NOT NULL,
  position INTEGER NOT NULL,
  phone TEXT NOT NULL,
  e164 TEXT,
  e164_key INTEGER,
  raw_key INTEGER,
  form TEXT CHECK(form IN ('international', 'national', 'trunk_national', 'country_national')),
  suffix_key INTEGER,
  PRIMARY KEY(owner_type, owner_id, position)
) WITHOUT ROWID;
CREATE INDEX phones_e164_key ON phones(e164_key) WHERE e164_key IS NOT NULL;
CREATE INDEX phones_raw_key ON phones(raw_key) WHERE raw_key IS NOT NULL;
CREATE INDEX phones_suffix_key ON phones(suffix_key) WHERE suffix_key IS NOT NULL;
CREATE TABLE emails(
  owner_type INTEGER NOT NULL CHECK(owner_type BETWEEN 1 AND 2),
  owner_id INTEGER NOT NULL,
  position INTEGER NOT NULL,
  email TEXT NOT NULL,
  PRIMARY KEY(owner_type, owner_id, position)
) WITHOUT ROWID;
CREATE TABLE activities(
  id INTEGER PRIMARY KEY,
  call TEXT NOT NULL,
  subject TEXT NOT NULL,
  direction TEXT NOT NULL CHECK(direction IN ('incoming', 'outgoing', 'callback')),
  start INTEGER NOT NULL,
  duration INTEGER NOT NULL,
  status TEXT NOT NULL CHECK(status IN ('answered', 'missed', 'voicemail')),
  responsible INTEGER,
  recording TEXT,
  voicemail TEXT,
  comment TEXT
);
CREATE TABLE activity_bindings(
  activity INTEGER NOT NULL REFERENCES activities(id),
  position INTEGER NOT NULL,
  entity_type INTEGER NOT NULL CHECK(entity_type BETWEEN 1 AND 5),
  entity_id INTEGER NOT NULL,
  PRIMARY KEY(activity, position)
) WITHOUT ROWID;
CREATE TABLE missed_calls(
  seq INTEGER PRIMARY KEY,
  number TEXT NOT NULL,
  call TEXT NOT NULL,
  called_back_by TEXT
);
CREATE INDEX missed_calls_open ON missed_calls(number) WHERE called_back_by IS NULL;
CREATE TABLE history(
  seq INTEGER PRIMARY KEY,
  call TEXT NOT NULL,
  direction TEXT NOT NULL CHECK(direction IN ('incoming', 'outgoing', 'callback')),
  number TEXT NOT NULL,
  line TEXT NOT NULL,
  start INTEGER NOT NULL,
  duration INTEGER NOT NULL,
  status_code INTEGER NOT NULL,
  employee INTEGER,
  crm TEXT NOT NULL CHECK(crm IN ('matched', 'unknown', 'excepted', 'employee', 'disabled'))
);
CREATE INDEX history_call ON history(call);
-- R-I1: the receipt of every applied batch, by (call, seq).
CREATE TABLE receipts(
  call TEXT NOT NULL,
  seq INTEGER NOT NULL,
  created TEXT NOT NULL,
  claimed_by TEXT,
  PRIMARY KEY(call, seq)
) WITHOUT ROWID;
-- R-I2: what each unknown caller's first call created, by number and time.
CREATE TABLE claims(
  id INTEGER PRIMARY KEY,
  number TEXT NOT NULL,
  at INTEGER NOT NULL,
  call TEXT NOT NULL,
  created TEXT NOT NULL
);
CREATE INDEX claims_number ON claims(number, at);
CREATE TABLE employees(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  active INTEGER NOT NULL CHECK(active IN (0, 1)),
  presence TEXT NOT NULL CHECK(presence IN ('online', 'offline', 'busy')),
  workday TEXT NOT NULL CHECK(workday IN ('untracked', 'open', 'closed', 'paused')),
  mobile TEXT,
  personal TEXT,
  work TEXT,
  extension TEXT
);
)sql";

// Version 2: the change log behind changes_since(), one row per contact, company, lead and
// deal with the sequence number of the transaction that last wrote it. Records already in
// the file count as written by transaction 1.
constexpr const char* schema_v2 = R"sql(
CREATE TABLE changes(
  entity_type INTEGER NOT NULL CHECK(entity_type BETWEEN 1 AND 4),
  entity_id INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY(entity_type, entity_id)
) WITHOUT ROWID;
CREATE INDEX changes_seq ON changes(seq);
INSERT INTO changes(entity_type, entity_id, seq)
  SELECT 1, id, 1 FROM contacts UNION ALL SELECT 2, id, 1 FROM companies
  UNION ALL SELECT 3, id, 1 FROM leads UNION ALL SELECT 4, id, 1 FROM deals;
)sql";

// migrations[n] takes a file from version n to n + 1.
constexpr std::array<const char*, SqliteCrmStore::schema_version> migrations{schema_v1, schema_v2};

const char* synchronous_pragma(SqliteSync s) {
  switch (s) {
    case SqliteSync::off: return "PRAGMA synchronous = OFF";
    case SqliteSync::normal: return "PRAGMA synchronous = NORMAL";
    case SqliteSync::full: return "PRAGMA synchronous = FULL";
    case SqliteSync::extra: return "PRAGMA synchronous = EXTRA";
  }
  return "PRAGMA synchronous = NORMAL";
}

Result<std::int64_t> read_int(Connection& conn, const char* sql) {
  auto v = conn.query_int(sql);
  if (!v) return fail(v.error());
  return v->value_or(0);
}

// What the file is, read without writing anything.
struct FileKind {
  std::int64_t version = 0;
  std::int64_t application = 0;
  std::int64_t objects = 0;  // tables, indexes… in sqlite_master
};

Result<FileKind> inspect(Connection& conn) {
  FileKind k;
  // The first read of the file: an SQLite error here means it is not a database at all.
  auto objects = read_int(conn, "SELECT count(*) FROM sqlite_master");
  if (!objects) {
    if (objects.error().code() == Errc::storage_corrupt)
      return fail(Errc::storage_corrupt,
                  fmt::format("{}: not an SQLite database, or a damaged one ({})", conn.path(),
                              objects.error().message()));
    return fail(objects.error());
  }
  k.objects = *objects;
  auto version = read_int(conn, "PRAGMA user_version");
  if (!version) return fail(version.error());
  k.version = *version;
  auto app = read_int(conn, "PRAGMA application_id");
  if (!app) return fail(app.error());
  k.application = *app;
  return k;
}

Result<void> quick_check(Connection& conn) {
  auto s = conn.statement("PRAGMA quick_check");
  if (!s) return fail(s.error());
  Use use(**s);
  std::string findings;
  int rc = 0;
  while ((rc = use->step()) == SQLITE_ROW) {
    const auto line = use->text(0);
    if (line == "ok") continue;
    if (!findings.empty()) findings += "; ";
    findings += line;
  }
  if (rc != SQLITE_DONE) {
    const Error e = conn.error(rc, "the database is damaged (integrity check)");
    return fail(Errc::storage_corrupt, e.message());
  }
  if (!findings.empty())
    return fail(Errc::storage_corrupt,
                fmt::format("{}: the database is damaged: {}", conn.path(), findings));
  return {};
}

// Runs every pending migration in one write transaction. Re-reads the version under the lock:
// another process may have migrated the file meanwhile.
Result<void> migrate(Connection& conn) {
  if (auto begun = conn.exec("BEGIN IMMEDIATE"); !begun) return begun;
  auto rollback = [&](Error e) -> Result<void> {
    (void)conn.exec("ROLLBACK");
    return fail(std::move(e));
  };
  auto kind = inspect(conn);
  if (!kind) return rollback(kind.error());
  if (kind->version > SqliteCrmStore::schema_version)
    return rollback(
        Error(Errc::unsupported_version,
              fmt::format("{}: schema version {} was written by a newer telcrm (this one "
                          "reads up to {})",
                          conn.path(), kind->version, SqliteCrmStore::schema_version)));
  for (auto v = kind->version; v < SqliteCrmStore::schema_version; ++v) {
    if (auto ok = conn.exec(migrations[static_cast<std::size_t>(v)]); !ok)
      return rollback(
          ok.error().with_context(fmt::format("migrating to schema version {}", v + 1)));
  }
  if (kind->version != SqliteCrmStore::schema_version) {
    // Pragmas take no parameters; the values are this file's constants, never input.
    const std::string stamp = fmt::format("PRAGMA user_version = {}; PRAGMA application_id = {}",
                                          SqliteCrmStore::schema_version, application_id);
    if (auto ok = conn.exec(stamp.c_str()); !ok) return rollback(ok.error());
  }
  if (auto ok = conn.exec("COMMIT"); !ok) return rollback(ok.error());
  return {};
}

}  // namespace

Result<void> prepare_schema(Connection& conn, const SqliteOptions& options) {
  auto kind = inspect(conn);
  if (!kind) return fail(kind.error());
  const bool empty = kind->objects == 0 && kind->version == 0 && kind->application == 0;
  if (!empty && kind->application != application_id)
    return fail(Errc::storage_corrupt,
                fmt::format("{}: an SQLite database, but not a telcrm one (application_id {:#x}, "
                            "user_version {})",
                            conn.path(), kind->application, kind->version));
  if (kind->version > SqliteCrmStore::schema_version)
    return fail(Errc::unsupported_version,
                fmt::format("{}: schema version {} was written by a newer telcrm (this one reads "
                            "up to {}); the file was left as it is",
                            conn.path(), kind->version, SqliteCrmStore::schema_version));
  if (options.check_integrity && !empty)
    if (auto ok = quick_check(conn); !ok) return ok;

  if (options.read_only) {
    if (empty)
      return fail(Errc::storage_corrupt, fmt::format("{}: holds no telcrm database", conn.path()));
    if (kind->version < SqliteCrmStore::schema_version)
      return fail(
          Errc::permission_denied,
          fmt::format("{}: schema version {} must be migrated to {}: open it for writing once",
                      conn.path(), kind->version, SqliteCrmStore::schema_version));
    if (auto ok = conn.exec("PRAGMA query_only = ON"); !ok) return ok;
    return {};
  }

  // From here on the file is ours and readable: set it up for writing.
  auto mode = conn.statement("PRAGMA journal_mode = WAL");
  if (!mode) return fail(mode.error());
  {
    Use use(**mode);
    const int rc = use->step();
    if (rc != SQLITE_ROW) return fail(conn.error(rc, "switching to WAL"));
    if (use->text(0) != "wal")
      return fail(
          Errc::storage_unavailable,
          fmt::format("{}: cannot use WAL (journal mode stays '{}')", conn.path(), use->text(0)));
  }
  if (auto ok = conn.exec(synchronous_pragma(options.synchronous)); !ok) return ok;
  if (auto ok = conn.exec("PRAGMA foreign_keys = ON"); !ok) return ok;
  // Checkpoint every 4000 pages (16 MB of WAL) rather than 1000: a quarter of the checkpoints
  // and their fsyncs, for a somewhat longer WAL for readers to search.
  if (auto ok = conn.exec("PRAGMA wal_autocheckpoint = 4000"); !ok) return ok;

  if (kind->version < SqliteCrmStore::schema_version)
    if (auto ok = migrate(conn); !ok) return ok;
  return {};
}

}  // namespace sqlite_detail

TELCRM_END_NAMESPACE
