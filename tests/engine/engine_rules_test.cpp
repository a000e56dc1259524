// SPDX-License-Identifier: Apache-2.0
// The engine end to end, rule by rule (R-L, R-S, R-T, R-A), on small inline scenarios.
#include <doctest/doctest.h>

#include "engine/engine_fixture.hpp"

using namespace telcrm;
using namespace telcrm_test;

namespace {

// Three employees, one queue "q" of 1 and 2 (strictly, 2 rings = 10 s), one Russian line.
std::string world(const std::string& settings_extra, const std::string& crm,
                  const std::string& calls, const std::string& line_extra = "",
                  const std::string& queue_extra = "") {
  return R"({ "settings": { "default_region": "RU", )" + settings_extra + R"(
      "employees": [ { "id": 1, "name": "Anna" }, { "id": 2, "name": "Boris" }, { "id": 3, "name": "Vera" } ],
      "queues": [ { "id": "q", "members": [1, 2], "distribution": "strictly", "rings": 2 )" +
         queue_extra + R"( } ],
      "lines": [ { "number": "+74950000000", "queue": "q" )" +
         line_extra + R"( } ] },
    "crm": )" +
         crm + R"(,
    "calls": [ )" +
         calls + " ] }";
}

std::string incoming_json(const char* id, const char* from, const char* extra = "") {
  return std::string(R"({ "id": ")") + id +
         R"(", "direction": "incoming", "line": "+74950000000", "from": ")" + from +
         R"(", "at": "2026-11-24T10:00:00Z" )" + extra + " }";
}

}  // namespace

TEST_CASE("R-L5 a lead exists while ringing, for the first employee rung, and follows the answer") {
  auto out = run(
      world("", "{}", incoming_json("c1", "+79161234567", R"(, "answers": [2], "duration": 30)")));
  const auto& c = call(out, "c1");
  REQUIRE(c.created.size() == 1);
  CHECK(c.created[0].entity == EntityRef{EntityType::lead, 1});
  CHECK(c.created[0].responsible == 1);  // created when 1 was rung
  REQUIRE(c.reassigned.size() == 1);
  CHECK(c.reassigned[0] == Reassignment{{EntityType::lead, 1}, 1, 2, ReassignReason::answered});
  CHECK(out.crm_after.leads[0].responsible == 2);
}

TEST_CASE(
    "R-L5 nobody rung: created at the end for the voicemail's addressee, else the queue's first") {
  // The queue has nobody eligible (both busy), so its no-answer rule — voicemail — applies at
  // once, addressed to the queue's first member.
  auto out = run(world(
      "", "{}",
      incoming_json("c1", "+79161234567",
                    R"(, "presence": { "1": "busy", "2": "offline" }, "voicemail": "vm.mp3")")));
  const auto& c = call(out, "c1");
  REQUIRE(c.route.size() == 1);
  CHECK(c.route[0].kind == RouteEntry::Kind::voicemail);
  REQUIRE(c.created.size() == 1);
  CHECK(c.created[0].responsible == 1);
  CHECK(c.outcome == CallOutcome::voicemail);
  REQUIRE(c.activity.has_value());
  CHECK(c.activity->status == ActivityStatus::voicemail);
  CHECK(c.activity->voicemail == "vm.mp3");

  auto hang = run(
      world("", "{}",
            incoming_json("c1", "+79161234567", R"(, "presence": { "1": "busy", "2": "busy" })"),
            "", R"(, "no_answer": "hang_up")"));
  CHECK(call(hang, "c1").created.at(0).responsible == 1);  // the queue's first member
}

TEST_CASE("R-L5 an outgoing call's record belongs to the employee who dials") {
  auto out = run(world("", "{}", R"({ "id": "o1", "direction": "outgoing", "line": "+74950000000",
      "to": "8 903 111 22 33", "user": 3, "at": "2026-11-24T10:00:00Z", "duration": 12 })"));
  const auto& c = call(out, "o1");
  REQUIRE(c.created.size() == 1);
  CHECK(c.created[0].responsible == 3);
  CHECK(c.created[0].title == "8 903 111 22 33 - Outgoing call");
  CHECK(c.route.empty());
  CHECK(c.outcome == CallOutcome::answered);
}

TEST_CASE("R-L3 nothing is created twice in one call, nor for a matched in-progress lead") {
  const auto crm =
      R"({ "leads": [ { "id": 7, "title": "x", "phones": ["+79161234567"], "responsible": 2 } ] })";
  auto out =
      run(world("", crm, incoming_json("c1", "89161234567", R"(, "answers": [1], "duration": 5)")));
  const auto& c = call(out, "c1");
  CHECK(c.match.crm == CrmState::matched);
  CHECK(c.created.empty());
  CHECK(c.creation == CreationReason::lead_matched);
  CHECK(out.crm_after.leads.size() == 1);
}

