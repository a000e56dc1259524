// SPDX-License-Identifier: Apache-2.0
#pragma once
// Shared helpers of the routing tests: small settings, and a simulated engine that drives a
// RoutingPolicy the way scenario-format.md's "Simulation" section describes (answers, phone
// answers, the caller hanging up, statistics carried from call to call).

#include <telcrm/routing/routing_policy.hpp>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace routing_test {

using namespace telcrm;

inline Region region(std::string_view code) {
  auto r = Region::from_code(code);
  REQUIRE(r.has_value());
  return *r;
}

/// 2026-11-24 (a Tuesday) at hh:mm:ss UTC.
inline Timestamp at(int hours, int minutes = 0, int seconds = 0) {
  using namespace std::chrono;
  return sys_days(year(2026) / November / 24) + std::chrono::hours(hours) +
         std::chrono::minutes(minutes) + std::chrono::seconds(seconds);
}

inline Employee employee(EmployeeId id, std::optional<std::string> mobile = std::nullopt) {
  Employee e;
  e.id = id;
  e.name = "E" + std::to_string(id);
  e.phones.mobile = std::move(mobile);
  return e;
}

/// The settings of a test company and its employees (what the Directory would hold).
struct StaffedSettings : IntegrationSettings {
  std::vector<Employee> employees{};
};

/// RU; employees 1…6; queue "sales" = [1, 2, 3], strictly, 3 rings; one line on "sales".
inline StaffedSettings base_settings() {
  StaffedSettings s;
  s.default_region = region("RU");
  for (EmployeeId id = 1; id <= 6; ++id) s.employees.push_back(employee(id));
  QueueSettings q;
  q.id = "sales";
  q.members = {1, 2, 3};
  q.distribution = Distribution::strictly;
  s.queues.push_back(q);
  LineSettings line;
  line.number = "+74951234567";
  line.queue = "sales";
  s.lines.push_back(line);
  return s;
}

inline RoutingPolicy make_policy(const StaffedSettings& s, RoutingOptions options = {}) {
  auto policy = RoutingPolicy::create(s, options);
  if (!policy) FAIL(policy.error().message());
  return std::move(*policy);
}

/// One simulated call, as in a scenario's `calls[]`.
struct SimCall {
  std::string id = "c1";
  CallDirection direction = CallDirection::incoming;
  std::size_t line = 0;
  Timestamp start = at(10);
  std::optional<EmployeeId> responsible{};
  std::map<EmployeeId, Presence> presence{};  ///< overrides for this call
  std::vector<EmployeeId> answers{};
  std::vector<std::string> phone_answers{};  ///< E.164
  int hangs_up_after = 300;
  int duration = 60;
};

struct SimResult {
  std::vector<RouteStep> route;
  std::optional<std::variant<EmployeeId, std::string>> answered_by;
  std::optional<EmployeeId> answering_employee;  ///< also set for an employee's own phone
  [[nodiscard]] std::string text() const {
    std::string out;
    for (const auto& step : route) out += (out.empty() ? "" : " | ") + format_as(step);
    return out;
  }
};

/// Drives `policy` through one call like the scenario simulation; updates `stats`.
inline SimResult simulate(const RoutingPolicy& policy, const Roster& base, QueueStats& stats,
                          const SimCall& sim) {
  Roster roster = base;
  for (const auto& [id, presence] : sim.presence) roster.set_presence(id, presence);
  RouteCall call;
  call.line = sim.line;
  call.direction = sim.direction;
  call.at = sim.start;
  call.call_id = sim.id;
  call.responsible = sim.responsible;
  SimResult result;
  auto begun = policy.begin(call);
  REQUIRE(begun.has_value());
  RouteState state = std::move(*begun);
  StepOutcome outcome = StepOutcome::none;
  const Timestamp hang_up = sim.start + Seconds(sim.hangs_up_after);
  for (int guard = 0; guard < 100000; ++guard) {
    RouteDecision d = policy.next(call, roster, stats, std::move(state), outcome);
    if (d.ended()) return result;
    if (d.starts_at >= hang_up) return result;  // the caller is gone before the step
    if (auto offer = d.offer()) stats.apply(*offer);
    RouteStep step = *d.step;
    const Timestamp step_end = d.starts_at + step.seconds();
    if (auto* ring = std::get_if<RingStep>(&step.action)) {
      if (step_end > hang_up)
        ring->seconds = std::chrono::duration_cast<Seconds>(hang_up - d.starts_at);
      result.route.push_back(step);
      for (EmployeeId u : ring->employees)
        if (std::find(sim.answers.begin(), sim.answers.end(), u) != sim.answers.end()) {
          result.answered_by = u;
          result.answering_employee = u;
          stats.record_answer(u, d.starts_at, d.starts_at + Seconds(sim.duration));
          return result;
        }
    } else if (auto* forward = std::get_if<ForwardStep>(&step.action)) {
      if (step_end > hang_up)
        forward->seconds = std::chrono::duration_cast<Seconds>(hang_up - d.starts_at);
      result.route.push_back(step);
      if (std::find(sim.phone_answers.begin(), sim.phone_answers.end(), forward->number) !=
          sim.phone_answers.end()) {
        result.answered_by = forward->number;
        result.answering_employee = forward->employee;
        if (forward->employee)
          stats.record_answer(*forward->employee, d.starts_at, d.starts_at + Seconds(sim.duration));
        return result;
      }
    } else {
      result.route.push_back(step);
      return result;
    }
    if (step_end >= hang_up) return result;
    outcome = StepOutcome::no_answer;
    state = std::move(d.state);
  }
  FAIL("the route did not end");
  return result;
}

/// A simulation against fresh statistics.
inline SimResult route_of(const StaffedSettings& s, const SimCall& sim,
                          RoutingOptions options = {}) {
  const RoutingPolicy policy = make_policy(s, options);
  const Roster roster(s.employees, s.default_region);
  QueueStats stats;
  return simulate(policy, roster, stats, sim);
}

}  // namespace routing_test
