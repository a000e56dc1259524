// SPDX-License-Identifier: Apache-2.0
// RoutingPolicy: the responsible (R-R1 … R-R4), working hours (R-R5), reasons (R-R6).
#include "routing/routing_fixture.hpp"

using namespace routing_test;

namespace {

StaffedSettings with_phones(StaffedSettings s) {
  s.employees[4].phones.mobile = "8 903 111-22-33";  // employee 5
  s.employees[4].phones.work = "+7 495 765-43-21";
  s.employees[2].phones.mobile = "+7 903 333-33-33";  // employee 3
  return s;
}

}  // namespace

TEST_CASE("R-R1 the responsible rings first, alone, for the line's ring time, member or not") {
  struct Row {
    const char* name;
    EmployeeId responsible;
    int ring_seconds;
    std::vector<EmployeeId> answers;
    const char* route;
  };
  const Row rows[] = {
      {"not a queue member, answers", 5, 30, {5}, "ring [5] 30s responsible"},
      {"a queue member, answers", 2, 30, {2}, "ring [2] 30s responsible"},
      {"the line's own ring time", 5, 20, {5}, "ring [5] 20s responsible"},
      {"no answer: the queue follows",
       5,
       30,
       {3},
       "ring [5] 30s responsible | ring [1] 15s queue:sales | ring [2] 15s queue:sales | "
       "ring [3] 15s queue:sales"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.name);
    auto s = base_settings();
    s.lines[0].responsible_ring_time = Seconds(row.ring_seconds);
    SimCall call;
    call.responsible = row.responsible;
    call.answers = row.answers;
    const auto result = route_of(s, call);
    CHECK(result.text() == row.route);
    CHECK(result.answering_employee == row.answers.front());
  }
}

TEST_CASE("R-R1 a responsible who is inactive or unknown to the roster is not rung") {
  auto s = base_settings();
  const RoutingPolicy policy = make_policy(s);
  Roster roster(s.employees, s.default_region);
  roster.set_active(5, false);
  QueueStats stats;
  SimCall call;
  call.responsible = 5;
  call.answers = {1};
  CHECK(simulate(policy, roster, stats, call).text() == "ring [1] 15s queue:sales");
  call.responsible = 99;  // not in the directory at all
  CHECK(simulate(policy, roster, stats, call).text() == "ring [1] 15s queue:sales");
}

TEST_CASE("R-R2 a busy or offline responsible is not rung; the R-R3 action carries why") {
  struct Row {
    Presence presence;
    ResponsibleFallback fallback;
    bool has_phone;
    const char* route;
  };
  const Row rows[] = {
      {Presence::busy, ResponsibleFallback::queue, true,
       "ring [1] 15s queue:sales | ring [2] 15s queue:sales | ring [3] 15s queue:sales | "
       "voicemail 3 no_answer_rule"},
      {Presence::offline, ResponsibleFallback::queue, true,
       "ring [1] 15s queue:sales | ring [2] 15s queue:sales | ring [3] 15s queue:sales | "
       "voicemail 3 no_answer_rule"},
      {Presence::busy, ResponsibleFallback::forward_to_phone, true,
       "forward +79031112233 30s responsible_busy (employee 5) | voicemail 5 responsible_busy"},
      {Presence::offline, ResponsibleFallback::forward_to_phone, true,
       "forward +79031112233 30s responsible_unreachable (employee 5) | "
       "voicemail 5 responsible_unreachable"},
      {Presence::busy, ResponsibleFallback::forward_to_phone, false,
       "voicemail 5 responsible_busy"},
      {Presence::busy, ResponsibleFallback::voicemail, true, "voicemail 5 responsible_busy"},
      {Presence::offline, ResponsibleFallback::voicemail, true,
       "voicemail 5 responsible_unreachable"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.presence);
    CAPTURE(row.fallback);
    CAPTURE(row.has_phone);
    auto s = row.has_phone ? with_phones(base_settings()) : base_settings();
    s.lines[0].responsible_no_answer = row.fallback;
    SimCall call;
    call.responsible = 5;
    call.presence = {{5, row.presence}};
    CHECK(route_of(s, call).text() == row.route);
  }
}