TEST_CASE("R-L6 a known contact without an open deal gets a repeat lead when repeat sales are on") {
  const auto crm = R"({ "companies": [ { "id": 3, "title": "Acme", "phones": ["+74951112233"] } ],
                         "contacts": [ { "id": 5, "name": "Ivan", "phones": ["+79161234567"], "responsible": 2, "company": 3 } ] })";
  auto on =
      run(world(R"("repeat_sales": true,)", crm,
                incoming_json("c1", "+79161234567", R"(, "answers": [2], "duration": 5)") + "," +
                    incoming_json("c2", "+79161234567", R"(, "answers": [2], "duration": 5)")));
  const auto& first = call(on, "c1");
  REQUIRE(first.created.size() == 1);
  CHECK(first.created[0].repeat);
  CHECK(first.created[0].responsible == 2);  // the responsible was rung first
  CHECK(on.crm_after.leads.at(0).contact == 5);
  CHECK(on.crm_after.leads.at(0).company == 3);
  CHECK(on.crm_after.leads.at(0).repeat);
  // The second call finds the open repeat lead: nothing new; the call goes on the client.
  const auto& second = call(on, "c2");
  CHECK(second.created.empty());
  CHECK(second.creation == CreationReason::has_open_repeat_lead);

  auto off = run(
      world("", crm, incoming_json("c1", "+79161234567", R"(, "answers": [2], "duration": 5)")));
  CHECK(call(off, "c1").created.empty());
  REQUIRE(call(off, "c1").activity.has_value());
  CHECK(call(off, "c1").activity->bindings == std::vector<EntityRef>{{EntityType::contact, 5}});
}

TEST_CASE("R-L6 a company's own open deal counts (we differ from the reference product)") {
  const auto crm = R"({ "companies": [ { "id": 3, "title": "Acme", "phones": ["+74951112233"] } ],
      "contacts": [ { "id": 5, "name": "Ivan", "phones": ["+74951112233"], "company": 3 } ],
      "deals": [ { "id": 70, "title": "Supply", "company": 3, "modified": "2026-11-01T00:00:00Z" } ] })";
  auto out = run(world(R"("repeat_sales": true,)", crm,
                       incoming_json("c1", "+74951112233", R"(, "answers": [1], "duration": 5)")));
  const auto& c = call(out, "c1");
  CHECK(c.created.empty());
  CHECK(c.creation == CreationReason::has_open_deal);
  REQUIRE(c.activity.has_value());
  const std::vector<EntityRef> bindings{
      {EntityType::deal, 70}, {EntityType::contact, 5}, {EntityType::company, 3}};
  CHECK(c.activity->bindings == bindings);
}

TEST_CASE("R-S2 simple mode: a deal plus a contact and a company, linked to each other") {
  auto out = run(world(
      R"("crm_mode": "simple", "simple_mode": { "create": ["deal", "contact", "company"], "pipeline": 3 },)",
      "{}", incoming_json("c1", "8 916 123 45 67", R"(, "answers": [1], "duration": 9)")));
  const auto& c = call(out, "c1");
  REQUIRE(c.created.size() == 3);
  CHECK(c.created[0].entity.type == EntityType::deal);
  CHECK(c.created[1].entity.type == EntityType::contact);
  CHECK(c.created[2].entity.type == EntityType::company);
  const auto& deal = out.crm_after.deals.at(0);
  const auto& contact = out.crm_after.contacts.at(0);
  const auto& company = out.crm_after.companies.at(0);
  CHECK(deal.pipeline == 3);
  CHECK(deal.contact == contact.id);
  CHECK(deal.company == company.id);
  CHECK(contact.company == company.id);
  CHECK(contact.name == "8 916 123 45 67");
  CHECK(company.phones == std::vector<std::string>{"8 916 123 45 67"});
  REQUIRE(c.activity.has_value());
  CHECK(c.activity->bindings.front() == c.created[0].entity);
}

TEST_CASE("R-S3 switching the mode affects only calls that start afterwards") {
  Rig rig(world("", "{}",
                incoming_json("c1", "+79161234567", R"(, "answers": [1], "duration": 5)") + "," +
                    incoming_json("c2", "+79031112233", R"(, "answers": [1], "duration": 5)")));
  // c1 starts under classic; the switch happens while it rings.
  auto started = rig.engine->start_call(CallStart{"c1", CallDirection::incoming, "+74950000000",
                                                  "+79161234567", std::nullopt, std::nullopt,
                                                  rig.s.calls[0].at});
  REQUIRE(started.has_value());
  auto simple = rig.s.settings;
  simple.crm_mode = CrmMode::simple;
  REQUIRE(rig.engine->update_settings(simple).has_value());
  REQUIRE(rig.engine->answered(Answered{"c1", 0, 1, std::nullopt}).has_value());
  auto first = rig.engine->end_call(CallEnd{"c1", Seconds(5), {}, {}, {}, {}});
  REQUIRE(first.has_value());
  CHECK(first->created.at(0).entity.type == EntityType::lead);
  auto second = rig.play(1);
  CHECK(second.created.at(0).entity.type == EntityType::deal);
}

