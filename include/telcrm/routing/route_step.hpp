// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// The steps of a route — ring, forward, voicemail, hang up — each with its reason
/// (R-R6), and what a step's outcome was when it did not end the call.

#include <telcrm/config.hpp>
#include <telcrm/crm/entity.hpp>
#include <telcrm/detail/enum_format.hpp>
#include <telcrm/time.hpp>

#include <fmt/core.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

TELCRM_BEGIN_NAMESPACE

/// Why a routing step was taken (R-R6): the closed list of scenario-format.md. On a ring step
/// `responsible` or `queue`; on forward, voicemail and hang-up steps the others.
enum class RouteWhy : std::uint8_t {
  responsible,              ///< ring: the client's responsible (R-R1)
  queue,                    ///< ring: a queue's distribution (R-Q2); spelled `queue:<id>`
  responsible_no_answer,    ///< R-R3 after the responsible did not answer
  responsible_busy,         ///< R-R3 because the responsible is busy (R-R2)
  responsible_unreachable,  ///< R-R3 because the responsible is offline (R-R2)
  no_answer_rule,           ///< a queue's no-answer rule (R-Q4, R-Q5)
  off_hours,                ///< outside the line's working hours (R-R5)
  queue_cycle,              ///< next_queue led back to a queue already entered (R-Q4)
};
/// The spelling of scenario-format.md; `queue` without its id (see RouteReason).
constexpr std::string_view format_as(RouteWhy w) noexcept {
  switch (w) {
    case RouteWhy::responsible: return "responsible";
    case RouteWhy::queue: return "queue";
    case RouteWhy::responsible_no_answer: return "responsible_no_answer";
    case RouteWhy::responsible_busy: return "responsible_busy";
    case RouteWhy::responsible_unreachable: return "responsible_unreachable";
    case RouteWhy::no_answer_rule: return "no_answer_rule";
    case RouteWhy::off_hours: return "off_hours";
    case RouteWhy::queue_cycle: return "queue_cycle";
  }
  return "unknown";
}
/// Why a step was taken, in words for people ("the responsible was busy"). For `queue` the
/// words do not name the queue: RouteReason::queue does.
constexpr std::string_view describe(RouteWhy w) noexcept {
  switch (w) {
    case RouteWhy::responsible: return "the client's responsible";
    case RouteWhy::queue: return "the queue's distribution";
    case RouteWhy::responsible_no_answer: return "the responsible did not answer";
    case RouteWhy::responsible_busy: return "the responsible was busy";
    case RouteWhy::responsible_unreachable: return "the responsible was unreachable";
    case RouteWhy::no_answer_rule: return "the queue's no-answer rule";
    case RouteWhy::off_hours: return "outside working hours";
    case RouteWhy::queue_cycle: return "the next-queue chain came back to a queue it had entered";
  }
  return "unknown";
}

/// The reason a step carries: a RouteWhy, plus the queue's id for `queue`.
struct RouteReason {
  RouteWhy why = RouteWhy::responsible;  ///< why the step was taken
  std::string queue{};                   ///< the queue id when why == queue; empty otherwise

  RouteReason() = default;
  /// A reason other than `queue`.
  RouteReason(RouteWhy w) : why(w) {}  // NOLINT(google-explicit-constructor): reads as the enum
  /// `queue:<id>`.
  [[nodiscard]] static RouteReason for_queue(std::string id) {
    RouteReason r(RouteWhy::queue);
    r.queue = std::move(id);
    return r;
  }
  /// Equal when every member is.
  friend bool operator==(const RouteReason&, const RouteReason&) = default;
};
/// "responsible_busy", or "queue:sales" — the `why` of the scenario output.
inline std::string format_as(const RouteReason& r) {
  std::string out(format_as(r.why));
  if (r.why == RouteWhy::queue) out.append(":").append(r.queue);
  return out;
}

/// Ring these employees at once for `seconds`; the first to answer takes the call.
struct RingStep {
  std::vector<EmployeeId> employees{};  ///< in the order the scenario output lists them
  Seconds seconds{0};                   ///< how long it rings
  RouteReason why{};                    ///< why it was taken (R-R6)
  /// Equal when every member is.
  friend bool operator==(const RingStep&, const RingStep&) = default;
};

/// Forward the call to an outside number (E.164) for `seconds`.
struct ForwardStep {
  std::string number{};  ///< E.164
  Seconds seconds{0};    ///< how long it rings
  RouteReason why{};     ///< why it was taken (R-R6)
  /// Set when the number is an employee's own phone: an answer there is that employee's (R-R3).
  std::optional<EmployeeId> employee{};
  /// Equal when every member is.
  friend bool operator==(const ForwardStep&, const ForwardStep&) = default;
};

/// Let the caller leave a message for `employee`; the route ends here.
struct VoicemailStep {
  EmployeeId employee = 0;  ///< whose voicemail
  RouteReason why{};        ///< why it was taken (R-R6)
  /// Equal when every member is.
  friend bool operator==(const VoicemailStep&, const VoicemailStep&) = default;
};

