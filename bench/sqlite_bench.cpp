// SPDX-License-Identifier: Apache-2.0
// Whole calls through the CallEngine with the SQLite store (a file, WAL, synchronous=NORMAL),
// on one thread, over a CRM of 100,000 contacts:
//   known_client_answered    — a known contact, its responsible answers, the activity and the
//                              history are written (one transaction)
//   unknown_caller_creates_lead — a new number each call: a lead is created while ringing
//                              (with its claim), reassigned to whoever answers, the activity
//                              written (three transactions)
// Counter: calls per second. And lookups side by side, on the same file: the engine's way (the
// in-memory index built from the store, CrmMatcher) against a plain indexed SQL query on the
// phones table (SqliteCrmStore::find_by_phone); half of the numbers are in the CRM.
#include "bench_calls.hpp"

#include <telcrm/crm/crm_index.hpp>
#include <telcrm/crm/crm_matcher.hpp>
#include <telcrm/crm/employee_index.hpp>
#include <telcrm/crm/exception_list.hpp>
#include <telcrm/engine/call_engine.hpp>
#include <telcrm/memory/memory_directory.hpp>
#include <telcrm/sim/null_telephony.hpp>
#include <telcrm/sqlite/sqlite_crm_store.hpp>

#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace {

using namespace telcrm;

constexpr std::size_t clients = 100000;

IntegrationSettings settings() {
  return telcrm_bench::call_settings(QueueSettings{}.distribution);  // the default
}

// The number of client `i`, as a caller sends it.
std::string caller(std::size_t i) {
  return fmt::format("+7916{:03}{:02}{:02}", i / 10000 % 1000, i / 100 % 100, i % 100);
}

void check(bool ok, const char* what) {
  if (!ok) {
    fmt::print(stderr, "sqlite_bench: {} failed\n", what);
    std::abort();
  }
}

// A database file holding `clients` contacts (written the way people write them), removed at
// the end.
struct Database {
  explicit Database(const char* name) {
    path = (std::filesystem::temp_directory_path() /
            fmt::format("telcrm-bench-{}-{}.db", name, ::getpid()))
               .string();
    remove();
    SqliteOptions options;  // WAL, synchronous = NORMAL
    options.phone_keys = IndexOptions{*Region::from_code("RU"), 0};
    auto opened = SqliteCrmStore::open(path, options);
    check(opened.has_value(), "open");
    store = std::move(*opened);
    CrmSnapshot crm;
    crm.contacts.reserve(clients);
    for (std::size_t i = 0; i < clients; ++i) {
      Contact c;
      c.id = static_cast<EntityId>(i + 1);
      c.name = "Client";
      c.phones = {
          fmt::format("8 (916) {:03}-{:02}-{:02}", i / 10000 % 1000, i / 100 % 100, i % 100)};
      c.responsible = static_cast<EmployeeId>(i % 10 + 1);
      crm.contacts.push_back(std::move(c));
    }
    check(store->import(crm).has_value(), "import");
  }
  ~Database() {
    store.reset();
    remove();
  }
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  void remove() const {
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix, ec);
  }
  std::string path;
  std::unique_ptr<SqliteCrmStore> store;
};

struct World {
  explicit World(const char* name) : db(name), directory(telcrm_bench::call_employees()) {
    EngineOptions options;
    options.remembered_calls = 1024;  // steady state: old results are forgotten
    auto e = CallEngine::create(settings(), Ports{*db.store, directory, telephony, clock}, options);
    check(e.has_value(), "engine");
    engine = std::move(*e);
  }
  Database db;
  MemoryDirectory directory;
  NullTelephony telephony;
  ManualClock clock{std::chrono::sys_days(std::chrono::year(2026) / 11 / 24)};
  std::unique_ptr<CallEngine> engine;
};

void run_call(World& w, const std::string& id, const std::string& from, EmployeeId answerer) {
  telcrm_bench::run_call(*w.engine, w.clock.now(), id, from, answerer);
}

// Google Benchmark calls each function several times (to size the runs, and once per
// repetition): the database and the engine are made once and kept, calls keep their numbering.
World& known_world() {
  static World w("known");
  return w;
}
World& unknown_world() {
  static World w("unknown");
  return w;
}

void BM_KnownClientAnswered(benchmark::State& state) {
  World& w = known_world();
  static std::size_t n = 0;
  const std::size_t first = n;
  for (auto _ : state) {
    const std::size_t client = (n * 7919) % clients;
    run_call(w, fmt::format("k{}", n), caller(client), static_cast<EmployeeId>(client % 10 + 1));
    ++n;
  }
  check(w.engine->stats().store_errors == 0, "store writes");
  state.counters["calls_per_second"] =
      benchmark::Counter(static_cast<double>(n - first), benchmark::Counter::kIsRate);
}

void BM_UnknownCallerCreatesLead(benchmark::State& state) {
  World& w = unknown_world();
  static std::size_t n = 0;
  const std::size_t first = n;
  for (auto _ : state) {
    w.clock.advance(Seconds(1));
    run_call(w, fmt::format("u{}", n), fmt::format("+7903{:07}", n % 10000000), 2);
    ++n;
  }
  check(w.engine->stats().store_errors == 0, "store writes");
  state.counters["calls_per_second"] =
      benchmark::Counter(static_cast<double>(n - first), benchmark::Counter::kIsRate);
  state.counters["leads"] = static_cast<double>(w.db.store->counts()->leads);
}

// The numbers looked up: half are clients' (as a PBX sends them), half are not in the CRM.
std::vector<std::string> lookups() {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < 4096; ++i)
    out.push_back(i % 2 == 0 ? caller((i * 7919) % clients) : fmt::format("+7903{:07}", i));
  return out;
}

Database& lookup_database() {
  static Database db("lookup");
  return db;
}

void BM_LookupEngineIndex(benchmark::State& state) {
  static CrmIndex index(IndexOptions{*Region::from_code("RU"), 0});
  static const bool built = index.rebuild(*lookup_database().store).has_value();
  check(built, "index");
  const ExceptionList exceptions(*Region::from_code("RU"));
  const EmployeeIndex employees;
  const CrmMatcher matcher;
  const auto numbers = lookups();
  std::size_t n = 0, found = 0;
  for (auto _ : state) {
    const MatchRequest request{numbers[n++ % numbers.size()], *Region::from_code("RU"), true,
                               std::nullopt};
    const MatchResult r = matcher.match(request, index.snapshot(), exceptions, employees);
    found += r.crm == CrmState::matched ? 1 : 0;
    benchmark::DoNotOptimize(r);
  }
  check(found * 2 + 1 >= n, "lookups found their clients");
}

void BM_LookupSqlPhones(benchmark::State& state) {
  Database& db = lookup_database();
  const auto numbers = lookups();
  std::size_t n = 0, found = 0;
  for (auto _ : state) {
    auto r = db.store->find_by_phone(numbers[n++ % numbers.size()]);
    found += r && !r->empty() ? 1 : 0;
    benchmark::DoNotOptimize(r);
  }
  check(found * 2 + 1 >= n, "lookups found their clients");
}

}  // namespace

BENCHMARK(BM_KnownClientAnswered)->Name("sqlite/known_client_answered")->MinTime(2.0);
BENCHMARK(BM_UnknownCallerCreatesLead)->Name("sqlite/unknown_caller_creates_lead")->MinTime(2.0);
BENCHMARK(BM_LookupEngineIndex)->Name("sqlite/lookup_engine_index");
BENCHMARK(BM_LookupSqlPhones)->Name("sqlite/lookup_sql_phones");
BENCHMARK_MAIN();
