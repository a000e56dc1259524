// SPDX-License-Identifier: Apache-2.0
// Whole calls through the CallEngine with the PostgreSQL store, as nodes do: each node (a
// thread with its own store — its own connections — and engine) plays calls and flushes its
// queued writes every 64 calls, as a busy node's worker finds them waiting. Two ways to write:
//   group — the store as the engine sees it (PostgresCrmStore::apply_linked): up to 64 flushed
//           batches in one transaction, their reads and then their writes pipelined (two
//           round trips), one commit; a call's lead creation, reassignment and activity share
//           the group too
//   naive — one transaction per batch (CrmStore's default apply_all, apply() one by one, the
//           engine's groups ending before a batch that refers to an earlier one): one commit
//           each
// for known clients (one batch per call: activity + history) and unknown callers (three: the
// lead and its claim, the reassignment, activity + history), on 1 and 4 nodes. Counter:
// calls per second (all nodes together), real time.
//
// Needs a server: TELCRM_BENCH_PG is the conninfo of an empty database (bench/postgres_bench.sh
// starts a throwaway cluster with fsync on and sets it); TELCRM_BENCH_PG_SYNC=off runs the
// stores with synchronous_commit off. Without TELCRM_BENCH_PG the program says so and stops.
#include "bench_calls.hpp"

#include <telcrm/engine/call_engine.hpp>
#include <telcrm/memory/memory_directory.hpp>
#include <telcrm/postgres/postgres_crm_store.hpp>
#include <telcrm/sim/null_telephony.hpp>

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <string>

namespace {

using namespace telcrm;

constexpr std::size_t clients = 20000;
constexpr std::size_t calls_per_flush = 64;

void check(bool ok, const std::string& what) {
  if (!ok) {
    fmt::print(stderr, "postgres_bench: {} failed\n", what);
    std::abort();
  }
}

std::string conninfo() {
  const char* info = std::getenv("TELCRM_BENCH_PG");
  return info ? info : "";
}

PostgresOptions options() {
  PostgresOptions o;
  const char* sync = std::getenv("TELCRM_BENCH_PG_SYNC");
  o.synchronous_commit = !(sync && std::string(sync) == "off");
  o.phone_keys = IndexOptions{*Region::from_code("RU"), 0};
  return o;
}

std::string caller(std::size_t i) {
  return fmt::format("+7916{:03}{:02}{:02}", i / 10000 % 1000, i / 100 % 100, i % 100);
}

// The database: `clients` contacts (written the way people write them), imported once.
void prepare() {
  static const bool done = [] {
    auto store = PostgresCrmStore::open(conninfo(), options());
    check(store.has_value(), store ? "" : "open: " + store.error().message());
    if (!*(*store)->has_data()) {
      CrmSnapshot crm;
      for (std::size_t i = 0; i < clients; ++i) {
        Contact c;
        c.id = static_cast<EntityId>(i + 1);
        c.name = "Client";
        c.phones = {
            fmt::format("8 (916) {:03}-{:02}-{:02}", i / 10000 % 1000, i / 100 % 100, i % 100)};
        c.responsible = static_cast<EmployeeId>(i % 10 + 1);
        crm.contacts.push_back(std::move(c));
      }
      check((*store)->import(crm).has_value(), "import");
    }
    return true;
  }();
  (void)done;
}

// The store with one transaction per batch: CrmStore's own apply_all, apply() one by one.
class OneByOne final : public CrmStore {
 public:
  explicit OneByOne(PostgresCrmStore& s) : s_(s) {}
  Result<void> scan(CrmVisitor& v) const override { return s_.scan(v); }
  Result<std::optional<Contact>> find_contact(EntityId id) const override {
    return s_.find_contact(id);
  }
  Result<std::optional<Company>> find_company(EntityId id) const override {
    return s_.find_company(id);
  }
  Result<std::optional<Lead>> find_lead(EntityId id) const override { return s_.find_lead(id); }
  Result<std::optional<Deal>> find_deal(EntityId id) const override { return s_.find_deal(id); }
  Result<WriteReceipt> apply(const WriteBatch& b) override { return s_.apply(b); }
  const CrmChangeFeed* change_feed() const noexcept override { return s_.change_feed(); }

