// SPDX-License-Identifier: Apache-2.0
// PostgresCrmStore: the CrmStore contract as MemoryCrmStore defines it (the same cases as the
// SQLite store's tests), plus what a shared server adds — other store objects (nodes), the
// change feed, groups, import with COPY, settings and keys shared by every node.
#include <telcrm/crm/crm_index.hpp>
#include <telcrm/memory/memory_crm_store.hpp>
#include <telcrm/postgres/postgres_crm_store.hpp>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
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

std::unique_ptr<PostgresCrmStore> seeded(const Schema& schema, const CrmSnapshot& crm = seed()) {
  auto store = open_store(schema.conninfo());
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

TEST_CASE("open creates a telcrm schema: meta marks it, identity ids, the claims' constraint") {
  Schema schema;
  {
    auto store = open_store(schema.conninfo());
    CHECK_FALSE(*store->has_data());
    CHECK(store->describe().find("postgres telcrm_test_") == 0);
    CHECK(store->claim_window() == Seconds(300));
  }
  auto raw = schema.raw();
  CHECK(raw->one("SELECT value FROM meta WHERE key = 'application'") == "telcrm");
  CHECK(raw->one("SELECT value FROM meta WHERE key = 'schema_version'") ==
        std::to_string(PostgresCrmStore::schema_version));
  CHECK(raw->one("SELECT count(*) FROM information_schema.columns WHERE table_schema = '" +
                 schema.name() + "' AND is_identity = 'YES'") == "9");
  CHECK(raw->one("SELECT count(*) FROM pg_constraint WHERE conname = 'claims_window' AND "
                 "contype = 'x'") != "0");
  CHECK(raw->one("SELECT count(*) FROM information_schema.triggers WHERE event_object_schema = '" +
                 schema.name() + "'") != "0");
  // Opening again changes nothing (and does not migrate twice).
  auto again = open_store(schema.conninfo());
  CHECK(raw->one("SELECT count(*) FROM meta WHERE key = 'schema_version'") == "1");
}

TEST_CASE("Nodes starting together on an empty database create the schema once") {
  Schema schema;
  std::vector<std::thread> nodes;
  std::atomic<int> failures{0};
  for (int i = 0; i < 4; ++i)
    nodes.emplace_back([&] {
      auto s = PostgresCrmStore::open(schema.conninfo());
      if (!s) {
        failures++;
        MESSAGE(s.error().message());
      }
    });
  for (auto& n : nodes) n.join();
  CHECK(failures.load() == 0);
  CHECK(schema.raw()->one("SELECT count(*) FROM meta WHERE key = 'application'") == "1");
}

TEST_CASE("A batch creates a deal plus its contact, with the next ids and local references") {
  Schema schema;
  auto store = seeded(schema);
  WriteBatch batch{"c1", 1, std::nullopt, {}};
  Contact c{-1, "+351 965 432 100", {"+351 965 432 100"}, {}, 1, std::nullopt};  // named -1
  Deal d;
  d.id = -1;
  d.title = "+351 965 432 100 - Incoming call";
  d.contact = -1;
  d.responsible = 1;
  d.pipeline = 2;
  batch.ops = {CreateContact{c}, CreateDeal{d}};
  CallActivity a;
  a.call = "c1";
  a.bindings = {{EntityType::deal, -1}, {EntityType::contact, -1}};
  batch.ops.push_back(WriteActivity{a});
  auto receipt = store->apply(batch);
  REQUIRE_MESSAGE(receipt.has_value(), receipt.error().message());
  // Identity columns continue after the imported ids.
  CHECK(receipt->created == std::vector<EntityRef>{contact_ref(21), deal_ref(31)});
  CHECK_FALSE(receipt->replayed);
  auto deal = store->find_deal(31);
  REQUIRE(deal.has_value());
  REQUIRE(deal->has_value());
  CHECK((*deal)->contact == 21);
  CHECK((*deal)->pipeline == 2);
  auto contact = store->find_contact(21);
  REQUIRE(contact->has_value());
  CHECK((*contact)->phones == std::vector<std::string>{"+351 965 432 100"});
  auto snap = store->snapshot();
  REQUIRE(snap.has_value());
  REQUIRE(snap->activities.size() == 1);
  CHECK(snap->activities[0].id == 1);
  CHECK(snap->activities[0].bindings == std::vector<EntityRef>{deal_ref(31), contact_ref(21)});
}

TEST_CASE("Ids start at 1 in an empty store and continue after an import's maximum") {
  Schema schema;
  CrmSnapshot s;
  s.leads.push_back(lead_with("+79160000001"));
  s.leads.back().id = 7;
  auto store = seeded(schema, s);
  auto first = store->apply({"a", 1, std::nullopt, {CreateLead{lead_with("1")}, CreateContact{}}});
  REQUIRE(first.has_value());
  CHECK(first->created == std::vector<EntityRef>{lead_ref(8), contact_ref(1)});
}

// The contract's rules (replays, claims, references, every op, the inspection lists) are the
// conformance kit's (pg_conformance_test.cpp); what follows is PostgreSQL's own.

TEST_CASE("R-I1 a replayed batch takes no id from the identity columns") {
  Schema schema;
  auto store = open_store(schema.conninfo());
  WriteBatch batch{"c7", 1, std::nullopt, {CreateLead{lead_with("+79161234567")}}};
  auto first = store->apply(batch);
  auto second = store->apply(batch);
  REQUIRE(first.has_value());
  REQUIRE(second.has_value());
  CHECK_FALSE(first->replayed);
  CHECK(second->replayed);
  CHECK(second->created == first->created);
  CHECK(store->snapshot()->leads.size() == 1);
  batch.ops.push_back(CreateLead{lead_with("+79160000000")});  // the key is (call, seq)
  auto third = store->apply(batch);
  REQUIRE(third.has_value());
  CHECK(third->replayed);
  CHECK(store->snapshot()->leads.size() == 1);
  // A replay takes no id: the next lead is 2.
  auto next = store->apply({"c8", 1, std::nullopt, {CreateLead{lead_with("+1")}}});
  CHECK(next->created == std::vector<EntityRef>{lead_ref(2)});
}

TEST_CASE("R-I1 receipts survive closing and reopening, and hold for another node") {
  Schema schema;
  WriteBatch batch{"c7", 3, std::nullopt, {CreateLead{lead_with("+79161234567")}, CreateContact{}}};
  WriteReceipt first;
  {
    auto store = open_store(schema.conninfo());
    first = *store->apply(batch);
  }
  auto store = open_store(schema.conninfo());
  auto again = store->apply(batch);
  REQUIRE(again.has_value());
  CHECK(again->replayed);
  CHECK(again->created == first.created);
  auto other = open_store(schema.conninfo());
  CHECK(*other->apply(batch) == *again);
  CHECK(store->counts()->leads == 1);
}

TEST_CASE("A batch with a dangling reference is rejected whole, with the reference's message") {
  Schema schema;
  auto store = seeded(schema);
  MemoryCrmStore memory(seed());
  WriteBatch batch{
      "c1", 1, std::nullopt, {CreateLead{lead_with("x")}, Reassign{contact_ref(999), 3}}};
  auto r = store->apply(batch);
  auto m = memory.apply(batch);
  REQUIRE_FALSE(r.has_value());
  REQUIRE_FALSE(m.has_value());
  CHECK(r.error() == m.error());
  CHECK(r.error().code() == Errc::invalid_argument);
  CHECK(store->snapshot()->leads.empty());
  batch.ops.pop_back();  // no receipt was kept: the batch can be sent again once it is right
  auto fixed = store->apply(batch);
  REQUIRE(fixed.has_value());
  CHECK_FALSE(fixed->replayed);
  CHECK(fixed->created == std::vector<EntityRef>{lead_ref(1)});  // the refusal took no id
  CHECK(schema.raw()->one("SELECT count(*) FROM receipts WHERE created = '?'") == "0");
}

TEST_CASE("R-I3 a number locked by another node beyond lock_timeout is storage_unavailable") {
  Schema schema;
  auto a = open_store(schema.conninfo());
  PostgresOptions quick;
  quick.lock_timeout = std::chrono::milliseconds(50);
  auto b = open_store(schema.conninfo(), quick);
  UnknownCallerClaim claim{"+79161234567", at(24, 10), Seconds(300)};
  REQUIRE(a->begin_group().has_value());
  REQUIRE(a->apply({"ga", 1, claim, {CreateLead{lead_with("+79161234567")}}}).has_value());
  auto r = b->apply({"gb", 1, claim, {CreateLead{lead_with("+79161234567")}}});
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code() == Errc::storage_unavailable);
  CHECK(r.error().message().find("lock") != std::string::npos);
  a->rollback_group();
  auto again = b->apply({"gb", 1, claim, {CreateLead{lead_with("+79161234567")}}});
  REQUIRE(again.has_value());
  CHECK_FALSE(again->replayed);  // the failed attempt left no receipt
  CHECK_FALSE(again->claimed_by.has_value());
}