TEST_CASE("R-R2 with the working-day option, a responsible whose day is not open is omitted") {
  struct Row {
    bool option;
    Workday workday;
    const char* route;
  };
  const Row rows[] = {
      {true, Workday::closed,
       "ring [1] 15s queue:sales | ring [3] 15s queue:sales | voicemail 3 no_answer_rule"},
      {true, Workday::paused,
       "ring [1] 15s queue:sales | ring [3] 15s queue:sales | voicemail 3 no_answer_rule"},
      {true, Workday::open,
       "ring [2] 30s responsible | ring [1] 15s queue:sales | ring [3] 15s queue:sales | "
       "voicemail 3 no_answer_rule"},
      {true, Workday::untracked,
       "ring [2] 30s responsible | ring [1] 15s queue:sales | ring [3] 15s queue:sales | "
       "voicemail 3 no_answer_rule"},
      {false, Workday::closed,
       "ring [2] 30s responsible | ring [1] 15s queue:sales | ring [3] 15s queue:sales | "
       "voicemail 3 no_answer_rule"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.option);
    CAPTURE(row.workday);
    auto s = base_settings();
    s.lines[0].only_working_employees = row.option;
    s.employees[1].workday = row.workday;  // employee 2, the responsible and a member
    SimCall call;
    call.responsible = 2;
    CHECK(route_of(s, call).text() == row.route);
  }
}

TEST_CASE("R-R3 what follows a responsible who does not answer") {
  struct Row {
    ResponsibleFallback fallback;
    EmployeeId responsible;
    std::vector<std::string> phone_answers;
    const char* route;
  };
  const Row rows[] = {
      // The responsible counts as tried in the queue's first pass: 2 is not rung again.
      {ResponsibleFallback::queue,
       2,
       {},
       "ring [2] 30s responsible | ring [1] 15s queue:sales | ring [3] 15s queue:sales | "
       "voicemail 3 no_answer_rule"},
      {ResponsibleFallback::forward_to_phone,
       5,
       {},
       "ring [5] 30s responsible | forward +79031112233 30s responsible_no_answer (employee 5) | "
       "voicemail 5 responsible_no_answer"},
      {ResponsibleFallback::forward_to_phone,
       5,
       {"+79031112233"},
       "ring [5] 30s responsible | forward +79031112233 30s responsible_no_answer (employee 5)"},
      {ResponsibleFallback::forward_to_phone,
       4,
       {},  // no phone at all: voicemail directly
       "ring [4] 30s responsible | voicemail 4 responsible_no_answer"},
      {ResponsibleFallback::voicemail,
       5,
       {},
       "ring [5] 30s responsible | voicemail 5 responsible_no_answer"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.fallback);
    CAPTURE(row.responsible);
    auto s = with_phones(base_settings());
    s.lines[0].responsible_no_answer = row.fallback;
    SimCall call;
    call.responsible = row.responsible;
    call.phone_answers = row.phone_answers;
    const auto result = route_of(s, call);
    CHECK(result.text() == row.route);
    if (!row.phone_answers.empty()) {
      // An answer on the employee's own phone is that employee's answer.
      CHECK(result.answering_employee == row.responsible);
    }
  }
}

TEST_CASE("R-R3 the own phone is the first of mobile, personal, work that is dialable") {
  struct Row {
    std::optional<std::string> mobile, personal, work;
    const char* number;
  };
  const Row rows[] = {
      {"8 903 111-22-33", "8 903 222-22-22", "+7 495 765-43-21", "+79031112233"},
      {std::nullopt, "8 903 222-22-22", "+7 495 765-43-21", "+79032222222"},
      {std::nullopt, std::nullopt, "+7 495 765-43-21", "+74957654321"},
      {"", std::nullopt, "+7 495 765-43-21", "+74957654321"},     // empty counts as not set
      {"n/a", std::nullopt, "+7 495 765-43-21", "+74957654321"},  // set but unusable: skipped
      {"n/a", "12", "8 903 222-22-22", "+79032222222"},           // a short code is no phone
  };
  for (const auto& row : rows) {
    CAPTURE(row.number);
    auto s = base_settings();
    s.employees[4].phones = EmployeePhones{row.mobile, row.personal, row.work};
    s.lines[0].responsible_no_answer = ResponsibleFallback::forward_to_phone;
    SimCall call;
    call.responsible = 5;
    call.presence = {{5, Presence::busy}};
    const auto result = route_of(s, call);
    REQUIRE(result.route.size() == 2);
    const auto* forward = result.route[0].get_if<ForwardStep>();
    REQUIRE(forward != nullptr);
    CHECK(forward->number == row.number);
    CHECK(forward->employee == 5);
  }
}

