// SPDX-License-Identifier: Apache-2.0
// The engine driven event by event: idempotency (R-I1), one creation per number (R-I2), a
// store that fails (R-I3), stale calls, and errors as values.
#include <telcrm/json/outbox_json.hpp>

#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>

#include "engine/engine_fixture.hpp"

using namespace telcrm;
using namespace telcrm_test;

namespace {

const char* two_lines = R"({ "settings": { "default_region": "RU",
    "employees": [ { "id": 1, "name": "Anna" }, { "id": 2, "name": "Boris" } ],
    "queues": [ { "id": "q", "members": [1, 2], "distribution": "strictly", "rings": 2 } ],
    "lines": [ { "number": "+74950000000", "queue": "q" } ] },
  "crm": {},
  "calls": [
    { "id": "c1", "direction": "incoming", "line": "+74950000000", "from": "+79161234567",
      "at": "2026-11-24T10:00:00Z", "answers": [2], "duration": 30 } ] })";

CallStart start_of(const char* id, const char* from, Timestamp at) {
  return CallStart{id, CallDirection::incoming, "+74950000000", from, std::nullopt, std::nullopt,
                   at};
}

}  // namespace

TEST_CASE("R-I1 the same event twice changes nothing and answers the same") {
  Rig rig(two_lines);
  const auto at = rig.s.calls[0].at;
  auto first = rig.engine->start_call(start_of("c1", "+79161234567", at));
  auto again = rig.engine->start_call(start_of("c1", "+79161234567", at));
  REQUIRE(first.has_value());
  REQUIRE(again.has_value());
  CHECK(*first == *again);
  CHECK(rig.pbx.commands().size() == 1);  // rang once
  CHECK(rig.engine->flush() == 0);
  CHECK(rig.store.snapshot()->leads.size() == 1);

  auto ended = rig.engine->step_ended(StepEnded{"c1", 0, StepOutcome::no_answer, std::nullopt});
  auto ended_again =
      rig.engine->step_ended(StepEnded{"c1", 0, StepOutcome::no_answer, std::nullopt});
  REQUIRE(ended.has_value());
  CHECK(*ended == *ended_again);
  CHECK(ended->steps == 2);
  REQUIRE(rig.engine->answered(Answered{"c1", 1, 2, std::nullopt}).has_value());
  REQUIRE(rig.engine->answered(Answered{"c1", 1, 2, std::nullopt}).has_value());
  auto result = rig.engine->end_call(CallEnd{"c1", Seconds(30), {}, {}, {}, {}});
  auto result_again = rig.engine->end_call(CallEnd{"c1", Seconds(30), {}, {}, {}, {}});
  REQUIRE(result.has_value());
  REQUIRE(result_again.has_value());
  CHECK(*result == *result_again);
  rig.engine->flush();
  auto crm = rig.store.snapshot();
  CHECK(crm->leads.size() == 1);
  CHECK(crm->activities.size() == 1);
  CHECK(crm->history.size() == 1);
  // A start after the end is a repeat too: it does not begin a second call.
  auto late = rig.engine->start_call(start_of("c1", "+79161234567", at));
  REQUIRE(late.has_value());
  CHECK(late->ended);
  rig.engine->flush();
  CHECK(rig.store.snapshot()->history.size() == 1);
}

TEST_CASE("R-I1 the last remembered_calls results answer repeats; older calls are forgotten") {
  EngineOptions options;
  options.remembered_calls = 2;
  Rig rig(two_lines, options);
  const auto at = rig.s.calls[0].at;
  std::vector<CallResult> results;
  const char* ids[] = {"r1", "r2", "r3", "r4"};
  const char* numbers[] = {"+79160000001", "+79160000002", "+79160000003", "+79160000004"};
  for (int i = 0; i < 4; ++i) {
    REQUIRE(rig.engine->start_call(start_of(ids[i], numbers[i], at + Seconds(i))).has_value());
    REQUIRE(rig.engine->answered(Answered{ids[i], 0, 1, std::nullopt}).has_value());
    auto ended = rig.engine->end_call(CallEnd{ids[i], Seconds(10 + i), {}, {}, {}, {}});
    REQUIRE(ended.has_value());
    results.push_back(*ended);
  }
  // The ring holds r3 and r4 (in slots r1 and r2 used): each answers with its own result.
  for (int i = 2; i < 4; ++i) {
    auto again = rig.engine->end_call(CallEnd{ids[i], Seconds(99), {}, {}, {}, {}});
    REQUIRE(again.has_value());
    CHECK(*again == results[static_cast<std::size_t>(i)]);
    CHECK(rig.engine->result(ids[i]) == results[static_cast<std::size_t>(i)]);
    auto progress = rig.engine->answered(Answered{ids[i], 0, 2, std::nullopt});
    REQUIRE(progress.has_value());
    CHECK(progress->ended);
  }
  CHECK(results[2].history.duration == Seconds(12));
  CHECK(results[3].activity->call == "r4");
  // r1 and r2 are forgotten: not found, and nothing is written again.
  CHECK_FALSE(rig.engine->result("r1").has_value());
  auto forgotten = rig.engine->end_call(CallEnd{"r1", Seconds(10), {}, {}, {}, {}});
  REQUIRE_FALSE(forgotten.has_value());
  CHECK(forgotten.error().code() == Errc::not_found);
  CHECK(rig.engine->stats().finished_calls == 2);
  rig.engine->flush();
  CHECK(rig.store.snapshot()->history.size() == 4);
}

