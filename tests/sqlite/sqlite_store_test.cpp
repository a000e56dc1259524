// SPDX-License-Identifier: Apache-2.0
// SqliteCrmStore: what a file adds to the CrmStore contract (which the conformance kit checks,
// tests/testing/) — durability of receipts and claims, their pruning, other connections, the
// change log, groups and apply_all() in one transaction, import, phones, settings.
#include <telcrm/crm/crm_index.hpp>
#include <telcrm/memory/memory_crm_store.hpp>
#include <telcrm/sqlite/sqlite_crm_store.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "sqlite/sqlite_fixture.hpp"

using namespace telcrm;
using namespace telcrm_test;

namespace {

EntityRef contact_ref(EntityId id) {
  return {EntityType::contact, id};
}
EntityRef deal_ref(EntityId id) {
  return {EntityType::deal, id};
}
EntityRef lead_ref(EntityId id) {
  return {EntityType::lead, id};
}

CrmSnapshot seed() {
  CrmSnapshot s;
  s.contacts.push_back({20, "Ana", {"912 345 678"}, {}, 2, std::nullopt});
  Deal d;
  d.id = 30;
  d.title = "Renovação";
  d.contact = 20;
  d.modified = at(20);
  s.deals.push_back(d);
  return s;
}

std::unique_ptr<SqliteCrmStore> seeded(const TempDir& dir, const CrmSnapshot& crm = seed(),
                                       const std::string& name = "crm.db") {
  auto store = open_store(dir.file(name));
  auto ok = store->import(crm);
  REQUIRE_MESSAGE(ok.has_value(), ok.error().message());
  return store;
}

Lead lead_with(const std::string& phone) {
  Lead l;
  l.title = phone + " - Incoming call";
  l.phones = {phone};
  return l;
}

}  // namespace

TEST_CASE("open creates a telcrm database: WAL, the current schema version, foreign keys") {
  TempDir dir;
  const auto path = dir.file("new.db");
  {
    auto store = open_store(path);
    CHECK_FALSE(*store->has_data());
    CHECK(store->path() == path);
  }
  RawDb raw(path);
  CHECK(raw.one("PRAGMA journal_mode") == "wal");
  CHECK(raw.one("PRAGMA user_version") == std::to_string(SqliteCrmStore::schema_version));
  CHECK(raw.one("PRAGMA application_id") == std::to_string(0x5443524D));
  CHECK(raw.one("SELECT count(*) FROM pragma_foreign_key_list('deals')") == "2");
}

TEST_CASE("Ids start at 1 in an empty store and follow the maximum, not the count") {
  TempDir dir;
  CrmSnapshot s;
  s.leads.push_back(lead_with("+79160000001"));
  s.leads.back().id = 7;
  auto store = seeded(dir, s);
  auto first = store->apply({"a", 1, std::nullopt, {CreateLead{lead_with("1")}, CreateContact{}}});
  REQUIRE(first.has_value());
  CHECK(first->created == std::vector<EntityRef>{lead_ref(8), contact_ref(1)});
}

TEST_CASE("R-I1 receipts survive closing and reopening the file") {
  TempDir dir;
  const auto path = dir.file("crm.db");
  WriteBatch batch{"c7", 3, std::nullopt, {CreateLead{lead_with("+79161234567")}, CreateContact{}}};
  WriteReceipt first;
  {
    auto store = open_store(path);
    first = *store->apply(batch);
  }
  auto store = open_store(path);
  auto again = store->apply(batch);
  REQUIRE(again.has_value());
  CHECK(again->replayed);
  CHECK(again->created == first.created);
  CHECK(store->counts()->leads == 1);
}

TEST_CASE(
    "A local reference beyond what the batch created, or a positive id it created, is dangling") {
  TempDir dir;
  auto store = seeded(dir);
  MemoryCrmStore memory(seed());
  Deal d;
  d.contact = -2;  // only -1 is named
  WriteBatch batch{"c1", 1, std::nullopt, {CreateContact{Contact{.id = -1}}, CreateDeal{d}}};
  CHECK(store->apply(batch).error() == memory.apply(batch).error());
  Deal later;
  later.contact = 21;  // the id the batch's contact will get: not existing before the batch
  WriteBatch positive{"c2", 1, std::nullopt, {CreateContact{}, CreateDeal{later}}};
  auto r = store->apply(positive);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error() == memory.apply(positive).error());
}