TEST_CASE("R-R3 a busy signal while the responsible rings counts as busy") {
  auto s = with_phones(base_settings());
  s.lines[0].responsible_no_answer = ResponsibleFallback::voicemail;
  const RoutingPolicy policy = make_policy(s);
  const Roster roster(s.employees, s.default_region);
  const QueueStats stats;
  RouteCall call{0, CallDirection::incoming, at(10), "c1", EmployeeId{5}};
  struct Row {
    StepOutcome outcome;
    RouteWhy why;
  };
  for (const Row row : {Row{StepOutcome::busy, RouteWhy::responsible_busy},
                        Row{StepOutcome::no_answer, RouteWhy::responsible_no_answer},
                        Row{StepOutcome::rejected, RouteWhy::responsible_no_answer}}) {
    CAPTURE(row.outcome);
    auto first = policy.next(call, roster, stats, *policy.begin(call), StepOutcome::none);
    REQUIRE(first.step);
    CHECK(first.step->why().why == RouteWhy::responsible);
    auto second = policy.next(call, roster, stats, std::move(first.state), row.outcome);
    REQUIRE(second.step);
    CHECK(*second.step == RouteStep(VoicemailStep{5, row.why}));
    CHECK(second.state.ended());
    auto after = policy.next(call, roster, stats, second.state, StepOutcome::none);
    CHECK(after.ended());
  }
}

TEST_CASE("R-R4 without an identified client, or with R-R1 off, the call goes to the queue") {
  auto s = base_settings();
  SimCall call;
  call.answers = {2};
  CHECK(route_of(s, call).text() == "ring [1] 15s queue:sales | ring [2] 15s queue:sales");
  s.lines[0].route_to_responsible = false;
  call.responsible = 5;
  call.answers = {1};
  CHECK(route_of(s, call).text() == "ring [1] 15s queue:sales");
}

TEST_CASE("R-R5 is_within_work_hours: offset, days, from inclusive, to exclusive, holidays") {
  using namespace std::chrono;
  WorkHours msk;  // Monday to Friday, 09:00–18:00
  msk.utc_offset = hours(3);
  WorkHours ny;
  ny.utc_offset = -hours(5);
  ny.days = {true, false, false, false, false, false, false};  // Mondays only
  ny.from = hours(20);
  ny.to = hours(22);
  WorkHours whole_days = msk;
  whole_days.from = minutes(0);
  whole_days.to = hours(24);
  WorkHours holiday = msk;
  holiday.holidays = {{24, 11}};
  WorkHours empty = msk;
  empty.from = hours(18);
  empty.to = hours(9);
  const Timestamp saturday = sys_days(year(2026) / November / 28) + hours(10);
  const Timestamp sunday_late = sys_days(year(2026) / November / 22) + hours(22);  // Mon 01:00 MSK
  struct Row {
    const char* name;
    const WorkHours* hours;
    Timestamp at;
    bool within;
  };
  const Row rows[] = {
      {"Tuesday 13:00 local", &msk, at(10), true},
      {"09:00 local is in (from is inclusive)", &msk, at(6), true},
      {"08:59:59 local is out", &msk, at(5, 59, 59), false},
      {"17:59:59 local is in", &msk, at(14, 59, 59), true},
      {"18:00 local is out (to is exclusive)", &msk, at(15), false},
      {"Saturday", &msk, saturday, false},
      {"the offset moves Sunday 22:00 UTC to Monday", &whole_days, sunday_late, true},
      {"a negative offset moves Tuesday 02:00 UTC to Monday 21:00", &ny, at(2), true},
      {"Tuesday 21:00 in New York is not a Monday", &ny, at(2) + days(1), false},
      {"a holiday (day.month, local date)", &holiday, at(10), false},
      {"the local date decides the holiday", &holiday,
       sys_days(year(2026) / November / 23) + hours(21) + minutes(30), false},
      {"from after to is empty", &empty, at(10), false},
  };
  for (const auto& row : rows) {
    CAPTURE(row.name);
    CHECK(is_within_work_hours(*row.hours, row.at) == row.within);
  }
  CHECK(weekday_of(sys_days(year(2026) / November / 24)) == Weekday::tue);
  CHECK(weekday_of(sys_days(year(2026) / November / 22)) == Weekday::sun);
}

