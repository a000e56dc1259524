// SPDX-License-Identifier: Apache-2.0
// CrmIndex / CrmMatcher against the usual alternatives, on the same data, in one run:
//   std::unordered_map<std::string, id> keyed by the E.164 text, and SQLite with an index
//   on the key column queried through a prepared statement (in memory, so no disk I/O).
// For 100k, 1M and 10M stored numbers; half of the queries hit.
#include <telcrm/crm/crm_index.hpp>
#include <telcrm/crm/crm_matcher.hpp>

#include <benchmark/benchmark.h>
#include <fmt/core.h>
#include <sqlite3.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

namespace {

using telcrm::CrmIndex;
using telcrm::EntityRef;

// Counts what an unordered_map allocates, to report its bytes per number honestly.
std::size_t g_map_bytes = 0;
template <class T>
struct CountingAllocator {
  using value_type = T;
  CountingAllocator() = default;
  template <class U>
  CountingAllocator(const CountingAllocator<U>&) {}
  T* allocate(std::size_t n) {
    g_map_bytes += n * sizeof(T);
    return std::allocator<T>{}.allocate(n);
  }
  void deallocate(T* p, std::size_t n) {
    g_map_bytes -= n * sizeof(T);
    std::allocator<T>{}.deallocate(p, n);
  }
  friend bool operator==(const CountingAllocator&, const CountingAllocator&) { return true; }
};
using StringMap =
    std::unordered_map<std::string, std::int64_t, std::hash<std::string>, std::equal_to<>,
                       CountingAllocator<std::pair<const std::string, std::int64_t>>>;

// Numbers of several countries: the serial decides the number, `rng` only how it is written.
struct Generated {
  std::string written;  // as stored or as received
  std::string e164;
};
Generated make_number(std::mt19937_64& rng, std::uint64_t serial) {
  const std::uint64_t subscriber = (serial / 3) % 10000000;  // 7 digits
  const std::uint64_t block = (serial / 3) / 10000000;       // picks the area code
  const auto d7 = fmt::format("{:07}", subscriber);
  // Domestic (Russian) numbers are written either way; foreign ones with their country code,
  // as a CRM whose default region is RU holds them.
  const bool international = serial % 3 != 0 || rng() % 2 == 0;
  switch (serial % 3) {
    case 0: {  // Russia, mobile 9xx
      auto area = fmt::format("9{:02}", 10 + block % 80);
      std::string e164 = "+7" + area + d7;
      if (international)
        return {fmt::format("+7 {} {} {} {}", area, d7.substr(0, 3), d7.substr(3, 2), d7.substr(5)),
                e164};
      return {fmt::format("8 ({}) {}-{}-{}", area, d7.substr(0, 3), d7.substr(3, 2), d7.substr(5)),
              e164};
    }
    case 1: {  // Germany, mobile 15x … 17x
      auto area = fmt::format("1{}{}", 5 + block % 3, 1 + block % 9);
      std::string e164 = "+49" + area + d7;
      if (international) return {fmt::format("+49 {} {}", area, d7), e164};
      return {fmt::format("0{} {}", area, d7), e164};
    }
    default: {  // United States
      auto area = fmt::format("{}{:02}", 2 + block % 7, 1 + block % 98);
      std::string e164 = "+1" + area + d7;
      if (international)
        return {fmt::format("+1 {} {} {}", area, d7.substr(0, 3), d7.substr(3)), e164};
      return {fmt::format("({}) {}-{}", area, d7.substr(0, 3), d7.substr(3)), e164};
    }
  }
}

struct Dataset {
  std::size_t size = 0;
  std::unique_ptr<CrmIndex> index;
  StringMap map;
  std::size_t map_bytes = 0;
  sqlite3* db = nullptr;
  sqlite3_stmt* select = nullptr;
  std::vector<std::uint64_t> query_keys;  // normalised; half hit
  std::vector<std::string> query_e164;    // the same queries, as E.164 text
  std::vector<std::string> query_raw;     // the same queries, as written by a caller
  double rebuild_seconds = 0;

