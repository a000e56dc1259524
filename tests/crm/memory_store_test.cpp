// SPDX-License-Identifier: Apache-2.0
// MemoryCrmStore: the reference CrmStore (all-or-nothing batches, idempotency, claims).
#include <telcrm/memory/memory_crm_store.hpp>
#include <telcrm/memory/memory_directory.hpp>

#include <doctest/doctest.h>

#include "crm/crm_fixture.hpp"

using namespace telcrm;
using namespace telcrm_test;

namespace {
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
}  // namespace

TEST_CASE("A batch creates a deal plus its contact, with ids max + 1 and local references") {
  MemoryCrmStore store(seed());
  WriteBatch batch{"c1", 1, std::nullopt, {}};
  Contact c{-1, "+351 965 432 100", {"+351 965 432 100"}, {}, 1, std::nullopt};  // named -1
  Deal d;
  d.id = -1;
  d.title = "+351 965 432 100 - Incoming call";
  d.contact = -1;  // the contact this batch names -1
  d.responsible = 1;
  d.pipeline = 2;
  batch.ops = {CreateContact{c}, CreateDeal{d}};
  CallActivity a;
  a.call = "c1";
  a.bindings = {{EntityType::deal, -1}, {EntityType::contact, -1}};
  batch.ops.push_back(WriteActivity{a});
  auto receipt = store.apply(batch);
  REQUIRE(receipt.has_value());
  CHECK(receipt->created == std::vector<EntityRef>{contact_ref(21), deal_ref(31)});
  auto deal = store.find_deal(31);
  REQUIRE(deal.has_value());
  REQUIRE(deal->has_value());
  CHECK((*deal)->contact == 21);
  CHECK((*deal)->pipeline == 2);
  auto snap = store.snapshot();
  REQUIRE(snap.has_value());
  REQUIRE(snap->activities.size() == 1);
  CHECK(snap->activities[0].id == 1);
  CHECK(snap->activities[0].bindings == std::vector<EntityRef>{deal_ref(31), contact_ref(21)});
}

TEST_CASE("R-I1 the same batch applied twice changes nothing and returns the first receipt") {
  MemoryCrmStore store;
  Lead l;
  l.title = "x";
  l.phones = {"+79161234567"};
  WriteBatch batch{"c7", 1, std::nullopt, {CreateLead{l}}};
  auto first = store.apply(batch);
  auto second = store.apply(batch);
  REQUIRE(first.has_value());
  REQUIRE(second.has_value());
  CHECK(second->replayed);
  CHECK(second->created == first->created);
  CHECK(store.snapshot()->leads.size() == 1);
}

TEST_CASE("A batch with a dangling reference is rejected whole") {
  MemoryCrmStore store(seed());
  Lead l;
  l.title = "x";
  WriteBatch batch{"c1", 1, std::nullopt, {CreateLead{l}, Reassign{contact_ref(999), 3}}};
  auto r = store.apply(batch);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code() == Errc::invalid_argument);
  CHECK(r.error().message().find("contact 999") != std::string::npos);
  CHECK(store.snapshot()->leads.empty());  // the lead before it was not created either
}

TEST_CASE("R-I2 a lost claim applies nothing and names the winner's entities") {
  MemoryCrmStore store;
  Lead l;
  l.title = "+79161234567 - Incoming call";
  UnknownCallerClaim claim{"+79161234567", at(24, 10), Seconds(300)};
  auto first = store.apply({"a", 1, claim, {CreateLead{l}}});
  claim.at += Seconds(20);
  auto second = store.apply({"b", 1, claim, {CreateLead{l}}});
  REQUIRE(first.has_value());
  REQUIRE(second.has_value());
  CHECK_FALSE(first->claimed_by.has_value());
  CHECK(second->claimed_by == "a");
  CHECK(second->created == first->created);
  CHECK(store.snapshot()->leads.size() == 1);
  // The lost batch again (R-I1): the same answer, rebuilt from what the store remembers.
  auto second_again = store.apply({"b", 1, claim, {CreateLead{l}}});
  REQUIRE(second_again.has_value());
  CHECK(second_again->replayed);
  CHECK(second_again->claimed_by == "a");
  CHECK(second_again->created == first->created);
  CHECK(store.snapshot()->leads.size() == 1);
  // Outside the window the number is free again.
  claim.at += Seconds(3600);
  auto later = store.apply({"c", 1, claim, {CreateLead{l}}});
  CHECK_FALSE(later->claimed_by.has_value());
  CHECK(store.snapshot()->leads.size() == 2);
}

