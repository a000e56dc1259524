// SPDX-License-Identifier: Apache-2.0
// PostgresCrmStore against its references: the same random batches (valid and dangling
// references, local references, claims, repeats — one by one and grouped by apply_all) give
// MemoryCrmStore's receipts, errors and CRM; and every scenario (../shared/scenarios and
// tests/scenarios) replays to the output and CRM the SQLite store and the memory store give.
// One writer, so ids are compared as they are: the identity columns leave no gap (a refused,
// lost or replayed batch takes no id).
#include <telcrm/json/scenario_json.hpp>
#include <telcrm/memory/memory_crm_store.hpp>
#include <telcrm/postgres/postgres_crm_store.hpp>
#include <telcrm/sim/replay.hpp>
#include <telcrm/sqlite/sqlite_crm_store.hpp>
#include <telcrm/sqlite/sqlite_replay.hpp>

#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "postgres/pg_fixture.hpp"
#include "shared_scenarios.hpp"

using namespace telcrm;
using namespace telcrm_test;
namespace fs = std::filesystem;

namespace {

// Random batches over a small id space, so that references hit existing records, dangling
// ids and the batch's own local names alike; a third of the batches claim one of six numbers.
class Batches {
 public:
  explicit Batches(std::uint64_t seed) : rng_(seed) {}

  WriteBatch next(std::size_t n) {
    if (!sent_.empty() && pick(8) == 0) return sent_[pick(sent_.size())];  // R-I1: a repeat
    WriteBatch b;
    b.call = "c" + std::to_string(pick(40));
    b.seq = static_cast<std::uint32_t>(pick(4));
    b.at = at(24, 10) + Seconds(static_cast<long>(n));
    std::array<EntityId, 5> named{};  // how many records of each type the batch named so far
    for (std::size_t i = 0, ops = 1 + pick(5); i < ops; ++i) b.ops.push_back(op(named));
    if (pick(3) == 0)
      b.claim = UnknownCallerClaim{number(), at(24, 10) + Seconds(static_cast<long>(pick(900))),
                                   Seconds(300)};
    if (n % 3 == 0) sent_.push_back(b);
    return b;
  }

 private:
  std::size_t pick(std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_);
  }
  std::string number() { return "+7916000000" + std::to_string(pick(6)); }
  EntityType type() { return static_cast<EntityType>(pick(5)); }
  std::optional<EntityId> ref(EntityType t, const std::array<EntityId, 5>& named) {
    switch (pick(5)) {
      case 0: return std::nullopt;
      case 1: return static_cast<EntityId>(40 + pick(20));  // mostly dangling
      case 2: return -static_cast<EntityId>(1 + pick(2));   // a name, maybe not given yet
      default: {
        const auto made = named[static_cast<std::size_t>(t)];
        return made > 0 && pick(2) == 0 ? -made : static_cast<EntityId>(1 + pick(8));
      }
    }
  }
  // The id of a create: the next name of its type (or, sometimes, no name).
  EntityId name(EntityType t, std::array<EntityId, 5>& named) {
    if (pick(4) == 0) return 0;
    return -(++named[static_cast<std::size_t>(t)]);
  }
  WriteOp op(std::array<EntityId, 5>& named) {
    switch (pick(10)) {
      case 0: {
        Lead l;
        l.title = "lead";
        l.phones = {number()};
        l.contact = ref(EntityType::contact, named);
        l.company = ref(EntityType::company, named);
        l.repeat = pick(2) == 0;
        l.modified = at(24, 9);
        l.source = pick(2) == 0 ? std::optional<std::string>("CALL") : std::nullopt;
        l.id = name(EntityType::lead, named);
        return CreateLead{l};
      }
      case 1: {
        Contact c{0,
                  "contact \"q\" \\ \t",
                  {number(), "8 916 000-00-01"},
                  {"a@b.c"},
                  static_cast<EmployeeId>(pick(3)),
                  {}};
        c.company = ref(EntityType::company, named);
        c.id = name(EntityType::contact, named);
        return CreateContact{c};
      }
      case 2: {
        Company c{0, "company", {number()}, {}, std::nullopt};
        c.id = name(EntityType::company, named);
        return CreateCompany{c};
      }
      case 3: {
        Deal d;
        d.title = "deal";
        d.contact = ref(EntityType::contact, named);
        d.company = ref(EntityType::company, named);
        d.stage = static_cast<DealStage>(pick(3));
        d.pipeline = static_cast<std::int64_t>(pick(3));
        d.id = name(EntityType::deal, named);
        return CreateDeal{d};
      }
      case 4: {
        const auto t = type();
        auto id = ref(t, named);
        Invoice v{0, 10.5 * static_cast<double>(pick(9)), {t, id.value_or(1)}, 1, "c"};
        v.id = name(EntityType::invoice, named);
        return CreateInvoice{v};
      }
      case 5: {
        const auto t = type();
        return Reassign{{t, ref(t, named).value_or(2)}, static_cast<EmployeeId>(1 + pick(4))};
      }
      case 6: {
        CallActivity a;
        a.call = "c" + std::to_string(pick(40));
        a.subject = "Incoming call";
        a.start = at(24, 10);
        for (std::size_t i = 0, n = pick(3); i < n; ++i) {
          const auto t = type();
          a.bindings.push_back({t, ref(t, named).value_or(1)});
        }
        return WriteActivity{a};
      }
      case 7: return RecordMissedCall{{number(), "c" + std::to_string(pick(40)), std::nullopt}};
      case 8: return MarkCalledBack{number(), "c" + std::to_string(pick(40))};
      default: {
        if (pick(3) == 0) return AttachRecording{"c" + std::to_string(pick(40)), "https://rec/x"};
        CallRecord h;
        h.call = "c" + std::to_string(pick(40));
        h.number = number();
        h.start = at(24, 10);
        h.crm = static_cast<CrmState>(pick(5));
        return RecordCall{h};
      }
    }
  }