TEST_CASE("R-I3 a locked database fails with storage_unavailable and SQLite's message") {
  TempDir dir;
  const auto path = dir.file("crm.db");
  auto a = open_store(path);
  SqliteOptions quick;
  quick.busy_timeout = std::chrono::milliseconds(20);
  auto b = open_store(path, quick);
  REQUIRE(a->begin_group().has_value());  // holds the write lock
  auto r = b->apply({"c1", 1, std::nullopt, {CreateLead{lead_with("+79161234567")}}});
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code() == Errc::storage_unavailable);
  CHECK(r.error().message().find("locked") != std::string::npos);
  CHECK(r.error().message().find(path) == 0);
  a->rollback_group();
  auto again = b->apply({"c1", 1, std::nullopt, {CreateLead{lead_with("+79161234567")}}});
  REQUIRE(again.has_value());
  CHECK_FALSE(again->replayed);  // the failed attempt left no receipt
}

TEST_CASE("Open deals come most recently modified first, a missing time last, then by id") {
  TempDir dir;
  CrmSnapshot s = seed();
  s.companies.push_back({4, "Co", {}, {}, std::nullopt});
  for (EntityId id : {31, 32, 33, 34, 35}) {
    Deal d;
    d.id = id;
    d.title = "d";
    d.contact = 20;
    d.company = 4;
    s.deals.push_back(d);
  }
  s.deals[1].modified = at(22);
  s.deals[2].stage = DealStage::lost;
  s.deals[3].modified = at(22);
  s.deals[4].modified = at(23);
  auto store = seeded(dir, s);
  MemoryCrmStore memory(s);
  for (EntityRef client : {contact_ref(20), EntityRef{EntityType::company, 4}, lead_ref(1)}) {
    auto deals = store->open_deals_of(client);
    REQUIRE(deals.has_value());
    CHECK(*deals == *memory.open_deals_of(client));
  }
  std::vector<EntityId> order;
  const auto deals = store->open_deals_of(contact_ref(20));
  for (const auto& d : *deals) order.push_back(d.id);
  CHECK(order == std::vector<EntityId>{34, 31, 33, 30, 35});
}

TEST_CASE("import then snapshot gives the snapshot back, every field and list order included") {
  TempDir dir;
  const CrmSnapshot crm = rich_snapshot();
  auto store = seeded(dir, crm);
  auto back = store->snapshot();
  REQUIRE(back.has_value());
  CHECK(*back == crm);
  CHECK(*back == *MemoryCrmStore(crm).snapshot());
  auto counts = store->counts();
  CHECK(counts->contacts == 2);
  CHECK(counts->phones == 7);
  CHECK(counts->history == 2);
}

TEST_CASE("scan streams contacts, companies, leads and deals in id order, as the reference") {
  struct Collect final : CrmVisitor {
    std::vector<std::string> seen;
    void visit(const Contact& c) override {
      seen.push_back("contact " + std::to_string(c.id) + " " + c.phones.front());
    }
    void visit(const Company& c) override { seen.push_back("company " + std::to_string(c.id)); }
    void visit(const Lead& l) override { seen.push_back("lead " + std::to_string(l.id)); }
    void visit(const Deal& d) override { seen.push_back("deal " + std::to_string(d.id)); }
  };
  TempDir dir;
  const CrmSnapshot crm = rich_snapshot();
  auto store = seeded(dir, crm);
  Collect ours, reference;
  REQUIRE(store->scan(ours).has_value());
  REQUIRE(MemoryCrmStore(crm).scan(reference).has_value());
  CHECK(ours.seen == reference.seen);
  // The index built from it equals the one built from the reference.
  CrmIndex a(IndexOptions{*Region::from_code("RU")});
  CrmIndex b(IndexOptions{*Region::from_code("RU")});
  auto loader = a.loader();
  REQUIRE(store->scan(loader).has_value());
  a.rebuild(std::move(loader));
  b.rebuild(crm);
  for (const auto& c : crm.contacts) {
    auto fa = a.snapshot().facts(contact_ref(c.id));
    auto fb = b.snapshot().facts(contact_ref(c.id));
    REQUIRE(fa.has_value());
    REQUIRE(fb.has_value());
    CHECK(fa->to_facts() == fb->to_facts());
  }
}