/// End the call; the route ends here.
struct HangUpStep {
  RouteReason why{};  ///< why it was taken (R-R6)
  /// Equal when every member is.
  friend bool operator==(const HangUpStep&, const HangUpStep&) = default;
};

/// Which kind of step a RouteStep is; the values are the variant's indexes.
enum class StepKind : std::uint8_t { ring, forward, voicemail, hang_up };
/// The value's name, as fmt prints it.
constexpr std::string_view format_as(StepKind k) noexcept {
  switch (k) {
    case StepKind::ring: return "ring";
    case StepKind::forward: return "forward";
    case StepKind::voicemail: return "voicemail";
    case StepKind::hang_up: return "hang_up";
  }
  return "unknown";
}

/// One step of a route: exactly one of ring, forward, voicemail, hang up.
struct RouteStep {
  std::variant<RingStep, ForwardStep, VoicemailStep, HangUpStep> action{};  ///< the step

  RouteStep() = default;
  /// @{
  /// A step of that kind.
  RouteStep(RingStep s) : action(std::move(s)) {}       // NOLINT(google-explicit-constructor)
  RouteStep(ForwardStep s) : action(std::move(s)) {}    // NOLINT(google-explicit-constructor)
  RouteStep(VoicemailStep s) : action(std::move(s)) {}  // NOLINT(google-explicit-constructor)
  RouteStep(HangUpStep s) : action(std::move(s)) {}     // NOLINT(google-explicit-constructor)
  /// @}

  /// Which kind of step it is.
  [[nodiscard]] StepKind kind() const noexcept { return static_cast<StepKind>(action.index()); }
  /// The step's reason.
  [[nodiscard]] const RouteReason& why() const noexcept {
    return std::visit([](const auto& s) -> const RouteReason& { return s.why; }, action);
  }
  /// How long the step rings: ring and forward steps; zero for voicemail and hang-up.
  [[nodiscard]] Seconds seconds() const noexcept {
    if (const auto* r = std::get_if<RingStep>(&action)) return r->seconds;
    if (const auto* f = std::get_if<ForwardStep>(&action)) return f->seconds;
    return Seconds{0};
  }
  /// True for voicemail and hang-up: nothing follows them.
  [[nodiscard]] bool ends_route() const noexcept {
    return kind() == StepKind::voicemail || kind() == StepKind::hang_up;
  }
  /// The step as T, or nullptr when it is another kind.
  template <class T>
  [[nodiscard]] const T* get_if() const noexcept {
    return std::get_if<T>(&action);
  }
  /// Equal when every member is.
  friend bool operator==(const RouteStep&, const RouteStep&) = default;
};

/// "ring [1, 3] 15s queue:sales".
std::string format_as(const RingStep& s);
/// "forward +79031112233 30s responsible_busy (employee 2)".
std::string format_as(const ForwardStep& s);
/// "voicemail 4 responsible_no_answer".
std::string format_as(const VoicemailStep& s);
/// "hang_up queue_cycle".
std::string format_as(const HangUpStep& s);
/// The step's own format_as.
std::string format_as(const RouteStep& s);

/// What became of a step that did not end the call. "Answered" and "the caller hung up" are
/// not outcomes: the route is over then, and the engine stops asking for steps.
enum class StepOutcome : std::uint8_t {
  none,       ///< no step yet: ask for the first one
  no_answer,  ///< nobody answered within the step's seconds
  busy,       ///< the rung employee or the forwarded number was busy
  rejected,   ///< the rung employee declined the call
};
/// The value's name, as fmt prints it.
constexpr std::string_view format_as(StepOutcome o) noexcept {
  switch (o) {
    case StepOutcome::none: return "none";
    case StepOutcome::no_answer: return "no_answer";
    case StepOutcome::busy: return "busy";
    case StepOutcome::rejected: return "rejected";
  }
  return "unknown";
}

TELCRM_END_NAMESPACE

#if FMT_VERSION < 100000
TELCRM_BEGIN_NAMESPACE
namespace routing_format_detail {
// fmt 9 does not look for format_as on classes; these formatters forward to it.
template <class T>
struct format_as_formatter : detail::text_formatter {
  template <class Context>
  auto format(const T& value, Context& ctx) const {
    return write(format_as(value), ctx);
  }
};
}  // namespace routing_format_detail
TELCRM_END_NAMESPACE
#define TELCRM_DETAIL_FORMAT_AS(Type)       \
  template <>                               \
  struct fmt::formatter<telcrm::Type, char> \
      : telcrm::routing_format_detail::format_as_formatter<telcrm::Type> {}
TELCRM_DETAIL_FORMAT_AS(RouteReason);
TELCRM_DETAIL_FORMAT_AS(RingStep);
TELCRM_DETAIL_FORMAT_AS(ForwardStep);
TELCRM_DETAIL_FORMAT_AS(VoicemailStep);
TELCRM_DETAIL_FORMAT_AS(HangUpStep);
TELCRM_DETAIL_FORMAT_AS(RouteStep);
#undef TELCRM_DETAIL_FORMAT_AS
#endif

#ifdef TELCRM_HEADER_ONLY
#include <telcrm/routing/route_step-inl.hpp>
#endif