TEST_CASE("import then snapshot gives the snapshot back, every field and list order included") {
  Schema schema;
  const CrmSnapshot crm = rich_snapshot();
  auto store = seeded(schema, crm);
  auto back = store->snapshot();
  REQUIRE(back.has_value());
  CHECK(*back == crm);
  CHECK(*back == *MemoryCrmStore(crm).snapshot());
  CHECK(*store->export_crm() == crm);
  auto counts = store->counts();
  CHECK(counts->contacts == 2);
  CHECK(counts->phones == 7);
  CHECK(counts->history == 2);
  // find_* agree with the snapshot.
  CHECK(**store->find_contact(5) == crm.contacts[0]);
  CHECK(**store->find_contact(6) == crm.contacts[1]);
  CHECK(**store->find_company(3) == crm.companies[0]);
  CHECK(**store->find_lead(50) == crm.leads[0]);
  CHECK(**store->find_deal(70) == crm.deals[0]);
  CHECK_FALSE(store->find_deal(99)->has_value());
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
  Schema schema;
  const CrmSnapshot crm = rich_snapshot();
  auto store = seeded(schema, crm);
  Collect ours, reference;
  REQUIRE(store->scan(ours).has_value());
  REQUIRE(MemoryCrmStore(crm).scan(reference).has_value());
  CHECK(ours.seen == reference.seen);
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

TEST_CASE("scan reads in chunks: lists that fall across a chunk's end reach their record whole") {
  struct Collect final : CrmVisitor {
    CrmSnapshot seen;
    void visit(const Contact& c) override { seen.contacts.push_back(c); }
    void visit(const Company& c) override { seen.companies.push_back(c); }
    void visit(const Lead& l) override { seen.leads.push_back(l); }
    void visit(const Deal& d) override { seen.deals.push_back(d); }
  };
  // Records with none, one or several phones and e-mails, in every arrangement a chunk of a
  // few rows can cut.
  CrmSnapshot crm;
  for (EntityId id = 1; id <= 7; ++id) {
    Company c{id, fmt::format("Company {}", id), {}, {}, std::nullopt};
    for (EntityId k = 0; k < id % 3; ++k)
      c.phones.push_back(fmt::format("+7 495 {:03} 00 0{}", id, k));
    if (id % 2 == 0) c.emails.push_back(fmt::format("c{}@example.ru", id));
    crm.companies.push_back(std::move(c));
  }
  for (EntityId id = 1; id <= 23; ++id) {
    Contact c{id, fmt::format("Contact {}", id), {}, {}, std::nullopt, std::nullopt};
    for (EntityId k = 0; k < id % 4; ++k)
      c.phones.push_back(fmt::format("8 916 {:03} 11 {:02}", id, k));
    for (EntityId k = 0; k < id % 3; ++k)
      c.emails.push_back(fmt::format("p{}.{}@example.ru", id, k));
    if (id % 5 == 0) c.company = id % 7 + 1;
    crm.contacts.push_back(std::move(c));
  }
  for (EntityId id = 1; id <= 9; ++id) {
    Lead l;
    l.id = id;
    l.title = fmt::format("Lead {}", id);
    for (EntityId k = 0; k < id % 3; ++k)
      l.phones.push_back(fmt::format("+7 926 {:03} 22 {:02}", id, k));
    crm.leads.push_back(std::move(l));
  }
  for (EntityId id = 1; id <= 5; ++id) {
    Deal d;
    d.id = id;
    d.title = fmt::format("Deal {}", id);
    d.contact = id;
    crm.deals.push_back(std::move(d));
  }
  Collect reference;
  REQUIRE(MemoryCrmStore(crm).scan(reference).has_value());
  Schema schema;
  REQUIRE(open_store(schema.conninfo())->import(crm).has_value());
  for (std::size_t chunk : {1, 2, 3, 7, 0}) {
    CAPTURE(chunk);
    PostgresOptions options;
    options.test_hooks.scan_chunk_rows = chunk;
    auto store = open_store(schema.conninfo(), options);
    Collect ours;
    REQUIRE(store->scan(ours).has_value());
    CHECK(ours.seen.contacts == reference.seen.contacts);
    CHECK(ours.seen.companies == reference.seen.companies);
    CHECK(ours.seen.leads == reference.seen.leads);
    CHECK(ours.seen.deals == reference.seen.deals);
    // The scan's transaction and cursors are gone: the connection reads on.
    CHECK(store->find_contact(23)->has_value());
    Collect again;
    REQUIRE(store->scan(again).has_value());
    CHECK(again.seen.contacts.size() == crm.contacts.size());
  }
}

TEST_CASE(
    "import refuses a database that holds CRM records, and writes nothing of a bad snapshot") {
  Schema schema;
  auto store = seeded(schema);
  auto again = store->import(seed());
  REQUIRE_FALSE(again.has_value());
  CHECK(again.error().code() == Errc::already_exists);

  Schema other;
  auto empty = open_store(other.conninfo());
  CrmSnapshot dangling = seed();
  dangling.deals[0].company = 99;
  auto r = empty->import(dangling);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message() == "snapshot: deal 30: company 99 does not exist");
  CrmSnapshot twice = seed();
  twice.contacts.push_back(twice.contacts.front());
  CHECK(empty->import(twice).error().message() == "snapshot: contact 20 appears twice");
  CrmSnapshot bad_binding = rich_snapshot();
  bad_binding.activities[0].bindings.push_back({EntityType::lead, 404});
  CHECK(empty->import(bad_binding).error().code() == Errc::invalid_argument);
  // A value PostgreSQL refuses (a NUL in text) fails the COPY: nothing stays.
  CrmSnapshot nul = rich_snapshot();
  nul.contacts[0].name = std::string("Ana\0Bel", 7);
  auto refused = empty->import(nul);
  REQUIRE_FALSE(refused.has_value());
  CHECK_FALSE(*empty->has_data());
}

