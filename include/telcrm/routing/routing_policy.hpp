// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// RoutingPolicy: who rings, for how long, and what happens when nobody answers —
/// the responsible (R-R1 … R-R3), the line's queue (R-R4, R-Q1 … R-Q5), working hours (R-R5),
/// each step with its reason (R-R6).

#include <telcrm/config.hpp>
#include <telcrm/crm/activity.hpp>
#include <telcrm/phone/phone_normalizer.hpp>
#include <telcrm/result.hpp>
#include <telcrm/routing/queue_stats.hpp>
#include <telcrm/routing/roster.hpp>
#include <telcrm/routing/route_step.hpp>
#include <telcrm/routing/work_hours.hpp>
#include <telcrm/settings/settings.hpp>
#include <telcrm/time.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

TELCRM_BEGIN_NAMESPACE

/// Options of a RoutingPolicy that are not settings.
struct RoutingOptions {
  /// The seed of the `random` distribution: a call's order depends only on the seed, the
  /// call id, the queue and the pass, so a replay repeats it (`telcrm replay --seed N`).
  std::uint64_t seed = 1;
  /// The most steps a route may have (≥ 1). A route that would go on (a `wait` queue whose
  /// caller never gives up) ends with a hang-up whose why is `no_answer_rule` as its
  /// `max_steps`-th step, so every route terminates.
  std::uint32_t max_steps = 1000;
};

/// What routing needs to know of one call. Built by the engine when the call starts.
struct RouteCall {
  std::size_t line = 0;  ///< index of the call's line in the settings (RoutingPolicy::find_line)
  /// Incoming or callback (routed alike); an outgoing call has no route.
  CallDirection direction = CallDirection::incoming;
  Timestamp at{};              ///< when the call started (UTC)
  std::string_view call_id{};  ///< the host's call id (seeds `random`)
  /// R-M4's result: the client's responsible, already known to be active; nullopt for an
  /// unknown, excepted or employee caller or a line whose CRM lookup is off (R-R4).
  std::optional<EmployeeId> responsible{};
};

/// Where a route is: a small value the engine keeps between steps and hands back to next().
/// Opaque apart from the read-only accessors; compare with == in tests.
class RouteState {
 public:
  RouteState() = default;
  /// True once the route has ended (after voicemail, a hang-up, or max_steps).
  [[nodiscard]] bool ended() const noexcept { return phase_ == Phase::ended; }
  /// How many steps were taken.
  [[nodiscard]] std::uint32_t steps() const noexcept { return steps_; }
  /// The seconds of the steps taken so far (the next step starts this long after the call).
  [[nodiscard]] Seconds elapsed() const noexcept { return elapsed_; }
  /// The pass of the current queue (1 = the first); 0 before any queue.
  [[nodiscard]] std::uint32_t pass() const noexcept { return pass_; }
  /// Equal when every member is.
  friend bool operator==(const RouteState&, const RouteState&) = default;

 private:
  friend class RoutingPolicy;
  enum class Phase : std::uint8_t {
    start,        // no step yet
    responsible,  // the responsible is ringing
    forward,      // a forward is ringing; voicemail (or hang-up) follows
    queue,        // in queue_, pass pass_, at cursor_ of order_
    ended,
  };
  Phase phase_ = Phase::start;
  RouteWhy carried_ = RouteWhy::no_answer_rule;  // the why of the voicemail after a forward
  std::uint32_t queue_ = 0;
  std::uint32_t pass_ = 0;
  std::uint32_t cursor_ = 0;  // tried members of order_ (ring_progressively: how many ring)
  std::uint32_t steps_ = 0;
  Seconds elapsed_{0};
  std::optional<EmployeeId> last_ring_first_{};   // first user of the last ring step (R-Q4)
  std::optional<EmployeeId> addressee_{};         // voicemail after a forward goes to them
  std::optional<EmployeeId> rung_responsible_{};  // tried in the line queue's first pass
  std::vector<std::uint32_t> entered_{};          // queues entered, in order
  std::vector<EmployeeId> order_{};               // this pass's candidates, in ring order
};

/// One routing decision: the next step (or the end of the route), the state to keep, and
/// when the step starts.
struct RouteDecision {
  /// The next step; nullopt when the route has ended (after voicemail or a hang-up).
  std::optional<RouteStep> step{};
  /// The state to hand to the next call of next().
  RouteState state{};
  /// When the step starts: the call's start plus the seconds of the earlier steps.
  Timestamp starts_at{};