TEST_CASE("import refuses a store that holds CRM records, and writes nothing of a bad snapshot") {
  TempDir dir;
  auto store = seeded(dir);
  auto again = store->import(seed());
  REQUIRE_FALSE(again.has_value());
  CHECK(again.error().code() == Errc::already_exists);

  auto empty = open_store(dir.file("other.db"));
  CrmSnapshot dangling = seed();
  dangling.deals[0].company = 99;
  auto r = empty->import(dangling);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code() == Errc::invalid_argument);
  CHECK(r.error().message() == "snapshot: deal 30: company 99 does not exist");
  CrmSnapshot twice = seed();
  twice.contacts.push_back(twice.contacts.front());
  CHECK(empty->import(twice).error().message() == "snapshot: contact 20 appears twice");
  CrmSnapshot bad_binding = rich_snapshot();
  bad_binding.activities[0].bindings.push_back({EntityType::lead, 404});
  CHECK(empty->import(bad_binding).error().code() == Errc::invalid_argument);
  CHECK_FALSE(*empty->has_data());
}

TEST_CASE("import reports its progress, ending with everything done") {
  TempDir dir;
  CrmSnapshot crm;
  for (EntityId id = 1; id <= 1000; ++id)
    crm.contacts.push_back({id, "C", {"+7916" + std::to_string(1000000 + id)}, {}, 1, {}});
  auto store = open_store(dir.file("crm.db"));
  std::vector<std::pair<std::size_t, std::size_t>> calls;
  REQUIRE(store
              ->import(crm, [&](std::size_t done,
                                std::size_t total) { calls.emplace_back(done, total); })
              .has_value());
  REQUIRE(calls.size() >= 2);
  CHECK(calls.size() <= 202);
  CHECK(calls.front() == std::pair<std::size_t, std::size_t>{0, 1000});
  CHECK(calls.back() == std::pair<std::size_t, std::size_t>{1000, 1000});
  CHECK(std::is_sorted(calls.begin(), calls.end()));
  CHECK(*store->has_data());
}

TEST_CASE("has_data: any CRM record counts, settings and employees do not") {
  TempDir dir;
  auto store = open_store(dir.file("crm.db"));
  CHECK_FALSE(*store->has_data());
  REQUIRE(store->set_employees({Employee{.id = 1, .name = "Anna"}}).has_value());
  CHECK_FALSE(*store->has_data());
  REQUIRE(
      store->apply({"c1", 1, std::nullopt, {RecordCall{CallRecord{.call = "c1"}}}}).has_value());
  CHECK(*store->has_data());
  CHECK(*store->has_call("c1"));
  CHECK_FALSE(*store->has_call("c2"));
}

TEST_CASE("data_version changes when another connection writes, not for the store's own writes") {
  TempDir dir;
  const auto path = dir.file("crm.db");
  auto a = open_store(path);
  auto b = open_store(path);
  const auto v0 = *a->data_version();
  CHECK(v0 != 0);
  REQUIRE(a->apply({"a1", 1, std::nullopt, {CreateLead{lead_with("+79161234567")}}}).has_value());
  CHECK(*a->data_version() == v0);
  const auto bv = *b->data_version();
  REQUIRE(b->apply({"b1", 1, std::nullopt, {CreateLead{lead_with("+79161234568")}}}).has_value());
  CHECK(*b->data_version() == bv);
  CHECK(*a->data_version() != v0);
}

TEST_CASE("changes_since after an import lists every imported record; never invoices") {
  TempDir dir;
  const auto path = dir.file("crm.db");
  auto store = seeded(dir, seed(), "crm.db");
  auto start = store->changes_since(0);
  REQUIRE(start.has_value());
  CHECK(start->complete);
  CHECK(start->changed == std::vector<EntityRef>{contact_ref(20), deal_ref(30)});
  auto other = open_store(path);  // another writer
  REQUIRE(other
              ->apply({"c1",
                       1,
                       std::nullopt,
                       {Reassign{contact_ref(20), 5},
                        CreateInvoice{Invoice{0, 5, contact_ref(20), {}, "c1"}}}})
              .has_value());
  auto later = store->changes_since(start->cursor);
  REQUIRE(later.has_value());
  CHECK(later->changed == std::vector<EntityRef>{contact_ref(20)});  // not the invoice
}