TEST_CASE("R-I1 a repeated call id in a scenario repeats the first result") {
  std::string json = two_lines;
  const std::string call =
      R"({ "id": "c1", "direction": "incoming", "line": "+74950000000", "from": "+79161234567",
      "at": "2026-11-24T10:00:00Z", "answers": [2], "duration": 30 })";
  json.replace(json.rfind("] }"), 3, ", " + call + "] }");
  auto out = run(json);
  REQUIRE(out.calls.size() == 2);
  CHECK(out.calls[0] == out.calls[1]);
  CHECK(out.crm_after.leads.size() == 1);
  CHECK(out.crm_after.activities.size() == 1);

  std::string different = two_lines;
  different.replace(
      different.rfind("] }"), 3,
      ", " + std::string(R"({ "id": "c1", "direction": "incoming", "line": "+74950000000",
                        "from": "+79031112233", "at": "2026-11-24T10:00:00Z" })") +
          "] }");
  auto bad = scenario_from_json(different);
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().message().find("$.calls[1].id: call id 'c1' repeats $.calls[0]") == 0);
}

TEST_CASE("R-I2 a second call from the same unknown number binds to what the first created") {
  Rig rig(two_lines);
  const auto at = rig.s.calls[0].at;
  REQUIRE(rig.engine->start_call(start_of("a", "+79161234567", at)).has_value());
  // While "a" still rings, "b" arrives from the same number, written differently.
  auto b = rig.engine->start_call(start_of("b", "8 916 123-45-67", at + Seconds(2)));
  REQUIRE(b.has_value());
  CHECK(b->crm == CrmState::matched);  // the lead "a" created, still waiting to be written
  rig.engine->flush();
  auto end_b = rig.engine->end_call(CallEnd{"b", Seconds(0), {}, {}, {}, {}});
  auto end_a = rig.engine->end_call(CallEnd{"a", Seconds(0), {}, {}, {}, {}});
  REQUIRE(end_a.has_value());
  REQUIRE(end_b.has_value());
  rig.engine->flush();
  CHECK(rig.store.snapshot()->leads.size() == 1);
  CHECK(end_a->created.size() == 1);
  CHECK(end_b->created.empty());
  CHECK(end_b->activity->bindings == std::vector<EntityRef>{{EntityType::lead, 1}});
}

// Two engines over one store, each with its own index — as two processes sharing a database —
// and a call from the same unknown number ringing on each before either wrote: each files a
// provisional lead of its own.
struct TwoNodes {
  TwoNodes() : pbx(first.s.settings.default_region) {
    auto made =
        CallEngine::create(first.s.settings, Ports{first.store, first.directory, pbx, first.clock});
    REQUIRE(made.has_value());
    second = std::move(*made);
    const auto at = first.s.calls[0].at;
    REQUIRE(first.engine->start_call(start_of("p1", "+79161234567", at)).has_value());
    REQUIRE(second->start_call(start_of("p2", "+79161234567", at + Seconds(1))).has_value());
  }
  Rig first{two_lines};
  SimulatedPbx pbx;
  std::unique_ptr<CallEngine> second;
};

