// SPDX-License-Identifier: Apache-2.0
// RoutingPolicy: full route decisions for a 10-member queue, one core.
//
// Each iteration routes one call from begin() to the end of its route the way an engine
// does — next() with the previous outcome, the queue-statistics offers applied — with
// nobody answering, so every member is tried (10 ring steps + the no-answer rule's step for
// the one-at-a-time methods). `steps_per_second` counts next() decisions that returned a
// step. The target is ≥ 5 million steps per second.
#include <telcrm/routing/routing_policy.hpp>

#include <benchmark/benchmark.h>

#include <string>
#include <vector>

namespace {

using namespace telcrm;

constexpr int members = 10;

// The settings and the employees the directory holds.
struct Staffed : IntegrationSettings {
  std::vector<Employee> employees;
};

Staffed settings_for(Distribution distribution, NoAnswerRule rule) {
  Staffed s;
  s.default_region = *Region::from_code("RU");
  for (EmployeeId id = 1; id <= members + 1; ++id) {
    Employee e;
    e.id = id;
    e.name = "E" + std::to_string(id);
    e.phones.mobile = "+7 903 000-00-" + std::to_string(10 + id);
    s.employees.push_back(e);
  }
  QueueSettings q;
  q.id = "sales";
  for (EmployeeId id = 1; id <= members; ++id) q.members.push_back(id);
  q.distribution = distribution;
  q.no_answer = rule;
  q.forward_number = "+7 916 000-00-01";
  s.queues.push_back(q);
  LineSettings line;
  line.number = "+74951234567";
  line.queue = "sales";
  s.lines.push_back(line);
  return s;
}

// Routes calls until the benchmark stops; `responsible` rings first when set.
void route_calls(benchmark::State& state, Distribution distribution, NoAnswerRule rule,
                 std::optional<EmployeeId> responsible) {
  const Staffed s = settings_for(distribution, rule);
  auto created = RoutingPolicy::create(s, RoutingOptions{1, 1000});
  if (!created) {
    state.SkipWithError(created.error().message().c_str());
    return;
  }
  const RoutingPolicy policy = std::move(*created);
  const Roster roster(s.employees, s.default_region);
  QueueStats stats;
  // Some history, so fewest_calls and longest_idle have something to order by.
  const Timestamp day =
      std::chrono::floor<std::chrono::days>(Timestamp(std::chrono::seconds(1795000000)));
  for (EmployeeId id = 1; id <= members; ++id)
    for (EmployeeId k = 0; k < id % 4; ++k)
      stats.record_answer(id, day + std::chrono::hours(8 + k), day + std::chrono::hours(9 + k));

  RouteCall call;
  call.line = 0;
  call.responsible = responsible;
  const std::string call_ids[] = {"c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8"};
  std::int64_t steps = 0;
  std::int64_t routes = 0;
  for (auto _ : state) {
    call.at = day + std::chrono::hours(10) + std::chrono::seconds(routes);
    call.call_id = call_ids[routes % 8];
    RouteState route = *policy.begin(call);
    StepOutcome outcome = StepOutcome::none;
    for (;;) {
      RouteDecision d = policy.next(call, roster, stats, std::move(route), outcome);
      if (d.ended()) break;
      if (auto offer = d.offer()) stats.apply(*offer);
      benchmark::DoNotOptimize(d.step);
      ++steps;
      route = std::move(d.state);
      outcome = StepOutcome::no_answer;
    }
    ++routes;
  }
  state.counters["steps_per_second"] =
      benchmark::Counter(static_cast<double>(steps), benchmark::Counter::kIsRate);
  state.counters["steps_per_route"] =
      benchmark::Counter(static_cast<double>(steps) / static_cast<double>(routes ? routes : 1));
}

void BM_route_evenly(benchmark::State& s) {
  route_calls(s, Distribution::evenly, NoAnswerRule::voicemail, std::nullopt);
}
void BM_route_strictly(benchmark::State& s) {
  route_calls(s, Distribution::strictly, NoAnswerRule::voicemail, std::nullopt);
}
void BM_route_random(benchmark::State& s) {
  route_calls(s, Distribution::random, NoAnswerRule::voicemail, std::nullopt);
}
void BM_route_fewest_calls(benchmark::State& s) {
  route_calls(s, Distribution::fewest_calls, NoAnswerRule::voicemail, std::nullopt);
}
void BM_route_longest_idle(benchmark::State& s) {
  route_calls(s, Distribution::longest_idle, NoAnswerRule::voicemail, std::nullopt);
}
void BM_route_all(benchmark::State& s) {
  route_calls(s, Distribution::all, NoAnswerRule::forward_to_number, std::nullopt);
}
void BM_route_ring_progressively(benchmark::State& s) {
  route_calls(s, Distribution::ring_progressively, NoAnswerRule::hang_up, std::nullopt);
}
// The responsible (not a member) first, then the queue, then forward to the last one's phone.
void BM_route_responsible_then_evenly(benchmark::State& s) {
  route_calls(s, Distribution::evenly, NoAnswerRule::forward_to_phone, EmployeeId{members + 1});
}
// `wait` until the hard bound (1000 steps): long routes, statistics applied throughout.
void BM_route_wait_to_bound(benchmark::State& s) {
  route_calls(s, Distribution::evenly, NoAnswerRule::wait, std::nullopt);
}

BENCHMARK(BM_route_evenly);
BENCHMARK(BM_route_strictly);
BENCHMARK(BM_route_random);
BENCHMARK(BM_route_fewest_calls);
BENCHMARK(BM_route_longest_idle);
BENCHMARK(BM_route_all);
BENCHMARK(BM_route_ring_progressively);
BENCHMARK(BM_route_responsible_then_evenly);
BENCHMARK(BM_route_wait_to_bound);

}  // namespace

BENCHMARK_MAIN();
