// SPDX-License-Identifier: Apache-2.0
// Observe mode: the PBX routes the call itself and reports what it did; the engine applies the
// CRM rules (R-L, R-S, R-T, R-A, R-I) and never gives a command.
#include <telcrm/engine/call_engine.hpp>
#include <telcrm/memory/memory_crm_store.hpp>
#include <telcrm/memory/memory_directory.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <memory>

#include "engine/office.hpp"

using namespace telcrm;
using namespace telcrm_test;

namespace {

// A PBX that must never be told anything.
struct MutePbx final : Telephony {
  std::atomic<int> commands{0};
  Result<void> ring(std::string_view, std::span<const EmployeeId>, Seconds) override {
    ++commands;
    return {};
  }
  Result<void> forward(std::string_view, std::string_view, Seconds) override {
    ++commands;
    return {};
  }
  Result<void> voicemail(std::string_view, EmployeeId) override {
    ++commands;
    return {};
  }
  Result<void> hang_up(std::string_view) override {
    ++commands;
    return {};
  }
};

struct Watcher {
  explicit Watcher(const Office& office) : store(office.crm), directory(office.employees) {
    auto e = CallEngine::create(office.settings, Ports{store, directory, pbx, clock});
    REQUIRE_MESSAGE(e.has_value(), e.error().message());
    engine = std::move(*e);
  }
  CallStart observed(std::string id, std::string from) {
    CallStart s = incoming(std::move(id), std::move(from));
    s.mode = CallMode::observe;
    return s;
  }
  CrmSnapshot crm() {
    CHECK(engine->flush() == 0);
    return *store.snapshot();
  }
  MemoryCrmStore store;
  MemoryDirectory directory;
  MutePbx pbx;
  ManualClock clock{tuesday(10)};
  std::unique_ptr<CallEngine> engine;
};

CallEnd end_of(const char* call, Seconds talk, std::optional<EmployeeId> employee = {}) {
  CallEnd e;
  e.call = call;
  e.duration = talk;
  e.employee = employee;
  return e;
}

}  // namespace

TEST_CASE(
    "R-L5 observe: the lead exists from the first ring the PBX reports, then follows the "
    "answer (R-T2); no command is ever given") {
  Watcher o(Office::moscow());
  REQUIRE(o.engine->start_call(o.observed("c1", "+79031112233")).has_value());
  auto rang = o.engine->rang(Rang{"c1", {1, 2}, Seconds(10)});
  REQUIRE(rang.has_value());
  auto crm = o.crm();
  REQUIRE(crm.leads.size() == 1);
  CHECK(crm.leads[0].responsible == 1);  // the first of those rung
  REQUIRE(o.engine->answered(Answered{"c1", 0, 2, {}}).has_value());
  auto end = o.engine->end_call(end_of("c1", Seconds(42)));
  REQUIRE(end.has_value());
  crm = o.crm();
  CHECK(crm.leads[0].responsible == 2);
  REQUIRE(crm.activities.size() == 1);
  CHECK(crm.activities[0].status == ActivityStatus::answered);
  CHECK(crm.activities[0].duration == Seconds(42));
  CHECK(end->route.at(0).why == "pbx");
  CHECK(o.pbx.commands.load() == 0);
}

TEST_CASE("R-L1 R-L2 R-L3 observe: the host's create overrides the line, R-L3 still applies") {
  Office office = Office::moscow().line_settings([](auto& l) {
    l.unknown_caller = UnknownCallerAction::offer;
    l.create_for = CreateFor::outgoing;
  });
  office.settings.exceptions.phones = {"+79035550000"};
  Watcher o(office);
  auto forced = o.observed("a", "+79031112233");
  forced.create = true;
  forced.source = "WEBHOOK";
  forced.employee = 3;  // given to Vera: created at once, for her
  auto a = o.engine->start_call(forced);
  REQUIRE(a.has_value());
  auto none = o.observed("b", "+79031114455");
  none.create = false;
  REQUIRE(o.engine->start_call(none).has_value());
  auto excepted = o.observed("c", "+79035550000");
  excepted.create = true;
  REQUIRE(o.engine->start_call(excepted).has_value());
  auto crm = o.crm();
  REQUIRE(crm.leads.size() == 1);  // only "a": "b" declined, "c" is on the exception list
  CHECK(crm.leads[0].responsible == 3);
  CHECK(crm.leads[0].source == "WEBHOOK");
  auto b = o.engine->end_call(end_of("b", Seconds(0)));
  REQUIRE(b.has_value());
  CHECK(b->creation == CreationReason::not_requested);
  auto c = o.engine->end_call(end_of("c", Seconds(0)));
  CHECK(c->creation == CreationReason::not_in_crm);
  CHECK_FALSE(c->activity.has_value());
}