TEST_CASE("A write group commits its batches together, or none of them") {
  TempDir dir;
  const auto path = dir.file("crm.db");
  auto store = open_store(path);
  REQUIRE(store->begin_group().has_value());
  CHECK(store->in_group());
  CHECK(store->begin_group().error().code() == Errc::invalid_state);
  REQUIRE(
      store->apply({"c1", 1, std::nullopt, {CreateLead{lead_with("+79161234567")}}}).has_value());
  // A failing batch inside the group is undone alone.
  CHECK_FALSE(store->apply({"c1", 2, std::nullopt, {Reassign{lead_ref(99), 1}}}).has_value());
  REQUIRE(store->apply({"c1", 3, std::nullopt, {Reassign{lead_ref(1), 4}}}).has_value());
  CHECK(store->counts()->leads == 1);             // visible to the store itself
  CHECK(open_store(path)->counts()->leads == 0);  // not to other connections yet
  store->rollback_group();
  CHECK_FALSE(store->in_group());
  CHECK(store->counts()->leads == 0);
  CHECK(store->commit_group().error().code() == Errc::invalid_state);

  REQUIRE(store->begin_group().has_value());
  REQUIRE(
      store->apply({"c1", 1, std::nullopt, {CreateLead{lead_with("+79161234567")}}}).has_value());
  REQUIRE(store->apply({"c1", 3, std::nullopt, {Reassign{lead_ref(1), 4}}}).has_value());
  REQUIRE(store->commit_group().has_value());
  auto lead = open_store(path)->find_lead(1);
  REQUIRE(lead->has_value());
  CHECK((*lead)->responsible == 4);
}

TEST_CASE("The phones table keeps each phone as written with the index's keys; SQL finds it") {
  TempDir dir;
  SqliteOptions options;
  options.phone_keys = IndexOptions{*Region::from_code("RU"), 7};
  auto store = open_store(dir.file("crm.db"), options);
  REQUIRE(store->import(rich_snapshot()).has_value());
  CHECK(*store->find_by_phone("+79161234567") == std::vector<EntityRef>{contact_ref(5)});
  CHECK(*store->find_by_phone("8 916 123 45 67") == std::vector<EntityRef>{contact_ref(5)});
  CHECK(*store->find_by_phone("+34911234567") == std::vector<EntityRef>{{EntityType::company, 3}});
  CHECK(*store->find_by_phone("12345") == std::vector<EntityRef>{});  // short: not searched (R-M1)
  CHECK(store->find_by_phone("+79160000000")->empty());
  RawDb raw(dir.file("crm.db"));
  CHECK(raw.one("SELECT e164 FROM phones WHERE owner_type = 1 AND owner_id = 5 AND position = 0") ==
        "+79161234567");
  CHECK(raw.one("SELECT form FROM phones WHERE owner_type = 1 AND owner_id = 5 AND position = 0") ==
        "trunk_national");
  CHECK(raw.one("SELECT count(*) FROM phones WHERE suffix_key IS NOT NULL") != "0");
  // "12345" and Acme's "91 765 43 21", which is no Russian number: filed by their digits (R-N7).
  CHECK(raw.one("SELECT count(*) FROM phones WHERE raw_key IS NOT NULL") == "2");
  const auto plan =
      raw.column("EXPLAIN QUERY PLAN SELECT owner_id FROM phones WHERE e164_key = 1", 3);
  REQUIRE_FALSE(plan.empty());
  CHECK(plan.front().find("phones_e164_key") != std::string::npos);
}

TEST_CASE("Opening with other key options re-keys every stored phone") {
  TempDir dir;
  const auto path = dir.file("crm.db");
  {
    auto store = open_store(path);  // no region: national numbers get no E.164 key
    REQUIRE(store->import(rich_snapshot()).has_value());
    CHECK(store->find_by_phone("+79161234567")->empty());
  }
  SqliteOptions ru;
  ru.phone_keys = IndexOptions{*Region::from_code("RU"), 0};
  auto store = open_store(path, ru);
  CHECK(store->phone_keys().default_region == *Region::from_code("RU"));
  CHECK(*store->find_by_phone("+79161234567") == std::vector<EntityRef>{contact_ref(5)});
  // A later plain open keeps what the file was keyed with.
  store.reset();
  CHECK(open_store(path)->phone_keys().default_region == *Region::from_code("RU"));
}