  ~Dataset() {
    sqlite3_finalize(select);
    sqlite3_close(db);
  }
};

telcrm::Region region(const char* code) {
  return *telcrm::Region::from_code(code);
}

// Holds the generated contacts, so rebuild_s times what the index does with a store's records
// (reading, normalising, building), not the generator.
class GeneratedStore final : public telcrm::CrmStore {
 public:
  GeneratedStore(std::size_t n, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    contacts_.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      auto& c = contacts_[i];
      c.id = static_cast<telcrm::EntityId>(i + 1);
      c.phones = {make_number(rng, i * 2).written};  // even serials are stored
      c.responsible = static_cast<telcrm::EmployeeId>(i % 50 + 1);
    }
  }
  telcrm::Result<void> scan(telcrm::CrmVisitor& visitor) const override {
    for (const auto& c : contacts_) visitor.visit(c);
    return {};
  }
  telcrm::Result<std::optional<telcrm::Contact>> find_contact(telcrm::EntityId) const override {
    return std::nullopt;
  }
  telcrm::Result<std::optional<telcrm::Company>> find_company(telcrm::EntityId) const override {
    return std::nullopt;
  }
  telcrm::Result<std::optional<telcrm::Lead>> find_lead(telcrm::EntityId) const override {
    return std::nullopt;
  }
  telcrm::Result<std::optional<telcrm::Deal>> find_deal(telcrm::EntityId) const override {
    return std::nullopt;
  }
  telcrm::Result<telcrm::WriteReceipt> apply(const telcrm::WriteBatch&) override {
    return telcrm::fail(telcrm::Errc::invalid_state, "read-only");
  }

 private:
  std::vector<telcrm::Contact> contacts_;
};

void check_sqlite(int rc, sqlite3* db) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    fmt::print(stderr, "sqlite: {}\n", sqlite3_errmsg(db));
    std::exit(1);
  }
}

std::unique_ptr<Dataset> g_data;

Dataset& data_for(std::size_t n) {
  if (g_data && g_data->size == n) return *g_data;
  g_data.reset();
  auto d = std::make_unique<Dataset>();
  d->size = n;
  constexpr std::uint64_t seed = 20261124;
  const telcrm::Region home = region("RU");
  const telcrm::PhoneNormalizer normalizer;

  d->index = std::make_unique<CrmIndex>(telcrm::IndexOptions{home});
  auto store_holder = std::make_unique<GeneratedStore>(n, seed);
  const GeneratedStore& store = *store_holder;
  auto t0 = std::chrono::steady_clock::now();
  auto loader = d->index->loader();
  if (!store.scan(loader)) std::exit(1);
  d->index->rebuild(std::move(loader));
  d->rebuild_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  store_holder.reset();

  check_sqlite(sqlite3_open(":memory:", &d->db), d->db);
  check_sqlite(sqlite3_exec(d->db,
                            "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
                            "CREATE TABLE phones(key INTEGER NOT NULL, entity INTEGER NOT NULL);",
                            nullptr, nullptr, nullptr),
               d->db);
  sqlite3_stmt* insert = nullptr;
  check_sqlite(sqlite3_prepare_v2(d->db, "INSERT INTO phones VALUES(?, ?)", -1, &insert, nullptr),
               d->db);
  check_sqlite(sqlite3_exec(d->db, "BEGIN", nullptr, nullptr, nullptr), d->db);
  g_map_bytes = 0;
  d->map.reserve(n);
  std::mt19937_64 rng(seed);
  for (std::size_t i = 0; i < n; ++i) {
    auto g = make_number(rng, i * 2);
    const auto key = normalizer.normalize(g.written, home).key();
    d->map.emplace(g.e164, static_cast<std::int64_t>(i + 1));
    sqlite3_bind_int64(insert, 1, static_cast<sqlite3_int64>(key));
    sqlite3_bind_int64(insert, 2, static_cast<sqlite3_int64>(i + 1));
    check_sqlite(sqlite3_step(insert), d->db);
    sqlite3_reset(insert);
  }
  sqlite3_finalize(insert);
  check_sqlite(sqlite3_exec(d->db, "COMMIT; CREATE INDEX phones_key ON phones(key);", nullptr,
                            nullptr, nullptr),
               d->db);
  // Strings inside the map that outgrow the small-string buffer allocate too; E.164 texts
  // (≤ 16 chars) stay inside it on libstdc++.
  d->map_bytes = g_map_bytes;
  check_sqlite(
      sqlite3_prepare_v2(d->db, "SELECT entity FROM phones WHERE key = ?", -1, &d->select, nullptr),
      d->db);

  // Queries: half are stored numbers (even serials), half are not (odd serials).
  std::mt19937_64 pick(7);
  constexpr std::size_t queries = 1 << 20;  // more than any cache holds: lookups go to memory
  for (std::size_t q = 0; q < queries; ++q) {
    const std::uint64_t serial = (pick() % n) * 2 + (q % 2);
    std::mt19937_64 format_rng(serial);
    auto g = make_number(format_rng, serial);
    d->query_raw.push_back(g.written);
    d->query_e164.push_back(g.e164);
    d->query_keys.push_back(normalizer.normalize(g.e164, home).key());
  }
  g_data = std::move(d);
  return *g_data;
}