TEST_CASE("R-T1 a transfer hands over only what the call created; the option can be off") {
  const auto crm =
      R"({ "contacts": [ { "id": 40, "name": "Petro", "phones": ["+79031112233"], "responsible": 1 } ] })";
  const auto calls =
      incoming_json("c1", "+79161234567", R"(, "answers": [1], "transfer_to": 3, "duration": 5)") +
      "," +
      incoming_json("c2", "+79031112233", R"(, "answers": [1], "transfer_to": 3, "duration": 5)");
  auto on = run(world("", crm, calls));
  CHECK(call(on, "c1").reassigned.at(0) ==
        Reassignment{{EntityType::lead, 1}, 1, 3, ReassignReason::transfer});
  CHECK(call(on, "c1").activity->responsible == 3);
  CHECK(call(on, "c2").reassigned.empty());
  CHECK(on.crm_after.contacts.at(0).responsible == 1);

  auto off = run(world("", crm, calls, R"(, "change_responsible_on_transfer": false)"));
  CHECK(call(off, "c1").reassigned.empty());
  CHECK(off.crm_after.leads.at(0).responsible == 1);
  CHECK(call(off, "c1").transferred_to == 3);
}

TEST_CASE("R-T2 answering reassigns created records; only actual changes are listed") {
  auto out = run(
      world("", "{}", incoming_json("c1", "+79161234567", R"(, "answers": [1], "duration": 5)")));
  CHECK(call(out, "c1").reassigned.empty());  // created for 1, answered by 1
}

TEST_CASE("R-A1 every call ends with a history record, also without the CRM") {
  auto out = run(world(R"("exceptions": { "phones": ["+79161234567"] },)", "{}",
                       incoming_json("c1", "+79161234567", R"(, "answers": [2], "duration": 8)"),
                       R"(, "crm_lookup": true)"));
  const auto& c = call(out, "c1");
  CHECK(c.match.crm == CrmState::excepted);
  CHECK_FALSE(c.activity.has_value());
  CHECK(c.history.employee == 2);
  CHECK(c.history.duration == Seconds(8));
  CHECK(c.history.crm == CrmState::excepted);
  REQUIRE(out.crm_after.history.size() == 1);
  CHECK(out.crm_after.history[0].call == "c1");
  CHECK(out.crm_after.history[0].number == "+79161234567");
}

TEST_CASE("R-A2 the activity: subject, direction, talk time; modified is left alone") {
  const auto crm =
      R"({ "leads": [ { "id": 7, "title": "x", "phones": ["+79161234567"], "modified": "2026-11-01T00:00:00Z" } ] })";
  auto out = run(world(
      "", crm,
      incoming_json("c1", "8 916 123 45 67", R"(, "answers": [1], "duration": 61)") + "," +
          R"({ "id": "cb", "direction": "callback", "line": "+74950000000", "from": "+79161234567",
                                         "at": "2026-11-24T11:00:00Z", "answers": [] })"));
  const auto& c = call(out, "c1");
  REQUIRE(c.activity.has_value());
  CHECK(c.activity->subject == "Incoming call from +79161234567");
  CHECK(c.activity->direction == CallDirection::incoming);
  CHECK(c.activity->duration == Seconds(61));
  CHECK(call(out, "cb").activity->subject == "Callback to +79161234567");
  CHECK(call(out, "cb").activity->duration == Seconds(0));
  const Timestamp november_first = std::chrono::sys_days(std::chrono::year(2026) / 11 / 1);
  CHECK(out.crm_after.leads.at(0).modified == november_first);  // activities do not touch it
}