TEST_CASE("R-I2 across processes: the store's claim makes the later process bind to the winner") {
  TwoNodes nodes;
  Rig& first = nodes.first;
  CallEngine& second = *nodes.second;
  first.engine->flush();  // p1's claim wins
  second.flush();         // p2's claim is lost: it binds to p1's lead
  auto r1 = first.engine->end_call(CallEnd{"p1", Seconds(0), {}, {}, {}, {}});
  auto r2 = second.end_call(CallEnd{"p2", Seconds(0), {}, {}, {}, {}});
  REQUIRE(r1.has_value());
  REQUIRE(r2.has_value());
  first.engine->flush();
  second.flush();
  auto crm = first.store.snapshot();
  CHECK(crm->leads.size() == 1);
  CHECK(r1->created.size() == 1);
  CHECK(r2->created.empty());
  CHECK(r2->activity->bindings == std::vector<EntityRef>{{EntityType::lead, 1}});
  CHECK(crm->activities.size() == 2);
}

TEST_CASE(
    "R-I2 a lost claim and the call's later writes in one group: bound to the winner's lead, "
    "which the losing call does not hand over") {
  // The memory store resolves references between a group's batches (apply_linked), so the
  // losing call's three batches reach it together: the group ends before the reassignment of
  // the lead the call did not create, and the engine drops that reassignment.
  TwoNodes nodes;
  Rig& first = nodes.first;
  CallEngine& second = *nodes.second;
  REQUIRE(first.store.resolves_group_references());
  first.engine->flush();  // p1's claim wins; its lead goes to employee 1, the first rung
  REQUIRE(second.answered(Answered{"p2", 0, 2, std::nullopt}).has_value());
  auto r2 = second.end_call(CallEnd{"p2", Seconds(30), {}, {}, {}, {}});
  REQUIRE(r2.has_value());
  CHECK(second.stats().pending_writes == 3);  // the lead, its reassignment, the end
  CHECK(second.flush() == 0);
  auto crm = first.store.snapshot();
  REQUIRE(crm->leads.size() == 1);
  CHECK(crm->leads[0].responsible == 1);  // not handed over to p2's answerer
  REQUIRE(crm->activities.size() == 1);
  CHECK(crm->activities[0].call == "p2");
  CHECK(crm->activities[0].bindings == std::vector<EntityRef>{{EntityType::lead, 1}});
  CHECK(second.result("p2")->created.empty());
  CHECK(second.stats().store_errors == 0);
}

TEST_CASE(
    "R-I3 with the store down the call is still routed; its writes land once when it is back") {
  Rig rig(two_lines);
  rig.store.set_available(false);
  auto result = rig.play(0);
  CHECK(result.route.size() == 2);  // routed: rang 1, then 2, who answered
  CHECK(result.answered_by == 2);
  CHECK(result.created.size() == 1);
  CHECK(result.created[0].entity.id < 0);  // provisional: the store has not numbered it yet
  // The lead (when 1 was rung), its reassignment (when 2 answered), the end of the call.
  CHECK(rig.engine->stats().pending_writes == 3);
  CHECK(rig.engine->flush() == 3);  // still down: kept, in order
  rig.store.set_available(true);
  CHECK(rig.engine->flush() == 0);
  CHECK(rig.engine->flush() == 0);  // applied once
  CHECK(rig.engine->result(result.call)->created.at(0).entity == EntityRef{EntityType::lead, 1});
  auto crm = rig.store.snapshot();
  REQUIRE(crm->leads.size() == 1);
  CHECK(crm->leads[0].responsible == 2);  // the reassignment to whoever answered came along
  REQUIRE(crm->activities.size() == 1);
  CHECK(crm->activities[0].bindings == std::vector<EntityRef>{{EntityType::lead, 1}});
  CHECK(crm->history.size() == 1);
  // The index learned the lead: the next call from the number finds it.
  rig.s.calls[0].id = "c2";
  CHECK(rig.play(0).match.crm == CrmState::matched);
}

TEST_CASE("Stale calls are closed as missed by reap()") {
  Rig rig(two_lines, EngineOptions{.stale_after = Seconds(600)});
  const auto at = rig.s.calls[0].at;
  REQUIRE(rig.engine->start_call(start_of("lost", "+79161234567", at)).has_value());
  CHECK(rig.engine->reap(at + Seconds(60)).empty());
  auto closed = rig.engine->reap(at + Seconds(3600));
  REQUIRE(closed.size() == 1);
  CHECK(closed[0].call == "lost");
  CHECK(closed[0].outcome == CallOutcome::missed);
  CHECK(rig.engine->stats().active_calls == 0);
  rig.engine->flush();
  CHECK(rig.store.snapshot()->missed_calls.size() == 1);
}

