// SPDX-License-Identifier: Apache-2.0
// SqliteCrmStore against MemoryCrmStore, the reference: the same random batches (valid and
// dangling references, local references, claims, repeats) must give the same receipts and
// errors and leave the same CRM; and every scenario replays to the same output.
#include <telcrm/json/scenario_json.hpp>
#include <telcrm/memory/memory_crm_store.hpp>
#include <telcrm/sim/replay.hpp>
#include <telcrm/sqlite/sqlite_crm_store.hpp>
#include <telcrm/sqlite/sqlite_replay.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "shared_scenarios.hpp"
#include "sqlite/sqlite_fixture.hpp"

using namespace telcrm;
using namespace telcrm_test;

namespace {

class Generator {
 public:
  explicit Generator(std::uint64_t seed) : rng_(seed) {}

  WriteBatch batch(std::size_t n) {
    if (!sent_.empty() && pick(8) == 0) return sent_[pick(sent_.size())];  // R-I1: a repeat
    WriteBatch b;
    b.call = "c" + std::to_string(pick(40));
    b.seq = static_cast<std::uint32_t>(pick(4));
    std::array<EntityId, 5> local{};
    const std::size_t ops = 1 + pick(5);
    for (std::size_t i = 0; i < ops; ++i) b.ops.push_back(op(local));
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
  // An existing id (probably), a dangling one, or a reference to the batch's own records.
  std::optional<EntityId> ref(EntityType t, const std::array<EntityId, 5>& local) {
    switch (pick(5)) {
      case 0: return std::nullopt;
      case 1: return static_cast<EntityId>(40 + pick(20));  // mostly dangling
      case 2: return -static_cast<EntityId>(1 + pick(2));   // local, maybe beyond what exists
      default: {
        const auto made = local[static_cast<std::size_t>(t)];
        return made > 0 && pick(2) == 0 ? -made : static_cast<EntityId>(1 + pick(8));
      }
    }
  }
  WriteOp op(std::array<EntityId, 5>& local) {
    auto count = [&](EntityType t) { ++local[static_cast<std::size_t>(t)]; };
    switch (pick(10)) {
      case 0: {
        Lead l;
        l.title = "lead";
        l.phones = {number()};
        l.contact = ref(EntityType::contact, local);
        l.company = ref(EntityType::company, local);
        l.repeat = pick(2) == 0;
        l.modified = at(24, 9);
        count(EntityType::lead);
        return CreateLead{l};
      }
      case 1: {
        Contact c{0,
                  "contact",
                  {number(), "8 916 000-00-01"},
                  {"a@b.c"},
                  static_cast<EmployeeId>(pick(3)),
                  {}};
        c.company = ref(EntityType::company, local);
        count(EntityType::contact);
        return CreateContact{c};
      }
      case 2:
        count(EntityType::company);
        return CreateCompany{Company{0, "company", {number()}, {}, std::nullopt}};
      case 3: {
        Deal d;
        d.title = "deal";
        d.contact = ref(EntityType::contact, local);
        d.company = ref(EntityType::company, local);
        d.stage = static_cast<DealStage>(pick(3));
        d.pipeline = static_cast<std::int64_t>(pick(3));
        count(EntityType::deal);
        return CreateDeal{d};
      }
      case 4: {
        const auto t = type();
        auto id = ref(t, local);
        count(EntityType::invoice);
        return CreateInvoice{
            Invoice{0, 10.5 * static_cast<double>(pick(9)), {t, id.value_or(1)}, 1, "c"}};
      }
      case 5: {
        const auto t = type();
        return Reassign{{t, ref(t, local).value_or(2)}, static_cast<EmployeeId>(1 + pick(4))};
      }
      case 6: {
        CallActivity a;
        a.call = "c";
        a.subject = "Incoming call";
        a.start = at(24, 10);
        for (std::size_t i = 0, n = pick(3); i < n; ++i) {
          const auto t = type();
          a.bindings.push_back({t, ref(t, local).value_or(1)});
        }
        return WriteActivity{a};
      }
      case 7: return RecordMissedCall{{number(), "c" + std::to_string(pick(40)), std::nullopt}};
      case 8: return MarkCalledBack{number(), "c" + std::to_string(pick(40))};
      default: {
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

TEST_CASE("Random batches give the reference's receipts, errors and CRM") {
  for (std::uint64_t seed : {1, 2, 3}) {
    CAPTURE(seed);
    TempDir dir;
    CrmSnapshot start = rich_snapshot();
    MemoryCrmStore memory(start);
    auto store = open_store(dir.file("crm.db"));
    REQUIRE(store->import(start).has_value());
    Generator gen(seed);
    std::size_t applied = 0, refused = 0;
    for (std::size_t i = 0; i < 300; ++i) {
      const WriteBatch b = gen.batch(i);
      CAPTURE(i);
      auto expected = memory.apply(b);
      auto actual = store->apply(b);
      REQUIRE(actual.has_value() == expected.has_value());
      if (expected) {
        CHECK(*actual == *expected);
        ++applied;
      } else {
        CHECK(actual.error() == expected.error());
        ++refused;
      }
      if (i % 50 == 0) REQUIRE(*store->snapshot() == *memory.snapshot());
    }
    CHECK(*store->snapshot() == *memory.snapshot());
    CHECK(applied > 50);  // the generator exercises both sides
    CHECK(refused > 50);
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

}  // namespace

TEST_CASE("Every scenario replays into SQLite exactly as into memory (in-process)") {
  const auto files = scenarios();
  CHECK(files.size() >= 15);
  for (const auto& file : files) {
    CAPTURE(file.string());
    auto scenario = scenario_from_json(bytes_of(file.string()));
    REQUIRE_MESSAGE(scenario.has_value(), scenario.error().message());
    auto expected = replay(*scenario);
    REQUIRE(expected.has_value());
    TempDir dir;
    auto store = open_store(dir.file("crm.db"));
    auto actual = replay_resumable(*scenario, *store);
    REQUIRE_MESSAGE(actual.has_value(), actual.error().message());
    CHECK(actual->skipped == 0);
    CHECK(replay_output_to_json(actual->output.calls, actual->output.crm_after) ==
          replay_output_to_json(expected->calls, expected->crm_after));
    // Again on the same file: every call is complete, nothing changes.
    auto again = replay_resumable(*scenario, *store);
    REQUIRE(again.has_value());
    CHECK(again->output.calls.empty());
    CHECK(again->imported == 0);
    CHECK(again->output.crm_after == expected->crm_after);
  }
}
