// SPDX-License-Identifier: Apache-2.0
// Queues: members, ring time and rules (R-Q1), distribution methods (R-Q2), eligibility
// (R-Q3), no-answer rules (R-Q4), empty queues (R-Q5); QueueStats and Roster.
#include <set>

#include "routing/routing_fixture.hpp"

using namespace routing_test;

namespace {

StaffedSettings queue_settings(Distribution distribution,
                               NoAnswerRule rule = NoAnswerRule::voicemail) {
  auto s = base_settings();
  s.queues[0].distribution = distribution;
  s.queues[0].no_answer = rule;
  return s;
}

// The users of every ring step of a route.
std::vector<std::vector<EmployeeId>> rings_of(const SimResult& r) {
  std::vector<std::vector<EmployeeId>> out;
  for (const auto& step : r.route)
    if (const auto* ring = step.get_if<RingStep>()) out.push_back(ring->employees);
  return out;
}

}  // namespace

TEST_CASE("R-Q1 a queue rings each step for rings × 5 seconds") {
  for (int rings = 2; rings <= 7; ++rings) {
    CAPTURE(rings);
    auto s = base_settings();
    s.queues[0].rings = rings;
    CHECK(s.queues[0].ring_time() == Seconds(rings * 5));
    SimCall call;
    call.answers = {1};
    const auto result = route_of(s, call);
    REQUIRE(result.route.size() == 1);
    CHECK(result.route[0].seconds() == Seconds(rings * 5));
  }
}

TEST_CASE("R-Q2 one-at-a-time and all-at-once methods, nobody answering") {
  struct Row {
    Distribution distribution;
    const char* route;
  };
  const Row rows[] = {
      {Distribution::strictly,
       "ring [1] 15s queue:sales | ring [2] 15s queue:sales | ring [3] 15s queue:sales | "
       "voicemail 3 no_answer_rule"},
      {Distribution::evenly,
       "ring [1] 15s queue:sales | ring [2] 15s queue:sales | ring [3] 15s queue:sales | "
       "voicemail 3 no_answer_rule"},
      {Distribution::fewest_calls,
       "ring [1] 15s queue:sales | ring [2] 15s queue:sales | ring [3] 15s queue:sales | "
       "voicemail 3 no_answer_rule"},
      {Distribution::longest_idle,
       "ring [1] 15s queue:sales | ring [2] 15s queue:sales | ring [3] 15s queue:sales | "
       "voicemail 3 no_answer_rule"},
      {Distribution::all, "ring [1, 2, 3] 15s queue:sales | voicemail 1 no_answer_rule"},
      {Distribution::ring_progressively,
       "ring [1] 15s queue:sales | ring [1, 2] 15s queue:sales | ring [1, 2, 3] 15s queue:sales | "
       "voicemail 1 no_answer_rule"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.distribution);
    CHECK(route_of(queue_settings(row.distribution), SimCall{}).text() == row.route);
  }
}

TEST_CASE("R-Q2 evenly offers the least recently offered member first, ties in list order") {
  auto s = queue_settings(Distribution::evenly);
  const RoutingPolicy policy = make_policy(s);
  const Roster roster(s.employees, s.default_region);
  QueueStats stats;
  stats.record_offer(1, at(9, 30));
  stats.record_offer(3, at(9, 0));
  SimCall call;
  CHECK(rings_of(simulate(policy, roster, stats, call)) ==
        std::vector<std::vector<EmployeeId>>{{2}, {3}, {1}});
  // Every member was just offered, in the order 2, 3, 1: the next call starts again with 2.
  call.id = "c2";
  call.start = at(11);
  call.answers = {2};
  CHECK(simulate(policy, roster, stats, call).text() == "ring [2] 15s queue:sales");
  CHECK(stats.last_offer(2) == at(11));
  CHECK(stats.last_offer(3) == at(10, 0, 15));
}

TEST_CASE(
    "R-Q2 evenly counts an offer from any queue: a member of two is not offered twice as often") {
  auto s = queue_settings(Distribution::evenly);
  QueueSettings support;
  support.id = "support";
  support.members = {3, 2, 1};
  support.distribution = Distribution::evenly;
  s.queues.push_back(support);
  LineSettings hotline = s.lines[0];
  hotline.number = "+74951234500";
  hotline.queue = "support";
  s.lines.push_back(hotline);
  const RoutingPolicy policy = make_policy(s);
  const Roster roster(s.employees, s.default_region);
  QueueStats stats;
  SimCall sales_call;
  sales_call.answers = {1};
  CHECK(simulate(policy, roster, stats, sales_call).text() == "ring [1] 15s queue:sales");
  SimCall support_call;
  support_call.id = "c2";
  support_call.line = 1;
  support_call.start = at(10, 5);
  support_call.answers = {3};
  CHECK(simulate(policy, roster, stats, support_call).text() == "ring [3] 15s queue:support");
  SimCall next_sales = sales_call;
  next_sales.id = "c3";
  next_sales.start = at(10, 10);
  next_sales.presence = {{2, Presence::busy}};
  next_sales.answers = {1, 3};
  // 3 was offered the support call after 1 was offered the sales call: 1 comes first.
  CHECK(simulate(policy, roster, stats, next_sales).text() == "ring [1] 15s queue:sales");
}