TEST_CASE("Bad events are errors with context, never crashes") {
  Rig rig(two_lines);
  const auto at = rig.s.calls[0].at;
  auto no_line = rig.engine->start_call(
      CallStart{"x", CallDirection::incoming, "+70000000000", "1", std::nullopt, std::nullopt, at});
  REQUIRE_FALSE(no_line.has_value());
  CHECK(no_line.error().code() == Errc::not_found);
  CHECK(no_line.error().message() == "call x: line '+70000000000' is not configured");
  auto no_user = rig.engine->start_call(CallStart{"y", CallDirection::outgoing, "+74950000000",
                                                  "+79161234567", std::nullopt, std::nullopt, at});
  REQUIRE_FALSE(no_user.has_value());
  CHECK(no_user.error().code() == Errc::invalid_argument);
  CHECK(rig.engine->answered(Answered{"nope", 0, 1, std::nullopt}).error().code() ==
        Errc::not_found);
  REQUIRE(rig.engine->start_call(start_of("z", "garbage", at)).has_value());
  CHECK(rig.engine->transferred(Transferred{"z", 2}).error().code() == Errc::invalid_state);
  auto bad_settings = rig.s.settings;
  bad_settings.lines[0].queue = "missing";
  auto refused = rig.engine->update_settings(bad_settings);
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().message().find("settings.lines[0].queue") != std::string::npos);
}

TEST_CASE("R-I3 writes waiting for the store survive a restart in the file journal, applied once") {
  // Flushed to the disk line by line, or grouped at the engine's sync() after each flush: the
  // lines are written at once either way, so a new process finds them.
  for (bool each : {true, false}) {
    CAPTURE(each);
    FileJournalOptions options;
    options.sync_each_append = each;
    const std::string path = (std::filesystem::temp_directory_path() /
                              ("telcrm-outbox-" + std::to_string(::getpid()) + ".jsonl"))
                                 .string();
    std::filesystem::remove(path);
    Rig rig(two_lines);
    {
      auto journal = FileOutboxJournal::open(path, options);
      REQUIRE(journal.has_value());
      auto engine = CallEngine::create(rig.s.settings, Ports{rig.store, rig.directory, rig.pbx,
                                                             rig.clock, nullptr, journal->get()});
      REQUIRE(engine.has_value());
      rig.store.set_available(false);
      rig.clock.set(rig.s.calls[0].at);
      auto result = rig.pbx.play(**engine, rig.s.calls[0]);
      REQUIRE(result.has_value());
      CHECK((*engine)->stats().pending_writes == 3);
      CHECK((*journal)->pending()->size() == 3);  // kept since each was queued
    }                                             // the process ends with the store still down
    CHECK(std::filesystem::file_size(path) > 0);
    rig.store.set_available(true);
    {
      auto journal = FileOutboxJournal::open(path, options);
      REQUIRE(journal.has_value());
      REQUIRE((*journal)->pending()->size() == 3);
      auto engine = CallEngine::create(rig.s.settings, Ports{rig.store, rig.directory, rig.pbx,
                                                             rig.clock, nullptr, journal->get()});
      REQUIRE(engine.has_value());
      CHECK((*engine)->stats().pending_writes == 3);  // taken up, first in line
      CHECK((*engine)->flush() == 0);                 // delivered at the first flush
      CHECK((*journal)->pending()->empty());
    }
    auto crm = rig.store.snapshot();
    CHECK(crm->leads.size() == 1);
    CHECK(crm->activities.size() == 1);
    CHECK(crm->history.size() == 1);
    CHECK(std::filesystem::file_size(path) == 0);
    // A third start finds nothing to do: applied once.
    auto journal = FileOutboxJournal::open(path, options);
    REQUIRE(journal.has_value());
    CHECK((*journal)->pending()->empty());
    std::filesystem::remove(path);
  }
}

