// SPDX-License-Identifier: Apache-2.0
// Whole calls through the CallEngine with the in-memory ports, on one thread:
//   known_client  — a known contact, its responsible answers, the activity is written
//   unknown_caller — a new number each call: a lead is created while ringing, reassigned to
//                    whoever answers, the activity written
// Each iteration is one complete call (start, answer, end). Counter: calls per second.
//   end_call_while_remembering — the worst end_call while the memory of finished calls
//                    fills up (counters: worst, 99.9th percentile, median, in µs)
//   start_call_while_index_fills — the worst start_call of unknown callers while their
//                    leads fill the index's update log (the same counters)
#include "bench_calls.hpp"

#include <telcrm/engine/call_engine.hpp>
#include <telcrm/memory/memory_crm_store.hpp>
#include <telcrm/memory/memory_directory.hpp>
#include <telcrm/sim/null_telephony.hpp>

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

namespace {

using namespace telcrm;

IntegrationSettings settings() {
  return telcrm_bench::call_settings(Distribution::evenly);
}

struct World {
  explicit World(std::size_t known_clients, std::size_t remembered_calls = 1024) {
    CrmSnapshot crm;
    for (std::size_t i = 0; i < known_clients; ++i) {
      Contact c;
      c.id = static_cast<EntityId>(i + 1);
      c.name = "Client";
      c.phones = {
          fmt::format("8 (916) {:03}-{:02}-{:02}", i / 10000 % 1000, i / 100 % 100, i % 100)};
      c.responsible = static_cast<EmployeeId>(i % 10 + 1);
      crm.contacts.push_back(std::move(c));
    }
    store = std::make_unique<MemoryCrmStore>(crm);
    directory = std::make_unique<MemoryDirectory>(telcrm_bench::call_employees());
    EngineOptions options;
    options.remembered_calls = remembered_calls;  // 1024: steady state, old results forgotten
    engine = std::move(
        *CallEngine::create(settings(), Ports{*store, *directory, telephony, clock}, options));
  }
  std::unique_ptr<MemoryCrmStore> store;
  std::unique_ptr<MemoryDirectory> directory;
  NullTelephony telephony;
  ManualClock clock{std::chrono::sys_days(std::chrono::year(2026) / 11 / 24)};
  std::unique_ptr<CallEngine> engine;
};

void run_call(World& w, const std::string& id, const std::string& from, EmployeeId answerer) {
  telcrm_bench::run_call(*w.engine, w.clock.now(), id, from, answerer);
}

void BM_KnownClientAnswered(benchmark::State& state) {
  constexpr std::size_t clients = 100000;
  World w(clients);
  std::vector<std::string> numbers;
  for (std::size_t i = 0; i < 4096; ++i) {
    const std::size_t c = (i * 7919) % clients;
    numbers.push_back(
        fmt::format("+7916{:03}{:02}{:02}", c / 10000 % 1000, c / 100 % 100, c % 100));
  }
  std::size_t n = 0;
  for (auto _ : state) {
    const auto& from = numbers[n % numbers.size()];
    const std::size_t client = (n % numbers.size()) * 7919 % clients;
    run_call(w, fmt::format("k{}", n), from, static_cast<EmployeeId>(client % 10 + 1));
    ++n;
  }
  state.counters["calls_per_second"] =
      benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsRate);
}

void BM_UnknownCallerCreatesLead(benchmark::State& state) {
  World w(0);
  std::size_t n = 0;
  for (auto _ : state) {
    run_call(w, fmt::format("u{}", n), fmt::format("+7903{:07}", n % 10000000), 2);
    ++n;
  }
  state.counters["calls_per_second"] =
      benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsRate);
  state.counters["leads"] = static_cast<double>(w.store->snapshot()->leads.size());
}

// Counters `<what>_worst_us`, `_p999_us` and `_median_us` of the waits (µs) one run timed.
void report_waits(benchmark::State& state, const std::string& what, std::vector<double> waits) {
  std::sort(waits.begin(), waits.end());
  state.counters[what + "_worst_us"] = waits.back();
  state.counters[what + "_p999_us"] = waits[waits.size() * 999 / 1000];
  state.counters[what + "_median_us"] = waits[waits.size() / 2];
}

