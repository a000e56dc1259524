// SPDX-License-Identifier: Apache-2.0
// PostgresCrmStore's change feed across nodes (data_version from notifications, changes_since
// below the snapshot's xmin, other applications' writes through the triggers), reconnects,
// and the errors of opening and writing.
#include <telcrm/postgres/postgres_crm_store.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "postgres/pg_fixture.hpp"

using namespace telcrm;
using namespace telcrm_test;

namespace {

EntityRef contact_ref(EntityId id) {
  return {EntityType::contact, id};
}

Lead lead_with(const std::string& phone) {
  Lead l;
  l.title = phone + " - Incoming call";
  l.phones = {phone};
  return l;
}

WriteBatch new_contact(const std::string& call, const std::string& phone) {
  return {call, 1, std::nullopt, {CreateContact{Contact{-1, "C " + call, {phone}, {}, {}, {}}}}};
}

bool lists(const ChangeSet& set, EntityRef ref) {
  return std::find(set.changed.begin(), set.changed.end(), ref) != set.changed.end();
}

}  // namespace

TEST_CASE("data_version moves with another node's commits, never with the node's own") {
  Schema schema;
  auto a = open_store(schema.conninfo());
  auto b = open_store(schema.conninfo());
  const auto v0 = *a->data_version();
  CHECK(v0 != 0);
  const auto b0 = *b->data_version();
  REQUIRE(a->apply(new_contact("a1", "+79160000001")));
  REQUIRE(eventually([&] { return *b->data_version() != b0; }));  // a's write, for b
  const auto bv = settled_version(*b);
  REQUIRE(b->apply(new_contact("b1", "+79160000002")));
  CHECK(eventually([&] { return *a->data_version() != v0; }));
  // Give b's own notification time to arrive: it must not count.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(*b->data_version() == bv);
  // A rolled-back write is never announced.
  const auto quiet = settled_version(*a);
  {
    auto raw = schema.raw();
    raw->exec("BEGIN; INSERT INTO contacts(name) VALUES('never'); ROLLBACK");
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(*a->data_version() == quiet);
  // wait_for_change wakes when another node commits.
  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    (void)b->apply(new_contact("b2", "+79160000003"));
  });
  const auto woke = a->wait_for_change(quiet, std::chrono::seconds(10));
  writer.join();
  CHECK(woke != quiet);
}

TEST_CASE("changes_since lists the records other nodes and other applications changed") {
  Schema schema;
  auto store = open_store(schema.conninfo());
  REQUIRE(store->import(CrmSnapshot{.contacts = {{20, "Ana", {"912 345 678"}, {}, 2, {}}}}));
  auto start = store->changes_since(0);
  REQUIRE(start.has_value());
  CHECK(start->complete);
  CHECK(start->changed == std::vector<EntityRef>{contact_ref(20)});
  const auto cursor = start->cursor;
  CHECK(store->changes_since(cursor)->changed.empty());
  CHECK(*store->change_cursor() >= cursor);

  auto other = open_store(schema.conninfo());  // another node
  auto made = other->apply({"c1",
                            1,
                            std::nullopt,
                            {CreateLead{lead_with("+1")}, Reassign{contact_ref(20), 5},
                             CreateInvoice{Invoice{0, 5, contact_ref(20), {}, "c1"}}}});
  REQUIRE(made.has_value());
  auto later = store->changes_since(cursor);
  REQUIRE(later.has_value());
  CHECK(later->complete);
  CHECK(later->cursor > cursor);
  std::set<EntityRef> seen(later->changed.begin(), later->changed.end());
  CHECK(seen == std::set<EntityRef>{contact_ref(20), made->created[0]});  // not the invoice
  CHECK(store->changes_since(later->cursor)->changed.empty());
  CHECK_FALSE(store->changes_since(later->cursor + 1000000)->complete);  // never handed out

  // Another application writes the CRM tables directly: the triggers log it too.
  const auto v = *store->data_version();
  auto raw = schema.raw();
  const std::string id = raw->one(
      "WITH x AS (INSERT INTO contacts(name) VALUES('From the CRM UI') RETURNING id) "
      "SELECT id FROM x");
  raw->exec("INSERT INTO phones(owner_type, owner_id, position, phone) VALUES(1, " + id +
            ", 0, '+7 916 555-44-33')");
  raw->exec("UPDATE contacts SET name = 'Ana María' WHERE id = 20");
  CHECK(eventually([&] { return *store->data_version() != v; }));
  auto outside = store->changes_since(later->cursor);
  REQUIRE(outside.has_value());
  CHECK(lists(*outside, contact_ref(std::stoll(id))));
  CHECK(lists(*outside, contact_ref(20)));
  CHECK((*store->find_contact(std::stoll(id)))->phones ==
        std::vector<std::string>{"+7 916 555-44-33"});
  // A TRUNCATE names no rows: a cursor before it cannot be answered.
  raw->exec("TRUNCATE leads");
  CHECK_FALSE(store->changes_since(outside->cursor)->complete);
}

