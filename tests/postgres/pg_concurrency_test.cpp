// SPDX-License-Identifier: Apache-2.0
// PostgresCrmStore from several threads at once: one store shared by threads (its writing,
// reading and listening connections), and several stores — nodes — writing groups on one
// database: no lost or duplicated write, one lead per number, no data race (run under TSan
// by the tsan preset: label concurrency).
#include <telcrm/postgres/postgres_crm_store.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "postgres/pg_fixture.hpp"

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
          {CreateLead{l}, WriteActivity{a}, RecordCall{h}},
          when};
}

}  // namespace

TEST_CASE("R-I1 R-I2 threads sharing one store: every batch applied once, one lead per number") {
  Schema schema;
  auto store = open_store(schema.conninfo());
  constexpr int threads = 4;
  constexpr int calls = 40;
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
        if (!store->data_version() || !store->changes_since(0) || !store->version()) ++failures;
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

TEST_CASE("R-I1 R-I2 four nodes writing groups at once: one lead per number, each batch once") {
  Schema schema;
  open_store(schema.conninfo()).reset();
  constexpr int nodes = 4;
  constexpr int numbers = 30;
  std::atomic<int> failures{0};
  std::atomic<int> replays{0};
  std::vector<std::thread> pool;
  for (int n = 0; n < nodes; ++n)
    pool.emplace_back([&, n] {
      auto store = PostgresCrmStore::open(schema.conninfo());
      if (!store) {
        ++failures;
        return;
      }
      // Each node gets every call (the same call ids: R-I1) in its own order, in groups.
      std::vector<WriteBatch> all;
      for (int i = 0; i < numbers; ++i) {
        const int k = (i * 7 + n * 11) % numbers;
        all.push_back(lead_batch("call-" + std::to_string(k), "+7916111" + std::to_string(1000 + k),
                                 at(24, 11)));
      }
      for (std::size_t first = 0; first < all.size(); first += 6) {
        std::span<const WriteBatch> group(all.data() + first,
                                          std::min<std::size_t>(6, all.size() - first));
        for (const auto& r : (*store)->apply_all(group)) {
          if (!r)
            ++failures;
          else if (r->replayed)
            ++replays;
        }
      }
      (void)(*store)->data_version();
    });
  for (auto& th : pool) th.join();
  CHECK(failures.load() == 0);
  CHECK(replays.load() == (nodes - 1) * numbers);
  auto counts = open_store(schema.conninfo())->counts();
  CHECK(counts->leads == numbers);
  CHECK(counts->history == numbers);
  CHECK(counts->receipts == numbers);
}

TEST_CASE("Stores opened and closed while others write and notify") {
  Schema schema;
  auto writer = open_store(schema.conninfo());
  std::atomic<bool> stop{false};
  std::thread writes([&] {
    for (int i = 0; !stop.load(); ++i)
      (void)writer->apply(
          lead_batch("w" + std::to_string(i), "+7916222" + std::to_string(1000 + i), at(24, 12)));
  });
  for (int i = 0; i < 5; ++i) {
    auto reader = open_store(schema.conninfo());
    const auto v = *reader->data_version();
    CHECK(eventually([&] { return *reader->data_version() != v; }));
    CHECK(reader->changes_since(0)->complete);
  }
  stop.store(true);
  writes.join();
}