TEST_CASE("import reports its progress, ending with everything done") {
  Schema schema;
  CrmSnapshot crm;
  for (EntityId id = 1; id <= 1000; ++id)
    crm.contacts.push_back({id, "C", {"+7916" + std::to_string(1000000 + id)}, {}, 1, {}});
  auto store = open_store(schema.conninfo());
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
  Schema schema;
  auto store = open_store(schema.conninfo());
  CHECK_FALSE(*store->has_data());
  REQUIRE(store->set_employees({Employee{.id = 1, .name = "Anna"}}).has_value());
  CHECK_FALSE(*store->has_data());
  REQUIRE(store->apply({"c1", 1, std::nullopt, {RecordCall{CallRecord{.call = "c1"}}}}));
  CHECK(*store->has_data());
  CHECK(*store->has_call("c1"));
  CHECK_FALSE(*store->has_call("c2"));
}

TEST_CASE("A write group commits its batches together, or none of them") {
  Schema schema;
  auto store = open_store(schema.conninfo());
  REQUIRE(store->begin_group().has_value());
  CHECK(store->in_group());
  CHECK(store->begin_group().error().code() == Errc::invalid_state);
  REQUIRE(store->apply({"c1", 1, std::nullopt, {CreateLead{lead_with("+79161234567")}}}));
  CHECK_FALSE(store->apply({"c1", 2, std::nullopt, {Reassign{lead_ref(99), 1}}}).has_value());
  REQUIRE(store->apply({"c1", 3, std::nullopt, {Reassign{lead_ref(1), 4}}}));
  CHECK(open_store(schema.conninfo())->counts()->leads == 0);  // not to other nodes yet
  store->rollback_group();
  CHECK_FALSE(store->in_group());
  CHECK(store->counts()->leads == 0);
  CHECK(store->commit_group().error().code() == Errc::invalid_state);

  REQUIRE(store->begin_group().has_value());
  auto made = store->apply({"c1", 1, std::nullopt, {CreateLead{lead_with("+79161234567")}}});
  REQUIRE(made.has_value());
  REQUIRE(store->apply({"c1", 3, std::nullopt, {Reassign{made->created[0], 4}}}));
  REQUIRE(store->commit_group().has_value());
  auto lead = open_store(schema.conninfo())->find_lead(made->created[0].id);
  REQUIRE(lead->has_value());
  CHECK((*lead)->responsible == 4);
}