TEST_CASE("R-R5 outside working hours nobody is rung; the off-hours action applies") {
  struct Row {
    OffHoursAction action;
    std::optional<EmployeeId> responsible;
    std::vector<std::string> phone_answers;
    const char* route;
  };
  const Row rows[] = {
      {OffHoursAction::voicemail, 5, {}, "voicemail 5 off_hours"},
      {OffHoursAction::voicemail, std::nullopt, {}, "voicemail 1 off_hours"},
      {OffHoursAction::forward_to_number,
       5,
       {},
       "forward +79160000001 30s off_hours | voicemail 5 off_hours"},
      {OffHoursAction::forward_to_number,
       std::nullopt,
       {"+79160000001"},
       "forward +79160000001 30s off_hours"},
      {OffHoursAction::hang_up, 5, {}, "hang_up off_hours"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.action);
    CAPTURE(row.responsible.value_or(0));
    auto s = base_settings();
    WorkHours hours;
    hours.utc_offset = std::chrono::hours(3);
    hours.off_hours = row.action;
    hours.forward_number = "8 916 000-00-01";
    s.lines[0].work_hours = hours;
    SimCall call;
    call.start = at(20);  // 23:00 in Moscow
    call.responsible = row.responsible;
    call.answers = {1, 2, 3, 5};
    call.phone_answers = row.phone_answers;
    CHECK(route_of(s, call).text() == row.route);
    const RoutingPolicy policy = make_policy(s);
    RouteCall rc{0, CallDirection::incoming, call.start, "c1", row.responsible};
    CHECK(policy.is_off_hours(rc));
    CHECK(policy.attributed_to(rc) == row.responsible.value_or(1));
    rc.at = at(10);
    CHECK_FALSE(policy.is_off_hours(rc));
  }
}

TEST_CASE("R-R5 within working hours, and callbacks, route as usual") {
  auto s = base_settings();
  s.lines[0].work_hours = WorkHours{};
  SimCall call;
  call.start = at(10);
  call.direction = CallDirection::callback;
  call.responsible = 5;
  call.answers = {5};
  CHECK(route_of(s, call).text() == "ring [5] 30s responsible");
}

TEST_CASE("R-R6 every step's reason is spelled as in the scenario format") {
  const std::pair<RouteReason, const char*> rows[] = {
      {RouteWhy::responsible, "responsible"},
      {RouteReason::for_queue("sales"), "queue:sales"},
      {RouteWhy::responsible_no_answer, "responsible_no_answer"},
      {RouteWhy::responsible_busy, "responsible_busy"},
      {RouteWhy::responsible_unreachable, "responsible_unreachable"},
      {RouteWhy::no_answer_rule, "no_answer_rule"},
      {RouteWhy::off_hours, "off_hours"},
      {RouteWhy::queue_cycle, "queue_cycle"},
  };
  for (const auto& [reason, text] : rows) {
    CHECK(format_as(reason) == text);
    CHECK(fmt::format("{}", reason) == text);
  }
  CHECK(fmt::format("{}", RouteStep(HangUpStep{RouteWhy::queue_cycle})) == "hang_up queue_cycle");
  CHECK(fmt::format("{}", RouteStep(ForwardStep{"+79031112233", Seconds(30),
                                                RouteWhy::responsible_busy, EmployeeId{2}})) ==
        "forward +79031112233 30s responsible_busy (employee 2)");
  CHECK(fmt::format("{}", StepKind::hang_up) == "hang_up");
  CHECK(fmt::format("{}", StepOutcome::rejected) == "rejected");
}