TEST_CASE("R-I3 a write batch survives JSON: every operation, local references and the claim") {
  WriteBatch batch;
  batch.call = "c9";
  batch.seq = 4;
  batch.claim = UnknownCallerClaim{
      "+79161234567", std::chrono::sys_days(std::chrono::year(2026) / 11 / 24), Seconds(300)};
  Contact contact;
  contact.name = "+7 916";
  contact.phones = {"+7 916"};
  Deal deal;
  deal.title = "D";
  deal.contact = -1;
  CallActivity activity;
  activity.call = "c9";
  activity.bindings = {{EntityType::deal, -1}, {EntityType::contact, -1}};
  activity.subject = "Incoming call from +79161234567";
  batch.ops = {CreateContact{contact},
               CreateDeal{deal},
               Reassign{{EntityType::deal, -1}, 3},
               WriteActivity{activity},
               RecordMissedCall{{"+79161234567", "c9", std::nullopt}},
               MarkCalledBack{"+79161234567", "c9"},
               RecordCall{CallRecord{.call = "c9"}}};
  auto text = write_batch_to_json(batch);
  CHECK(text.find('\n') == std::string::npos);
  auto back = write_batch_from_json(text);
  REQUIRE_MESSAGE(back.has_value(), back.error().message());
  CHECK(write_batch_to_json(*back) == text);
  CHECK(back->ops.size() == batch.ops.size());
  CHECK(std::get<CreateDeal>(back->ops[1]).deal.contact == -1);
  auto bad = write_batch_from_json(R"({"call":"x","seq":1,"claim":null,"ops":[{"explode":{}}]})");
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().message() == "batch.ops[0].explode: unknown operation");
}

TEST_CASE("R-I3 an engine started while the store is down routes calls and loads the CRM later") {
  const char* with_client = R"({ "settings": { "default_region": "RU",
      "employees": [ { "id": 1, "name": "Anna" }, { "id": 2, "name": "Boris" } ],
      "queues": [ { "id": "q", "members": [1], "rings": 2 } ],
      "lines": [ { "number": "+74950000000", "queue": "q" } ] },
    "crm": { "contacts": [ { "id": 5, "name": "Ivan", "phones": ["+79161234567"], "responsible": 2 } ] },
    "calls": [ { "id": "a", "direction": "incoming", "line": "+74950000000", "from": "+79161234567",
                 "at": "2026-11-24T10:00:00Z", "answers": [1], "duration": 5 },
               { "id": "b", "direction": "incoming", "line": "+74950000000", "from": "+79161234567",
                 "at": "2026-11-24T10:05:00Z", "answers": [2], "duration": 5 } ] })";
  auto s = scenario(with_client);
  MemoryCrmStore store(s.crm);
  MemoryDirectory staff(s.employees);
  SimulatedPbx pbx(s.settings.default_region);
  ManualClock clock(s.calls[0].at);
  store.set_available(false);
  auto engine = CallEngine::create(s.settings, Ports{store, staff, pbx, clock});
  REQUIRE(engine.has_value());
  CHECK_FALSE((*engine)->ready());
  auto first = pbx.play(**engine, s.calls[0]);
  REQUIRE(first.has_value());
  CHECK(first->match.crm == CrmState::unknown);  // the index could not be loaded yet
  CHECK(first->route.at(0).why == "queue:q");
  CHECK(first->answered_by == 1);
  // A known client not loaded yet must not become a new lead.
  CHECK(first->creation == CreationReason::index_not_loaded);
  CHECK(first->created.empty());
  CHECK_FALSE((*engine)->refresh().has_value());  // still down
  store.set_available(true);
  REQUIRE((*engine)->refresh().has_value());  // the host's refresh loads it
  CHECK((*engine)->ready());
  CHECK(store.snapshot()->leads.empty());
  auto second = pbx.play(**engine, s.calls[1]);
  REQUIRE(second.has_value());
  CHECK(second->match.crm == CrmState::matched);  // loaded when the store came back
  CHECK(second->route.at(0).why == "responsible");
}

