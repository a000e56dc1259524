// SPDX-License-Identifier: Apache-2.0
// SqliteCrmStore::open on files it must refuse — not SQLite, damaged, another application's,
// newer, read-only — each with a clear error and the file's bytes unchanged; and forward
// migration of an older schema.
#include <telcrm/sqlite/sqlite_crm_store.hpp>

#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "sqlite/sqlite_fixture.hpp"

using namespace telcrm;
using namespace telcrm_test;

namespace {

// Opens `path` as given and checks the error, and that the file was not touched.
void refused(const std::string& path, Errc code, const std::string& says,
             SqliteOptions options = {}) {
  const auto before = bytes_of(path);
  auto store = SqliteCrmStore::open(path, options);
  REQUIRE_FALSE(store.has_value());
  CHECK(store.error().code() == code);
  CHECK_MESSAGE(store.error().message().find(says) != std::string::npos, store.error().message());
  CHECK(store.error().message().find(path) == 0);  // names the file
  CHECK(bytes_of(path) == before);
  CHECK_FALSE(fs::exists(path + "-journal"));
}

std::string valid_database(const TempDir& dir, const std::string& name = "crm.db") {
  const auto path = dir.file(name);
  auto store = open_store(path);
  REQUIRE(store->import(rich_snapshot()).has_value());
  return path;
}

}  // namespace

TEST_CASE("A file that is not an SQLite database is refused as storage_corrupt, untouched") {
  TempDir dir;
  const auto path = dir.file("notes.db");
  write_bytes(path, "this is a text file, not a database\n" + std::string(5000, 'x'));
  refused(path, Errc::storage_corrupt, "not an SQLite database");
  SqliteOptions ro;
  ro.read_only = true;
  refused(path, Errc::storage_corrupt, "not an SQLite database", ro);
}

TEST_CASE("A damaged database is refused as storage_corrupt, untouched") {
  TempDir dir;
  SUBCASE("its header is garbage") {
    const auto path = valid_database(dir);
    auto bytes = bytes_of(path);
    for (std::size_t i = 0; i < 100; ++i) bytes[i] = static_cast<char>(0xA5 ^ i);
    write_bytes(path, bytes);
    refused(path, Errc::storage_corrupt, "not an SQLite database");
  }
  SUBCASE("its schema page is garbage") {
    const auto path = valid_database(dir);
    auto bytes = bytes_of(path);
    for (std::size_t i = 100; i < 4096; ++i) bytes[i] = static_cast<char>(i * 7);
    write_bytes(path, bytes);
    refused(path, Errc::storage_corrupt, "");
  }
  SUBCASE("a data page is garbage: found by the integrity check before any write") {
    const auto path = valid_database(dir);
    auto bytes = bytes_of(path);
    REQUIRE(bytes.size() >= 8 * 4096);
    for (std::size_t i = 2 * 4096; i < 5 * 4096; ++i)  // the pages of the first tables
      bytes[i] = static_cast<char>(0xFF - i % 13);
    write_bytes(path, bytes);
    SqliteOptions check;
    check.check_integrity = true;
    refused(path, Errc::storage_corrupt, "damaged", check);
  }
  SUBCASE("a truncated file") {
    const auto path = valid_database(dir);
    write_bytes(path, bytes_of(path).substr(0, 4096 + 17));
    SqliteOptions check;
    check.check_integrity = true;
    refused(path, Errc::storage_corrupt, "", check);
  }
}

TEST_CASE("Another application's SQLite database is refused, untouched") {
  TempDir dir;
  const auto path = dir.file("other.db");
  {
    RawDb raw(path);
    raw.exec(
        "CREATE TABLE notes(id INTEGER PRIMARY KEY, text TEXT); INSERT INTO notes VALUES(1, 'x')");
  }
  refused(path, Errc::storage_corrupt, "not a telcrm one");
}

TEST_CASE("A database of a newer schema version is refused as unsupported_version, untouched") {
  TempDir dir;
  const auto path = valid_database(dir);
  {
    RawDb raw(path);
    raw.exec("PRAGMA user_version = " + std::to_string(SqliteCrmStore::schema_version + 1));
  }
  refused(path, Errc::unsupported_version, "newer telcrm");
  SqliteOptions ro;
  ro.read_only = true;
  refused(path, Errc::unsupported_version, "newer telcrm", ro);
}

TEST_CASE("A read-only file is refused for writing (root included), and opens read-only") {
  TempDir dir;
  const auto path = valid_database(dir);
  fs::permissions(path, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
  refused(path, Errc::permission_denied, "read-only");
  SqliteOptions ro;
  ro.read_only = true;
  const auto before = bytes_of(path);
  {
    auto store = open_store(path, ro);
    auto crm = store->snapshot();
    REQUIRE(crm.has_value());
    CHECK(*crm == rich_snapshot());
  }
  CHECK(bytes_of(path) == before);
}

TEST_CASE("A missing file is created, unless told not to; read-only never creates") {
  TempDir dir;
  SqliteOptions no_create;
  no_create.create = false;
  auto r = SqliteCrmStore::open(dir.file("missing.db"), no_create);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code() == Errc::not_found);
  SqliteOptions ro;
  ro.read_only = true;
  CHECK(SqliteCrmStore::open(dir.file("missing.db"), ro).error().code() == Errc::not_found);
  CHECK_FALSE(fs::exists(dir.file("missing.db")));
  auto bad_dir = SqliteCrmStore::open(dir.file("no/such/dir/crm.db"));
  REQUIRE_FALSE(bad_dir.has_value());
  CHECK(bad_dir.error().code() == Errc::io_error);
  CHECK(SqliteCrmStore::open(dir.file("")).error().code() == Errc::io_error);  // a directory
}