TEST_CASE("Settings are stored as JSON; their employees are the directory") {
  TempDir dir;
  const auto path = dir.file("crm.db");
  IntegrationSettings s;
  s.default_region = *Region::from_code("ES");
  s.match_suffix_digits = 9;
  Employee anna{.id = 1, .name = "Anna"};
  anna.phones.mobile = "+34 600 000 001";
  anna.extension = "101";
  const std::vector<Employee> employees = {
      anna, Employee{.id = 2, .name = "Boris", .active = false, .workday = Workday::paused}};
  s.queues.push_back(QueueSettings{.id = "sales", .members = {1, 2}});
  LineSettings line;
  line.number = "+34910000000";
  line.queue = "sales";
  s.lines.push_back(line);
  {
    auto store = open_store(path);
    CHECK_FALSE(store->load_settings()->has_value());
    REQUIRE(store->save_settings(s, employees).has_value());
    CHECK(store->phone_keys().suffix_digits == 9);  // keyed as the settings say
  }
  auto store = open_store(path);
  auto loaded = store->load_settings();
  REQUIRE(loaded.has_value());
  REQUIRE(loaded->has_value());
  CHECK(**loaded == s);
  CHECK(*store->employees() == employees);
  CHECK(store->phone_keys().default_region == *Region::from_code("ES"));

  const auto v = *store->version();
  CHECK(*store->set_presence(1, Presence::busy));
  CHECK(*store->version() > v);
  CHECK((*store->find_employee(1))->presence == Presence::busy);
  CHECK(*store->set_workday(2, Workday::open));
  CHECK_FALSE(*store->set_presence(9, Presence::busy));
  CHECK_FALSE(store->find_employee(9)->has_value());
  // Another process sees the change through version().
  auto other = open_store(path);
  const auto seen = *other->version();
  REQUIRE(store->set_employees({anna}).has_value());
  CHECK(*other->version() != seen);
  CHECK(other->employees()->size() == 1);
  CHECK(**store->load_settings() == s);  // settings untouched by the directory's change
}

TEST_CASE("A read-only store reads everything and writes nothing") {
  TempDir dir;
  const auto path = dir.file("crm.db");
  seeded(dir).reset();
  const auto before = bytes_of(path);
  SqliteOptions ro;
  ro.read_only = true;
  auto store = open_store(path, ro);
  CHECK(store->snapshot()->contacts.size() == 1);
  auto r = store->apply({"c1", 1, std::nullopt, {CreateLead{lead_with("+1")}}});
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code() == Errc::permission_denied);
  CHECK(store->save_settings(IntegrationSettings{}, {}).error().code() == Errc::permission_denied);
  store.reset();
  CHECK(bytes_of(path) == before);
}

TEST_CASE("check_integrity of a sound file is empty") {
  TempDir dir;
  auto store = seeded(dir, rich_snapshot());
  auto findings = store->check_integrity();
  REQUIRE(findings.has_value());
  CHECK(findings->empty());
}

namespace {

WriteBatch dated(const std::string& call, Timestamp when, bool claim = false) {
  WriteBatch b{call, 1, std::nullopt, {CreateLead{lead_with("+7903" + call)}}};
  b.at = when;
  if (claim) b.claim = UnknownCallerClaim{"+7903" + call, when, Seconds(300)};
  return b;
}

}  // namespace