TEST_CASE("R-Q2 fewest_calls counts answers on the call's UTC date, however routed") {
  auto s = queue_settings(Distribution::fewest_calls);
  const RoutingPolicy policy = make_policy(s);
  const Roster roster(s.employees, s.default_region);
  QueueStats stats;
  stats.record_answer(1, at(8), at(8, 5));
  stats.record_answer(1, at(9), at(9, 5));
  stats.record_answer(3, at(9), at(9, 1));
  for (int i = 0; i < 5; ++i) stats.record_answer(2, at(9) - std::chrono::days(1), at(9));
  CHECK(stats.answered_on(1, std::chrono::floor<std::chrono::days>(at(0))) == 2);
  CHECK(rings_of(simulate(policy, roster, stats, SimCall{})) ==
        std::vector<std::vector<EmployeeId>>{{2}, {3}, {1}});
  // An answer taken as responsible counts too: 2 answers twice more today.
  SimCall responsible_call;
  responsible_call.responsible = 2;
  responsible_call.answers = {2};
  simulate(policy, roster, stats, responsible_call);
  simulate(policy, roster, stats, responsible_call);
  CHECK(rings_of(simulate(policy, roster, stats, SimCall{})) ==
        std::vector<std::vector<EmployeeId>>{{3}, {1}, {2}});
}

TEST_CASE("R-Q2 longest_idle rings who finished their last answered call longest ago") {
  auto s = queue_settings(Distribution::longest_idle);
  const RoutingPolicy policy = make_policy(s);
  const Roster roster(s.employees, s.default_region);
  QueueStats stats;
  stats.record_answer(1, at(9, 40), at(9, 50));
  stats.record_answer(3, at(8), at(9));
  stats.record_answer(3, at(7), at(7, 30));  // an earlier end does not move the last one back
  CHECK(stats.last_call_end(3) == at(9));
  CHECK_FALSE(stats.last_call_end(2).has_value());
  CHECK(rings_of(simulate(policy, roster, stats, SimCall{})) ==
        std::vector<std::vector<EmployeeId>>{{2}, {3}, {1}});
}

TEST_CASE("R-Q2 random is a reproducible permutation per seed, call, queue and pass") {
  auto s = queue_settings(Distribution::random, NoAnswerRule::wait);
  s.queues[0].members = {1, 2, 3, 4, 5, 6};
  std::set<std::vector<std::vector<EmployeeId>>> seen;
  for (int c = 0; c < 40; ++c) {
    SimCall call;
    call.id = "call-" + std::to_string(c);
    call.hangs_up_after = 12 * 15;  // two passes
    const auto first = rings_of(route_of(s, call, RoutingOptions{7, 1000}));
    const auto again = rings_of(route_of(s, call, RoutingOptions{7, 1000}));
    CHECK(first == again);
    REQUIRE(first.size() == 12);
    for (int pass = 0; pass < 2; ++pass) {
      std::set<EmployeeId> members;
      for (int i = 0; i < 6; ++i) members.insert(first[static_cast<std::size_t>(pass * 6 + i)][0]);
      CHECK(members == std::set<EmployeeId>{1, 2, 3, 4, 5, 6});
    }
    seen.insert(first);
  }
  CHECK(seen.size() > 30);  // 720 orders per pass: repeats are rare
  SimCall call;
  int differ = 0;
  for (std::uint64_t seed = 1; seed <= 10; ++seed)
    differ += rings_of(route_of(s, call, RoutingOptions{seed, 1000})) !=
              rings_of(route_of(s, call, RoutingOptions{seed + 100, 1000}));
  CHECK(differ >= 8);
}

TEST_CASE("R-Q2 ring_progressively adds one eligible member per step") {
  auto s = queue_settings(Distribution::ring_progressively, NoAnswerRule::hang_up);
  s.queues[0].members = {1, 2, 3, 4};
  SimCall call;
  call.presence = {{2, Presence::busy}};
  call.answers = {4};
  CHECK(route_of(s, call).text() ==
        "ring [1] 15s queue:sales | ring [1, 3] 15s queue:sales | ring [1, 3, 4] 15s queue:sales");
  call.answers = {};
  CHECK(route_of(s, call).text() ==
        "ring [1] 15s queue:sales | ring [1, 3] 15s queue:sales | ring [1, 3, 4] 15s queue:sales | "
        "hang_up no_answer_rule");
}

