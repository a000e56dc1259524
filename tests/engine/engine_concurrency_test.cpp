// SPDX-License-Identifier: Apache-2.0
// R-I2 under load: 8 threads × 10,000 calls from 1,000 unknown numbers create exactly 1,000
// leads, and every call is bound to its number's lead; R-X3 under load: a swapped exception list
// is never seen half-replaced. Runs under ThreadSanitizer in CI.
#include <telcrm/engine/call_engine.hpp>
#include <telcrm/engine/engine_worker.hpp>
#include <telcrm/memory/memory_crm_store.hpp>
#include <telcrm/memory/memory_directory.hpp>
#include <telcrm/sim/null_telephony.hpp>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <atomic>
#include <map>
#include <thread>

#include "engine/office.hpp"

using namespace telcrm;
using namespace telcrm_test;

TEST_CASE("R-I2 8 threads x 10,000 calls from 1,000 unknown numbers create exactly 1,000 leads") {
#if defined(__SANITIZE_THREAD__)
  constexpr int calls_per_thread = 2500;  // the same races, in the time TSan allows
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
  constexpr int calls_per_thread = 2500;
#else
  constexpr int calls_per_thread = 10000;
#endif
#else
  constexpr int calls_per_thread = 10000;
#endif
  constexpr int threads = 8;
  constexpr int numbers = 1000;
  IntegrationSettings settings;
  settings.default_region = *Region::from_code("RU");
  const std::vector<Employee> employees = {Employee{.id = 1, .name = "Anna"},
                                           Employee{.id = 2, .name = "Boris"}};
  QueueSettings queue;
  queue.id = "q";
  queue.members = {1, 2};
  queue.distribution = Distribution::all;
  settings.queues = {queue};
  LineSettings line;
  line.number = "+74950000000";
  line.queue = "q";
  settings.lines = {line};

  MemoryCrmStore store;
  MemoryDirectory directory(employees);
  NullTelephony telephony;
  ManualClock clock(std::chrono::sys_days(std::chrono::year(2026) / 11 / 24));
  auto engine = CallEngine::create(settings, Ports{store, directory, telephony, clock});
  REQUIRE(engine.has_value());
  // The writes are applied meanwhile by a worker thread, as a host would run it.
  EngineWorker worker(**engine, clock);

  std::atomic<int> failures{0};
  std::vector<std::vector<std::pair<int, CallResult>>> results(threads);
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (int i = 0; i < calls_per_thread; ++i) {
        const int n = (i * 7 + t * 131) % numbers;  // every thread walks all numbers
        const std::string id = fmt::format("t{}-{}", t, i);
        const std::string from = fmt::format("+7916{:07}", n);
        auto started =
            (*engine)->start_call(CallStart{id, CallDirection::incoming, line.number, from,
                                            std::nullopt, std::nullopt, clock.now()});
        auto answered = (*engine)->answered(Answered{id, 0, 1 + (i % 2), std::nullopt});
        auto ended = (*engine)->end_call(CallEnd{id, Seconds(10), {}, {}, {}, {}});
        if (!started || !answered || !ended) {
          failures.fetch_add(1);
          continue;
        }
        results[t].emplace_back(n, std::move(*ended));
      }
    });
  }
  for (auto& w : workers) w.join();
  worker.stop();
  CHECK((*engine)->flush() == 0);
  CHECK(failures.load() == 0);
  CHECK((*engine)->stats().dropped_writes == 0);
  CHECK((*engine)->stats().store_errors == 0);

  auto crm = store.snapshot();
  REQUIRE(crm.has_value());
  CHECK(crm->leads.size() == numbers);
  std::map<std::string, EntityId> lead_of;  // E.164 → lead id
  for (const auto& lead : crm->leads) {
    const auto e164 = lead.phones.at(0);
    CHECK(lead_of.count(e164) == 0);  // no duplicates
    lead_of[e164] = lead.id;
  }
  std::size_t bound = 0;
  for (const auto& per_thread : results)
    for (const auto& [n, r] : per_thread) {
      const auto e164 = fmt::format("+7916{:07}", n);
      REQUIRE(r.activity.has_value());
      const EntityRef expected{EntityType::lead, lead_of.at(e164)};
      // As written: the store's ids in place of the provisional one the call bound to.
      const auto written = (*engine)->result(r.call);
      REQUIRE(written.has_value());
      bound += written->activity->bindings == std::vector<EntityRef>{expected} ? 1 : 0;
    }
  CHECK(bound == static_cast<std::size_t>(threads * calls_per_thread));
  CHECK(crm->activities.size() == static_cast<std::size_t>(threads * calls_per_thread));
}

TEST_CASE("R-X3 the exception list is swapped whole: no call sees a half-replaced list") {
  // 3,000 listed numbers, among them the caller's. update_settings() replaces the list with
  // one that still holds the caller: a call that saw a list being taken apart and rebuilt
  // entry by entry (as before) would find the caller missing and route it as unknown.
  Office office = Office::moscow();
  for (int i = 0; i < 3000; ++i)
    office.settings.exceptions.phones.push_back(fmt::format("+7903{:07}", i));
  office.settings.exceptions.phones.push_back("+79161234567");
  MemoryCrmStore store;
  MemoryDirectory directory(office.employees);
  struct Silent final : Telephony {
    Result<void> ring(std::string_view, std::span<const EmployeeId>, Seconds) override {
      return {};
    }
    Result<void> forward(std::string_view, std::string_view, Seconds) override { return {}; }
    Result<void> voicemail(std::string_view, EmployeeId) override { return {}; }
    Result<void> hang_up(std::string_view) override { return {}; }
  } telephony;
  ManualClock clock(tuesday(10));
  auto engine = CallEngine::create(office.settings, Ports{store, directory, telephony, clock});
  REQUIRE(engine.has_value());

  std::atomic<bool> stop{false};
  std::atomic<int> calls{0};
  std::atomic<int> not_excepted{0};
  std::thread caller([&] {
    for (int i = 0; !stop.load() || i < 50; ++i) {
      auto r = (*engine)->start_call(incoming(fmt::format("x{}", i), "+79161234567"));
      if (!r || r->crm != CrmState::excepted) ++not_excepted;
      ++calls;
    }
  });
  for (int round = 0; round < 10; ++round) {
    IntegrationSettings next = office.settings;
    next.exceptions.phones.push_back(fmt::format("+7904{:07}", round));  // a different list
    REQUIRE((*engine)->update_settings(next).has_value());
  }
  stop = true;
  caller.join();
  CHECK(calls.load() >= 50);
  CHECK(not_excepted.load() == 0);
  CHECK((*engine)->exceptions().contains_phone("+79040000009"));
}