TEST_CASE("An empty file becomes a telcrm database") {
  TempDir dir;
  const auto path = dir.file("empty.db");
  write_bytes(path, "");
  auto store = open_store(path);
  CHECK_FALSE(*store->has_data());
  REQUIRE(store->import(rich_snapshot()).has_value());
}

TEST_CASE("A schema version 1 file is migrated forward, keeping every record") {
  TempDir dir;
  const auto path = dir.file("v1.db");
  {
    RawDb raw(path);
    raw.exec(bytes_of(TELCRM_SQLITE_TEST_DATA "/schema-v1.sql"));
    CHECK(raw.one("PRAGMA user_version") == "1");
  }
  SUBCASE("read-only: it must be migrated first") {
    SqliteOptions ro;
    ro.read_only = true;
    refused(path, Errc::permission_denied, "must be migrated", ro);
  }
  SUBCASE("read-write: migrated") {
    SqliteOptions ru;
    ru.phone_keys = IndexOptions{*Region::from_code("RU"), 0};
    auto store = open_store(path, ru);
    auto crm = store->snapshot();
    REQUIRE(crm.has_value());
    REQUIRE(crm->contacts.size() == 1);
    CHECK(crm->contacts[0].phones == std::vector<std::string>{"8 (916) 123-45-67"});
    CHECK(crm->contacts[0].emails == std::vector<std::string>{"ivan@example.ru"});
    CHECK(crm->contacts[0].company == 3);
    CHECK(crm->leads.size() == 1);
    CHECK(crm->deals.size() == 1);
    REQUIRE(crm->activities.size() == 1);
    CHECK(crm->activities[0].bindings.size() == 2);
    CHECK(crm->history.size() == 1);
    CHECK(store->employees()->size() == 1);
    // What version 2 added: the change log, holding every record already there.
    auto changes = store->changes_since(0);
    REQUIRE(changes.has_value());
    CHECK(changes->changed.size() == 4);
    CHECK(changes->complete);
    // Receipts carried over: the old batch is still answered as a repeat.
    auto again = store->apply({"c1", 1, std::nullopt, {CreateContact{}}});
    REQUIRE(again.has_value());
    CHECK(again->replayed);
    // And the phones were keyed: SQL finds the contact by its number.
    CHECK(*store->find_by_phone("+79161234567") ==
          std::vector<EntityRef>{{EntityType::contact, 5}});
    store.reset();
    RawDb raw(path);
    CHECK(raw.one("PRAGMA user_version") == std::to_string(SqliteCrmStore::schema_version));
    CHECK(raw.one("PRAGMA journal_mode") == "wal");
  }
}

TEST_CASE("A schema version 2 file is migrated to 3: receipts dated, then pruned by age") {
  TempDir dir;
  const auto path = dir.file("v2.db");
  {
    RawDb raw(path);
    raw.exec(bytes_of(TELCRM_SQLITE_TEST_DATA "/schema-v2.sql"));
    CHECK(raw.one("PRAGMA user_version") == "2");
  }
  SqliteOptions hour;
  hour.receipt_retention = Seconds(3600);
  auto store = open_store(path, hour);
  {
    RawDb raw(path);
    CHECK(raw.one("PRAGMA user_version") == "3");
    CHECK(raw.one("SELECT count(*) FROM sqlite_master WHERE name IN ('receipts_at', 'claims_at', "
                  "'activities_call')") == "3");
    CHECK(raw.one("SELECT count(*) FROM receipts WHERE at IS NULL") == "2");  // not dated yet
  }
  // The claim came along: a caller of the same number 100 s later loses to c2's lead.
  const Timestamp claimed = Timestamp(Seconds(1795338000));
  WriteBatch late{"c3",
                  1,
                  UnknownCallerClaim{"+79169990000", claimed + Seconds(100), Seconds(300)},
                  {CreateLead{}}};
  late.at = claimed + Seconds(100);
  auto lost = store->apply(late);
  REQUIRE(lost.has_value());
  CHECK(lost->claimed_by == "c2");
  CHECK(lost->created == std::vector<EntityRef>{{EntityType::lead, 50}});
  {
    RawDb raw(path);  // the first batch dated the old receipts: they count from it
    CHECK(raw.one("SELECT count(*) FROM receipts WHERE at IS NULL") == "0");
  }
  CHECK(store->apply({"c1", 1, std::nullopt, {CreateContact{}}})->replayed);
  // Two hours on, the old receipts and the claim are gone: c1's batch is applied anew.
  WriteBatch later{"c4", 1, std::nullopt, {CreateContact{}}};
  later.at = late.at + Seconds(7200);
  REQUIRE(store->apply(later).has_value());
  CHECK(*store->remembered() == 1);
  CHECK_FALSE(store->apply({"c1", 1, std::nullopt, {CreateContact{}}})->replayed);
}

TEST_CASE("Two stores opening a new file at once both end with one schema") {
  TempDir dir;
  const auto path = dir.file("race.db");
  auto a = open_store(path);
  auto b = open_store(path);
  REQUIRE(a->apply({"a", 1, std::nullopt, {CreateContact{}}}).has_value());
  CHECK(b->counts()->contacts == 1);
}
