// SPDX-License-Identifier: Apache-2.0
// SqliteCrmStore from several threads at once: one store shared by threads (its mutex), and
// two stores on one file (SQLite's locks) — no lost or duplicated writes, no data races
// (run under TSan by the tsan preset: label concurrency).
#include <telcrm/sqlite/sqlite_crm_store.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "sqlite/sqlite_fixture.hpp"

using namespace telcrm;
using namespace telcrm_test;

namespace {

WriteBatch lead_batch(const std::string& call, const std::string& number, Timestamp when) {
  Lead l;
  l.id = -1;  // named, for the activity's binding
  l.title = number + " - Incoming call";
  l.phones = {number};
  CallActivity a;
  a.call = call;
  a.bindings = {{EntityType::lead, -1}};
  a.start = when;
  CallRecord h;
  h.call = call;
  h.number = number;
  h.start = when;
  return {call,
          1,
          UnknownCallerClaim{number, when, Seconds(300)},
          {CreateLead{l}, WriteActivity{a}, RecordCall{h}}};
}

}  // namespace

TEST_CASE("Threads sharing one store: every batch applied once, one lead per number") {
  TempDir dir;
  auto store = open_store(dir.file("crm.db"));
  constexpr int threads = 4;
  constexpr int calls = 60;
  std::atomic<int> failures{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      for (int i = 0; i < calls; ++i) {
        const std::string number = "+7916000" + std::to_string(1000 + i % 20);
        // Each number is called by every thread at the same moment; each call is sent twice.
        const auto batch =
            lead_batch("t" + std::to_string(t) + "-" + std::to_string(i), number, at(24, 10));
        for (int k = 0; k < 2; ++k)
          if (!store->apply(batch)) ++failures;
        if (!store->data_version() || !store->changes_since(0)) ++failures;
        if (i % 10 == 0 && !store->snapshot()) ++failures;
      }
    });
  for (auto& th : pool) th.join();
  CHECK(failures.load() == 0);
  auto crm = store->snapshot();
  REQUIRE(crm.has_value());
  CHECK(crm->leads.size() == 20);
  CHECK(crm->history.size() == 20);  // a lost claim applies nothing of its batch
  std::set<std::string> winners;
  for (const auto& a : crm->activities) winners.insert(a.call);
  CHECK(winners.size() == 20);
}

TEST_CASE("Two stores on one file from two threads: claims and locks keep one lead per number") {
  TempDir dir;
  const auto path = dir.file("crm.db");
  auto a = open_store(path);
  auto b = open_store(path);
  std::atomic<int> failures{0};
  auto run = [&](SqliteCrmStore& store, const std::string& who) {
    for (int i = 0; i < 40; ++i) {
      const std::string number = "+7916111" + std::to_string(1000 + i);
      if (!store.apply(lead_batch(who + std::to_string(i), number, at(24, 11)))) ++failures;
    }
  };
  std::thread ta([&] { run(*a, "a"); });
  std::thread tb([&] { run(*b, "b"); });
  ta.join();
  tb.join();
  CHECK(failures.load() == 0);
  CHECK(a->counts()->leads == 40);
  CHECK(b->counts()->history == 40);
}