TEST_CASE("A transaction that started first and commits last is not lost by the feed") {
  Schema schema;
  auto store = open_store(schema.conninfo());
  auto other = open_store(schema.conninfo());
  const auto cursor = *store->change_cursor();
  // An open transaction of another application writes a contact (older xid)…
  auto late = schema.raw();
  late->exec("BEGIN");
  const std::string late_id = late->one(
      "WITH x AS (INSERT INTO contacts(name) VALUES('late') RETURNING id) SELECT id FROM x");
  // …a younger one commits meanwhile.
  const auto before = *store->data_version();
  auto early = other->apply(new_contact("young", "+79160000009"));
  REQUIRE(early.has_value());
  REQUIRE(eventually([&] { return *store->data_version() != before; }));  // its notification
  const auto v = *store->data_version();
  std::set<EntityRef> seen;
  auto first = store->changes_since(cursor);
  REQUIRE(first.has_value());
  CHECK(first->complete);
  // The younger change is held back (its xid is above the xmin the open transaction pins),
  // and data_version moved so the engine asks again.
  CHECK_FALSE(lists(*first, early->created[0]));
  CHECK(first->cursor <= std::stoull(late->one("SELECT pg_current_xact_id()::text")));
  CHECK(*store->data_version() != v);
  seen.insert(first->changed.begin(), first->changed.end());
  late->exec("COMMIT");
  auto second = store->changes_since(first->cursor);
  REQUIRE(second.has_value());
  seen.insert(second->changed.begin(), second->changed.end());
  CHECK(seen.count(contact_ref(std::stoll(late_id))) == 1);
  CHECK(seen.count(early->created[0]) == 1);
}

TEST_CASE("The store reconnects by itself; after a reconnect data_version moves") {
  Schema schema;
  auto store = open_store(schema.conninfo());
  REQUIRE(store->apply(new_contact("r1", "+79160000011")));
  const auto v = *store->data_version();
  auto admin = schema.raw();
  // Every other session on this database goes (as a server restart or a network cut would).
  admin->exec(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = "
      "current_database() AND pid <> pg_backend_pid()");
  CHECK(eventually([&] { return *store->data_version() != v; }));
  CHECK(store->snapshot()->contacts.size() == 1);  // reads reconnect and repeat at once
  auto applied = store->apply(new_contact("r2", "+79160000012"));
  CHECK_MESSAGE(applied.has_value(), applied.error().message());
  CHECK(store->reconnects() >= 2);
  CHECK(store->counts()->contacts == 2);
}