 private:
  PostgresCrmStore& s_;
};

std::atomic<std::size_t> next_call{0};
std::atomic<std::size_t> next_unknown{0};

// One node: its own store and engine.
struct Node {
  explicit Node(bool grouped) : directory(telcrm_bench::call_employees()) {
    auto opened = PostgresCrmStore::open(conninfo(), options());
    check(opened.has_value(), "open");
    store = std::move(*opened);
    if (!grouped) one_by_one = std::make_unique<OneByOne>(*store);
    CrmStore& port = grouped ? static_cast<CrmStore&>(*store) : *one_by_one;
    EngineOptions o;
    o.remembered_calls = 1024;
    o.claim_window = store->claim_window();
    auto e = CallEngine::create(telcrm_bench::call_settings(QueueSettings{}.distribution),
                                Ports{port, directory, telephony, clock}, o);
    check(e.has_value(), "engine");
    engine = std::move(*e);
  }
  // `calls_per_flush` calls, then their writes.
  void calls(bool known) {
    for (std::size_t i = 0; i < calls_per_flush; ++i) {
      const std::size_t n = next_call.fetch_add(1);
      const std::string id = fmt::format("pb{}", n);
      std::string from;
      EmployeeId answerer = 1;
      if (known) {
        const std::size_t client = (n * 7919) % clients;
        from = caller(client);
        answerer = static_cast<EmployeeId>(client % 10 + 1);
      } else {
        from = fmt::format("+7926{:07}", next_unknown.fetch_add(1) % 10000000);
      }
      const auto now = clock.now();
      auto started =
          engine->start_call(CallStart{id, CallDirection::incoming, telcrm_bench::line_number, from,
                                       std::nullopt, std::nullopt, now});
      auto answered = engine->answered(Answered{id, 0, answerer, std::nullopt});
      auto ended = engine->end_call(CallEnd{id, Seconds(60), {}, {}, {}, {}});
      check(started && answered && ended, "call " + id);
    }
    check(engine->flush() == 0, "flush");
  }
  std::unique_ptr<PostgresCrmStore> store;
  std::unique_ptr<OneByOne> one_by_one;
  MemoryDirectory directory;
  NullTelephony telephony;
  ManualClock clock{std::chrono::sys_days(std::chrono::year(2026) / 11 / 24)};
  std::unique_ptr<CallEngine> engine;
};

void calls(benchmark::State& state, bool grouped, bool known) {
  if (conninfo().empty()) {
    state.SkipWithError("TELCRM_BENCH_PG is not set (bench/postgres_bench.sh sets it)");
    return;
  }
  prepare();
  Node node(grouped);  // each thread is a node
  for (auto _ : state) node.calls(known);
  check(node.engine->stats().store_errors == 0, "store writes");
  state.counters["calls_per_second"] = benchmark::Counter(
      static_cast<double>(state.iterations() * calls_per_flush), benchmark::Counter::kIsRate);
}

void BM_KnownGroup(benchmark::State& s) {
  calls(s, true, true);
}
void BM_KnownNaive(benchmark::State& s) {
  calls(s, false, true);
}
void BM_UnknownGroup(benchmark::State& s) {
  calls(s, true, false);
}
void BM_UnknownNaive(benchmark::State& s) {
  calls(s, false, false);
}

// Fixed iterations: every run opens its nodes (connections) once, outside the timing. Each run
// lasts a second or more on the test machine: with fewer (4 to 8 flushes for the naive runs)
// a commit that waited longer than usual moved a ratio by a third from run to run.
BENCHMARK(BM_KnownGroup)
    ->Name("postgres/known/group")
    ->Iterations(160)
    ->UseRealTime()
    ->Threads(1)
    ->Threads(4);
BENCHMARK(BM_KnownNaive)
    ->Name("postgres/known/naive")
    ->Iterations(32)
    ->UseRealTime()
    ->Threads(1)
    ->Threads(4);
BENCHMARK(BM_UnknownGroup)
    ->Name("postgres/unknown/group")
    ->Iterations(80)
    ->UseRealTime()
    ->Threads(1)
    ->Threads(4);
BENCHMARK(BM_UnknownNaive)
    ->Name("postgres/unknown/naive")
    ->Iterations(16)
    ->UseRealTime()
    ->Threads(1)
    ->Threads(4);

}  // namespace

BENCHMARK_MAIN();