TEST_CASE("R-I1 R-I2 receipts and claims a retention old are deleted, 256 of each at a time") {
  TempDir dir;
  SqliteOptions hour;
  hour.receipt_retention = Seconds(3600);
  auto store = open_store(dir.file("crm.db"), hour);
  const Timestamp t0 = at(24, 10);
  for (int i = 0; i < 300; ++i)
    REQUIRE(store->apply(dated(std::to_string(1000 + i), t0, true)).has_value());
  CHECK(*store->remembered() == 600);
  // An hour later nothing is overdue yet (pruning waits a sixteenth of the retention more).
  REQUIRE(store->apply(dated("late-1", t0 + Seconds(3600 + 200))).has_value());
  CHECK(*store->remembered() == 601);
  // Then each transaction deletes at most 256 receipts and 256 claims, oldest first.
  REQUIRE(store->apply(dated("late-2", t0 + Seconds(3600 + 300))).has_value());
  CHECK(*store->remembered() == 602 - 2 * 256);
  REQUIRE(store->apply(dated("late-3", t0 + Seconds(3600 + 301))).has_value());
  CHECK(*store->remembered() == 3);
  // The records stay; a forgotten batch is applied anew; a kept one still replays.
  CHECK(store->counts()->leads == 303);
  CHECK_FALSE(store->apply(dated("1000", t0))->replayed);
  CHECK(store->apply(dated("late-3", t0 + Seconds(3600 + 301)))->replayed);
  RawDb raw(dir.file("crm.db"));
  const auto plan = raw.column(
      "EXPLAIN QUERY PLAN SELECT call FROM receipts WHERE at < 5 ORDER BY at LIMIT 256", 3);
  REQUIRE_FALSE(plan.empty());
  CHECK(plan.front().find("receipts_at") != std::string::npos);
}

TEST_CASE("R-I3 apply_all() is one transaction: a fraction of the WAL of a commit per batch") {
  TempDir dir;
  auto frames = [&](const std::string& name, bool grouped) {
    const auto path = dir.file(name);
    auto store = open_store(path);
    RawDb raw(path);
    raw.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    std::vector<WriteBatch> batches;
    for (int i = 0; i < 40; ++i)
      batches.push_back(dated(std::to_string(2000 + i), at(24, 10), true));
    if (grouped) {
      for (const auto& r : store->apply_all(batches)) CHECK(r.has_value());
    } else {
      for (const auto& b : batches) CHECK(store->apply(b).has_value());
    }
    CHECK(store->counts()->leads == 40);
    return std::stoi(raw.column("PRAGMA wal_checkpoint(PASSIVE)", 1).front());
  };
  const int together = frames("grouped.db", true);
  const int alone = frames("alone.db", false);
  CHECK(together * 5 < alone);
}

TEST_CASE("R-I1 apply_all() answers each batch as apply() does; a refused one leaves the others") {
  TempDir dir;
  auto store = seeded(dir);
  std::vector<WriteBatch> batches{dated("a", at(24, 10)), dated("b", at(24, 10)),
                                  dated("a", at(24, 10)), dated("c", at(24, 10))};
  batches[1].ops.push_back(Reassign{contact_ref(404), 1});
  auto results = store->apply_all(batches);
  REQUIRE(results.size() == 4);
  CHECK_FALSE(results[0]->replayed);
  CHECK(results[1].error().code() == Errc::invalid_argument);
  CHECK(results[2]->replayed);
  CHECK(results[2]->created == results[0]->created);
  CHECK(results[3].has_value());
  CHECK(store->counts()->leads == 2);
  // Inside a write group it joins the group.
  REQUIRE(store->begin_group().has_value());
  CHECK(store->apply_all(std::vector<WriteBatch>{dated("d", at(24, 10))}).front().has_value());
  store->rollback_group();
  CHECK(store->counts()->leads == 2);
  CHECK_FALSE(store->in_group());
}

TEST_CASE("R-I3 apply_all() on a locked file: every batch waits, none applied") {
  TempDir dir;
  const auto path = dir.file("crm.db");
  auto a = open_store(path);
  SqliteOptions quick;
  quick.busy_timeout = std::chrono::milliseconds(20);
  auto b = open_store(path, quick);
  REQUIRE(a->begin_group().has_value());  // holds the write lock
  auto results =
      b->apply_all(std::vector<WriteBatch>{dated("x", at(24, 10)), dated("y", at(24, 10))});
  REQUIRE(results.size() == 2);
  for (const auto& r : results) CHECK(r.error().code() == Errc::storage_unavailable);
  a->rollback_group();
  CHECK(b->apply_all(std::vector<WriteBatch>{dated("x", at(24, 10))}).front().has_value());
}