// The worst wait of one event while the engine's memory of finished calls (R-I1, 100,000 by
// default) fills up: every end_call timed over 90,000 known-client calls. Its figures are the
// counters (the worst end_call, the 99.9th percentile), not the time per iteration.
void BM_EndCallWhileRemembering(benchmark::State& state) {
  constexpr std::size_t calls = 90000;
  for (auto _ : state) {
    World w(1000, EngineOptions{}.remembered_calls);
    std::vector<double> waits;
    waits.reserve(calls);
    for (std::size_t n = 0; n < calls; ++n) {
      const auto id = fmt::format("r{}", n);
      const auto from = fmt::format("8 (916) 000-{:02}-{:02}", n % 1000 / 100, n % 100);
      const auto now = w.clock.now();
      if (!w.engine->start_call(CallStart{id, CallDirection::incoming, telcrm_bench::line_number,
                                          from, std::nullopt, std::nullopt, now}) ||
          !w.engine->answered(Answered{id, 0, 1, std::nullopt})) {
        state.SkipWithError("call failed");
        return;
      }
      const auto t0 = std::chrono::steady_clock::now();
      auto ended = w.engine->end_call(CallEnd{id, Seconds(60), {}, {}, {}, {}});
      waits.push_back(
          std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
      benchmark::DoNotOptimize(ended);
      if (n % 64 == 63) (void)w.engine->flush();
    }
    report_waits(state, "end_call", waits);
  }
}

// The worst wait of a start_call while unknown callers' leads fill the index's update log
// (folded into a new base when full): 150,000 calls, each start_call timed, with flush() and
// refresh() after every 64 calls as an EngineWorker runs them. Counters as above.
void BM_StartCallWhileIndexFills(benchmark::State& state) {
  constexpr std::size_t calls = 150000;
  for (auto _ : state) {
    World w(0);
    std::vector<double> waits;
    waits.reserve(calls);
    for (std::size_t n = 0; n < calls; ++n) {
      const auto id = fmt::format("f{}", n);
      const auto from = fmt::format("+7903{:07}", n);
      const auto now = w.clock.now();
      const auto t0 = std::chrono::steady_clock::now();
      auto started =
          w.engine->start_call(CallStart{id, CallDirection::incoming, telcrm_bench::line_number,
                                         from, std::nullopt, std::nullopt, now});
      waits.push_back(
          std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
      if (!started || !w.engine->answered(Answered{id, 0, 2, std::nullopt}) ||
          !w.engine->end_call(CallEnd{id, Seconds(60), {}, {}, {}, {}})) {
        state.SkipWithError("call failed");
        return;
      }
      if (n % 64 == 63) {
        (void)w.engine->flush();
        (void)w.engine->refresh();
      }
    }
    report_waits(state, "start_call", waits);
  }
}

}  // namespace

BENCHMARK(BM_StartCallWhileIndexFills)
    ->Name("engine/start_call_while_index_fills")
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_EndCallWhileRemembering)
    ->Name("engine/end_call_while_remembering")
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);
// TELCRM_BENCH_CALLS=N: exactly N calls each (else as many as 2 s hold), so that instruction
// counts (callgrind) compare runs of the same calls: the engine's per-call cost depends a
// little on how many calls came before (tables that grow, results remembered).
benchmark::internal::Benchmark* calls(benchmark::internal::Benchmark* b) {
  if (const char* n = std::getenv("TELCRM_BENCH_CALLS"); n != nullptr && std::atoll(n) > 0)
    return b->Iterations(std::atoll(n));
  return b->MinTime(2.0);
}

BENCHMARK(BM_KnownClientAnswered)->Name("engine/known_client_answered")->Apply([](auto* b) {
  calls(b);
});
BENCHMARK(BM_UnknownCallerCreatesLead)
    ->Name("engine/unknown_caller_creates_lead")
    ->Apply([](auto* b) { calls(b); });
BENCHMARK_MAIN();