TEST_CASE("apply_all: one transaction, each batch all-or-nothing, answers as apply() would") {
  Schema grouped_schema, single_schema;
  auto grouped = seeded(grouped_schema);
  auto single = seeded(single_schema);
  const std::string number = "+79160001111";
  UnknownCallerClaim claim{number, at(24, 10), Seconds(300)};
  CallActivity act;
  act.call = "g-3";
  std::vector<WriteBatch> batches{
      {"g-1", 1, std::nullopt, {CreateLead{lead_with("+1")}, Reassign{contact_ref(20), 7}}},
      {"g-2", 1, std::nullopt, {CreateLead{lead_with("+2")}, Reassign{deal_ref(999), 1}}},
      {"g-1", 1, std::nullopt, {CreateLead{lead_with("ignored")}}},  // a repeat in the group
      {"g-3", 1, claim, {CreateLead{lead_with(number)}, WriteActivity{act}}},
      {"g-4", 1, claim, {CreateLead{lead_with(number)}}},  // loses to g-3, in the same group
      {"g-3", 2, std::nullopt, {AttachRecording{"g-3", "https://rec/g3"}}},
      {"g-5", 1, std::nullopt, {AttachRecording{"g-none", "https://rec/none"}}},
      {"g-2", 1, std::nullopt, {CreateLead{lead_with("+2")}}},  // the refused one, fixed
      {"g-4", 1, claim, {CreateLead{lead_with(number)}}},       // the lost one again
  };
  const auto together = grouped->apply_all(batches);
  REQUIRE(together.size() == batches.size());
  for (std::size_t i = 0; i < batches.size(); ++i) {
    CAPTURE(i);
    auto alone = single->apply(batches[i]);
    REQUIRE(alone.has_value() == together[i].has_value());
    if (alone)
      CHECK(*alone == *together[i]);
    else
      CHECK(alone.error().code() == together[i].error().code());
  }
  CHECK(together[2]->replayed);
  CHECK(together[4]->claimed_by == "g-3");
  CHECK(together[8]->replayed);
  CHECK(together[1].error().code() == Errc::invalid_argument);
  CHECK(together[6].error().code() == Errc::not_found);
  CHECK(*grouped->snapshot() == *single->snapshot());
  CHECK(grouped_schema.raw()->one("SELECT count(*) FROM receipts WHERE created = '?'") == "0");
  CHECK(grouped->apply_all({}).empty());
}

