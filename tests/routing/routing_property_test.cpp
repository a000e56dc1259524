// SPDX-License-Identifier: Apache-2.0
// Properties of RoutingPolicy over thousands of generated settings, presence and calls
// (a deterministic generator, so a failure names a reproducible case).
#include <map>
#include <set>

#include "routing/routing_fixture.hpp"

using namespace routing_test;

namespace {

constexpr std::uint32_t max_steps = 200;

// A small deterministic generator (splitmix64): the same cases on every platform.
class Gen {
 public:
  explicit Gen(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  int below(int n) { return static_cast<int>(next() % static_cast<std::uint64_t>(n)); }
  bool chance(int percent) { return below(100) < percent; }
  template <class E>
  E pick(std::initializer_list<E> values) {
    return *(values.begin() + below(static_cast<int>(values.size())));
  }

 private:
  std::uint64_t state_;
};

struct Case {
  StaffedSettings settings;
  SimCall call;
};

Case generate(Gen& g) {
  Case c;
  StaffedSettings& s = c.settings;
  s.default_region = region("RU");
  const int people = 1 + g.below(8);
  for (EmployeeId id = 1; id <= people; ++id) {
    Employee e = employee(id);
    e.active = g.chance(85);
    e.presence = g.pick({Presence::online, Presence::online, Presence::busy, Presence::offline});
    e.workday = g.pick({Workday::untracked, Workday::open, Workday::closed, Workday::paused});
    if (g.chance(60)) e.phones.mobile = "+7 903 000-00-" + std::to_string(10 + id);
    s.employees.push_back(e);
  }
  const int queues = 1 + g.below(3);
  for (int q = 0; q < queues; ++q) {
    QueueSettings queue;
    queue.id = "q" + std::to_string(q);
    for (EmployeeId id = 1; id <= people; ++id)
      if (g.chance(60)) queue.members.push_back(id);
    for (std::size_t i = queue.members.size(); i > 1; --i)  // shuffle the list order
      std::swap(queue.members[i - 1],
                queue.members[static_cast<std::size_t>(g.below(static_cast<int>(i)))]);
    queue.distribution = g.pick({Distribution::evenly, Distribution::strictly, Distribution::all,
                                 Distribution::random, Distribution::fewest_calls,
                                 Distribution::longest_idle, Distribution::ring_progressively});
    queue.rings = 2 + g.below(6);
    queue.no_answer = g.pick({NoAnswerRule::voicemail, NoAnswerRule::forward_to_phone,
                              NoAnswerRule::forward_to_number, NoAnswerRule::next_queue,
                              NoAnswerRule::hang_up, NoAnswerRule::wait});
    if (queue.no_answer == NoAnswerRule::forward_to_number) queue.forward_number = "+79160000001";
    if (queue.no_answer == NoAnswerRule::next_queue)
      queue.next_queue = "q" + std::to_string(g.below(queues));
    s.queues.push_back(queue);
  }
  LineSettings line;
  line.number = "+74951234567";
  line.queue = "q" + std::to_string(g.below(queues));
  line.route_to_responsible = g.chance(80);
  line.responsible_ring_time = Seconds(10 + 5 * g.below(6));
  line.responsible_no_answer =
      g.pick({ResponsibleFallback::queue, ResponsibleFallback::queue,
              ResponsibleFallback::forward_to_phone, ResponsibleFallback::voicemail});
  line.only_working_employees = g.chance(40);
  if (g.chance(15)) {
    WorkHours hours;
    hours.utc_offset = std::chrono::minutes(60 * (g.below(25) - 12));
    hours.off_hours = g.pick(
        {OffHoursAction::voicemail, OffHoursAction::forward_to_number, OffHoursAction::hang_up});
    hours.forward_number = "+79160000002";
    line.work_hours = hours;
  }
  s.lines.push_back(line);

  c.call.id = "c" + std::to_string(g.next() % 1000);
  const int hour = g.below(24);  // one at a time: argument order is unspecified
  const int minute = g.below(60);
  c.call.start = at(hour, minute);
  c.call.direction = g.chance(80) ? CallDirection::incoming : CallDirection::callback;
  std::vector<EmployeeId> active;
  for (const auto& e : s.employees)
    if (e.active) active.push_back(e.id);
  if (!active.empty() && g.chance(60))
    c.call.responsible = active[static_cast<std::size_t>(g.below(static_cast<int>(active.size())))];
  for (EmployeeId id = 1; id <= people; ++id)
    if (g.chance(20))
      c.call.presence[id] = g.pick({Presence::online, Presence::busy, Presence::offline});
  c.call.hangs_up_after = 1 << 30;  // the caller never gives up: only the policy ends routes
  return c;
}

bool reachable(const Roster& roster, const LineSettings& line, EmployeeId id) {
  const RosterEntry* e = roster.find(id);
  return e != nullptr && e->active && e->presence == Presence::online &&
         (!line.only_working_employees || is_day_open(e->workday));
}

}  // namespace

TEST_CASE("Properties: routes terminate, ring only reachable members, enter queues once") {
  Gen g(20261124);
  int checked = 0;
  for (int n = 0; n < 3000; ++n) {
    CAPTURE(n);
    Case c = generate(g);
    const StaffedSettings& s = c.settings;
    const LineSettings& line = s.lines[0];
    auto policy =
        RoutingPolicy::create(s, RoutingOptions{static_cast<std::uint64_t>(n), max_steps});
    REQUIRE(policy.has_value());
    Roster roster(s.employees, s.default_region);
    for (const auto& [id, presence] : c.call.presence) roster.set_presence(id, presence);
    QueueStats stats;
    const SimResult result = simulate(*policy, roster, stats, c.call);
    CAPTURE(result.text());

    // Terminates within the bound, with a step that ends the route (nobody answers).
    REQUIRE(!result.route.empty());
    CHECK(result.route.size() <= max_steps);
    CHECK(result.route.back().ends_route());

    std::vector<std::string> entered;  // queues in the order their ring steps appear
    std::map<std::string, std::vector<std::vector<EmployeeId>>> rings_by_queue;
    for (std::size_t i = 0; i < result.route.size(); ++i) {
      const RouteStep& step = result.route[i];
      const RouteWhy why = step.why().why;
      const bool ring = step.kind() == StepKind::ring;
      // R-R6: ring steps say responsible or queue:<id>; no other step does.
      CHECK(ring == (why == RouteWhy::responsible || why == RouteWhy::queue));
      if (!ring) {
        CHECK((step.ends_route() || i + 1 < result.route.size()));
        continue;
      }
      const auto& employees = step.get_if<RingStep>()->employees;
      CHECK_FALSE(employees.empty());
      for (EmployeeId u : employees) CHECK(reachable(roster, line, u));  // R-Q3, R-R2
      if (why == RouteWhy::responsible) {
        CHECK(i == 0);
        CHECK(employees == std::vector<EmployeeId>{*c.call.responsible});
        continue;
      }
      const std::string& queue = step.why().queue;
      if (entered.empty() || entered.back() != queue) {
        CHECK(std::find(entered.begin(), entered.end(), queue) == entered.end());  // R-Q4
        entered.push_back(queue);
      }
      rings_by_queue[queue].push_back(employees);
    }

    for (const auto& [queue_id, rings] : rings_by_queue) {
      const std::string& wanted = queue_id;  // Clang 14 cannot capture a structured binding
      const auto q = std::find_if(s.queues.begin(), s.queues.end(),
                                  [&](const QueueSettings& x) { return x.id == wanted; });
      REQUIRE(q != s.queues.end());
      std::vector<EmployeeId> eligible;
      for (EmployeeId id : q->members)
        if (reachable(roster, line, id)) eligible.push_back(id);
      const bool first_queue = queue_id == line.queue;
      const bool responsible_rung =
          !result.route.empty() && result.route[0].why().why == RouteWhy::responsible;
      std::vector<EmployeeId> first_pass = eligible;
      if (first_queue && responsible_rung)
        std::erase(first_pass, *c.call.responsible);  // tried already (R-R3)
      // With nobody left for the first pass, the rings seen are of the second (R-Q4 wait).
      if (first_pass.empty()) first_pass = eligible;
      if (q->distribution == Distribution::all) {
        // Every eligible member rings in the pass's one step, in list order.
        CHECK(rings.front() == first_pass);
        for (std::size_t i = 1; i < rings.size(); ++i) CHECK(rings[i] == eligible);
      } else if (q->distribution == Distribution::ring_progressively) {
        for (std::size_t i = 0; i < rings.size() && i < first_pass.size(); ++i)
          CHECK(rings[i] == std::vector<EmployeeId>(first_pass.begin(),
                                                    first_pass.begin() + static_cast<long>(i + 1)));
      } else {
        // One at a time; each complete pass offers every eligible member exactly once.
        std::size_t at_ring = 0;
        for (int pass = 0; at_ring < rings.size(); ++pass) {
          const auto& expected = pass == 0 ? first_pass : eligible;
          REQUIRE_FALSE(expected.empty());
          std::set<EmployeeId> seen;
          for (std::size_t k = 0; k < expected.size() && at_ring < rings.size(); ++k, ++at_ring) {
            REQUIRE(rings[at_ring].size() == 1);
            CHECK(seen.insert(rings[at_ring][0]).second);  // not twice in a pass
          }
          if (at_ring < rings.size() || seen.size() == expected.size())
            CHECK(seen == std::set<EmployeeId>(expected.begin(), expected.end()));
        }
      }
      ++checked;
    }
  }
  CHECK(checked > 1000);
}

TEST_CASE("Properties: evenly offers each member once before anyone twice, across calls") {
  Gen g(7);
  for (int n = 0; n < 200; ++n) {
    CAPTURE(n);
    StaffedSettings s = base_settings();
    const int people = 2 + g.below(7);
    s.employees.clear();
    s.queues[0].members.clear();
    for (EmployeeId id = 1; id <= people; ++id) {
      s.employees.push_back(employee(id));
      s.queues[0].members.push_back(id);
    }
    s.queues[0].distribution = Distribution::evenly;
    s.queues[0].no_answer = NoAnswerRule::hang_up;
    const RoutingPolicy policy = make_policy(s);
    const Roster roster(s.employees, s.default_region);
    QueueStats stats;
    std::map<EmployeeId, int> offers;
    for (int call = 0; call < 30; ++call) {
      SimCall sim;
      sim.id = "c" + std::to_string(call);
      sim.start = at(8) + std::chrono::minutes(10 * call);
      if (g.chance(80)) sim.answers = {1 + g.below(people)};
      const auto result = simulate(policy, roster, stats, sim);
      for (const auto& step : result.route) {
        const auto* ring = step.get_if<RingStep>();
        if (ring == nullptr) continue;
        REQUIRE(ring->employees.size() == 1);
        const int count = ++offers[ring->employees[0]];
        int fewest = count;
        for (EmployeeId id = 1; id <= people; ++id) fewest = std::min(fewest, offers[id]);
        CHECK(count - fewest <= 1);  // nobody gets a second offer while someone has none
      }
    }
  }
}
