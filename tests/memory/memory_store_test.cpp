// SPDX-License-Identifier: Apache-2.0
// MemoryCrmStore: what is its own beyond the CrmStore contract (which the conformance kit
// checks, tests/testing/): the simulated outage, ids after gaps, receipts of many calls, and
// receipts and claims kept in two generations. And the port's default apply_all().
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

TEST_CASE("The store feeds the index: open deals, most recent first") {
  MemoryCrmStore store(seed());
  auto deals = store.open_deals_of(contact_ref(20));
  REQUIRE(deals.has_value());
  REQUIRE(deals->size() == 1);
  CrmIndex index(IndexOptions{region("PT")});
  auto loader = index.loader();
  REQUIRE(store.scan(loader).has_value());
  index.rebuild(std::move(loader));
  auto f = index.snapshot().facts(contact_ref(20));
  REQUIRE(f.has_value());
  REQUIRE(f->open_deals.size() == 1);
  CHECK(f->open_deals[0].id == 30);
}

TEST_CASE("MemoryDirectory: changes of unknown employees are refused") {
  MemoryDirectory directory({Employee{.id = 1, .name = "Anna"}});
  const auto v1 = *directory.version();
  CHECK_FALSE(directory.set_presence(9, Presence::busy));
  CHECK_FALSE(directory.set_workday(9, Workday::closed));
  CHECK_FALSE(directory.remove(9));
  CHECK(*directory.version() == v1);
  CHECK(directory.remove(1));
  CHECK(*directory.version() > v1);
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

namespace {

WriteBatch lead_batch(const std::string& call, std::uint32_t seq, Timestamp when,
                      std::optional<std::string> claim = std::nullopt) {
  Lead l;
  l.title = call;
  WriteBatch b{call, seq, std::nullopt, {CreateLead{l}}};
  b.at = when;
  if (claim) b.claim = UnknownCallerClaim{*claim, when, Seconds(300)};
  return b;
}

}  // namespace

TEST_CASE("R-I1 receipts live a retention at least: replayed after one generation, not two") {
  MemoryStoreOptions hour;
  hour.receipt_retention = Seconds(3600);
  MemoryCrmStore store(hour);
  const Timestamp t0 = at(24, 10);
  const auto first = store.apply(lead_batch("g-a", 1, t0));
  REQUIRE(first.has_value());
  // 59 min later: the same generation.
  REQUIRE(store.apply(lead_batch("g-b", 1, t0 + Seconds(3540))).has_value());
  CHECK(store.remembered() == 2);
  // 1 h later a new generation opens; g-a's receipt is still answered from the previous one.
  REQUIRE(store.apply(lead_batch("g-c", 1, t0 + Seconds(3600))).has_value());
  auto again = store.apply(lead_batch("g-a", 1, t0));
  REQUIRE(again.has_value());
  CHECK(again->replayed);
  CHECK(again->created == first->created);
  CHECK(store.remembered() == 3);
  // 2 h later the previous generation (g-a, g-b) is dropped whole: g-a is applied anew.
  REQUIRE(store.apply(lead_batch("g-d", 1, t0 + Seconds(7200))).has_value());
  CHECK(store.remembered() == 2);  // g-c, g-d
  auto forgotten = store.apply(lead_batch("g-a", 1, t0));
  REQUIRE(forgotten.has_value());
  CHECK_FALSE(forgotten->replayed);
  CHECK(store.snapshot()->leads.size() == 5);
}

TEST_CASE("R-I2 a claim lost to a previous generation's winner names it after that is dropped") {
  MemoryStoreOptions hour;
  hour.receipt_retention = Seconds(3600);
  MemoryCrmStore store(hour);
  const Timestamp t0 = at(24, 10);
  const std::string number = "+79161234567";
  auto won = store.apply(lead_batch("w", 1, t0, number));
  REQUIRE(store.apply(lead_batch("x", 1, t0 + Seconds(3600))).has_value());  // a new generation
  // A late batch of a call made 100 s after the winner's: it loses to the previous generation.
  auto lost = store.apply(lead_batch("l", 1, t0 + Seconds(100), number));
  REQUIRE(won.has_value());
  REQUIRE(lost.has_value());
  CHECK(lost->claimed_by == "w");
  CHECK(lost->created == won->created);
  REQUIRE(store.apply(lead_batch("y", 1, t0 + Seconds(7200))).has_value());  // w's is dropped
  auto again = store.apply(lead_batch("l", 1, t0 + Seconds(100), number));
  REQUIRE(again.has_value());
  CHECK(again->replayed);
  CHECK(again->claimed_by == "w");
  CHECK(again->created == won->created);
}

namespace {

// Available for `good` applies, then down for one, then up again.
class Flaky final : public CrmStore {
 public:
  explicit Flaky(int good) : good_(good) {}
  Result<void> scan(CrmVisitor& v) const override { return inner.scan(v); }
  Result<std::optional<Contact>> find_contact(EntityId id) const override {
    return inner.find_contact(id);
  }
  Result<std::optional<Company>> find_company(EntityId id) const override {
    return inner.find_company(id);
  }
  Result<std::optional<Lead>> find_lead(EntityId id) const override { return inner.find_lead(id); }
  Result<std::optional<Deal>> find_deal(EntityId id) const override { return inner.find_deal(id); }
  Result<WriteReceipt> apply(const WriteBatch& batch) override {
    if (calls_++ == good_) return fail(Errc::storage_unavailable, "down for a moment");
    return inner.apply(batch);
  }
  MemoryCrmStore inner;

 private:
  int good_;
  int calls_ = 0;
};

}  // namespace

TEST_CASE("R-I3 apply_all() stops at the first storage_unavailable: the rest wait, unapplied") {
  Flaky store(2);
  std::vector<WriteBatch> batches;
  for (std::uint32_t i = 1; i <= 5; ++i) batches.push_back(lead_batch("f", i, at(24, 10)));
  batches[1].ops.push_back(Reassign{contact_ref(404), 1});  // refused for good: not a stop
  auto results = store.apply_all(batches);
  REQUIRE(results.size() == 5);
  CHECK(results[0].has_value());
  CHECK(results[1].error().code() == Errc::invalid_argument);
  for (std::size_t i = 2; i < 5; ++i) {
    REQUIRE_FALSE(results[i].has_value());
    CHECK(results[i].error().code() == Errc::storage_unavailable);
  }
  CHECK(store.inner.snapshot()->leads.size() == 1);  // the store was back for 4 and 5: unused
}

TEST_CASE("apply_consuming() keeps what it applies and leaves a refused batch as given") {
  MemoryCrmStore by_copy(seed());
  MemoryCrmStore by_move(seed());
  CallActivity activity;
  activity.call = "m-1";
  activity.subject = "Incoming call from +351912345678, answered by Rui";
  activity.bindings = {contact_ref(20)};
  WriteBatch batch = lead_batch("m-1", 1, at(24, 10));
  batch.ops.push_back(WriteActivity{activity});
  batch.ops.push_back(Reassign{contact_ref(20), 3});

  WriteBatch given = batch;
  const auto copied = by_copy.apply(batch);
  const auto moved = by_move.apply_consuming(given);
  REQUIRE(copied.has_value());
  REQUIRE(moved.has_value());
  CHECK(*moved == *copied);
  CHECK(by_move.snapshot()->activities == by_copy.snapshot()->activities);
  CHECK(by_move.snapshot()->leads == by_copy.snapshot()->leads);
  // What the caller still reads of an applied batch stays: its identity and its ids.
  CHECK(given.call == "m-1");
  CHECK(given.ops.size() == 3);
  CHECK(std::get<Reassign>(given.ops[2]).entity == contact_ref(20));

  // Refused (a reference to no contact): nothing applied, the batch as it was given.
  WriteBatch refused = lead_batch("m-2", 1, at(24, 11));
  refused.ops.push_back(WriteActivity{activity});
  refused.ops.push_back(Reassign{contact_ref(404), 3});
  WriteBatch kept = refused;
  const auto no = by_move.apply_consuming(kept);
  REQUIRE_FALSE(no.has_value());
  CHECK(no.error().code() == Errc::invalid_argument);
  CHECK(kept == refused);
  CHECK(by_move.snapshot()->activities.size() == 1);

  // A group: the batches applied are taken, the one after a refused name is left as given.
  std::vector<WriteBatch> group{lead_batch("m-3", 1, at(24, 12)), refused};
  group[0].ops.push_back(WriteActivity{activity});
  std::get<CreateLead>(group[1].ops[0]).lead.id = -5;
  std::get<CreateLead>(group[1].ops[0]).lead.contact = 404;  // refused: no contact 404
  group.push_back(lead_batch("m-2", 2, at(24, 13)));
  group[2].ops = {Reassign{{EntityType::lead, -5}, 4}};  // refers to what m-2#1 did not create
  const std::vector<WriteBatch> as_given = group;
  const auto results = by_move.apply_linked_consuming(group);
  REQUIRE(results.size() == 2);  // ends before m-2#2
  CHECK(results[0].has_value());
  CHECK_FALSE(results[1].has_value());
  CHECK(group[1] == as_given[1]);
  CHECK(group[2] == as_given[2]);
  CHECK(by_move.snapshot()->activities.size() == 2);
}