void BM_IndexLookup(benchmark::State& state) {
  Dataset& d = data_for(static_cast<std::size_t>(state.range(0)));
  auto snapshot = d.index->snapshot();
  std::size_t i = 0, hits = 0;
  for (auto _ : state) {
    snapshot.for_each_posting(d.query_keys[i++ & (d.query_keys.size() - 1)],
                              [&](EntityRef, telcrm::WrittenForm) { ++hits; });
    benchmark::DoNotOptimize(hits);
  }
  const auto stats = d.index->stats();
  state.counters["bytes_per_number"] =
      static_cast<double>(stats.base_bytes) / static_cast<double>(stats.phones);
  state.counters["rebuild_s"] = d.rebuild_seconds;
}

void BM_UnorderedMapLookup(benchmark::State& state) {
  Dataset& d = data_for(static_cast<std::size_t>(state.range(0)));
  std::size_t i = 0, hits = 0;
  for (auto _ : state) {
    hits += d.map.count(d.query_e164[i++ & (d.query_e164.size() - 1)]);
    benchmark::DoNotOptimize(hits);
  }
  state.counters["bytes_per_number"] =
      static_cast<double>(d.map_bytes) / static_cast<double>(d.map.size());
}

void BM_SqliteLookup(benchmark::State& state) {
  Dataset& d = data_for(static_cast<std::size_t>(state.range(0)));
  std::size_t i = 0, hits = 0;
  for (auto _ : state) {
    sqlite3_bind_int64(d.select, 1,
                       static_cast<sqlite3_int64>(d.query_keys[i++ & (d.query_keys.size() - 1)]));
    while (sqlite3_step(d.select) == SQLITE_ROW) ++hits;
    sqlite3_reset(d.select);
    benchmark::DoNotOptimize(hits);
  }
}

// The whole match() of a raw string: normalisation, exception and employee checks, the tier
// cascade, ranking and bindings.
void BM_MatchRaw(benchmark::State& state) {
  Dataset& d = data_for(static_cast<std::size_t>(state.range(0)));
  const telcrm::Region home = region("RU");
  telcrm::ExceptionList exceptions(home);
  telcrm::EmployeeIndex employees;
  telcrm::CrmMatcher matcher;
  std::size_t i = 0;
  for (auto _ : state) {
    telcrm::MatchRequest request{.number = d.query_raw[i++ & (d.query_raw.size() - 1)],
                                 .region = home,
                                 .crm_lookup = true,
                                 .card = {}};
    auto result = matcher.match(request, d.index->snapshot(), exceptions, employees);
    benchmark::DoNotOptimize(result);
  }
}

// Building the phone table itself from normalised keys (what "building the index" costs once
// the numbers are read; rebuild_s above includes reading every stored string).
void BM_BuildTable(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  std::vector<telcrm::detail::PhoneTable::Entry> entries(n);
  std::mt19937_64 rng(3);
  for (std::size_t i = 0; i < n; ++i)
    entries[i] = {70000000000ULL + rng() % 10000000000ULL, static_cast<std::uint32_t>(i << 2)};
  for (auto _ : state) {
    telcrm::detail::PhoneTable table(entries);
    benchmark::DoNotOptimize(table);
  }
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  std::vector<long> sizes{100000, 1000000, 10000000};
  if (const char* only = std::getenv("TELCRM_BENCH_SIZES")) {  // e.g. "100000,1000000"
    sizes.clear();
    for (std::string s = only; !s.empty();) {
      auto comma = s.find(',');
      sizes.push_back(std::stol(s.substr(0, comma)));
      s = comma == std::string::npos ? "" : s.substr(comma + 1);
    }
  }
  // Grouped by size so only one dataset lives at a time.
  for (long n : sizes) {
    benchmark::RegisterBenchmark("match/index_lookup", BM_IndexLookup)->Arg(n);
    benchmark::RegisterBenchmark("match/unordered_map_lookup", BM_UnorderedMapLookup)->Arg(n);
    benchmark::RegisterBenchmark("match/sqlite_lookup", BM_SqliteLookup)->Arg(n);
    benchmark::RegisterBenchmark("match/match_raw", BM_MatchRaw)->Arg(n);
    benchmark::RegisterBenchmark("match/build_table", BM_BuildTable)
        ->Arg(n)
        ->Unit(benchmark::kMillisecond)
        ->Iterations(3);
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  g_data.reset();
  return 0;
}
