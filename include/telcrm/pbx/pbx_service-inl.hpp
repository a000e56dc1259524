// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <telcrm/pbx/detail/flat_json.hpp>
#include <telcrm/pbx/pbx_service.hpp>
#include <telcrm/pbx/sip_identity.hpp>

#include <fmt/core.h>

#include <vector>

TELCRM_BEGIN_NAMESPACE
namespace pbx {

namespace service_detail {

constexpr RouteEntry::Kind entry_kind(StepKind k) noexcept {
  switch (k) {
    case StepKind::ring: return RouteEntry::Kind::ring;
    case StepKind::forward: return RouteEntry::Kind::forward;
    case StepKind::voicemail: return RouteEntry::Kind::voicemail;
    case StepKind::hang_up: return RouteEntry::Kind::hang_up;
  }
  return RouteEntry::Kind::hang_up;
}

constexpr bool ends_route(StepKind k) noexcept {
  return k == StepKind::voicemail || k == StepKind::hang_up;
}

}  // namespace service_detail

TELCRM_INLINE PbxService::PbxService(CallEngine& engine, CapturingTelephony& telephony,
                                     PresenceDirectory& directory, const Clock& clock,
                                     ServiceOptions options)
    : engine_(engine),
      telephony_(telephony),
      directory_(directory),
      clock_(clock),
      options_(std::move(options)) {}

TELCRM_INLINE std::chrono::milliseconds PbxService::now() const {
  if (options_.monotonic) return options_.monotonic();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now().time_since_epoch());
}

TELCRM_INLINE Seconds PbxService::whole_seconds(std::chrono::milliseconds d) {
  if (d.count() < 0) return Seconds(0);
  return Seconds((d.count() + 500) / 1000);  // to the nearest second, as calls are logged
}

TELCRM_INLINE Reply PbxService::error(const Error& e) const {
  return Reply{http_status_of(e.code()), format_error(e.message())};
}

TELCRM_INLINE void PbxService::set_interrupted(std::vector<std::string> calls) {
  std::lock_guard lock(mutex_);
  for (auto& c : calls) interrupted_.insert(std::move(c));
  if (!interrupted_.empty()) any_interrupted_.store(true, std::memory_order_release);
}

TELCRM_INLINE std::optional<Reply> PbxService::gone(std::string_view call) const {
  // Almost always none: then every request would take the sessions' lock for nothing.
  if (!any_interrupted_.load(std::memory_order_acquire)) return std::nullopt;
  std::lock_guard lock(mutex_);
  if (interrupted_.find(call) == interrupted_.end()) return std::nullopt;
  return Reply{410, format_error(fmt::format("call {}: telcrm stopped while it was in progress; "
                                             "it was closed as missed at the restart",
                                             call))};
}

TELCRM_INLINE Reply PbxService::handle(Endpoint endpoint, std::string_view body) {
  switch (endpoint) {
    case Endpoint::call: return new_call(body);
    case Endpoint::failed: return step_failed(body);
    case Endpoint::answered: return step_answered(body);
    case Endpoint::cancelled: return caller_left(body);
    case Endpoint::ended: return call_ended(body);
    case Endpoint::transferred: return call_transferred(body);
    case Endpoint::presence: return presence(body);
  }
  return Reply{404, format_error("unknown endpoint")};
}

TELCRM_INLINE Reply PbxService::new_call(std::string_view body) {
  if (!taking_calls()) {
    refused_.fetch_add(1);
    return Reply{503, format_error("telcrm is stopping: it takes no new calls")};
  }
  auto request = parse_new_call(body);
  if (!request) return error(request.error());
  if (auto g = gone(request->call)) return *g;
  const Caller caller = caller_of(request->from, request->asserted, request->privacy);
  const std::string line = request->line.empty() ? dialled_number(request->to) : request->line;
  if (line.empty()) return Reply{400, format_error("$.to: holds no number (the dialled line)")};

  const auto t = now();
  bool fresh = false;
  {
    std::lock_guard lock(mutex_);
    auto [it, inserted] = sessions_.try_emplace(request->call);
    if (inserted) {
      it->second.started = t;
      it->second.step_at = t;
    }
    it->second.last_request = t;
    fresh = inserted;
  }
  CallStart start;
  start.call = request->call;
  start.line = line;
  start.number = caller.number;
  start.at = clock_.now();
  // Noted before the engine sees it: a crash from here on leaves it in the live-call journal.
  if (fresh && options_.live) options_.live->began(start);
  std::optional<Command> command;
  Result<CallProgress> progress = fail(Errc::internal, "not started");
  {
    CapturingTelephony::Capture capture(telephony_);
    progress = engine_.start_call(start);
    command = capture.command();
  }
  if (!progress) {
    if (fresh) {
      std::lock_guard lock(mutex_);
      sessions_.erase(request->call);
    }
    if (fresh && options_.live) options_.live->ended(request->call);
    if (progress.error().code() == Errc::not_found) {
      // Not one of the lines: the PBX may route it on its own (a phone calling out).
      flat_json::Writer w;
      w.field("error", progress.error().message());
      w.field("unknown", "line");
      return Reply{404, w.finish()};
    }
    return error(progress.error());
  }
  if (fresh) calls_.fetch_add(1);
  return step_reply(request->call, std::move(progress), std::move(command));
}

