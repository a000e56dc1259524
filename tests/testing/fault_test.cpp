// SPDX-License-Identifier: Apache-2.0
// FaultyCrmStore (telcrm::testing): each kind of fault does what it says — nothing applied,
// applied late, applied and reported as failed (R-I1: the retry is answered from the receipt)
// — on a schedule its seed repeats; and the fault soak's promises hold over the shipped
// stores (R-I1, R-I2, R-I3, R-L5): a short run here, 10,000 calls in telcrm_fault_soak.
#include <telcrm/memory/memory_crm_store.hpp>
#include <telcrm/ports/crm_inspection.hpp>
#include <telcrm/testing/fault_soak.hpp>
#include <telcrm/testing/faulty_crm_store.hpp>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <string>
#include <vector>

#ifdef TELCRM_SOAK_WITH_SQLITE
#include <telcrm/sqlite/sqlite_crm_store.hpp>

#include "sqlite/sqlite_fixture.hpp"
#endif

using namespace telcrm;

namespace {

WriteBatch lead_batch(const std::string& call, std::uint32_t seq = 1) {
  WriteBatch b;
  b.call = call;
  b.seq = seq;
  b.ops.push_back(CreateLead{Lead{.id = -1, .title = call, .phones = {"+79031234567"}}});
  return b;
}

std::size_t leads_in(const MemoryCrmStore& store) {
  return store.snapshot()->leads.size();
}

}  // namespace

TEST_CASE("R-I3 FaultyCrmStore: fail applies nothing, the same batch goes through later") {
  MemoryCrmStore inner;
  FaultyCrmStore store(inner, FaultSchedule{.seed = 3, .fail = 1.0});
  auto r = store.apply(lead_batch("c1"));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code() == Errc::storage_unavailable);
  CHECK(leads_in(inner) == 0);
  store.heal();
  auto again = store.apply(lead_batch("c1"));
  REQUIRE(again.has_value());
  CHECK_FALSE(again->replayed);
  CHECK(leads_in(inner) == 1);
  CHECK(store.counts().failed == 1);
}

TEST_CASE("R-I1 FaultyCrmStore: a lost reply applied the batch; its retry is a replay") {
  MemoryCrmStore inner;
  FaultyCrmStore store(inner, FaultSchedule{.seed = 3, .lost_reply = 1.0});
  auto r = store.apply(lead_batch("c1"));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code() == Errc::storage_unavailable);
  CHECK(leads_in(inner) == 1);  // committed all the same
  store.heal();
  auto again = store.apply(lead_batch("c1"));
  REQUIRE(again.has_value());
  CHECK(again->replayed);
  CHECK(leads_in(inner) == 1);
  CHECK(store.counts().lost_replies == 1);
}

TEST_CASE("FaultyCrmStore: a delay goes through; an outage refuses the next calls") {
  MemoryCrmStore inner;
  FaultyCrmStore store(inner, FaultSchedule{.seed = 3, .delay = 1.0});
  CHECK(store.apply(lead_batch("c1")).has_value());
  CHECK(store.counts().delayed == 1);
  store.set_schedule(FaultSchedule{.seed = 3, .outage = 1.0, .outage_length = 4});
  for (int i = 0; i < 3; ++i) CHECK_FALSE(store.apply(lead_batch("c2")).has_value());
  CHECK(store.counts().outages == 1);
  CHECK(store.counts().outage_calls == 3);
  CHECK_FALSE(store.find_lead(1).has_value());             // reads fail during an outage too
  CHECK_FALSE(store.apply(lead_batch("c2")).has_value());  // its last call
  store.heal();
  CHECK(store.find_lead(1).has_value());
}