TEST_CASE("R-Q3 inactive, offline, busy and (with the option) not-working members are skipped") {
  struct Row {
    const char* name;
    bool only_working;
    const char* route;
  };
  const Row rows[] = {
      {"presence and activity", false,
       "ring [4] 15s queue:sales | ring [5] 15s queue:sales | voicemail 5 no_answer_rule"},
      {"and the working day", true, "ring [4] 15s queue:sales | voicemail 4 no_answer_rule"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.name);
    auto s = base_settings();
    s.queues[0].members = {1, 2, 3, 4, 5};
    s.employees[2].active = false;             // 3
    s.employees[4].workday = Workday::paused;  // 5
    s.lines[0].only_working_employees = row.only_working;
    SimCall call;
    call.presence = {{1, Presence::busy}, {2, Presence::offline}};
    CHECK(route_of(s, call).text() == row.route);
  }
}

TEST_CASE("R-Q3 a member tried in a pass is not rung again in it; the next pass starts over") {
  auto s = queue_settings(Distribution::strictly, NoAnswerRule::wait);
  SimCall call;
  call.hangs_up_after = 100;
  CHECK(route_of(s, call).text() ==
        "ring [1] 15s queue:sales | ring [2] 15s queue:sales | ring [3] 15s queue:sales | "
        "ring [1] 15s queue:sales | ring [2] 15s queue:sales | ring [3] 15s queue:sales | "
        "ring [1] 10s queue:sales");
}

TEST_CASE("R-Q4 the no-answer rules") {
  struct Row {
    NoAnswerRule rule;
    bool phones;
    std::optional<std::string> forward_number;
    const char* route;
  };
  const char* tried =
      "ring [1] 15s queue:sales | ring [2] 15s queue:sales | "
      "ring [3] 15s queue:sales | ";
  const Row rows[] = {
      {NoAnswerRule::voicemail, false, std::nullopt, "voicemail 3 no_answer_rule"},
      {NoAnswerRule::forward_to_phone, true, std::nullopt,
       "forward +79033333333 15s no_answer_rule (employee 3) | voicemail 3 no_answer_rule"},
      {NoAnswerRule::forward_to_phone, false, std::nullopt, "hang_up no_answer_rule"},
      {NoAnswerRule::forward_to_number, false, "8 916 000-00-01",
       "forward +79160000001 15s no_answer_rule | voicemail 3 no_answer_rule"},
      {NoAnswerRule::next_queue, false, std::nullopt,
       "ring [4] 15s queue:support | ring [5] 15s queue:support | voicemail 5 no_answer_rule"},
      {NoAnswerRule::hang_up, false, std::nullopt, "hang_up no_answer_rule"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.rule);
    auto s = queue_settings(Distribution::strictly, row.rule);
    if (row.phones) s.employees[2].phones.mobile = "+7 903 333-33-33";
    s.queues[0].forward_number = row.forward_number;
    QueueSettings support;
    support.id = "support";
    support.members = {4, 5};
    support.distribution = Distribution::strictly;
    s.queues.push_back(support);
    if (row.rule == NoAnswerRule::next_queue) s.queues[0].next_queue = "support";
    SimCall call;
    call.hangs_up_after = 1000;
    CHECK(route_of(s, call).text() == std::string(tried) + row.route);
  }
}

TEST_CASE("R-Q4 voicemail goes to the first user of the last ring step, else the first member") {
  auto s = queue_settings(Distribution::all);
  SimCall call;
  call.responsible = 5;
  call.presence = {{1, Presence::busy}, {2, Presence::busy}, {3, Presence::busy}};
  // The last ring step is the responsible's.
  CHECK(route_of(s, call).text() == "ring [5] 30s responsible | voicemail 5 no_answer_rule");
  call.responsible.reset();
  CHECK(route_of(s, call).text() == "voicemail 1 no_answer_rule");
}

TEST_CASE("R-Q4 next_queue never enters a queue twice: queue_cycle") {
  auto s = queue_settings(Distribution::strictly, NoAnswerRule::next_queue);
  s.queues[0].members = {1};
  s.queues[0].next_queue = "support";
  QueueSettings support;
  support.id = "support";
  support.members = {4};
  support.distribution = Distribution::strictly;
  support.no_answer = NoAnswerRule::next_queue;
  support.next_queue = "sales";
  s.queues.push_back(support);
  CHECK(route_of(s, SimCall{}).text() ==
        "ring [1] 15s queue:sales | ring [4] 15s queue:support | hang_up queue_cycle");
  s.queues[0].next_queue = "sales";  // a queue that names itself
  CHECK(route_of(s, SimCall{}).text() == "ring [1] 15s queue:sales | hang_up queue_cycle");
}