TELCRM_INLINE Reply PbxService::step_reply(const std::string& call, Result<CallProgress> progress,
                                           std::optional<Command> command) {
  const auto book = directory_.extensions();
  for (std::size_t skipped = 0;; ++skipped) {
    if (!progress) return error(progress.error());
    const CallProgress& p = *progress;
    if (!p.current || p.steps == 0)
      return Reply{409, format_error(fmt::format("call {}: has no step to carry out", call))};
    // The captured command is what the engine told the PBX now; a repeated event issues
    // none and gets the step it was given before.
    RouteEntry entry = *p.current;
    if (command) {
      entry.kind = service_detail::entry_kind(command->kind);
      entry.employees = command->employees;
      entry.number = command->number;
      entry.seconds = command->seconds;
      if (command->kind == StepKind::voicemail) entry.employee = command->employee;
    }
    std::optional<StepOutcome> last;
    {
      std::lock_guard lock(mutex_);
      if (auto it = sessions_.find(call); it != sessions_.end()) last = it->second.last_outcome;
    }
    StepAnswer answer = answer_for(call, p.steps - 1, entry, *book, last);
    if (answer.action == StepKind::ring && answer.targets.empty() &&
        skipped < options_.max_skipped_steps) {
      // Nobody in this step has an extension: it ends unanswered at once, and the next step
      // is asked for — the PBX never sees a step it cannot dial.
      CapturingTelephony::Capture capture(telephony_);
      progress =
          engine_.step_ended(StepEnded{call, answer.step, StepOutcome::no_answer, Seconds(0)});
      command = capture.command();
      continue;
    }
    {
      std::lock_guard lock(mutex_);
      if (auto it = sessions_.find(call); it != sessions_.end()) {
        Session& s = it->second;
        if (command || s.step != answer.step) s.step_at = now();
        s.step = answer.step;
        s.kind = answer.action;
      }
    }
    if (answer.action == StepKind::hang_up) {
      // The caller is sent away with a final reply: no other request will come for the call.
      (void)finish(call, CallEnd{call});
    }
    return Reply{200, format_answer(answer)};
  }
}

TELCRM_INLINE Reply PbxService::step_failed(std::string_view body) {
  auto request = parse_step_failed(body);
  if (!request) return error(request.error());
  if (auto g = gone(request->call)) return *g;
  auto outcome = outcome_of(request->code);
  if (!outcome) return error(outcome.error());
  const auto t = now();
  std::optional<Seconds> rang;
  bool route_over = false;
  {
    std::lock_guard lock(mutex_);
    if (auto it = sessions_.find(request->call); it != sessions_.end()) {
      Session& s = it->second;
      s.last_request = t;
      if (s.step == request->step) {
        rang = whole_seconds(t - s.step_at);
        s.last_outcome = *outcome;
        // The voicemail server failed too: nothing is left but to send the caller away.
        route_over = service_detail::ends_route(s.kind);
      }
    }
  }
  if (route_over) {
    StepAnswer answer;
    answer.call = request->call;
    answer.step = request->step;
    answer.action = StepKind::hang_up;
    answer.reply = hang_up_reply(*outcome);
    answer.why = "route_ended";
    (void)finish(request->call, CallEnd{request->call});
    return Reply{200, format_answer(answer)};
  }
  std::optional<Command> command;
  Result<CallProgress> progress = fail(Errc::internal, "not asked");
  {
    CapturingTelephony::Capture capture(telephony_);
    progress = engine_.step_ended(StepEnded{request->call, request->step, *outcome, rang});
    command = capture.command();
  }
  return step_reply(request->call, std::move(progress), std::move(command));
}

TELCRM_INLINE Reply PbxService::step_answered(std::string_view body) {
  auto request = parse_step_answered(body);
  if (!request) return error(request.error());
  if (auto g = gone(request->call)) return *g;
  const auto t = now();
  bool voicemail_step = false;
  {
    std::lock_guard lock(mutex_);
    if (auto it = sessions_.find(request->call); it != sessions_.end()) {
      Session& s = it->second;
      s.last_request = t;
      if (request->recording) s.recording = request->recording;
      if (request->voicemail) s.voicemail = request->voicemail;
      voicemail_step = s.step == request->step && s.kind == StepKind::voicemail;
    }
  }
  Acknowledgement ack{request->call};
  // The voicemail server took the call: nobody answered it in person (R-A2, R-A4).
  if (voicemail_step) return Reply{200, format_acknowledgement(ack)};

  std::optional<EmployeeId> who;
  if (!request->by.empty()) who = directory_.extensions()->employee_of(request->by);
  Answered event{request->call, request->step, who, std::nullopt};
  Result<CallProgress> progress = fail(Errc::internal, "not asked");
  {
    CapturingTelephony::Capture capture(telephony_);  // answering issues no step
    progress = engine_.answered(event);
  }
  if (!progress) return error(progress.error());
  // A forward to an employee's own phone is that employee's answer (R-R3).
  if (!who && progress->current && progress->current->kind == RouteEntry::Kind::forward)
    who = progress->current->employee;
  {
    std::lock_guard lock(mutex_);
    if (auto it = sessions_.find(request->call); it != sessions_.end())
      if (!it->second.answered_at) it->second.answered_at = t;
  }
  if (who) directory_.call_started(*who, request->call);  // busy while on the call
  ack.employee = who;
  return Reply{200, format_acknowledgement(ack)};
}

