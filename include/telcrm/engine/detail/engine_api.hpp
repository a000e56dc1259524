// SPDX-License-Identifier: Apache-2.0
#pragma once
// What CallEngine's functions do: EngineImpl's overriders of EngineBase. CallEngine's own
// functions (the end of call_engine-inl.hpp) call these through EngineBase. Included by
// call_engine-inl.hpp only.

#include <telcrm/engine/call_engine-inl.hpp>

TELCRM_BEGIN_NAMESPACE

namespace detail {

template <class Unused>
Result<CallProgress> EngineImpl<Unused>::start_call(const CallStart& event) {
  // R-I1: the same start again answers with the call's progress. A call in progress is found
  // when it is registered below (one lookup for a new call, the usual case); the checks before
  // that look first, so that settings changed since cannot turn a repeat into an error.
  auto repeat = [&]() -> std::optional<CallProgress> {
    if (auto active = registry_.find_active(event.call)) {
      std::lock_guard lock(active->mutex);
      return progress_locked(*active);
    }
    return std::nullopt;
  };
  auto in_force = current();
  std::shared_ptr<const Config> config = std::move(in_force.config);
  auto line = config->policy.find_line(event.line);
  if (!line) {
    if (auto again = repeat()) return *again;
    return fail(Errc::not_found,
                detail::format("call {}: line '{}' is not configured", event.call, event.line));
  }
  if (event.direction == CallDirection::outgoing && !event.employee) {
    if (auto again = repeat()) return *again;
    return fail(
        Errc::invalid_argument,
        detail::format("call {}: an outgoing call needs the employee who dials", event.call));
  }
  auto people = people_current(*config, std::move(in_force.people));
  if (!people) {
    if (auto again = repeat()) return *again;
    return fail(people.error());
  }

  auto call = std::make_shared<detail::Call>();
  call->born = outbox_.tick();  // before it reads the index (Outbox::forget_old_locked)
  detail::Call& c = *call;
  std::lock_guard lock(c.mutex);
  if (auto known = registry_.add(event.call, call); known.active) {  // in progress (R-I1)
    std::lock_guard other_lock(known.active->mutex);
    return progress_locked(*known.active);
  } else if (known.finished) {  // a repeat of a call that ended (R-I1)
    resolve_result(*known.finished);
    return detail::progress_of(*known.finished);
  }
  c.id = event.call;
  c.config = config;
  c.people = *people;
  c.exceptions = std::move(in_force.exceptions);
  c.line = &config->settings.lines[*line];
  c.at = event.at.value_or(ports_.clock.now());
  c.last_event = ports_.clock.now();
  c.result.call = c.id;
  c.result.direction = event.direction;
  c.result.input = event.number;

  const Region region = config->line_regions[*line];
  const PhoneNumber number = normalizer_.normalize(event.number, region);
  MatchRequest request{event.number, region, c.line->crm_lookup, event.card};
  c.result.match =
      matcher_.match(number, request, index_.snapshot(), *c.exceptions, c.people->employees);
  c.mode = event.mode;
  if (index_ready_.load(std::memory_order_acquire)) {
    c.plan = LeadFactory::plan(
        CreationRequest{*c.line, event.direction, c.result.match, event.number, c.at,
                        config->settings.repeat_sales, event.create, event.source},
        config->mode);
  } else {
    c.plan.reason = CreationReason::index_not_loaded;  // a known client could look new
  }
  c.result.creation = c.plan.reason;
  c.route_call.line = *line;
  c.route_call.direction = event.direction;
  c.route_call.at = c.at;
  c.route_call.call_id = c.id;
  c.route_call.responsible = c.result.match.responsible;

  if (event.direction == CallDirection::outgoing) {
    c.route_call.responsible = event.employee;  // the dialer (R-A3), not routed
    c.routing_ended = true;
    create_planned(c, event.employee);  // R-L5: for the employee who dials
    return detail::progress_of(c);
  }
  if (event.mode == CallMode::observe) {                    // the PBX routes: no command, ever
    if (event.employee) create_planned(c, event.employee);  // R-L5: for whom it was given
    return detail::progress_of(c);
  }
  auto begun = config->policy.begin(c.route_call);
  if (!begun) {
    registry_.remove(c.id);
    return fail(begun.error());
  }
  c.route_state = std::move(*begun);
  if (auto issued = advance(c, StepOutcome::none); !issued) {
    registry_.remove(c.id);  // the PBX took nothing: a repeat of this event starts afresh
    return fail(issued.error());
  }
  return detail::progress_of(c);
}

template <class Unused>
Result<CallResult> EngineImpl<Unused>::close_interrupted(CallStart start, std::string reason) {
  if (registry_.find_active(start.call) || finished_result(start.call))
    return fail(
        Errc::already_exists,
        detail::format("call {}: this engine knows the call: it was not interrupted", start.call));
  start.mode = CallMode::observe;  // no command: the PBX has long forgotten it
  start.employee.reset();
  start.create = false;  // what it created before the stop is known already
  auto begun = start_call(start);
  if (!begun) return fail(begun.error());
  if (auto call = registry_.find_active(start.call)) {
    std::lock_guard lock(call->mutex);
    call->next_seq = std::max(call->next_seq, CallEngine::interrupted_seq_base);
  }
  CallEnd end{start.call};
  end.status = CallStatus::missed;
  end.comment = std::move(reason);
  return end_call(end);
}

template <class Unused>
Result<CallProgress> EngineImpl<Unused>::rang(const Rang& event) {
  return on_call(event.call, [&](detail::Call& c) -> Result<CallProgress> {
    if (c.mode != CallMode::observe)
      return fail(
          Errc::invalid_state,
          detail::format("call {}: rang is for calls the PBX routes (observe mode)", event.call));
    if (c.routing_ended || event.employees.empty()) return detail::progress_of(c);
    RouteEntry entry;
    entry.kind = RouteEntry::Kind::ring;
    entry.employees = event.employees;
    entry.seconds = event.seconds.value_or(Seconds(0));
    entry.why = "pbx";
    // A repeat of the same ring (R-I1) adds nothing.
    if (!c.result.route.empty() && c.result.route.back() == entry) return detail::progress_of(c);
    c.result.route.push_back(std::move(entry));
    create_planned(c, event.employees.front());  // R-L5
    return detail::progress_of(c);
  });
}

template <class Unused>
Result<CallProgress> EngineImpl<Unused>::step_ended(const StepEnded& event) {
  return on_call(event.call, [&](detail::Call& c) -> Result<CallProgress> {
    if (c.mode == CallMode::observe)
      return fail(Errc::invalid_state,
                  detail::format("call {}: the PBX routes this call (observe mode): report rang, "
                                 "answered or the end",
                                 event.call));
    // Only the running step can end; an older step's event is a repeat (R-I1).
    if (c.routing_ended || event.step + 1 != c.result.route.size()) return detail::progress_of(c);
    Seconds& rang = c.result.route.back().seconds;
    const Seconds full = rang;
    if (event.rang && *event.rang < rang) rang = std::max(Seconds(0), *event.rang);
    if (auto issued = advance(c, event.outcome); !issued) {
      rang = full;  // as it was: the event may come again
      return fail(issued.error());
    }
    return detail::progress_of(c);
  });
}

template <class Unused>
Result<CallProgress> EngineImpl<Unused>::answered(const Answered& event) {
  return on_call(event.call, [&](detail::Call& c) -> Result<CallProgress> {
    if (c.result.answered_by || c.result.answered_by_number) return detail::progress_of(c);
    std::optional<EmployeeId> who = event.employee;
    if (c.mode == CallMode::observe) {  // the PBX says who; there are no steps to check
      if (!who && !event.number)
        return fail(Errc::invalid_argument,
                    detail::format("call {}: answered by whom (employee or number)", event.call));
      if (!who) c.result.answered_by_number = event.number;
    } else if (event.step >= c.result.route.size()) {
      return fail(Errc::invalid_state,
                  detail::format("call {}: no step {} to answer", event.call, event.step));
    } else if (const RouteEntry& step = c.result.route[event.step];
               step.kind == RouteEntry::Kind::forward) {
      // The forwarded number answered; on an employee's own phone it counts as theirs (R-R3).
      c.result.answered_by_number = event.number.value_or(step.number);
      if (!who) who = step.employee;
    }
    c.result.answered_by = who;
    if (who) {
      c.holder = who;
      c.answerer = who;
      c.answered_at =
          c.mode == CallMode::observe ? ports_.clock.now() : c.at + step_start(c, event.step + 1);
      create_planned(c, who);
      reassign_created(c, *who, ReassignReason::answered);  // R-T2
    }
    c.routing_ended = true;
    return detail::progress_of(c);
  });
}

template <class Unused>
Result<CallProgress> EngineImpl<Unused>::caller_hung_up(const CallerHungUp& event) {
  return on_call(event.call, [&](detail::Call& c) -> Result<CallProgress> {
    if (c.routing_ended) return detail::progress_of(c);
    // The running step is listed only if it began before the caller left, cut at that moment.
    if (!c.result.route.empty()) {
      const std::size_t last = c.result.route.size() - 1;
      const Seconds start = step_start(c, last);
      if (event.after <= start) {
        c.result.route.pop_back();
        if (c.voicemail_for && c.result.route.size() == last) c.voicemail_for.reset();
      } else {
        auto& seconds = c.result.route.back().seconds;
        seconds = std::min(seconds, event.after - start);
      }
    }
    c.routing_ended = true;
    return detail::progress_of(c);
  });
}

template <class Unused>
Result<CallProgress> EngineImpl<Unused>::transferred(const Transferred& event) {
  return on_call(event.call, [&](detail::Call& c) -> Result<CallProgress> {
    if (!c.holder)
      return fail(Errc::invalid_state,
                  detail::format("call {}: only an answered call can be transferred", event.call));
    if (c.result.transferred_to == event.to && c.holder == event.to) return detail::progress_of(c);
    c.result.transferred_to = event.to;
    c.holder = event.to;
    if (c.line->change_responsible_on_transfer)  // R-T1: never the records that existed before
      reassign_created(c, event.to, ReassignReason::transfer);
    return detail::progress_of(c);
  });
}

template <class Unused>
Result<CallProgress> EngineImpl<Unused>::during_call(const DuringCallAction& event) {
  return on_call(event.call, [&](detail::Call& c) { return add_during_call(c, event); });
}

template <class Unused>
Result<CallResult> EngineImpl<Unused>::end_call(const CallEnd& event) {
  auto call = registry_.find_active(event.call);  // then the remembered results (R-I1)
  if (!call) {
    if (auto done = finished_result(event.call)) return std::move(*done);
    return fail(Errc::not_found, detail::format("call {}: not started", event.call));
  }
  std::unique_lock lock(call->mutex);
  if (call->finished) {
    lock.unlock();
    if (auto done = finished_result(event.call)) return std::move(*done);
    return fail(Errc::invalid_state, detail::format("call {}: already ended", event.call));
  }
  finish(*call, event);
  registry_.retire(*call);
  return std::move(call->result);
}

template <class Unused>
Result<void> EngineImpl<Unused>::attach_recording(std::string_view call, std::string recording) {
  if (registry_.find_active(call))
    return fail(Errc::invalid_state,
                detail::format("call {}: a recording is attached once the call has ended", call));
  WriteBatch batch;
  batch.call = std::string(call);
  batch.at = ports_.clock.now();
  // Its own batch identity, apart from the call's numbered batches: a repeat of the same
  // attachment within a second is the same batch (R-I1); any other is a new one, replacing.
  const auto stamp = static_cast<std::uint64_t>(batch.at.time_since_epoch().count());
  batch.seq = 0x80000000U | static_cast<std::uint32_t>(
                                (std::hash<std::string>{}(recording) ^ stamp) & 0x7FFFFFFF);
  batch.ops.push_back(AttachRecording{std::string(call), std::move(recording)});
  outbox_.enqueue(std::move(batch));
  return {};
}

template <class Unused>
std::size_t EngineImpl<Unused>::flush() {
  return outbox_.flush(&EngineImpl::on_applied, &EngineImpl::oldest_live, this);
}

template <class Unused>
std::vector<CallResult> EngineImpl<Unused>::reap(Timestamp now) {
  std::vector<CallResult> closed;
  for (const auto& call : registry_.active()) {
    std::lock_guard lock(call->mutex);
    if (call->finished || now - call->last_event < options_.stale_after) continue;
    finish(*call, CallEnd{call->id});
    registry_.retire(*call);
    closed.push_back(std::move(call->result));
  }
  return closed;
}

template <class Unused>
bool EngineImpl<Unused>::wait_for_writes(std::chrono::milliseconds timeout) {
  return outbox_.wait(timeout);
}

template <class Unused>
std::optional<CallResult> EngineImpl<Unused>::result(std::string_view call) const {
  return finished_result(call);
}

template <class Unused>
std::optional<CallResult> EngineImpl<Unused>::peek(std::string_view call) const {
  if (auto active = registry_.find_active(call)) {
    std::lock_guard lock(active->mutex);
    if (!active->finished) {
      CallResult r = active->result;
      resolve_result(r);
      return r;
    }
  }
  return finished_result(call);
}

template <class Unused>
bool EngineImpl<Unused>::ready() const noexcept {
  return index_ready_.load(std::memory_order_acquire);
}

template <class Unused>
Result<void> EngineImpl<Unused>::update_settings(IntegrationSettings settings) {
  auto staff = ports_.directory.employees();
  if (!staff) return fail(staff.error());
  auto fresh = make_config(std::move(settings), *staff, options_);
  if (!fresh) return fail(fresh.error());
  const auto before = config();
  const auto& now = (*fresh)->settings;
  if (before->settings.default_region != now.default_region ||
      before->settings.match_suffix_digits != now.match_suffix_digits)
    return fail(Errc::invalid_argument,
                "changing default_region or match_suffix_digits needs a new engine (the index is "
                "keyed by them)");
  // Built whole before the swap (O(n)): no call sees a half-replaced list (R-X3).
  std::shared_ptr<const ExceptionList> exceptions;
  if (before->settings.exceptions != now.exceptions)
    exceptions = std::make_shared<const ExceptionList>(now.exceptions, now.default_region);
  std::lock_guard lock(config_mutex_);
  config_ = std::move(*fresh);
  if (exceptions) exceptions_ = std::move(exceptions);
  people_.reset();  // queues may name other employees now
  return {};
}

template <class Unused>
ExceptionList EngineImpl<Unused>::exceptions() const {
  std::shared_ptr<const ExceptionList> list;
  {
    std::lock_guard lock(config_mutex_);
    list = exceptions_;
  }
  return *list;  // copied outside the lock
}

template <class Unused>
void EngineImpl<Unused>::update_exceptions(ExceptionList exceptions) {
  auto next = std::make_shared<const ExceptionList>(std::move(exceptions));
  std::lock_guard lock(config_mutex_);
  exceptions_ = std::move(next);
}

template <class Unused>
Result<void> EngineImpl<Unused>::reload_crm() {
  std::lock_guard lock(refresh_mutex_);
  return load_index();
}

template <class Unused>
EngineStats EngineImpl<Unused>::stats() const {
  EngineStats s;
  s.active_calls = registry_.active_count();
  s.finished_calls = registry_.finished_count();
  s.pending_writes = outbox_.pending();
  s.store_errors = outbox_.store_errors();
  s.dropped_writes = outbox_.dropped();
  s.observer_errors = observer_errors_.load() + outbox_.observer_errors();
  s.index_ready = index_ready_.load();
  return s;
}

template <class Unused>
QueueStats EngineImpl<Unused>::queue_stats() const {
  std::lock_guard lock(stats_mutex_);
  return queue_stats_;
}

}  // namespace detail
TELCRM_END_NAMESPACE