TEST_CASE("R-I3 an unavailable store fails with storage_unavailable and keeps its data") {
  MemoryCrmStore store(seed());
  store.set_available(false);
  auto r = store.apply({"c1", 1, std::nullopt, {Reassign{contact_ref(20), 1}}});
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code() == Errc::storage_unavailable);
  CHECK_FALSE(store.find_contact(20).has_value());
  store.set_available(true);
  CHECK((*store.find_contact(20))->responsible == 2);
}

TEST_CASE("Missed calls are marked called back once, by the first answered call back") {
  MemoryCrmStore store;
  auto ok = store.apply({"c3", 9, std::nullopt, {RecordMissedCall{{"+34699888777", "c3", {}}}}});
  REQUIRE(ok.has_value());
  REQUIRE(store.apply({"c4", 9, std::nullopt, {MarkCalledBack{"+34699888777", "c4"}}}).has_value());
  REQUIRE(store.apply({"c5", 9, std::nullopt, {MarkCalledBack{"+34699888777", "c5"}}}).has_value());
  auto snap = store.snapshot();
  REQUIRE(snap->missed_calls.size() == 1);
  CHECK(snap->missed_calls[0].called_back_by == "c4");
}

TEST_CASE("The store feeds the index: open deals, most recent first") {
  MemoryCrmStore store(seed());
  auto deals = store.open_deals_of(contact_ref(20));
  REQUIRE(deals.has_value());
  REQUIRE(deals->size() == 1);
  CrmIndex index(IndexOptions{region("PT")});
  REQUIRE(index.rebuild(store).has_value());
  auto f = index.snapshot().facts(contact_ref(20));
  REQUIRE(f.has_value());
  REQUIRE(f->open_deals.size() == 1);
  CHECK(f->open_deals[0].id == 30);
}

TEST_CASE("MemoryDirectory: changes bump the version") {
  MemoryDirectory directory({Employee{.id = 1, .name = "Anna"}});
  auto v1 = *directory.version();
  CHECK(directory.set_presence(1, Presence::busy));
  CHECK(*directory.version() > v1);
  CHECK((*directory.find_employee(1))->presence == Presence::busy);
  CHECK_FALSE(directory.set_presence(9, Presence::busy));
  CHECK_FALSE(directory.find_employee(9)->has_value());
}

TEST_CASE("Ids with gaps and out of order: found by id, snapshot in id order, new ids max + 1") {
  CrmSnapshot s;
  for (EntityId id : {EntityId{900}, EntityId{3}, EntityId{41}})
    s.contacts.push_back({id,
                          "C" + std::to_string(id),
                          {"+7916000" + std::to_string(1000 + id)},
                          {},
                          1,
                          std::nullopt});
  MemoryCrmStore store(s);
  for (EntityId id : {EntityId{3}, EntityId{41}, EntityId{900}}) {
    CAPTURE(id);
    auto found = store.find_contact(id);
    REQUIRE(found.has_value());
    REQUIRE(found->has_value());
    CHECK((*found)->name == "C" + std::to_string(id));
  }
  CHECK_FALSE(store.find_contact(4)->has_value());
  CHECK_FALSE(store.find_contact(901)->has_value());
  Contact c{0, "New", {"+79160009999"}, {}, 1, std::nullopt};
  auto receipt = store.apply(WriteBatch{"g1", 1, std::nullopt, {CreateContact{c}}});
  REQUIRE(receipt.has_value());
  CHECK(receipt->created == std::vector<EntityRef>{contact_ref(901)});
  auto snapshot = store.snapshot();
  REQUIRE(snapshot.has_value());
  std::vector<EntityId> ids;
  for (const auto& contact : snapshot->contacts) ids.push_back(contact.id);
  CHECK(ids == std::vector<EntityId>{3, 41, 900, 901});
}

TEST_CASE("R-I1 receipts of many calls: every call's batches replay their own first receipt") {
  MemoryCrmStore store;
  std::vector<WriteReceipt> first;
  for (int call = 0; call < 3000; ++call) {
    Lead l;
    l.title = "lead " + std::to_string(call);
    l.phones = {"+7903" + std::to_string(1000000 + call)};
    auto r = store.apply(WriteBatch{"m" + std::to_string(call), 1, std::nullopt, {CreateLead{l}}});
    REQUIRE(r.has_value());
    first.push_back(*r);
  }
  for (int call = 0; call < 3000; call += 7) {
    CAPTURE(call);
    Lead other;
    other.title = "must not be created";
    auto again =
        store.apply(WriteBatch{"m" + std::to_string(call), 1, std::nullopt, {CreateLead{other}}});
    REQUIRE(again.has_value());
    CHECK(again->replayed);
    CHECK(again->created == first[static_cast<std::size_t>(call)].created);
  }
  CHECK(store.snapshot()->leads.size() == 3000);
}
