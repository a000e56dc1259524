// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <telcrm/sim/simulated_pbx.hpp>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

TELCRM_BEGIN_NAMESPACE

TELCRM_INLINE Result<void> SimulatedPbx::ring(std::string_view call,
                                              std::span<const EmployeeId> employees,
                                              Seconds seconds) {
  std::lock_guard lock(mutex_);
  commands_.push_back(
      fmt::format("ring {} [{}] {}s", call, fmt::join(employees, ", "), seconds.count()));
  return {};
}

TELCRM_INLINE Result<void> SimulatedPbx::forward(std::string_view call, std::string_view number,
                                                 Seconds seconds) {
  std::lock_guard lock(mutex_);
  commands_.push_back(fmt::format("forward {} {} {}s", call, number, seconds.count()));
  return {};
}

TELCRM_INLINE Result<void> SimulatedPbx::voicemail(std::string_view call, EmployeeId employee) {
  std::lock_guard lock(mutex_);
  commands_.push_back(fmt::format("voicemail {} {}", call, employee));
  return {};
}

TELCRM_INLINE Result<void> SimulatedPbx::hang_up(std::string_view call) {
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
  auto progress = engine.start_call(CallStart{call.id, call.direction, call.line,
                                              outgoing ? call.to : call.from, call.user,
                                              call.crm_entity, call.at});
  if (!progress) return fail(progress.error());

  bool answered = outgoing && call.duration > 0;
  if (!outgoing) {
    auto picks_up = [&](std::string_view number) {
      const auto n = normalizer_.normalize(number, default_region_);
      return std::any_of(call.phone_answers.begin(), call.phone_answers.end(), [&](const auto& p) {
        const auto a = normalizer_.normalize(p, default_region_);
        return a.is_dialable() ? a.e164() == n.e164() : p == number;
      });
    };
    const Seconds hangup(call.caller_hangs_up_after);
    Seconds elapsed{0};
    // Each pass handles the step the engine just issued; the loop ends with the route, which
    // the engine bounds.
    while (progress && !progress->ended && progress->current) {
      const RouteEntry& step = *progress->current;
      const std::size_t index = progress->steps - 1;
      if (hangup <= elapsed) {  // the step never began before the caller left
        progress = engine.caller_hung_up(CallerHungUp{call.id, hangup});
        break;
      }
      if (step.kind == RouteEntry::Kind::voicemail || step.kind == RouteEntry::Kind::hang_up) break;
      std::optional<Answered> answer;
      if (step.kind == RouteEntry::Kind::ring) {
        for (EmployeeId u : step.users)
          if (std::find(call.answers.begin(), call.answers.end(), u) != call.answers.end()) {
            answer = Answered{call.id, index, u, std::nullopt};
            break;
          }
      } else if (picks_up(step.number)) {
        answer = Answered{call.id, index, step.employee, step.number};
      }
      if (answer) {
        progress = engine.answered(*answer);
        answered = true;
        break;
      }
      if (hangup < elapsed + Seconds(step.seconds)) {  // cut short by the caller
        progress = engine.caller_hung_up(CallerHungUp{call.id, hangup});
        break;
      }
      elapsed += Seconds(step.seconds);
      const std::size_t before = progress->steps;
      progress = engine.step_ended(StepEnded{call.id, index, StepOutcome::no_answer, std::nullopt});
      if (progress && progress->steps == before) break;  // the route ended without a step
    }
    if (!progress) return fail(progress.error());
  }

  if (answered && call.transfer_to) {
    if (auto t = engine.transferred(Transferred{call.id, *call.transfer_to}); !t)
      return fail(t.error());
  }
  if (answered) {
    for (std::size_t i = 0; i < call.during_call.size(); ++i) {
      const auto& a = call.during_call[i];
      DuringCallAction action{call.id, i, {}};
      if (a.kind == ScenarioAction::Kind::create_deal)
        action.action = DuringCallAction::CreateDeal{a.title};
      else
        action.action = DuringCallAction::CreateInvoice{a.amount};
      // A call with no client (an excepted number, an offer) has nothing to create records
      // for: the engine refuses the action and the call goes on.
      if (auto r = engine.during_call(action); !r && r.error().code() != Errc::invalid_state)
        return fail(r.error());
    }
  }
  return engine.end_call(CallEnd{call.id, Seconds(answered ? call.duration : 0), call.status_code,
                                 call.recording, call.voicemail, call.comment});
}

TELCRM_END_NAMESPACE