TEST_CASE("apply_all stops at a batch that cannot be applied now: the ones before are kept") {
  Schema schema;
  auto holder = open_store(schema.conninfo());
  PostgresOptions quick;
  quick.lock_timeout = std::chrono::milliseconds(50);
  auto store = open_store(schema.conninfo(), quick);
  UnknownCallerClaim busy{"+79160002222", at(24, 10), Seconds(300)};
  REQUIRE(holder->begin_group().has_value());  // holds the number's lock
  REQUIRE(holder->apply({"h", 1, busy, {CreateLead{lead_with("+79160002222")}}}));
  // The group takes every lock first: a busy number makes the whole group wait, then fail.
  std::vector<WriteBatch> batches{{"s-1", 1, std::nullopt, {CreateLead{lead_with("+1")}}},
                                  {"s-2", 1, busy, {CreateLead{lead_with("+79160002222")}}},
                                  {"s-3", 1, std::nullopt, {CreateLead{lead_with("+3")}}}};
  auto r = store->apply_all(batches);
  REQUIRE(r.size() == 3);
  for (const auto& one : r) {
    REQUIRE_FALSE(one.has_value());
    CHECK(one.error().code() == Errc::storage_unavailable);
  }
  holder->rollback_group();
  auto later = store->apply_all(batches);
  for (const auto& one : later) CHECK(one.has_value());
  CHECK(store->counts()->leads == 3);
}

TEST_CASE("The phones table keeps each phone as written with the index's keys; SQL finds it") {
  Schema schema;
  PostgresOptions options;
  options.phone_keys = IndexOptions{*Region::from_code("RU"), 7};
  auto store = open_store(schema.conninfo(), options);
  REQUIRE(store->import(rich_snapshot()).has_value());
  CHECK(*store->find_by_phone("+79161234567") == std::vector<EntityRef>{contact_ref(5)});
  CHECK(*store->find_by_phone("8 916 123 45 67") == std::vector<EntityRef>{contact_ref(5)});
  CHECK(*store->find_by_phone("+34911234567") == std::vector<EntityRef>{{EntityType::company, 3}});
  CHECK(*store->find_by_phone("12345") == std::vector<EntityRef>{});  // short: not searched
  CHECK(store->find_by_phone("+79160000000")->empty());
  auto raw = schema.raw();
  CHECK(
      raw->one("SELECT e164 FROM phones WHERE owner_type = 1 AND owner_id = 5 AND position = 0") ==
      "+79161234567");
  CHECK(
      raw->one("SELECT form FROM phones WHERE owner_type = 1 AND owner_id = 5 AND position = 0") ==
      "trunk_national");
  CHECK(raw->one("SELECT count(*) FROM phones WHERE suffix_key IS NOT NULL") != "0");
  CHECK(raw->one("SELECT count(*) FROM phones WHERE raw_key IS NOT NULL") == "2");
  // Phones written by apply() get the same keys as imported ones.
  auto made =
      store->apply({"p1", 1, std::nullopt, {CreateContact{{-1, "P", {"8 916 765-43-21"}}}}});
  REQUIRE(made.has_value());
  CHECK(*store->find_by_phone("+79167654321") == made->created);
}