TEST_CASE(
    "R-T1 R-A3 observe: the employee the PBX ends the call with takes over what the call "
    "created, never what existed before") {
  Office office = Office::moscow().contact(5, "+79161234567", 1);
  Watcher o(office);
  auto start = o.observed("n", "+79031112233");
  start.employee = 1;
  REQUIRE(o.engine->start_call(start).has_value());
  auto ended = o.engine->end_call(end_of("n", Seconds(0), 2));  // finished as Boris
  REQUIRE(ended.has_value());
  REQUIRE(ended->reassigned.size() == 1);
  CHECK(ended->reassigned[0].why == ReassignReason::ended);
  CHECK(ended->activity->responsible == 2);
  REQUIRE(o.engine->start_call(o.observed("k", "+79161234567")).has_value());
  auto known = o.engine->end_call(end_of("k", Seconds(30), 3));
  REQUIRE(known.has_value());
  CHECK(known->reassigned.empty());  // the contact existed before the call
  auto crm = o.crm();
  CHECK(crm.contacts[0].responsible == 1);
  CHECK(crm.leads.at(0).responsible == 2);
  // A transfer reported by the PBX (R-T1).
  REQUIRE(o.engine->start_call(o.observed("t", "+79037778899")).has_value());
  REQUIRE(o.engine->rang(Rang{"t", {1}, {}}).has_value());
  REQUIRE(o.engine->answered(Answered{"t", 0, 1, {}}).has_value());
  REQUIRE(o.engine->transferred(Transferred{"t", 3}).has_value());
  auto t = o.engine->end_call(end_of("t", Seconds(10)));
  REQUIRE(t.has_value());
  CHECK(t->reassigned.back().why == ReassignReason::transfer);
  CHECK(o.crm().leads.back().responsible == 3);
}

TEST_CASE(
    "R-S2 R-A6 observe: simple mode creates a deal and a contact; an unanswered incoming "
    "call is a missed call") {
  Watcher o(Office::moscow().simple_mode());
  REQUIRE(o.engine->start_call(o.observed("s", "+79031112233")).has_value());
  REQUIRE(o.engine->rang(Rang{"s", {2}, Seconds(15)}).has_value());
  auto end = o.engine->end_call(end_of("s", Seconds(0)));
  REQUIRE(end.has_value());
  CHECK(end->outcome == CallOutcome::missed);
  auto crm = o.crm();
  CHECK(crm.deals.size() == 1);
  CHECK(crm.contacts.size() == 1);
  CHECK(crm.deals[0].contact == crm.contacts[0].id);
  REQUIRE(crm.missed_calls.size() == 1);
  CHECK(crm.missed_calls[0].number == "+79031112233");
}

TEST_CASE(
    "R-I1 R-I2 observe: repeated reports change nothing; two calls from one unknown number "
    "create one lead") {
  Watcher o(Office::moscow());
  REQUIRE(o.engine->start_call(o.observed("a", "+79031112233")).has_value());
  REQUIRE(o.engine->start_call(o.observed("a", "+79031112233")).has_value());
  REQUIRE(o.engine->rang(Rang{"a", {1}, {}}).has_value());
  REQUIRE(o.engine->rang(Rang{"a", {1}, {}}).has_value());
  REQUIRE(o.engine->start_call(o.observed("b", "8 903 111-22-33")).has_value());
  REQUIRE(o.engine->rang(Rang{"b", {2}, {}}).has_value());
  auto a = o.engine->end_call(end_of("a", Seconds(0)));
  auto b = o.engine->end_call(end_of("b", Seconds(0)));
  REQUIRE(a.has_value());
  REQUIRE(b.has_value());
  CHECK(a->route.size() == 1);
  auto crm = o.crm();
  CHECK(crm.leads.size() == 1);
  CHECK(crm.activities.size() == 2);
  CHECK(b->created.empty());
  CHECK(o.engine->result("b")->activity->bindings ==
        std::vector<EntityRef>{{EntityType::lead, crm.leads[0].id}});
}

TEST_CASE("Observe and route events do not mix: each refuses the other's events") {
  Watcher o(Office::moscow());
  REQUIRE(o.engine->start_call(o.observed("o", "+79031112233")).has_value());
  CHECK(o.engine->step_ended(StepEnded{"o", 0, StepOutcome::no_answer, {}}).error().code() ==
        Errc::invalid_state);
  REQUIRE(o.engine->start_call(incoming("r", "+79031112234")).has_value());
  CHECK(o.pbx.commands.load() == 1);  // the routed call rang
  CHECK(o.engine->rang(Rang{"r", {2}, {}}).error().code() == Errc::invalid_state);
  CHECK(o.engine->answered(Answered{"o", 0, std::nullopt, std::nullopt}).error().code() ==
        Errc::invalid_argument);
}

TEST_CASE(
    "R-A4 a recording attached after the call ended lands on its activity; again replaces it") {
  Office office = Office::moscow();
  office.settings.exceptions.phones = {"+79035550000"};
  Watcher o(office);
  REQUIRE(o.engine->start_call(o.observed("r", "+79031112233")).has_value());
  CHECK(o.engine->attach_recording("r", "https://pbx/rec/r.mp3").error().code() ==
        Errc::invalid_state);  // still in progress
  REQUIRE(o.engine->answered(Answered{"r", 0, 1, {}}).has_value());
  REQUIRE(o.engine->end_call(end_of("r", Seconds(12))).has_value());
  REQUIRE(o.engine->attach_recording("r", "https://pbx/rec/r.mp3").has_value());
  CHECK(o.crm().activities.at(0).recording == "https://pbx/rec/r.mp3");
  o.clock.advance(Seconds(5));
  REQUIRE(o.engine->attach_recording("r", "recordings/r-2.wav").has_value());
  CHECK(o.crm().activities.at(0).recording == "recordings/r-2.wav");
  // A call that never entered the CRM has no activity: the store refuses, the engine reports.
  REQUIRE(o.engine->start_call(o.observed("x", "+79035550000")).has_value());
  REQUIRE(o.engine->end_call(end_of("x", Seconds(0))).has_value());
  REQUIRE(o.engine->attach_recording("x", "https://pbx/rec/x.mp3").has_value());
  CHECK(o.engine->flush() == 0);
  CHECK(o.engine->stats().dropped_writes == 1);
}
