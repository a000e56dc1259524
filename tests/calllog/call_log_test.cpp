// SPDX-License-Identifier: Apache-2.0
// CallLog, the end-of-call rules (R-A1 … R-A6, R-A7 as facts, R-L5's fallback), table by
// table: each row is the facts of one call and what its end must leave behind. Pure: no
// engine, no store — the rows are the rules.
#include <telcrm/calllog/call_log.hpp>
#include <telcrm/phone/phone_normalizer.hpp>

#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

using namespace telcrm;
using namespace std::chrono_literals;

namespace {

const Timestamp at = Timestamp(std::chrono::seconds(1'795'000'000));

MatchResult match_of(std::string_view number, CrmState crm, std::vector<EntityRef> bindings = {},
                     std::optional<EmployeeId> responsible = {}) {
  MatchResult m;
  m.number = PhoneNormalizer().normalize(number, *Region::from_code("RU"));
  m.crm = crm;
  m.bindings = std::move(bindings);
  if (!m.bindings.empty()) m.primary = m.bindings.front();
  m.responsible = responsible;
  return m;
}

EntityRef contact(EntityId id) {
  return {EntityType::contact, id};
}
EntityRef lead(EntityId id) {
  return {EntityType::lead, id};
}
EntityRef deal(EntityId id) {
  return {EntityType::deal, id};
}
EntityRef company(EntityId id) {
  return {EntityType::company, id};
}
EntityRef invoice(EntityId id) {
  return {EntityType::invoice, id};
}

RouteEntry ring(std::vector<EmployeeId> who) {
  RouteEntry r;
  r.kind = RouteEntry::Kind::ring;
  r.employees = std::move(who);
  return r;
}

// One call's facts, owning what CallFacts only views.
struct Call {
  CallDirection direction = CallDirection::incoming;
  std::string input = "+79161234567";
  MatchResult match = match_of("+79161234567", CrmState::unknown);
  std::vector<RouteEntry> route{};
  std::optional<EmployeeId> answered_by{};
  bool answered_by_number = false;
  std::optional<EmployeeId> holder{};
  std::optional<EmployeeId> dialer{};
  std::optional<EmployeeId> voicemail_for{};
  std::vector<CreatedEntity> created{};
  std::vector<Reassignment> reassigned{};
  std::vector<EntityRef> bound{};
  std::vector<std::string> comments{};
  std::vector<OfferAction> offer{};
  bool record_calls = true;

  [[nodiscard]] CallFacts facts() const {
    CallFacts f;
    f.call = "c1";
    f.direction = direction;
    f.input = input;
    f.match = &match;
    f.at = at;
    f.line = "+74950000000";
    f.record_calls = record_calls;
    f.route = route;
    f.answered_by = answered_by;
    f.answered_by_number = answered_by_number;
    f.holder = holder;
    f.dialer = dialer;
    f.voicemail_for = voicemail_for;
    f.created = created;
    f.reassigned = reassigned;
    f.bound = bound;
    f.comments = comments;
    f.offer = offer;
    return f;
  }
  [[nodiscard]] EndPlan end(CallEnd e = {}) const {
    e.call = "c1";
    return CallLog::plan_end(facts(), e);
  }
};

CreatedEntity created(EntityRef e, std::optional<EmployeeId> responsible) {
  CreatedEntity c;
  c.entity = e;
  c.responsible = responsible;
  return c;
}

CallEnd talked(std::int64_t seconds) {
  CallEnd e;
  e.duration = Seconds(seconds);
  return e;
}

}  // namespace

TEST_CASE("R-A1 every call ends with a history record, also when the CRM took no part") {
  struct Row {
    const char* name;
    Call call;
    CallEnd end;
    CallRecord want;
  };
  Call excepted;
  excepted.match = match_of("+79161234567", CrmState::excepted);
  Call employee;
  employee.match = match_of("+79160000001", CrmState::employee);
  employee.input = "+79160000001";
  Call hidden;
  hidden.match = match_of("anonymous", CrmState::unknown);
  hidden.input = "anonymous";
  Call answered;
  answered.match = match_of("+79161234567", CrmState::matched, {contact(7)}, 2);
  answered.answered_by = 3;
  answered.holder = 3;
  const std::vector<Row> rows{
      {"excepted number: history, no CRM",
       excepted,
       {},
       {"c1", CallDirection::incoming, "+79161234567", "+74950000000", at, 0s, CallStatus::missed,
        std::nullopt, CrmState::excepted}},
      {"employee's number",
       employee,
       {},
       {"c1", CallDirection::incoming, "+79160000001", "+74950000000", at, 0s, CallStatus::missed,
        std::nullopt, CrmState::employee}},
      {"a hidden number is kept as received",
       hidden,
       {},
       {"c1", CallDirection::incoming, "anonymous", "+74950000000", at, 0s, CallStatus::missed,
        std::nullopt, CrmState::unknown}},
      {"answered: talk time, 200, who had it",
       answered,
       talked(42),
       {"c1", CallDirection::incoming, "+79161234567", "+74950000000", at, 42s,
        CallStatus::answered, EmployeeId{3}, CrmState::matched}},
  };
  for (const auto& row : rows) {
    CAPTURE(row.name);
    const EndPlan plan = row.call.end(row.end);
    CHECK(plan.history.call == row.want.call);
    CHECK(plan.history.direction == row.want.direction);
    CHECK(plan.history.number == row.want.number);
    CHECK(plan.history.line == row.want.line);
    CHECK(plan.history.start == row.want.start);
    CHECK(plan.history.duration == row.want.duration);
    CHECK(plan.history.status == row.want.status);
    CHECK(plan.history.employee == row.want.employee);
    CHECK(plan.history.crm == row.want.crm);
  }
}

TEST_CASE("R-A2 the activity: bindings, subject by direction, no bindings no activity") {
  Call known;
  known.match = match_of("8 916 123-45-67", CrmState::matched, {deal(4), contact(7)}, 2);
  known.input = "8 916 123-45-67";
  known.answered_by = 2;
  known.holder = 2;
  const EndPlan plan = known.end(talked(30));
  REQUIRE(plan.activity.has_value());
  CHECK(plan.activity->subject == "Incoming call from +79161234567");  // E.164 when dialable
  CHECK(plan.activity->bindings == std::vector<EntityRef>{deal(4), contact(7)});
  CHECK(plan.activity->duration == 30s);
  CHECK(plan.activity->status == ActivityStatus::answered);
  CHECK(plan.activity->responsible == EmployeeId{2});
  CHECK(plan.activity->start == at);

  struct Subject {
    CallDirection direction;
    const char* input;
    const char* want;
  };
  for (const auto& row :
       {Subject{CallDirection::outgoing, "+79161234567", "Outgoing call to +79161234567"},
        Subject{CallDirection::callback, "+79161234567", "Callback to +79161234567"},
        Subject{CallDirection::incoming, "12ab", "Incoming call from 12ab"}}) {
    CAPTURE(row.want);
    Call c;
    c.direction = row.direction;
    c.input = row.input;
    c.match = match_of(row.input, CrmState::unknown);
    CHECK(CallLog::subject(c.facts()) == row.want);
  }

  // No binding: excepted, employee, CRM off, nothing matched and nothing created.
  for (CrmState state :
       {CrmState::excepted, CrmState::employee, CrmState::disabled, CrmState::unknown}) {
    CAPTURE(state);
    Call c;
    c.match = match_of("+79161234567", state);
    CHECK_FALSE(c.end().activity.has_value());
  }
}

TEST_CASE("R-A2 R-A7 bindings: created records first by type, then the match's; R-I2 bound") {
  Call c;
  c.match = match_of("+79161234567", CrmState::matched, {deal(4), contact(7), company(9)}, 2);
  c.created = {created(invoice(1), 2), created(deal(8), 2)};
  CHECK(CallLog::bindings(c.facts()) ==
        std::vector<EntityRef>{deal(8), deal(4), contact(7), company(9), invoice(1)});

  Call other;  // R-I2: binds to another call's lead instead of its (empty) match
  other.bound = {lead(5)};
  CHECK(CallLog::bindings(other.facts()) == std::vector<EntityRef>{lead(5)});
  CHECK(other.end().activity->bindings == std::vector<EntityRef>{lead(5)});
}

TEST_CASE("R-A3 the responsible of a call, in the order the rule gives") {
  struct Row {
    const char* name;
    Call call;
    std::optional<EmployeeId> want;
  };
  Call holder;
  holder.holder = 5;
  holder.voicemail_for = 6;
  Call outgoing;
  outgoing.direction = CallDirection::outgoing;
  outgoing.dialer = 4;
  outgoing.holder = 9;
  Call voicemail;
  voicemail.voicemail_for = 6;
  voicemail.match = match_of("+79161234567", CrmState::matched, {contact(7)}, 2);
  Call client;
  client.match = match_of("+79161234567", CrmState::matched, {contact(7)}, 2);
  client.route = {ring({3})};
  Call created_for;
  created_for.created = {created(lead(1), 3)};
  created_for.route = {ring({3, 4}), ring({8})};
  Call reassigned = created_for;
  reassigned.reassigned = {{lead(1), 3, 4, ReassignReason::answered},
                           {lead(1), 4, 5, ReassignReason::transfer}};
  Call last_ring;
  last_ring.route = {ring({3, 4}), ring({8, 1})};
  Call nobody;
  const std::vector<Row> rows{
      {"the employee who had it last", holder, 5},
      {"outgoing: who dials", outgoing, 4},
      {"unanswered: voicemail addressee first", voicemail, 6},
      {"else the client's active responsible", client, 2},
      {"else the responsible of what was created", created_for, 3},
      {"…as it is now, after reassignments", reassigned, 5},
      {"else the first user of the last ring step", last_ring, 8},
      {"nobody at all", nobody, std::nullopt},
  };
  for (const auto& row : rows) {
    CAPTURE(row.name);
    CHECK(CallLog::responsible(row.call.facts()) == row.want);
    CHECK(row.call.end().history.employee == row.want);
  }
}

TEST_CASE("R-A4 recording when the line records and the call was answered; voicemail") {
  Call c;
  c.match = match_of("+79161234567", CrmState::matched, {contact(7)}, 2);
  c.answered_by = 2;
  c.holder = 2;
  CallEnd e = talked(10);
  e.recording = "rec-1.mp3";
  CHECK(c.end(e).activity->recording == std::optional<std::string>("rec-1.mp3"));

  Call silent = c;
  silent.record_calls = false;
  CHECK_FALSE(silent.end(e).activity->recording.has_value());

  Call message;
  message.match = c.match;
  message.voicemail_for = 2;
  CallEnd left;
  left.voicemail = "vm-1.wav";
  const EndPlan plan = message.end(left);
  CHECK(plan.outcome == CallOutcome::voicemail);
  CHECK(plan.activity->status == ActivityStatus::voicemail);
  CHECK(plan.activity->voicemail == std::optional<std::string>("vm-1.wav"));

  Call no_route_voicemail;  // a voicemail reference without a voicemail step is not one
  no_route_voicemail.match = c.match;
  CHECK(no_route_voicemail.end(left).outcome == CallOutcome::missed);
}

TEST_CASE("R-A5 status codes: the code given wins, else 200 answered or 304") {
  struct Row {
    const char* name;
    bool answered;
    std::optional<CallStatus> given;
    CallStatus want;
  };
  const std::vector<Row> rows{
      {"answered", true, std::nullopt, CallStatus::answered},
      {"unanswered", false, std::nullopt, CallStatus::missed},
      {"busy given", false, CallStatus::busy, CallStatus::busy},
      {"declined given", false, CallStatus::declined, CallStatus::declined},
      {"a SIP code without a name", false, CallStatus{487}, CallStatus{487}},
  };
  for (const auto& row : rows) {
    CAPTURE(row.name);
    Call c;
    if (row.answered) c.answered_by = 1;
    CallEnd e = talked(row.answered ? 5 : 0);
    e.status = row.given;
    const EndPlan plan = c.end(e);
    CHECK(plan.status == row.want);
    CHECK(plan.history.status == row.want);
  }
  Call forwarded;  // a forwarded outside number answering counts as answered
  forwarded.answered_by_number = true;
  CHECK(forwarded.end(talked(5)).status == CallStatus::answered);
  Call outgoing;  // outgoing: answered means it talked
  outgoing.direction = CallDirection::outgoing;
  CHECK(outgoing.end(talked(0)).status == CallStatus::missed);
  CHECK(outgoing.end(talked(3)).status == CallStatus::answered);
}

TEST_CASE("R-A6 missed calls are kept for their E.164; an answered outgoing call calls back") {
  struct Row {
    const char* name;
    CallDirection direction;
    CrmState crm;
    const char* number;
    bool answered;
    bool missed;
    bool called_back;
  };
  const std::vector<Row> rows{
      {"incoming unanswered", CallDirection::incoming, CrmState::unknown, "+79161234567", false,
       true, false},
      {"callback unanswered", CallDirection::callback, CrmState::matched, "+79161234567", false,
       true, false},
      {"incoming answered", CallDirection::incoming, CrmState::matched, "+79161234567", true, false,
       false},
      {"excepted: the CRM keeps nothing", CallDirection::incoming, CrmState::excepted,
       "+79161234567", false, false, false},
      {"employee", CallDirection::incoming, CrmState::employee, "+79161234567", false, false,
       false},
      {"not dialable", CallDirection::incoming, CrmState::unknown, "12ab", false, false, false},
      {"outgoing answered calls back", CallDirection::outgoing, CrmState::matched, "+79161234567",
       true, false, true},
      {"outgoing unanswered does not", CallDirection::outgoing, CrmState::matched, "+79161234567",
       false, false, false},
  };
  for (const auto& row : rows) {
    CAPTURE(row.name);
    Call c;
    c.direction = row.direction;
    c.input = row.number;
    c.match = match_of(row.number, row.crm);
    if (row.answered) c.answered_by = 1;
    const EndPlan plan = c.end(talked(row.answered ? 7 : 0));
    CHECK(plan.missed.has_value() == row.missed);
    if (plan.missed) {
      CHECK(plan.missed->number == "+79161234567");
      CHECK(plan.missed->call == "c1");
      CHECK_FALSE(plan.missed->called_back_by.has_value());
    }
    CHECK(plan.called_back.has_value() == row.called_back);
    if (plan.called_back) CHECK(*plan.called_back == "+79161234567");
  }
}

TEST_CASE("R-A7 comments during the call join the end's comment on the activity") {
  Call c;
  c.match = match_of("+79161234567", CrmState::matched, {contact(7)}, 2);
  c.comments = {"asked for a price", "will call back"};
  CallEnd e;
  e.comment = "summary";
  CHECK(c.end(e).activity->comment ==
        std::optional<std::string>("summary\nasked for a price\nwill call back"));
  CHECK(c.end().activity->comment ==
        std::optional<std::string>("asked for a price\nwill call back"));
  Call quiet;
  quiet.match = c.match;
  CHECK_FALSE(quiet.end().activity->comment.has_value());
}

TEST_CASE("R-L1 the offer stands only for a dialable unknown number that created nothing") {
  const std::vector<OfferAction> offer{OfferAction::create_lead};
  Call unknown;
  unknown.offer = offer;
  CHECK(unknown.end().offer == offer);
  Call created_lead = unknown;
  created_lead.created = {created(lead(1), 1)};
  CHECK(created_lead.end().offer.empty());
  Call bound = unknown;
  bound.bound = {lead(2)};
  CHECK(bound.end().offer.empty());
  Call hidden = unknown;
  hidden.input = "anonymous";
  hidden.match = match_of("anonymous", CrmState::unknown);
  CHECK(hidden.end().offer.empty());
}

TEST_CASE("R-L5 who gets the records when the call ends before anyone was rung") {
  const std::vector<EmployeeId> queue{4, 5};
  CHECK(CallLog::owner_when_nobody_rung(2, 3, queue) == EmployeeId{2});             // voicemail's
  CHECK(CallLog::owner_when_nobody_rung(std::nullopt, 3, queue) == EmployeeId{3});  // off hours
  CHECK(CallLog::owner_when_nobody_rung(std::nullopt, std::nullopt, queue) == EmployeeId{4});
  CHECK_FALSE(CallLog::owner_when_nobody_rung(std::nullopt, std::nullopt, {}).has_value());
}