TEST_CASE("Opening: not a telcrm database, a newer schema, no server, no database, no rights") {
  SUBCASE("another application's tables: storage_corrupt, nothing written") {
    Schema schema;
    schema.raw()->exec("CREATE TABLE contacts(id int primary key, who text)");
    auto r = PostgresCrmStore::open(schema.conninfo());
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == Errc::storage_corrupt);
    CHECK(r.error().message().find("not a telcrm database") != std::string::npos);
    CHECK(schema.raw()->one("SELECT to_regclass('meta') IS NULL") == "t");
  }
  SUBCASE("a meta table of another shape: storage_corrupt") {
    Schema schema;
    schema.raw()->exec("CREATE TABLE meta(a int)");
    auto r = PostgresCrmStore::open(schema.conninfo());
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == Errc::storage_corrupt);
  }
  SUBCASE("a newer schema: unsupported_version, left as it is") {
    Schema schema;
    open_store(schema.conninfo()).reset();
    schema.raw()->exec("UPDATE meta SET value = '99' WHERE key = 'schema_version'");
    auto r = PostgresCrmStore::open(schema.conninfo());
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == Errc::unsupported_version);
    CHECK(schema.raw()->one("SELECT value FROM meta WHERE key = 'schema_version'") == "99");
  }
  SUBCASE("no server: storage_unavailable, and the password is never in the message") {
    PostgresOptions quick;
    quick.connect_timeout = std::chrono::seconds(2);
    auto r = PostgresCrmStore::open("host=127.0.0.1 port=1 user=telcrm password=s3cr3t-pw dbname=x",
                                    quick);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == Errc::storage_unavailable);
    CHECK(r.error().message().find("s3cr3t-pw") == std::string::npos);
    auto uri = PostgresCrmStore::open("postgresql://telcrm:s3cr3t-pw@127.0.0.1:1/x", quick);
    REQUIRE_FALSE(uri.has_value());
    CHECK(uri.error().message().find("s3cr3t-pw") == std::string::npos);
  }
  SUBCASE("a malformed conninfo: invalid_argument") {
    auto r = PostgresCrmStore::open("host=127.0.0.1 no_such_option=1");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == Errc::invalid_argument);
  }
  SUBCASE("no such database: not_found") {
    auto r = PostgresCrmStore::open(conninfo("no_such_database_here"));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == Errc::not_found);
  }
  SUBCASE("no schema with create off: not_found") {
    Schema schema;
    PostgresOptions no_create;
    no_create.create = false;
    auto r = PostgresCrmStore::open(schema.conninfo(), no_create);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == Errc::not_found);
  }
  SUBCASE("a role without rights on the tables: permission_denied") {
    Schema schema;
    open_store(schema.conninfo()).reset();
    const std::string role = fmt::format("nobody_{}", ::getpid());
    auto admin = schema.raw();
    admin->exec("DROP ROLE IF EXISTS " + role);
    admin->exec("CREATE ROLE " + role + " LOGIN");
    admin->exec("GRANT USAGE ON SCHEMA " + schema.name() + " TO " + role);
    auto r =
        PostgresCrmStore::open(fmt::format("host=127.0.0.1 port={} user={} dbname={} "
                                           "options='-csearch_path={}'",
                                           cluster().port, role, database(), schema.name()));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == Errc::permission_denied);
    CHECK(r.error().message().find("42501") != std::string::npos);
    admin->exec("REVOKE ALL ON SCHEMA " + schema.name() + " FROM " + role);
    admin->exec("DROP ROLE " + role);
  }
}

TEST_CASE("Values PostgreSQL refuses are invalid_argument; the batch leaves nothing") {
  Schema schema;
  auto store = open_store(schema.conninfo());
  Lead nul = lead_with("+79160000020");
  nul.title = std::string("a\0b", 3);
  auto r = store->apply({"v1", 1, std::nullopt, {CreateLead{nul}}});
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code() == Errc::invalid_argument);
  Lead bad = lead_with("+79160000021");
  bad.title = "\xff\xfe not UTF-8";
  auto b = store->apply({"v2", 1, std::nullopt, {CreateLead{bad}}});
  REQUIRE_FALSE(b.has_value());
  CHECK(b.error().code() == Errc::invalid_argument);
  CHECK(store->counts()->leads == 0);
  CHECK(store->counts()->receipts == 0);
  // Another application's row holds the next id: the clash is a conflict, not a crash.
  schema.raw()->exec("INSERT INTO leads(id, title) VALUES(1, 'taken by hand')");
  auto clash = store->apply({"v3", 1, std::nullopt, {CreateLead{lead_with("+1")}}});
  REQUIRE_FALSE(clash.has_value());
  CHECK(clash.error().code() == Errc::conflict);
  auto next = store->apply({"v3", 1, std::nullopt, {CreateLead{lead_with("+1")}}});
  CHECK(next.has_value());  // the identity moved on
}