TEST_CASE("Opening with other key options re-keys every stored phone, for every node") {
  Schema schema;
  {
    auto store = open_store(schema.conninfo());  // no region: national numbers get no key
    REQUIRE(store->import(rich_snapshot()).has_value());
    CHECK(store->find_by_phone("+79161234567")->empty());
  }
  auto other = open_store(schema.conninfo());  // a node started before the re-key
  PostgresOptions ru;
  ru.phone_keys = IndexOptions{*Region::from_code("RU"), 0};
  auto store = open_store(schema.conninfo(), ru);
  CHECK(store->phone_keys().default_region == *Region::from_code("RU"));
  CHECK(*store->find_by_phone("+79161234567") == std::vector<EntityRef>{contact_ref(5)});
  // The other node writes its next phone with the new keys.
  auto made = other->apply({"k1", 1, std::nullopt, {CreateLead{lead_with("8 916 000-11-22")}}});
  REQUIRE(made.has_value());
  CHECK(*store->find_by_phone("+79160001122") == made->created);
  CHECK(other->phone_keys().default_region == *Region::from_code("RU"));
  store.reset();
  CHECK(open_store(schema.conninfo())->phone_keys().default_region == *Region::from_code("RU"));
}

TEST_CASE("Settings are stored as JSON; their employees are the directory, shared by nodes") {
  Schema schema;
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
    auto store = open_store(schema.conninfo());
    CHECK_FALSE(store->load_settings()->has_value());
    REQUIRE(store->save_settings(s, employees).has_value());
    CHECK(store->phone_keys().suffix_digits == 9);
  }
  auto store = open_store(schema.conninfo());
  auto loaded = store->load_settings();
  REQUIRE(loaded.has_value());
  REQUIRE(loaded->has_value());
  CHECK(**loaded == s);
  CHECK(*store->employees() == employees);
  CHECK(store->phone_keys().default_region == *Region::from_code("ES"));

  const auto v = *store->version();
  CHECK(*store->set_presence(1, Presence::busy));
  CHECK(*store->version() != v);
  CHECK((*store->find_employee(1))->presence == Presence::busy);
  CHECK(*store->set_workday(2, Workday::open));
  CHECK_FALSE(*store->set_presence(9, Presence::busy));
  CHECK_FALSE(store->find_employee(9)->has_value());
  auto other = open_store(schema.conninfo());  // another node learns it by notification
  const auto seen = *other->version();
  const auto settings_seen = other->settings_version();
  REQUIRE(store->set_employees({anna}).has_value());
  CHECK(eventually([&] { return *other->version() != seen; }));
  CHECK(other->employees()->size() == 1);
  CHECK(**store->load_settings() == s);
  REQUIRE(store->save_settings(s, std::vector<Employee>{anna}).has_value());
  CHECK(eventually([&] { return other->settings_version() != settings_seen; }));
}

TEST_CASE("A read-only store reads everything and writes nothing") {
  Schema schema;
  seeded(schema).reset();
  PostgresOptions ro;
  ro.read_only = true;
  auto store = open_store(schema.conninfo(), ro);
  CHECK(store->snapshot()->contacts.size() == 1);
  auto r = store->apply({"c1", 1, std::nullopt, {CreateLead{lead_with("+1")}}});
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code() == Errc::permission_denied);
  CHECK(store->save_settings(IntegrationSettings{}, {}).error().code() == Errc::permission_denied);
  CHECK(store->counts()->leads == 0);
  Schema empty;
  auto none = PostgresCrmStore::open(empty.conninfo(), ro);
  REQUIRE_FALSE(none.has_value());
  CHECK(none.error().code() == Errc::not_found);
  CHECK(empty.raw()->one("SELECT count(*) FROM pg_tables WHERE schemaname = '" + empty.name() +
                         "'") == "0");
}