  /// True when there is no further step.
  [[nodiscard]] bool ended() const noexcept { return !step.has_value(); }
  /// The queue-statistics update of this decision: for a queue ring step, its users were
  /// offered the call at starts_at (R-Q2 `evenly`); nullopt for every other step. The view
  /// refers to this decision. Apply it with QueueStats::apply.
  [[nodiscard]] std::optional<QueueOffer> offer() const noexcept;
};

/// Decides the route of incoming calls and callbacks, one step at a time.
///
/// Pure: built once from the settings, it holds no clock, ports or globals; next() reads
/// only its arguments and returns values. Thread-safe: a const RoutingPolicy may be shared
/// by any number of threads. Settings changes (R-S3) build a new policy.
///
/// Typical use by an engine:
/// \code
///   RouteState state = *policy.begin(call);
///   StepOutcome outcome = StepOutcome::none;
///   for (;;) {
///     RouteDecision d = policy.next(call, roster, stats, std::move(state), outcome);
///     if (d.ended()) break;
///     if (auto offer = d.offer()) stats.apply(*offer);
///     outcome = perform(*d.step);  // stop when answered or the caller hangs up
///     state = std::move(d.state);
///   }
/// \endcode
class RoutingPolicy {
 public:
  /// Builds the policy: resolves queue references and normalises forward numbers to E.164
  /// against `settings.default_region` (R-N2). Errors: Errc::invalid_argument with the first
  /// problem validate() reports, or when options.max_steps is 0.
  [[nodiscard]] static Result<RoutingPolicy> create(const IntegrationSettings& settings,
                                                    RoutingOptions options = {},
                                                    const PhoneNormalizer& normalizer = {});

  /// The index of the line with this number: equal text first, else equal E.164 (read
  /// against the default region); nullopt when no line has it.
  [[nodiscard]] std::optional<std::size_t> find_line(std::string_view number) const;
  /// How many lines the settings have.
  [[nodiscard]] std::size_t line_count() const noexcept { return lines_.size(); }
  /// The options it was built with.
  [[nodiscard]] const RoutingOptions& options() const noexcept { return options_; }

  /// The state before the first step of `call`. Errors: Errc::not_found for a line index out
  /// of range; Errc::invalid_argument for an outgoing call (it has no route).
  [[nodiscard]] Result<RouteState> begin(const RouteCall& call) const;

  /// The next step of `call`, given the state so far and what became of the previous step
  /// (StepOutcome::none for the first). `roster` gives presence, activity, working day and
  /// own phones; `stats` the queue statistics. After a route has ended it keeps returning an
  /// ended decision. Precondition: `state` came from begin(call) or from next() for the same
  /// call.
  [[nodiscard]] RouteDecision next(const RouteCall& call, const Roster& roster,
                                   const QueueStats& stats, RouteState state,
                                   StepOutcome previous) const;

  /// True when the call's line has working hours and the call started outside them (R-R5).
  [[nodiscard]] bool is_off_hours(const RouteCall& call) const;
  /// Whom an off-hours call is attributed to (its voicemail, its lead, R-R5): the client's
  /// responsible if known, else the first member of the line's queue; nullopt when neither.
  [[nodiscard]] std::optional<EmployeeId> attributed_to(const RouteCall& call) const;

 private:
  struct Queue {
    std::string id;
    std::vector<EmployeeId> members;
    Distribution distribution = Distribution::evenly;
    Seconds ring_seconds{15};
    NoAnswerRule no_answer = NoAnswerRule::voicemail;
    std::string forward_number;  // E.164; empty when none
    std::optional<std::uint32_t> next_queue;
  };
  struct Line {
    std::string number;
    std::string e164;  // empty when the number does not normalise
    std::uint32_t queue = 0;
    bool route_to_responsible = true;
    Seconds responsible_ring_seconds{30};
    ResponsibleFallback fallback = ResponsibleFallback::queue;
    bool only_working = false;
    std::optional<WorkHours> work_hours;
    std::string off_hours_forward;  // E.164; empty when none
  };
  class Router;  // the state machine of one next() call

  RoutingPolicy() = default;

  std::vector<Line> lines_;
  std::vector<Queue> queues_;
  RoutingOptions options_;
  Region default_region_;
  PhoneNormalizer normalizer_;
};

TELCRM_END_NAMESPACE

#ifdef TELCRM_HEADER_ONLY
#include <telcrm/routing/routing_policy-inl.hpp>
#endif