TEST_CASE("Scenario mistakes are errors with their JSON path, found before anything is run") {
  auto with = [](const std::string& crm, const std::string& calls) {
    return R"({ "settings": { "default_region": "RU",
      "employees": [ { "id": 1, "name": "Anna" }, { "id": 2, "name": "Boris", "active": false } ],
      "queues": [ { "id": "q", "members": [1] } ],
      "lines": [ { "number": "+74950000000", "queue": "q" } ] },
      "crm": )" +
           crm + R"(, "calls": [ )" + calls + " ] }";
  };
  const std::string call_at_10 =
      R"({ "id": "a", "direction": "incoming", "line": "+74950000000", "from": "+79161234567",
           "at": "2026-11-24T10:00:00Z" })";
  struct Row {
    std::string json;
    const char* error;
  };
  const Row rows[] = {
      {with("{}", call_at_10 + R"(, { "id": "b", "direction": "incoming", "line": "+74950000000",
           "from": "+79161234568", "at": "2026-11-24T09:59:59Z" })"),
       "$.calls[1].at: earlier than the call before it (a): calls must come in time order"},
      {with(R"({ "contacts": [ { "id": 5, "name": "C", "responsible": 9 } ] })", ""),
       "$.crm.contacts[0].responsible: unknown employee 9"},
      {with(R"({ "contacts": [ { "id": 5, "name": "C", "company": 7 } ] })", ""),
       "$.crm.contacts[0].company: company 7 does not exist"},
      {with(R"({ "deals": [ { "id": 5, "title": "D", "contact": 3 } ] })", ""),
       "$.crm.deals[0].contact: contact 3 does not exist"},
      {with("{}", R"({ "id": "a", "direction": "incoming", "line": "+74950000000",
           "from": "+79161234567", "at": "2026-11-24T10:00:00Z",
           "crm_entity": { "type": "contact", "id": 99 } })"),
       "$.calls[0].crm_entity: contact 99 does not exist in the scenario's CRM"},
      {with("{}", R"({ "id": "a", "direction": "incoming", "line": "+74950000000",
           "from": "+79161234567", "at": "2026-11-24T10:00:00Z", "answers": [1],
           "transfer_to": 2 })"),
       "$.calls[0].transfer_to: employee 2 is not active"},
      {with("{}", R"({ "id": "a", "direction": "incoming", "line": "+74950000000",
           "from": "+79161234567", "at": "2026-11-24T10:00:00Z", "status_code": 700 })"),
       "$.calls[0].status_code: must be a SIP status code, 100 to 699, got 700"},
      {with("{}", R"({ "id": "a", "direction": "incoming", "line": "+74950000000",
           "from": "+79161234567", "at": "2026-11-24T10:00:00Z", "answers": [1], "answers": [] })"),
       "$.calls[0]: duplicate key 'answers'"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.error);
    auto s = scenario_from_json(row.json);
    REQUIRE_FALSE(s.has_value());
    CHECK(s.error().message() == row.error);
  }
}

TEST_CASE("A transfer on a call no employee answered is an error, and --store writes nothing") {
  const char* json = R"({ "settings": { "default_region": "RU",
      "employees": [ { "id": 1, "name": "Anna" }, { "id": 2, "name": "Boris" } ],
      "queues": [ { "id": "q", "members": [1], "no_answer": "forward_to_number",
                    "forward_number": "+79039990000" } ],
      "lines": [ { "number": "+74950000000", "queue": "q" } ] },
    "crm": {},
    "calls": [
      { "id": "ok", "direction": "incoming", "line": "+74950000000", "from": "+79161234567",
        "at": "2026-11-24T10:00:00Z", "answers": [1], "duration": 5 },
      { "id": "outside", "direction": "incoming", "line": "+74950000000", "from": "+79161234568",
        "at": "2026-11-24T10:05:00Z", "phone_answers": ["+79039990000"], "duration": 5,
        "transfer_to": 2 },
      { "id": "nobody", "direction": "incoming", "line": "+74950000000", "from": "+79161234569",
        "at": "2026-11-24T10:10:00Z", "transfer_to": 2 } ] })";
  auto full = scenario_from_json(json);
  REQUIRE(full.has_value());
  auto out = replay(*full);
  REQUIRE_FALSE(out.has_value());
  CHECK(out.error().code() == Errc::invalid_argument);
  CHECK(out.error().message() ==
        "$.calls[1]: transfer_to: only a call an employee answered can be transferred (an "
        "outside number answered this one)");
  full->calls.erase(full->calls.begin() + 1);
  auto nobody = replay(*full);
  REQUIRE_FALSE(nobody.has_value());
  CHECK(nobody.error().message().starts_with("$.calls[1]: transfer_to:"));

  // A generated day (telcrm demo --db) asks for the transfer to be skipped instead: the call
  // nobody answered is simply not transferred, and the answered one still is (R-T1).
  ReplayOptions generated;
  generated.skip_unanswered_transfers = true;
  auto lenient = replay(*full, generated);
  REQUIRE_MESSAGE(lenient.has_value(), lenient.error().message());
  REQUIRE(lenient->calls.size() == 2);
  CHECK(lenient->calls[1].reassigned.empty());
  CHECK(lenient->calls[1].outcome == CallOutcome::missed);
}

TEST_CASE("R-T1 R-T2 describe(ReassignReason): why a created record changed hands, in words") {
  static_assert(describe(ReassignReason::answered) == "answered the call");
  CHECK(describe(ReassignReason::transfer) == "took the transfer");
  CHECK(describe(ReassignReason::ended) == "had the call when it ended");
}
