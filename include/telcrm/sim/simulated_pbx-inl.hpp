// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <telcrm/detail/join.hpp>
#include <telcrm/sim/simulated_pbx.hpp>

#include <fmt/core.h>
#include <fmt/ranges.h>

#include <algorithm>

TELCRM_BEGIN_NAMESPACE

TELCRM_INLINE Result<void> SimulatedPbx::ring(std::string_view call,
                                              std::span<const EmployeeId> employees,
                                              Seconds seconds) {
  if (!keep_commands_) return {};
  std::lock_guard lock(mutex_);
  commands_.push_back(
      fmt::format("ring {} [{}] {}s", call, detail::join_numbers(employees), seconds.count()));
  return {};
}

TELCRM_INLINE Result<void> SimulatedPbx::forward(std::string_view call, std::string_view number,
                                                 Seconds seconds) {
  if (!keep_commands_) return {};
  std::lock_guard lock(mutex_);
  commands_.push_back(fmt::format("forward {} {} {}s", call, number, seconds.count()));
  return {};
}

TELCRM_INLINE Result<void> SimulatedPbx::voicemail(std::string_view call, EmployeeId employee) {
  if (!keep_commands_) return {};
  std::lock_guard lock(mutex_);
  commands_.push_back(fmt::format("voicemail {} {}", call, employee));
  return {};
}

TELCRM_INLINE Result<void> SimulatedPbx::hang_up(std::string_view call) {
  if (!keep_commands_) return {};
  std::lock_guard lock(mutex_);
  commands_.push_back(fmt::format("hang_up {}", call));
  return {};
}

TELCRM_INLINE std::vector<std::string> SimulatedPbx::commands() const {
  std::lock_guard lock(mutex_);
  return commands_;
}

TELCRM_INLINE Result<CallResult> SimulatedPbx::play(CallEngine& engine, const ScenarioCall& call) {
  const bool outgoing = call.direction == CallDirection::outgoing;
  // The simulated host flushes after every event: the writes land in event order.
  auto flushed = [&](auto result) {
    engine.flush();
    return result;
  };
  auto progress = flushed(engine.start_call(CallStart{call.id, call.direction, call.line,
                                                      outgoing ? call.to : call.from, call.employee,
                                                      call.crm_entity, call.at}));
  if (!progress) return fail(progress.error());

  bool answered = outgoing && call.duration > Seconds(0);
  bool answered_by_employee = answered;  // an outgoing call: the employee who dials
  if (!outgoing) {
    auto picks_up = [&](std::string_view number) {
      const auto n = normalizer_.normalize(number, default_region_);
      return std::any_of(call.phone_answers.begin(), call.phone_answers.end(), [&](const auto& p) {
        const auto a = normalizer_.normalize(p, default_region_);
        return a.is_dialable() ? a.e164() == n.e164() : p == number;
      });
    };
    const Seconds hangup = call.caller_hangs_up_after;
    Seconds elapsed{0};
    // Each pass handles the step the engine just issued; the loop ends with the route, which
    // the engine bounds.
    while (progress && !progress->ended && progress->current) {
      const RouteEntry& step = *progress->current;
      const std::size_t index = progress->steps - 1;
      if (hangup <= elapsed) {  // the step never began before the caller left
        progress = flushed(engine.caller_hung_up(CallerHungUp{call.id, hangup}));
        break;
      }
      if (step.kind == RouteEntry::Kind::voicemail || step.kind == RouteEntry::Kind::hang_up) break;
      std::optional<Answered> answer;
      if (step.kind == RouteEntry::Kind::ring) {
        for (EmployeeId u : step.employees)
          if (std::find(call.answers.begin(), call.answers.end(), u) != call.answers.end()) {
            answer = Answered{call.id, index, u, std::nullopt};
            break;
          }
      } else if (picks_up(step.number)) {
        answer = Answered{call.id, index, step.employee, step.number};
      }
      if (answer) {
        progress = flushed(engine.answered(*answer));
        answered = true;
        answered_by_employee = answer->employee.has_value();
        break;
      }
      if (hangup < elapsed + step.seconds) {  // cut short by the caller
        progress = flushed(engine.caller_hung_up(CallerHungUp{call.id, hangup}));
        break;
      }
      elapsed += step.seconds;
      const std::size_t before = progress->steps;
      progress = flushed(
          engine.step_ended(StepEnded{call.id, index, StepOutcome::no_answer, std::nullopt}));
      if (progress && progress->steps == before) break;  // the route ended without a step
    }
    if (!progress) return fail(progress.error());
  }

  // A transfer needs an employee on the call: the scenario is wrong otherwise, and says so
  // rather than skipping it.
  if (call.transfer_to && !answered_by_employee && !skip_unanswered_transfers_)
    return fail(Errc::invalid_argument,
                answered ? "transfer_to: only a call an employee answered can be transferred (an "
                           "outside number answered this one)"
                         : "transfer_to: only a call an employee answered can be transferred "
                           "(nobody answered this one)");
  if (answered_by_employee && call.transfer_to) {
    if (auto t = flushed(engine.transferred(Transferred{call.id, *call.transfer_to})); !t)
      return fail(t.error());
  }
  if (answered) {
    for (std::size_t i = 0; i < call.during_call.size(); ++i) {
      const auto& a = call.during_call[i];
      DuringCallAction action{call.id, i, {}};
      if (a.kind == ScenarioAction::Kind::create_deal)
        action.action = DuringCallAction::AddDeal{a.title};
      else
        action.action = DuringCallAction::AddInvoice{a.amount};
      // A call with no client (an excepted number, an offer) has nothing to create records
      // for: the engine refuses the action and the call goes on.
      if (auto r = flushed(engine.during_call(action));
          !r && r.error().code() != Errc::invalid_state)
        return fail(r.error());
    }
  }
  auto ended = engine.end_call(CallEnd{call.id, answered ? call.duration : Seconds(0), call.status,
                                       call.recording, call.voicemail, call.comment});
  engine.flush();
  if (!ended) return ended;
  // The result with the ids the store gave what the call created (its writes just landed).
  if (auto written = engine.result(call.id)) return std::move(*written);
  return ended;
}

TELCRM_END_NAMESPACE