TEST_CASE("FaultyCrmStore: in apply_all a fail cuts the group; the batches before it count") {
  MemoryCrmStore inner;
  FaultyCrmStore store(inner, FaultSchedule{.seed = 5, .fail = 1.0});
  std::vector<WriteBatch> group;
  for (int i = 0; i < 8; ++i) group.push_back(lead_batch(fmt::format("c{}", i)));
  auto results = store.apply_all(group);
  REQUIRE(results.size() == group.size());
  std::size_t ok = 0;
  while (ok < results.size() && results[ok].has_value()) ++ok;
  CHECK(ok < results.size());
  for (std::size_t i = ok; i < results.size(); ++i) {
    REQUIRE_FALSE(results[i].has_value());
    CHECK(results[i].error().code() == Errc::storage_unavailable);
  }
  CHECK(leads_in(inner) == ok);
}

TEST_CASE("FaultyCrmStore: apply_linked is the inner store's, with the same faults") {
  MemoryCrmStore inner;
  FaultyCrmStore store(inner, FaultSchedule{});
  REQUIRE(store.resolves_group_references());  // the engine groups as it would without faults
  WriteBatch handed_over;
  handed_over.call = "c0";
  handed_over.seq = 2;
  handed_over.ops.push_back(Reassign{{EntityType::lead, -1}, 7});  // c0#1's lead
  const std::vector<WriteBatch> linked{lead_batch("c0"), handed_over};
  auto results = store.apply_linked(linked);
  REQUIRE(results.size() == 2);
  CHECK(results[1].has_value());
  CHECK(inner.find_lead(1)->value().responsible == 7);
  store.set_schedule(FaultSchedule{.seed = 5, .fail = 1.0});
  std::vector<WriteBatch> group;
  for (int i = 1; i < 9; ++i) group.push_back(lead_batch(fmt::format("c{}", i)));
  results = store.apply_linked(group);
  REQUIRE(results.size() == group.size());
  std::size_t ok = 0;
  while (ok < results.size() && results[ok].has_value()) ++ok;
  CHECK(ok < results.size());
  for (std::size_t i = ok; i < results.size(); ++i)
    CHECK(results[i].error().code() == Errc::storage_unavailable);
  CHECK(leads_in(inner) == 1 + ok);
}

TEST_CASE("FaultyCrmStore: the same seed gives the same faults") {
  auto run = [](std::uint64_t seed) {
    MemoryCrmStore inner;
    FaultyCrmStore store(inner, FaultSchedule{.seed = seed, .fail = 0.3, .lost_reply = 0.3});
    std::string seen;
    for (int i = 0; i < 64; ++i) seen += store.apply(lead_batch(fmt::format("c{}", i))) ? '+' : '-';
    return seen;
  };
  CHECK(run(9) == run(9));
  CHECK(run(9) != run(10));
}

TEST_CASE("R-I1 R-I2 R-I3 R-L5 fault soak over MemoryCrmStore: nothing lost, nothing doubled") {
  MemoryCrmStore store;
  SoakOptions o;
  o.calls = 1500;
  const SoakReport r = run_fault_soak(store, o);
  for (const auto& f : r.failures) FAIL_CHECK(to_string(f));
  CHECK(r.calls == 1500);
  CHECK(r.activities == 1500);
  CHECK(r.leads == r.unknown_numbers_called);
  CHECK(r.faults.lost_replies > 0);
  CHECK(r.faults.outages > 0);
  CHECK(r.reaped > 0);
}

#ifdef TELCRM_SOAK_WITH_SQLITE
TEST_CASE("R-I1 R-I2 R-I3 R-L5 fault soak over SqliteCrmStore: nothing lost, nothing doubled") {
  telcrm_test::TempDir dir;
  auto store =
      telcrm_test::open_store(dir.file("soak.db"), SqliteOptions{.synchronous = SqliteSync::off});
  SoakOptions o;
  o.calls = 1000;
  const SoakReport r = run_fault_soak(*store, o);
  for (const auto& f : r.failures) FAIL_CHECK(to_string(f));
  CHECK(r.activities == 1000);
  CHECK(r.leads == r.unknown_numbers_called);
}
#endif
