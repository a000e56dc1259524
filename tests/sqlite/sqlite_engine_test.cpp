// SPDX-License-Identifier: Apache-2.0
// CallEngine over SqliteCrmStore: two engines on one file, each with its own connection, as
// two processes would be — R-I2 holds through the file's claims, and each engine's index
// picks up what the other wrote (data_version + changes_since).
#include <telcrm/engine/call_engine.hpp>
#include <telcrm/json/scenario_json.hpp>
#include <telcrm/memory/memory_directory.hpp>
#include <telcrm/ports/clock.hpp>
#include <telcrm/sim/simulated_pbx.hpp>
#include <telcrm/sqlite/sqlite_crm_store.hpp>
#include <telcrm/sqlite/sqlite_replay.hpp>

#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "sqlite/sqlite_fixture.hpp"

using namespace telcrm;
using namespace telcrm_test;

namespace {

const char* const burst = R"({
  "name": "a burst of calls from unknown numbers",
  "settings": {
    "default_region": "RU",
    "employees": [ { "id": 1, "name": "Anna" }, { "id": 2, "name": "Boris" } ],
    "queues": [ { "id": "sales", "members": [1, 2] } ],
    "lines": [ { "number": "+74951234567", "queue": "sales" } ]
  },
  "crm": { "contacts": [ { "id": 1, "name": "Known", "phones": ["+79161110000"], "responsible": 2 } ] },
  "calls": [
    { "id": "x1", "direction": "incoming", "line": "+74951234567", "from": "8 916 222-00-01",
      "at": "2026-11-24T10:00:00Z", "answers": [1], "duration": 30 },
    { "id": "x2", "direction": "incoming", "line": "+74951234567", "from": "+7 916 222 00 02",
      "at": "2026-11-24T10:00:00Z", "answers": [2], "duration": 30 },
    { "id": "x3", "direction": "incoming", "line": "+74951234567", "from": "79162220003",
      "at": "2026-11-24T10:00:00Z", "duration": 0 }
  ]
})";

// A store that hides other writers from the engine (as a store without data_version does),
// so only the claims stand between two engines and a duplicate.
class NoRefresh final : public CrmStore {
 public:
  explicit NoRefresh(SqliteCrmStore& s) : s_(s) {}
  Result<void> scan(CrmVisitor& v) const override { return s_.scan(v); }
  Result<std::optional<Contact>> find_contact(EntityId id) const override {
    return s_.find_contact(id);
  }
  Result<std::optional<Company>> find_company(EntityId id) const override {
    return s_.find_company(id);
  }
  Result<std::optional<Lead>> find_lead(EntityId id) const override { return s_.find_lead(id); }
  Result<std::optional<Deal>> find_deal(EntityId id) const override { return s_.find_deal(id); }
  const CrmInspection* inspection() const noexcept override { return s_.inspection(); }
  Result<WriteReceipt> apply(const WriteBatch& b) override { return s_.apply(b); }

 private:
  SqliteCrmStore& s_;
};

// One "process": its own connection, directory, PBX, clock and engine.
struct Process {
  Process(const std::string& path, const Scenario& s, bool refresh)
      : store(open_store(path)),
        view(*store),
        directory(s.employees),
        pbx(s.settings.default_region) {
    CrmStore& port = refresh ? static_cast<CrmStore&>(*store) : view;
    auto e = CallEngine::create(s.settings, Ports{port, directory, pbx, clock});
    REQUIRE_MESSAGE(e.has_value(), e.error().message());
    engine = std::move(*e);
  }
  CallResult play(ScenarioCall call, const std::string& prefix) {
    call.id = prefix + call.id;
    clock.set(call.at);
    // What the host's worker does between calls: the index learns other writers' changes
    // (never on the call's path).
    REQUIRE(engine->refresh().has_value());
    auto r = pbx.play(*engine, call);
    REQUIRE_MESSAGE(r.has_value(), r.error().message());
    return *r;
  }
  std::unique_ptr<SqliteCrmStore> store;
  NoRefresh view;
  MemoryDirectory directory;
  SimulatedPbx pbx;
  ManualClock clock;
  std::unique_ptr<CallEngine> engine;
};