TEST_CASE("RoutingPolicy: the scenario routes of ../shared/scenarios") {
  SUBCASE("01 known client to responsible") {
    auto s = base_settings();
    s.queues[0].members = {1, 3};
    const RoutingPolicy policy = make_policy(s);
    const Roster roster(s.employees, s.default_region);
    QueueStats stats;
    SimCall c1;
    c1.responsible = 2;
    c1.answers = {2};
    CHECK(simulate(policy, roster, stats, c1).text() == "ring [2] 30s responsible");
    SimCall c2 = c1;
    c2.id = "c2";
    c2.start = at(11);
    c2.answers = {3};
    CHECK(simulate(policy, roster, stats, c2).text() ==
          "ring [2] 30s responsible | ring [1] 15s queue:sales | ring [3] 15s queue:sales");
  }
  SUBCASE("02 evenly: least recently offered first, the responsible counts as tried") {
    auto s = base_settings();
    s.default_region = region("DE");
    s.queues[0].id = "support";
    s.queues[0].distribution = Distribution::evenly;
    s.queues[0].rings = 2;
    s.lines[0].number = "+49301234500";
    s.lines[0].queue = "support";
    const RoutingPolicy policy = make_policy(s);
    const Roster roster(s.employees, s.default_region);
    QueueStats stats;
    SimCall c1;
    c1.start = at(9);
    c1.answers = {2};
    c1.duration = 45;
    CHECK(simulate(policy, roster, stats, c1).text() ==
          "ring [1] 10s queue:support | ring [2] 10s queue:support");
    SimCall c2;
    c2.id = "c2";
    c2.start = at(9, 5);
    c2.answers = {3};
    CHECK(simulate(policy, roster, stats, c2).text() == "ring [3] 10s queue:support");
    SimCall c3;
    c3.id = "c3";
    c3.start = at(9, 10);
    c3.responsible = 2;
    c3.answers = {1};
    CHECK(simulate(policy, roster, stats, c3).text() ==
          "ring [2] 30s responsible | ring [1] 10s queue:support");
    CHECK(stats.last_offer(1) == at(9, 10, 30));
    CHECK(stats.last_offer(2) == at(9, 0, 10));  // the responsible ring is no offer
  }
  SUBCASE("03 busy responsible forwarded to mobile; no phone goes to voicemail") {
    auto s = base_settings();
    s.employees[1].phones.work = "+7 495 765-43-21";
    s.employees[1].phones.mobile = "8 903 111-22-33";
    s.queues[0].members = {1};
    s.lines[0].responsible_no_answer = ResponsibleFallback::forward_to_phone;
    const RoutingPolicy policy = make_policy(s);
    const Roster roster(s.employees, s.default_region);
    QueueStats stats;
    SimCall c1;
    c1.responsible = 2;
    c1.presence = {{2, Presence::busy}};
    c1.phone_answers = {"+79031112233"};
    const auto r1 = simulate(policy, roster, stats, c1);
    CHECK(r1.text() == "forward +79031112233 30s responsible_busy (employee 2)");
    CHECK(r1.answered_by == std::variant<EmployeeId, std::string>(std::string("+79031112233")));
    SimCall c2;
    c2.id = "c2";
    c2.responsible = 4;
    CHECK(simulate(policy, roster, stats, c2).text() ==
          "ring [4] 30s responsible | voicemail 4 responsible_no_answer");
  }
  SUBCASE("04 excepted and employee callers are routed to the queue") {
    auto s = base_settings();
    s.queues[0].members = {2};
    s.queues[0].rings = 4;
    SimCall call;
    call.answers = {2};
    CHECK(route_of(s, call).text() == "ring [2] 20s queue:sales");
  }
  SUBCASE("07 all rings everyone at once, then hang_up") {
    auto s = base_settings();
    s.queues[0].members = {1, 2};
    s.queues[0].distribution = Distribution::all;
    s.queues[0].no_answer = NoAnswerRule::hang_up;
    SimCall c1;
    c1.answers = {2};
    CHECK(route_of(s, c1).text() == "ring [1, 2] 15s queue:sales");
    SimCall c3;
    CHECK(route_of(s, c3).text() == "ring [1, 2] 15s queue:sales | hang_up no_answer_rule");
  }
}

