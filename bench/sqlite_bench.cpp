// SPDX-License-Identifier: Apache-2.0
// Whole calls through the CallEngine with the SQLite store (a file, WAL, synchronous=NORMAL),
// on one thread, over a CRM of 100,000 contacts:
//   known_client_answered    — a known contact, its responsible answers, the activity and the
//                              history are written (one transaction)
//   unknown_caller_creates_lead — a new number each call: a lead is created while ringing
//                              (with its claim), reassigned to whoever answers, the activity
//                              written (three batches, one transaction: apply_linked)
// Counter: calls per second. The same calls flushed 32 at a time (as an EngineWorker under load
// does), their batches applied one transaction each (`one_by_one`: the port's default
// apply_all(), as the store did before) or grouped into one transaction per apply_all()
// (`grouped`), with synchronous = NORMAL and FULL — the before and after of grouping, in one
// run. And lookups side by side, on the same file: the engine's way (the in-memory index built
// from the store, CrmMatcher) against a plain indexed SQL query on the phones table
// (SqliteCrmStore::find_by_phone); half of the numbers are in the CRM.
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
#include <map>
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
  explicit Database(const std::string& name, SqliteSync sync = SqliteSync::normal) {
    path = (std::filesystem::temp_directory_path() /
            fmt::format("telcrm-bench-{}-{}.db", name, ::getpid()))
               .string();
    remove();
    SqliteOptions options;  // WAL, synchronous = NORMAL unless told
    options.synchronous = sync;
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

// The store as it was before apply_all() grouped: every batch its own transaction (the port's
// default apply_all()), for the "before" figure of the same run.
class OneByOne final : public CrmStore {
 public:
  explicit OneByOne(SqliteCrmStore& store) : store_(store) {}
  Result<void> scan(CrmVisitor& v) const override { return store_.scan(v); }
  Result<std::optional<Contact>> find_contact(EntityId id) const override {
    return store_.find_contact(id);
  }
  Result<std::optional<Company>> find_company(EntityId id) const override {
    return store_.find_company(id);
  }
  Result<std::optional<Lead>> find_lead(EntityId id) const override { return store_.find_lead(id); }
  Result<std::optional<Deal>> find_deal(EntityId id) const override { return store_.find_deal(id); }
  Result<WriteReceipt> apply(const WriteBatch& batch) override { return store_.apply(batch); }
  const CrmChangeFeed* change_feed() const noexcept override { return store_.change_feed(); }

 private:
  SqliteCrmStore& store_;
};

struct World {
  explicit World(const std::string& name, bool grouped = true, SqliteSync sync = SqliteSync::normal)
      : db(name, sync), one_by_one(*db.store), directory(telcrm_bench::call_employees()) {
    EngineOptions options;
    options.remembered_calls = 1024;  // steady state: old results are forgotten
    CrmStore& store = grouped ? static_cast<CrmStore&>(*db.store) : one_by_one;
    auto e = CallEngine::create(settings(), Ports{store, directory, telephony, clock}, options);
    check(e.has_value(), "engine");
    engine = std::move(*e);
  }
  Database db;
  OneByOne one_by_one;
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

// Calls flushed `flush_every` at a time: state.range(0) 0 = one_by_one, 1 = grouped;
// state.range(1) 1 = synchronous NORMAL, 2 = FULL; state.range(2) 0 = known clients, 1 = unknown
// callers (each creates a lead).
void BM_CallsFlushedTogether(benchmark::State& state) {
  constexpr std::size_t flush_every = 32;
  const bool grouped = state.range(0) == 1;
  const SqliteSync sync = state.range(1) == 2 ? SqliteSync::full : SqliteSync::normal;
  const bool unknown = state.range(2) == 1;
  static std::map<std::int64_t, std::unique_ptr<World>> worlds;
  static std::map<std::int64_t, std::size_t> counts;
  const std::int64_t key = state.range(0) * 100 + state.range(1) * 10 + state.range(2);
  auto& world = worlds[key];
  if (!world) world = std::make_unique<World>(fmt::format("flush{}", key), grouped, sync);
  World& w = *world;
  std::size_t& n = counts[key];
  const std::size_t first = n;
  for (auto _ : state) {
    w.clock.advance(Seconds(1));
    const std::size_t client = (n * 7919) % clients;
    const std::string id = fmt::format("f{}-{}", key, n);
    const std::string from = unknown ? fmt::format("+7904{:07}", n % 10000000) : caller(client);
    const auto now = w.clock.now();
    auto started =
        w.engine->start_call(CallStart{id, CallDirection::incoming, telcrm_bench::line_number, from,
                                       std::nullopt, std::nullopt, now});
    auto answered =
        w.engine->answered(Answered{id, 0, static_cast<EmployeeId>(client % 10 + 1), std::nullopt});
    auto ended = w.engine->end_call(CallEnd{id, Seconds(60), {}, {}, {}, {}});
    check(started && answered && ended, "call");
    if (++n % flush_every == 0) check(w.engine->flush() == 0, "flush");
  }
  check(w.engine->flush() == 0, "flush");
  check(w.engine->stats().store_errors == 0, "store writes");
  state.counters["calls_per_second"] =
      benchmark::Counter(static_cast<double>(n - first), benchmark::Counter::kIsRate);
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
  static const bool built = [] {
    auto loader = index.loader();
    if (!lookup_database().store->scan(loader)) return false;
    index.rebuild(std::move(loader));
    return true;
  }();
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
BENCHMARK(BM_CallsFlushedTogether)
    ->Name("sqlite/calls_flushed_every_32")
    ->ArgNames({"grouped", "sync", "unknown"})
    ->ArgsProduct({{0, 1}, {1, 2}, {0, 1}})
    ->MinTime(1.0);
BENCHMARK(BM_LookupEngineIndex)->Name("sqlite/lookup_engine_index");
BENCHMARK(BM_LookupSqlPhones)->Name("sqlite/lookup_sql_phones");
BENCHMARK_MAIN();