TEST_CASE(
    "R-A3 the responsible of an unanswered call: voicemail, then client, then created, then rung") {
  const auto crm =
      R"({ "contacts": [ { "id": 5, "name": "Ivan", "phones": ["+79161234567"], "responsible": 3 } ] })";
  // Known client, nobody answers, the queue hangs up: the client's responsible.
  auto known = run(world("", crm, incoming_json("c1", "+79161234567", R"(, "answers": [])"), "",
                         R"(, "no_answer": "hang_up")"));
  CHECK(call(known, "c1").activity->responsible == 3);
  CHECK(call(known, "c1").history.employee == 3);
  // Unknown caller: the responsible of the lead created for the call (the first rung).
  auto unknown = run(world("", "{}", incoming_json("c1", "+79031112233", R"(, "answers": [])"), "",
                           R"(, "no_answer": "hang_up")"));
  CHECK(call(unknown, "c1").activity->responsible == 1);
  // Excepted caller: no activity, the history names the first user of the last ring step.
  auto excepted = run(world(R"("exceptions": { "phones": ["+79031112233"] },)", "{}",
                            incoming_json("c1", "+79031112233", R"(, "answers": [])"), "",
                            R"(, "no_answer": "hang_up")"));
  CHECK(call(excepted, "c1").history.employee == 2);
  // Voicemail: its addressee.
  auto voicemail = run(world(
      "", crm, incoming_json("c1", "+79161234567", R"(, "answers": [], "voicemail": "m.mp3")"),
      R"(, "route_to_responsible": false)"));
  CHECK(call(voicemail, "c1").route.back().kind == RouteEntry::Kind::voicemail);
  CHECK(call(voicemail, "c1").activity->responsible == call(voicemail, "c1").route.back().employee);
}

TEST_CASE("R-A4 a recording is attached only when the line records calls") {
  const auto c1 = incoming_json("c1", "+79161234567",
                                R"(, "answers": [1], "duration": 5, "recording": "r.mp3")");
  auto on = run(world("", "{}", c1));
  CHECK(call(on, "c1").activity->recording == "r.mp3");
  auto off = run(world("", "{}", c1, R"(, "record_calls": false)"));
  CHECK_FALSE(call(off, "c1").activity->recording.has_value());
}

TEST_CASE("R-A5 status codes: 200 answered, 304 missed, or the code the PBX gave") {
  auto out =
      run(world("", "{}",
                incoming_json("a", "+79161234567", R"(, "answers": [1], "duration": 5)") + "," +
                    incoming_json("m", "+79161234568", R"(, "answers": [])") + "," +
                    incoming_json("b", "+79161234569", R"(, "answers": [], "status_code": 486)")));
  CHECK(call(out, "a").status == CallStatus::answered);
  CHECK(call(out, "m").status == CallStatus::missed);
  CHECK(call(out, "b").status == CallStatus::busy);
  CHECK(call(out, "b").history.status == CallStatus::busy);
  CHECK(code_of(call(out, "b").status) == 486);
  CHECK(describe(CallStatus{487}) == "other");  // the enum is open: any SIP code
}

TEST_CASE("R-A6 missed calls are kept and marked called back by the next answered outgoing call") {
  const auto calls =
      incoming_json("m1", "+79161234567", R"(, "answers": [])") + "," +
      incoming_json("m2", "8 916 123 45 67", R"(, "answers": [])") + "," +
      R"({ "id": "o1", "direction": "outgoing", "line": "+74950000000", "to": "+79161234567",
                          "user": 2, "at": "2026-11-24T12:00:00Z", "duration": 0 })" +
      "," +
      R"({ "id": "o2", "direction": "outgoing", "line": "+74950000000", "to": "+79161234567",
                          "user": 2, "at": "2026-11-24T12:05:00Z", "duration": 30 })";
  auto out = run(world("", "{}", calls));
  REQUIRE(out.crm_after.missed_calls.size() == 2);
  for (const auto& m : out.crm_after.missed_calls) {
    CHECK(m.number == "+79161234567");
    CHECK(m.called_back_by == "o2");  // o1 was not answered
  }
}

TEST_CASE("R-A7 a deal and an invoice made during the call bind to the client and the activity") {
  const auto crm =
      R"({ "contacts": [ { "id": 5, "name": "Ivan", "phones": ["+79161234567"], "responsible": 2 } ] })";
  auto out =
      run(world("", crm,
                incoming_json("c1", "+79161234567",
                              R"(, "answers": [2], "duration": 90, "comment": "wants a quote",
      "during_call": [ { "create": "deal", "title": "Quote" }, { "create": "invoice", "amount": 100 } ])")));
  const auto& c = call(out, "c1");
  REQUIRE(c.created.size() == 2);
  CHECK(c.created[0].entity == EntityRef{EntityType::deal, 1});
  CHECK(c.created[0].title == "Quote");
  CHECK(c.created[0].responsible == 2);
  CHECK(c.created[1].entity == EntityRef{EntityType::invoice, 1});
  CHECK(c.created[1].amount == 100);
  CHECK(out.crm_after.deals.at(0).contact == 5);
  CHECK(out.crm_after.invoices.at(0).entity == EntityRef{EntityType::contact, 5});
  const std::vector<EntityRef> bindings{
      {EntityType::deal, 1}, {EntityType::contact, 5}, {EntityType::invoice, 1}};
  CHECK(c.activity->bindings == bindings);
  CHECK(c.activity->comment == "wants a quote");
}