TEST_CASE("RoutingPolicy: offers, start times and the state") {
  auto s = base_settings();
  const RoutingPolicy policy = make_policy(s);
  const Roster roster(s.employees, s.default_region);
  const QueueStats stats;
  RouteCall call{0, CallDirection::incoming, at(10), "c1", EmployeeId{5}};
  auto d1 = policy.next(call, roster, stats, *policy.begin(call), StepOutcome::none);
  CHECK(d1.starts_at == at(10));
  CHECK_FALSE(d1.offer().has_value());  // ringing the responsible is no queue offer
  CHECK(d1.state.steps() == 1);
  CHECK(d1.state.elapsed() == Seconds(30));
  auto d2 = policy.next(call, roster, stats, d1.state, StepOutcome::no_answer);
  CHECK(d2.starts_at == at(10, 0, 30));
  auto offer = d2.offer();
  REQUIRE(offer.has_value());
  CHECK(offer->queue == "sales");
  CHECK(std::vector<EmployeeId>(offer->employees.begin(), offer->employees.end()) ==
        std::vector<EmployeeId>{1});
  CHECK(offer->at == at(10, 0, 30));
  CHECK(d2.state.pass() == 1);
  // The same state and outcome give the same decision: next() is a function.
  auto again = policy.next(call, roster, stats, d1.state, StepOutcome::no_answer);
  CHECK(again.step == d2.step);
  CHECK(again.state == d2.state);
}

TEST_CASE("RoutingPolicy: the hard bound ends every route") {
  auto s = base_settings();
  s.queues[0].no_answer = NoAnswerRule::wait;
  SimCall call;
  call.hangs_up_after = 1000000;
  const auto result = route_of(s, call, RoutingOptions{1, 5});
  CHECK(result.text() ==
        "ring [1] 15s queue:sales | ring [2] 15s queue:sales | ring [3] 15s queue:sales | "
        "ring [1] 15s queue:sales | hang_up no_answer_rule");
  const auto bounded = route_of(s, call, RoutingOptions{});
  CHECK(bounded.route.size() == 1000);
  CHECK(bounded.route.back() == RouteStep(HangUpStep{RouteWhy::no_answer_rule}));
}

TEST_CASE("RoutingPolicy: create, find_line and begin report errors as values") {
  auto s = base_settings();
  s.queues[0].rings = 9;
  auto bad = RoutingPolicy::create(s);
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().code() == Errc::invalid_argument);
  CHECK(bad.error().message() == "settings.queues[0].rings: must be 2 to 7 rings, got 9");
  auto zero = RoutingPolicy::create(base_settings(), RoutingOptions{1, 0});
  REQUIRE_FALSE(zero.has_value());
  CHECK(zero.error().code() == Errc::invalid_argument);

  const RoutingPolicy policy = make_policy(base_settings());
  CHECK(policy.line_count() == 1);
  CHECK(policy.find_line("+74951234567") == 0u);
  CHECK(policy.find_line("8 (495) 123-45-67") == 0u);
  CHECK_FALSE(policy.find_line("+74951234568").has_value());
  CHECK_FALSE(policy.find_line("").has_value());
  RouteCall outgoing{0, CallDirection::outgoing, at(10), "c1", std::nullopt};
  CHECK(policy.begin(outgoing).error().code() == Errc::invalid_argument);
  RouteCall nowhere{3, CallDirection::incoming, at(10), "c1", std::nullopt};
  CHECK(policy.begin(nowhere).error().code() == Errc::not_found);
  CHECK(policy.next(nowhere, Roster(), QueueStats(), RouteState(), StepOutcome::none).ended());
}