  std::mt19937_64 rng_;
  std::vector<WriteBatch> sent_;
};

}  // namespace

TEST_CASE("Random batches give the reference's receipts, errors and CRM (apply and apply_all)") {
  for (std::uint64_t seed : {1, 2, 3}) {
    CAPTURE(seed);
    Schema schema;
    const CrmSnapshot start = rich_snapshot();
    MemoryCrmStore memory(start);
    auto store = open_store(schema.conninfo());
    REQUIRE(store->import(start).has_value());
    Batches gen(seed);
    std::size_t applied = 0, refused = 0, lost = 0, replayed = 0;
    std::mt19937_64 groups(seed);
    for (std::size_t i = 0; i < 300;) {
      // Alternately one batch through apply() and a group of up to 12 through apply_all().
      const std::size_t n = (i / 7) % 2 == 0 ? 1 : 1 + groups() % 12;
      std::vector<WriteBatch> batch;
      for (std::size_t k = 0; k < n; ++k) batch.push_back(gen.next(i + k));
      std::vector<Result<WriteReceipt>> actual;
      if (n == 1)
        actual.push_back(store->apply(batch[0]));
      else
        actual = store->apply_all(batch);
      REQUIRE(actual.size() == n);
      for (std::size_t k = 0; k < n; ++k, ++i) {
        CAPTURE(i);
        auto expected = memory.apply(batch[k]);
        REQUIRE(actual[k].has_value() == expected.has_value());
        if (expected) {
          CHECK(*actual[k] == *expected);
          ++applied;
          lost += expected->claimed_by && !expected->replayed ? 1 : 0;
          replayed += expected->replayed ? 1 : 0;
        } else {
          CHECK(actual[k].error() == expected.error());
          ++refused;
        }
      }
      if (i % 50 < n) REQUIRE(*store->snapshot() == *memory.snapshot());
    }
    CHECK(*store->snapshot() == *memory.snapshot());
    CHECK(applied > 50);  // the generator exercises every outcome
    CHECK(refused > 50);
    CHECK(lost > 5);
    CHECK(replayed > 5);
  }
}

namespace {

std::vector<fs::path> scenarios() {
  std::vector<fs::path> out;
  const auto shared = telcrm_test::shared_scenarios(TELCRM_SHARED_SCENARIOS);
  REQUIRE_MESSAGE(shared.problem.empty(), shared.problem);
  std::vector<fs::path> dirs{fs::path(TELCRM_OWN_SCENARIOS)};
  if (shared.dir) dirs.insert(dirs.begin(), *shared.dir);
  for (const fs::path& dir : dirs) {
    for (const auto& entry : fs::directory_iterator(dir)) {
      const auto name = entry.path().filename().string();
      if (entry.path().extension() == ".json" && name.find(".expect.") == std::string::npos)
        out.push_back(entry.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string bytes_of(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("Every scenario replays into PostgreSQL exactly as into SQLite and into memory") {
  const auto files = scenarios();
  CHECK(files.size() >= 15);
  const fs::path tmp =
      fs::temp_directory_path() / ("telcrm-pg-differential-" + std::to_string(::getpid()));
  fs::create_directories(tmp);
  // One schema, emptied between scenarios (identities restarted): a new one each time would
  // spend most of the test creating schemas.
  Schema schema;
  auto store = open_store(schema.conninfo());
  auto raw = schema.raw();
  for (const auto& file : files) {
    CAPTURE(file.string());
    auto scenario = scenario_from_json(bytes_of(file));
    REQUIRE_MESSAGE(scenario.has_value(), scenario.error().message());
    auto memory = replay(*scenario);
    REQUIRE(memory.has_value());

    const auto db = tmp / (file.stem().string() + ".db");
    fs::remove(db);
    auto sqlite = SqliteCrmStore::open(db.string());
    REQUIRE(sqlite.has_value());
    auto lite = replay_resumable(*scenario, **sqlite);
    REQUIRE_MESSAGE(lite.has_value(), lite.error().message());

    raw->exec(
        "TRUNCATE contacts, companies, leads, deals, invoices, phones, emails, activities, "
        "activity_bindings, missed_calls, history, receipts, claims, employees, changes "
        "RESTART IDENTITY CASCADE");
    REQUIRE(store->save_settings(scenario->settings, scenario->employees).has_value());
    REQUIRE(store->import(scenario->crm).has_value());
    auto pg = replay(*scenario, *store);
    REQUIRE_MESSAGE(pg.has_value(), pg.error().message());
    const std::string ours = replay_output_to_json(pg->calls, pg->crm_after);
    CHECK(ours == replay_output_to_json(lite->output.calls, lite->output.crm_after));
    CHECK(ours == replay_output_to_json(memory->calls, memory->crm_after));
  }
  fs::remove_all(tmp);
}