TELCRM_INLINE Reply PbxService::caller_left(std::string_view body) {
  auto request = parse_caller_left(body);
  if (!request) return error(request.error());
  if (auto g = gone(request->call)) return *g;
  Seconds after{0};
  {
    std::lock_guard lock(mutex_);
    if (auto it = sessions_.find(request->call); it != sessions_.end())
      after = whole_seconds(now() - it->second.started);
  }
  auto left = engine_.caller_hung_up(CallerHungUp{request->call, after});
  if (!left) return error(left.error());
  return finish(request->call, CallEnd{request->call});
}

TELCRM_INLINE Reply PbxService::call_ended(std::string_view body) {
  auto request = parse_call_ended(body);
  if (!request) return error(request.error());
  if (auto g = gone(request->call)) return *g;
  CallEnd end{request->call};
  end.recording = request->recording;
  end.voicemail = request->voicemail;
  if (request->status) end.status = static_cast<CallStatus>(*request->status);
  {
    std::lock_guard lock(mutex_);
    if (auto it = sessions_.find(request->call); it != sessions_.end()) {
      const Session& s = it->second;
      if (!end.recording) end.recording = s.recording;
      if (!end.voicemail) end.voicemail = s.voicemail;
      if (s.answered_at) end.duration = whole_seconds(now() - *s.answered_at);
    }
  }
  if (request->duration) end.duration = Seconds(*request->duration);
  return finish(request->call, std::move(end));
}

TELCRM_INLINE Reply PbxService::finish(const std::string& call, CallEnd end) {
  auto result = engine_.end_call(end);
  directory_.call_ended(call);
  bool followed = false;
  {
    std::lock_guard lock(mutex_);
    followed = sessions_.erase(call) > 0;
  }
  if (!result) return error(result.error());
  if (options_.live) options_.live->ended(call);  // after its writes are queued
  if (followed) finished_.fetch_add(1);           // a repeated end (R-I1) is not counted again
  Acknowledgement ack{call};
  ack.employee = result->answered_by;
  ack.outcome = std::string(format_as(result->outcome));
  ack.status = code_of(result->status);
  ack.duration = result->history.duration.count();
  return Reply{200, format_acknowledgement(ack)};
}

TELCRM_INLINE Reply PbxService::call_transferred(std::string_view body) {
  auto request = parse_call_transferred(body);
  if (!request) return error(request.error());
  if (auto g = gone(request->call)) return *g;
  auto to = directory_.extensions()->employee_of(request->to);
  if (!to)
    return Reply{404, format_error(fmt::format("$.to: extension '{}' belongs to no employee",
                                               extension_of(request->to)))};
  auto progress = engine_.transferred(Transferred{request->call, *to});
  if (!progress) return error(progress.error());
  {
    std::lock_guard lock(mutex_);
    if (auto it = sessions_.find(request->call); it != sessions_.end())
      it->second.last_request = now();
  }
  directory_.call_ended(request->call);  // the one who transferred is free again
  directory_.call_started(*to, request->call);
  Acknowledgement ack{request->call};
  ack.employee = *to;
  return Reply{200, format_acknowledgement(ack)};
}

TELCRM_INLINE Reply report_presence(PresenceDirectory& directory, std::string_view body) {
  auto request = parse_presence(body);
  if (!request)
    return Reply{http_status_of(request.error().code()), format_error(request.error().message())};
  auto id = directory.report(request->extension, request->state);
  if (!id)
    return Reply{404, format_error(fmt::format("$.extension: extension '{}' belongs to no employee",
                                               request->extension))};
  flat_json::Writer w;
  w.field("ok", true);
  w.field("extension", request->extension);
  w.field("employee", static_cast<std::int64_t>(*id));
  w.field("state", format_as(request->state));
  return Reply{200, w.finish()};
}

TELCRM_INLINE Reply PbxService::presence(std::string_view body) {
  return report_presence(directory_, body);
}

TELCRM_INLINE std::size_t PbxService::prune() {
  const auto t = now();
  std::vector<std::string> stale;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [call, s] : sessions_)
      if (t - s.last_request >= options_.stale_after) stale.push_back(call);
    for (const auto& call : stale) sessions_.erase(call);
  }
  for (const auto& call : stale) directory_.call_ended(call);
  return stale.size();
}

TELCRM_INLINE ServiceStats PbxService::stats() const {
  ServiceStats s;
  s.calls = calls_.load();
  s.refused = refused_.load();
  s.finished = finished_.load();
  std::lock_guard lock(mutex_);
  s.sessions = sessions_.size();
  return s;
}

}  // namespace pbx
TELCRM_END_NAMESPACE
