// SPDX-License-Identifier: Apache-2.0
// telcrm::sqlite: the schema and its forward migrations; the store's meta table (key options,
// directory version).
//
// The schema version is `PRAGMA user_version`; `PRAGMA application_id` marks the file as
// telcrm's. Each migration takes the file from version n to n + 1 and never changes the
// meaning of what is stored; all pending ones run in one transaction.
#include "../compiled_lib.hpp"  // first: stops a build without TELCRM_COMPILED_LIB

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

#include "db.hpp"
#include "store_impl.hpp"

TELCRM_BEGIN_NAMESPACE

namespace sqlite_detail {

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

// Version 3: receipts know when their batch was made (`at`), and receipts and claims are
// indexed by it, so those older than the retention are found and deleted as batches are
// applied; receipts from before have no time and are dated by the first pruning. Activities
// are indexed by call (AttachRecording finds its call's activity without a scan).
constexpr const char* schema_v3 = R"sql(
ALTER TABLE receipts ADD COLUMN at INTEGER;
CREATE INDEX receipts_at ON receipts(at);
CREATE INDEX claims_at ON claims(at);
CREATE INDEX activities_call ON activities(call);
)sql";

// migrations[n] takes a file from version n to n + 1.
constexpr std::array<const char*, SqliteCrmStore::schema_version> migrations{schema_v1, schema_v2,
                                                                             schema_v3};

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

// --- meta -------------------------------------------------------------------------------
Result<std::optional<std::string>> SqliteCrmStore::Impl::meta_text(const char* key) const {
  auto s = stmt("SELECT value FROM meta WHERE key = ?1");
  if (!s) return fail(s.error());
  Use use(**s);
  use->bind(1, key);
  const int rc = use->step();
  if (rc == SQLITE_ROW) return use->opt_text(0);
  if (rc == SQLITE_DONE) return std::optional<std::string>{};
  return fail(error(rc, "reading meta"));
}

Result<void> SqliteCrmStore::Impl::bump_directory() {
  auto s = stmt(
      "INSERT INTO meta(key, value) VALUES('directory_version', 1) "
      "ON CONFLICT(key) DO UPDATE SET value = value + 1");
  if (!s) return fail(s.error());
  return conn_.run(**s, "writing meta");
}

// Re-keys every stored phone for `fresh` and records them (inside a write transaction).
Result<void> SqliteCrmStore::Impl::rekey_locked(const IndexOptions& fresh) {
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
Result<void> SqliteCrmStore::Impl::resolve_keys() {
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

TELCRM_END_NAMESPACE