Scenario load(const char* json) {
  auto s = scenario_from_json(json);
  REQUIRE_MESSAGE(s.has_value(), s.error().message());
  return *s;
}

}  // namespace

TEST_CASE("R-I2 two engines on one file: the second finds the first's lead through the file") {
  TempDir dir;
  const auto path = dir.file("crm.db");
  const Scenario s = load(burst);
  REQUIRE(open_store(path)->import(s.crm).has_value());
  Process a(path, s, true);
  Process b(path, s, true);
  for (const auto& call : s.calls) {
    const auto first = a.play(call, "a-");
    const auto second = b.play(call, "b-");
    CHECK(first.created.size() == 1);
    CHECK(second.created.empty());
    CHECK(second.match.crm == CrmState::matched);  // B's index was refreshed from the file
    REQUIRE(second.match.primary.has_value());
    CHECK(*second.match.primary == first.created.front().entity);
  }
  auto crm = a.store->snapshot();
  CHECK(crm->leads.size() == 3);
  CHECK(crm->activities.size() == 6);  // every call wrote its activity, bound to the one lead
  CHECK(crm->history.size() == 6);
}

TEST_CASE("R-I2 two engines that do not see each other: the file's claims still allow one lead") {
  TempDir dir;
  const auto path = dir.file("crm.db");
  const Scenario s = load(burst);
  REQUIRE(open_store(path)->import(s.crm).has_value());
  Process a(path, s, false);
  Process b(path, s, false);
  for (const auto& call : s.calls) {
    const auto first = a.play(call, "a-");
    const auto second = b.play(call, "b-");
    CHECK(first.created.size() == 1);
    CHECK(second.created.empty());  // the claim was lost: bound to the winner's lead
    CHECK(second.match.crm == CrmState::unknown);
    REQUIRE(second.activity.has_value());
    CHECK(second.activity->bindings == std::vector<EntityRef>{first.created.front().entity});
  }
  CHECK(a.store->counts()->leads == 3);
}

TEST_CASE("The engine's index is built from the file and kept current by its writes") {
  TempDir dir;
  const auto path = dir.file("crm.db");
  const Scenario s = load(burst);
  REQUIRE(open_store(path)->import(s.crm).has_value());
  Process a(path, s, true);
  ScenarioCall known = s.calls.front();
  known.from = "8 (916) 111-00-00";
  const auto r = a.play(known, "k-");
  CHECK(r.match.crm == CrmState::matched);
  CHECK(r.match.responsible == 2);
  const auto created = a.play(s.calls.front(), "n1-");
  REQUIRE(created.created.size() == 1);
  ScenarioCall again = s.calls.front();
  again.at += Seconds(3600);  // outside the claim window: only the index can bind it
  const auto second = a.play(again, "n2-");
  CHECK(second.match.crm == CrmState::matched);
  CHECK(second.created.empty());
}

TEST_CASE("replay --store: a scenario the engine finds wrong halfway writes nothing at all") {
  TempDir dir;
  const auto path = dir.file("crm.db");
  auto s = load(R"({ "settings": { "default_region": "RU",
      "employees": [ { "id": 1, "name": "Anna" }, { "id": 2, "name": "Boris" } ],
      "queues": [ { "id": "q", "members": [1] } ],
      "lines": [ { "number": "+74950000000", "queue": "q" } ] },
    "crm": { "contacts": [ { "id": 5, "name": "C", "phones": ["+79160000000"] } ] },
    "calls": [
      { "id": "ok", "direction": "incoming", "line": "+74950000000", "from": "+79161234567",
        "at": "2026-11-24T10:00:00Z", "answers": [1], "duration": 5 },
      { "id": "bad", "direction": "incoming", "line": "+74950000000", "from": "+79161234568",
        "at": "2026-11-24T10:05:00Z", "transfer_to": 2 } ] })");
  auto store = open_store(path);
  auto r = replay_resumable(s, *store);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message().starts_with("$.calls[1]: transfer_to:"));
  CHECK_FALSE(*store->has_data());  // not even the CRM import or the first call
}
