// SPDX-License-Identifier: Apache-2.0
#pragma once
// RoutingPolicy: the route of one call as a small state machine.
//
//   start ──▶ off hours: voicemail | forward → voicemail | hang up           (R-R5)
//         ──▶ responsible rings ──no answer/busy/offline──▶ R-R3 fallback   (R-R1 … R-R3)
//         ──▶ queue: pass 1, 2, … of ring steps ──exhausted──▶ no-answer rule (R-Q1 … R-Q5)
//
// A pass fixes its order when it starts (from the statistics given then); each step then
// takes the next member of that order who is still eligible under the roster it is given.

#include <telcrm/routing/routing_policy.hpp>
#include <telcrm/routing/work_hours.hpp>
#include <telcrm/settings/validate.hpp>

#include <algorithm>
#include <array>
#include <limits>
#include <memory>
#include <utility>

TELCRM_BEGIN_NAMESPACE
namespace routing_detail {

// The `random` order must be the same on every platform and standard library, so it uses
// its own hash and generator rather than std::hash or std:: distributions.
constexpr std::uint64_t fnv1a(std::string_view text) noexcept {
  std::uint64_t h = 14695981039346656037ull;
  for (char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h;
}

constexpr std::uint64_t splitmix64(std::uint64_t& state) noexcept {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

inline std::string e164_or_empty(const std::optional<std::string>& number, Region region,
                                 const PhoneNormalizer& normalizer) {
  if (!number || number->empty()) return {};
  const PhoneNumber n = normalizer.normalize(*number, region);
  return n.is_dialable() ? std::string(n.e164()) : std::string();
}

}  // namespace routing_detail

// The decisions of one next() call. Holds references to its arguments only for the call.
class RoutingPolicy::Router {
 public:
  Router(const RoutingPolicy& policy, const RouteCall& call, const Roster& roster,
         const QueueStats& stats, RouteState& state)
      : policy_(policy),
        call_(call),
        roster_(roster),
        stats_(stats),
        st_(state),
        line_(policy.lines_[call.line]) {}

  RouteStep decide(StepOutcome previous) {
    switch (st_.phase_) {
      case RouteState::Phase::start: return start();
      case RouteState::Phase::responsible:
        // A busy signal while ringing counts as busy; declining or silence as no answer.
        return responsible_fallback(previous == StepOutcome::busy
                                        ? RouteWhy::responsible_busy
                                        : RouteWhy::responsible_no_answer);
      case RouteState::Phase::forward: return voicemail_or_hang_up(st_.addressee_, st_.carried_);
      case RouteState::Phase::queue: return run_queue();
      case RouteState::Phase::ended: break;
    }
    return HangUpStep{RouteWhy::no_answer_rule};  // not reached: next() handles `ended`
  }

 private:
  using Phase = RouteState::Phase;

  [[nodiscard]] bool eligible(EmployeeId id) const noexcept {
    const RosterEntry* e = roster_.find(id);
    return e != nullptr && e->active && e->presence == Presence::online &&
           (!line_.only_working || is_day_open(e->workday));
  }

  RouteStep start() {
    if (line_.work_hours && !is_within_work_hours(*line_.work_hours, call_.at)) return off_hours();
    if (line_.route_to_responsible && call_.responsible) {
      const EmployeeId id = *call_.responsible;
      const RosterEntry* e = roster_.find(id);
      // Not in the roster or inactive: treated as no responsible (R-M4).
      const bool known = e != nullptr && e->active;
      // With the working-day option the responsible step is omitted entirely (R-R2).
      if (known && !(line_.only_working && !is_day_open(e->workday))) {
        if (e->presence == Presence::busy) return responsible_fallback(RouteWhy::responsible_busy);
        if (e->presence == Presence::offline)
          return responsible_fallback(RouteWhy::responsible_unreachable);
        st_.phase_ = Phase::responsible;
        st_.rung_responsible_ = id;
        return RingStep{{id}, line_.responsible_ring_seconds, RouteWhy::responsible};
      }
    }
    enter(line_.queue);
    return run_queue();
  }

  RouteStep off_hours() {
    const auto who = policy_.attributed_to(call_);
    switch (line_.work_hours->off_hours) {
      case OffHoursAction::voicemail: return voicemail_or_hang_up(who, RouteWhy::off_hours);
      case OffHoursAction::forward_to_number:
        if (line_.off_hours_forward.empty()) return HangUpStep{RouteWhy::off_hours};
        return forward(line_.off_hours_forward, line_.responsible_ring_seconds, RouteWhy::off_hours,
                       std::nullopt, who);
      case OffHoursAction::hang_up: break;
    }
    return HangUpStep{RouteWhy::off_hours};
  }

  // R-R3: what follows a responsible who did not answer, is busy or is unreachable.
  RouteStep responsible_fallback(RouteWhy why) {
    const EmployeeId id = *call_.responsible;
    switch (line_.fallback) {
      case ResponsibleFallback::queue: enter(line_.queue); return run_queue();
      case ResponsibleFallback::forward_to_phone: {
        const std::string_view phone = roster_.own_phone(id);
        if (!phone.empty())
          return forward(std::string(phone), line_.responsible_ring_seconds, why, id, id);
        return VoicemailStep{id, why};
      }
      case ResponsibleFallback::voicemail: break;
    }
    return VoicemailStep{id, why};
  }

  RouteStep forward(std::string number, Seconds seconds, RouteWhy why,
                    std::optional<EmployeeId> employee, std::optional<EmployeeId> addressee) {
    st_.phase_ = Phase::forward;
    st_.carried_ = why;
    st_.addressee_ = addressee;
    return ForwardStep{std::move(number), seconds, why, employee};
  }

  static RouteStep voicemail_or_hang_up(std::optional<EmployeeId> who, RouteWhy why) {
    if (who) return VoicemailStep{*who, why};
    return HangUpStep{why};  // nobody to leave a message for
  }

  [[nodiscard]] bool entered(std::uint32_t q) const noexcept {
    return std::find(st_.entered_.begin(), st_.entered_.end(), q) != st_.entered_.end();
  }

  void enter(std::uint32_t q) {
    st_.phase_ = Phase::queue;
    st_.entered_.push_back(q);
    st_.queue_ = q;
    st_.pass_ = 1;
    start_pass();
  }

  // The candidates of a pass, in the order the distribution rings them (R-Q2, R-Q3).
  void start_pass() {
    const Queue& q = policy_.queues_[st_.queue_];
    st_.cursor_ = 0;
    st_.order_.clear();
    st_.order_.reserve(q.members.size());  // one allocation per call, not one per doubling
    // The responsible counts as tried in the first pass of the line's queue (R-R3).
    const bool skip_responsible = st_.pass_ == 1 && st_.entered_.size() == 1;
    for (EmployeeId id : q.members)
      if (eligible(id) && !(skip_responsible && st_.rung_responsible_ == id))
        st_.order_.push_back(id);
    switch (q.distribution) {
      case Distribution::strictly:
      case Distribution::all:
      case Distribution::ring_progressively: return;  // list order
      case Distribution::evenly: {
        const QueueStats::OfferTimes& offers = stats_.offer_times();
        sort_by([&offers](EmployeeId id) {
          auto it = offers.find(id);
          return it == offers.end()
                     ? std::numeric_limits<std::int64_t>::min()
                     : static_cast<std::int64_t>(it->second.time_since_epoch().count());
        });
        return;
      }
      case Distribution::fewest_calls: {
        const auto date = std::chrono::floor<std::chrono::days>(call_.at);
        sort_by([this, date](EmployeeId id) {
          return static_cast<std::int64_t>(stats_.answered_on(id, date));
        });
        return;
      }
      case Distribution::longest_idle:
        sort_by([this](EmployeeId id) {
          const auto end = stats_.last_call_end(id);
          return end ? static_cast<std::int64_t>(end->time_since_epoch().count())
                     : std::numeric_limits<std::int64_t>::min();
        });
        return;
      case Distribution::random: shuffle(q); return;
    }
  }

  // An employee of order_ with its sort key (sort_by()).
  struct Ranked {
    std::int64_t key;
    std::uint32_t position;
    EmployeeId id;
  };

  // Orders order_ by key, ties in list order (order_ is in list order when this is called).
  // Only the keying is a template: the sort is compiled once, not once per key (every
  // header-only includer compiled each).
  template <class Key>
  void sort_by(Key key) {
    // Queues are usually small: rank on the stack then, sparing every call an allocation.
    constexpr std::size_t on_stack = 32;
    std::array<Ranked, on_stack> small{};
    // Every element is written below, so a large queue's buffer need not be initialised;
    // (vector::resize here made GCC 12 -O2 see a null data() and warn, -Wnull-dereference.)
    std::unique_ptr<Ranked[]> large;
    const std::size_t n = st_.order_.size();
    if (n > on_stack) large = std::make_unique_for_overwrite<Ranked[]>(n);
    Ranked* ranked = n > on_stack ? large.get() : small.data();
    for (std::size_t i = 0; i < n; ++i)
      ranked[i] = Ranked{key(st_.order_[i]), static_cast<std::uint32_t>(i), st_.order_[i]};
    order_by_rank(ranked, n);
  }
  void order_by_rank(Ranked* ranked, std::size_t n) {
    std::sort(ranked, ranked + n, [](const Ranked& a, const Ranked& b) {
      return a.key != b.key ? a.key < b.key : a.position < b.position;
    });
    for (std::size_t i = 0; i < n; ++i) st_.order_[i] = ranked[i].id;
  }

  // A Fisher–Yates shuffle seeded by (seed, call id, queue, pass): reproducible (R-Q2).
  void shuffle(const Queue& q) {
    using routing_detail::fnv1a;
    std::uint64_t state = policy_.options_.seed;
    state ^= fnv1a(call_.call_id) * 0x9E3779B97F4A7C15ull;
    state ^= fnv1a(q.id) * 0xC2B2AE3D27D4EB4Full;
    state ^= static_cast<std::uint64_t>(st_.pass_) * 0x165667B19E3779F9ull;
    auto& order = st_.order_;
    for (std::size_t i = order.size(); i > 1; --i) {
      const auto j = static_cast<std::size_t>(routing_detail::splitmix64(state) % i);
      std::swap(order[i - 1], order[j]);
    }
  }

  // The next ring step of the current pass; nullopt when every candidate was tried.
  std::optional<RouteStep> next_ring(const Queue& q) {
    auto& order = st_.order_;
    switch (q.distribution) {
      case Distribution::all: {
        if (st_.cursor_ != 0) return std::nullopt;  // everyone rang in the pass's one step
        st_.cursor_ = 1;
        std::vector<EmployeeId> employees;
        employees.reserve(order.size());
        for (EmployeeId id : order)
          if (eligible(id)) employees.push_back(id);
        if (employees.empty()) return std::nullopt;
        return RingStep{std::move(employees), q.ring_seconds, RouteReason::for_queue(q.id)};
      }
      case Distribution::ring_progressively: {
        std::vector<EmployeeId> employees;
        employees.reserve(std::min<std::size_t>(order.size(), st_.cursor_ + 1u));
        for (EmployeeId id : order) {
          if (employees.size() == st_.cursor_ + 1u) break;
          if (eligible(id)) employees.push_back(id);
        }
        if (employees.size() <= st_.cursor_) return std::nullopt;  // all are ringing already
        ++st_.cursor_;
        return RingStep{std::move(employees), q.ring_seconds, RouteReason::for_queue(q.id)};
      }
      default:
        while (st_.cursor_ < order.size()) {
          const EmployeeId id = order[st_.cursor_++];
          if (eligible(id)) return RingStep{{id}, q.ring_seconds, RouteReason::for_queue(q.id)};
        }
        return std::nullopt;
    }
  }

  [[nodiscard]] bool anyone_eligible(const Queue& q) const {
    return std::any_of(q.members.begin(), q.members.end(),
                       [this](EmployeeId id) { return eligible(id); });
  }

  // Voicemail under the queue's rule goes to the first user of the last ring step, else to
  // the queue's first member (R-Q4).
  [[nodiscard]] std::optional<EmployeeId> rule_addressee(const Queue& q) const {
    if (st_.last_ring_first_) return st_.last_ring_first_;
    if (!q.members.empty()) return q.members.front();
    return std::nullopt;
  }

  RouteStep run_queue() {
    for (;;) {
      const Queue& q = policy_.queues_[st_.queue_];
      if (auto ring = next_ring(q)) return std::move(*ring);
      // Every eligible member was tried, or there was none (R-Q4, R-Q5).
      constexpr RouteWhy why = RouteWhy::no_answer_rule;
      switch (q.no_answer) {
        case NoAnswerRule::voicemail: return voicemail_or_hang_up(rule_addressee(q), why);
        case NoAnswerRule::forward_to_phone: {
          const auto who = rule_addressee(q);
          const std::string_view phone = who ? roster_.own_phone(*who) : std::string_view{};
          if (phone.empty()) return HangUpStep{why};
          return forward(std::string(phone), q.ring_seconds, why, who, who);
        }
        case NoAnswerRule::forward_to_number:
          if (q.forward_number.empty()) return HangUpStep{why};
          return forward(q.forward_number, q.ring_seconds, why, std::nullopt, rule_addressee(q));
        case NoAnswerRule::next_queue:
          if (!q.next_queue) return HangUpStep{why};
          if (entered(*q.next_queue)) return HangUpStep{RouteWhy::queue_cycle};
          enter(*q.next_queue);
          continue;
        case NoAnswerRule::hang_up: return HangUpStep{why};
        case NoAnswerRule::wait:
          if (!anyone_eligible(q)) return HangUpStep{why};  // nobody to wait for (R-Q5)
          ++st_.pass_;
          start_pass();
          continue;
      }
      return HangUpStep{why};
    }
  }

  const RoutingPolicy& policy_;
  const RouteCall& call_;
  const Roster& roster_;
  const QueueStats& stats_;
  RouteState& st_;
  const Line& line_;
};

TELCRM_INLINE Result<RoutingPolicy> RoutingPolicy::create(const IntegrationSettings& settings,
                                                          RoutingOptions options,
                                                          const PhoneNormalizer& normalizer) {
  using routing_detail::e164_or_empty;
  if (auto ok = check_settings(settings, "settings", normalizer); !ok) return fail(ok.error());
  if (options.max_steps == 0)
    return fail(Errc::invalid_argument, "routing options: max_steps must be at least 1");
  RoutingPolicy p;
  p.options_ = options;
  p.default_region_ = settings.default_region;
  p.normalizer_ = normalizer;
  auto queue_index = [&](std::string_view id) {
    for (std::size_t i = 0; i < settings.queues.size(); ++i)
      if (settings.queues[i].id == id) return static_cast<std::uint32_t>(i);
    return std::uint32_t{0};  // not reached: validated above
  };
  p.queues_.reserve(settings.queues.size());
  for (const QueueSettings& q : settings.queues) {
    Queue out;
    out.id = q.id;
    out.members = q.members;
    out.distribution = q.distribution;
    out.ring_seconds = q.ring_time();
    out.no_answer = q.no_answer;
    if (q.no_answer == NoAnswerRule::forward_to_number)
      out.forward_number = e164_or_empty(q.forward_number, settings.default_region, normalizer);
    if (q.no_answer == NoAnswerRule::next_queue && q.next_queue)
      out.next_queue = queue_index(*q.next_queue);
    p.queues_.push_back(std::move(out));
  }
  p.lines_.reserve(settings.lines.size());
  for (const LineSettings& l : settings.lines) {
    Line out;
    out.number = l.number;
    out.e164 = e164_or_empty(l.number, settings.default_region, normalizer);
    out.queue = queue_index(l.queue);
    out.route_to_responsible = l.route_to_responsible;
    out.responsible_ring_seconds = l.responsible_ring_time;
    out.fallback = l.responsible_no_answer;
    out.only_working = l.only_working_employees;
    out.work_hours = l.work_hours;
    if (l.work_hours && l.work_hours->off_hours == OffHoursAction::forward_to_number)
      out.off_hours_forward =
          e164_or_empty(l.work_hours->forward_number, settings.default_region, normalizer);
    p.lines_.push_back(std::move(out));
  }
  return p;
}

TELCRM_INLINE std::optional<std::size_t> RoutingPolicy::find_line(std::string_view number) const {
  for (std::size_t i = 0; i < lines_.size(); ++i)
    if (lines_[i].number == number) return i;
  const PhoneNumber n = normalizer_.normalize(number, default_region_);
  if (!n.is_dialable()) return std::nullopt;
  for (std::size_t i = 0; i < lines_.size(); ++i)
    if (lines_[i].e164 == n.e164()) return i;
  return std::nullopt;
}

TELCRM_INLINE Result<RouteState> RoutingPolicy::begin(const RouteCall& call) const {
  if (call.line >= lines_.size())
    return fail(Errc::not_found, "routing: no line with index " + std::to_string(call.line));
  if (call.direction == CallDirection::outgoing)
    return fail(Errc::invalid_argument, "routing: an outgoing call has no route");
  return RouteState{};
}

TELCRM_INLINE RouteDecision RoutingPolicy::next(const RouteCall& call, const Roster& roster,
                                                const QueueStats& stats, RouteState state,
                                                StepOutcome previous) const {
  RouteDecision d;
  d.starts_at = call.at + state.elapsed_;
  if (state.ended() || call.line >= lines_.size() || call.direction == CallDirection::outgoing ||
      state.steps_ >= options_.max_steps) {
    state.phase_ = RouteState::Phase::ended;
    d.state = std::move(state);
    return d;
  }
  RouteStep step = Router(*this, call, roster, stats, state).decide(previous);
  // The hard bound: the max_steps-th step ends the route whatever the rules say.
  if (!step.ends_route() && state.steps_ + 1 >= options_.max_steps)
    step = HangUpStep{RouteWhy::no_answer_rule};
  ++state.steps_;
  state.elapsed_ += step.seconds();
  if (const auto* ring = step.get_if<RingStep>(); ring != nullptr && !ring->employees.empty())
    state.last_ring_first_ = ring->employees.front();
  if (step.ends_route()) state.phase_ = RouteState::Phase::ended;
  d.step = std::move(step);
  d.state = std::move(state);
  return d;
}

TELCRM_INLINE bool RoutingPolicy::is_off_hours(const RouteCall& call) const {
  if (call.line >= lines_.size()) return false;
  const auto& hours = lines_[call.line].work_hours;
  return hours && !is_within_work_hours(*hours, call.at);
}

TELCRM_INLINE std::optional<EmployeeId> RoutingPolicy::attributed_to(const RouteCall& call) const {
  if (call.responsible) return call.responsible;
  if (call.line >= lines_.size()) return std::nullopt;
  const Queue& q = queues_[lines_[call.line].queue];
  if (q.members.empty()) return std::nullopt;
  return q.members.front();
}

TELCRM_INLINE std::optional<QueueOffer> RouteDecision::offer() const noexcept {
  if (!step) return std::nullopt;
  const auto* ring = step->get_if<RingStep>();
  if (ring == nullptr || ring->why.why != RouteWhy::queue) return std::nullopt;
  return QueueOffer{ring->why.queue, ring->employees, starts_at};
}

TELCRM_END_NAMESPACE