TEST_CASE("R-Q5 a queue with no eligible member goes straight to its no-answer rule") {
  struct Row {
    NoAnswerRule rule;
    const char* route;
  };
  const Row rows[] = {
      {NoAnswerRule::voicemail, "voicemail 1 no_answer_rule"},
      {NoAnswerRule::hang_up, "hang_up no_answer_rule"},
      {NoAnswerRule::wait, "hang_up no_answer_rule"},  // nobody to wait for
      {NoAnswerRule::next_queue, "ring [4] 15s queue:support | voicemail 4 no_answer_rule"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.rule);
    auto s = queue_settings(Distribution::evenly, row.rule);
    QueueSettings support;
    support.id = "support";
    support.members = {4};
    s.queues.push_back(support);
    if (row.rule == NoAnswerRule::next_queue) s.queues[0].next_queue = "support";
    SimCall call;
    call.presence = {{1, Presence::offline}, {2, Presence::busy}, {3, Presence::busy}};
    CHECK(route_of(s, call).text() == row.route);
  }
}

TEST_CASE("R-Q5 wait after the responsible was the only one reachable rings them again") {
  auto s = queue_settings(Distribution::strictly, NoAnswerRule::wait);
  s.queues[0].members = {2};
  SimCall call;
  call.responsible = 2;
  call.hangs_up_after = 60;
  CHECK(route_of(s, call).text() ==
        "ring [2] 30s responsible | ring [2] 15s queue:sales | ring [2] 15s queue:sales");
}

TEST_CASE("QueueStats keeps the latest offer and end, per-date answer counts") {
  QueueStats stats;
  CHECK_FALSE(stats.last_offer(1).has_value());
  CHECK(stats.offer_times().empty());
  const EmployeeId employees[] = {1, 2};
  stats.apply(QueueOffer{"sales", employees, at(10)});
  stats.record_offer(1, at(9));  // older: ignored
  CHECK(stats.last_offer(1) == at(10));
  CHECK(stats.last_offer(2) == at(10));
  CHECK(stats.offer_times().size() == 2);
  const auto today = std::chrono::floor<std::chrono::days>(at(0));
  stats.record_answer(1, at(10), at(10, 5));
  stats.record_answer(1, at(23, 59, 59), at(23, 59, 59) + std::chrono::hours(1));
  stats.record_answer(1, at(0) + std::chrono::days(1), at(0) + std::chrono::days(1));
  CHECK(stats.answered_on(1, today) == 2);
  CHECK(stats.answered_on(1, today + std::chrono::days(1)) == 1);
  CHECK(stats.answered_on(2, today) == 0);
  stats.forget_answers_before(today + std::chrono::days(1));
  CHECK(stats.answered_on(1, today) == 0);
  CHECK(stats.answered_on(1, today + std::chrono::days(1)) == 1);
  CHECK(stats.last_call_end(1) == at(23, 59, 59) + std::chrono::hours(1));
  QueueStats copy = stats;
  CHECK(copy == stats);
}

TEST_CASE("Roster: presence overrides per copy, own phones in E.164, unknown ids") {
  std::vector<Employee> staff{employee(3, "8 903 111-22-33"), employee(1), employee(2, "garbage")};
  staff[1].phones.work = "+7 495 765-43-21";
  staff.push_back(employee(3));  // a repeated id keeps its first entry
  const Roster base(staff, region("RU"));
  CHECK(base.size() == 3);
  CHECK(base.entries()[0].id == 1);
  CHECK(base.own_phone(3) == "+79031112233");
  CHECK(base.own_phone(1) == "+74957654321");
  CHECK(base.own_phone(2).empty());  // does not normalise: no phone
  CHECK(base.own_phone(9).empty());
  CHECK(base.find(9) == nullptr);
  Roster call = base;
  CHECK(call.set_presence(1, Presence::busy));
  CHECK(call.set_workday(1, Workday::closed));
  CHECK(call.set_active(2, false));
  CHECK_FALSE(call.set_presence(9, Presence::busy));
  CHECK(call.find(1)->presence == Presence::busy);
  CHECK(call.find(1)->workday == Workday::closed);
  CHECK_FALSE(call.find(2)->active);
  CHECK(base.find(1)->presence == Presence::online);  // the base is untouched
  CHECK(call.own_phone(3) == "+79031112233");
  const Roster empty;
  CHECK(empty.find(1) == nullptr);
  CHECK(empty.own_phone(1).empty());
}
