// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <telcrm/pbx/capturing_telephony.hpp>

TELCRM_BEGIN_NAMESPACE
namespace pbx {

namespace capture_detail {
// The innermost open Capture of this thread. A function-local thread_local keeps one
// instance per thread in header-only builds too.
inline CapturingTelephony::Capture*& current() noexcept {
  static thread_local CapturingTelephony::Capture* open = nullptr;
  return open;
}
}  // namespace capture_detail

TELCRM_INLINE CapturingTelephony::Capture::Capture(const CapturingTelephony& owner)
    : owner_(&owner), previous_(capture_detail::current()) {
  capture_detail::current() = this;
}

TELCRM_INLINE CapturingTelephony::Capture::~Capture() {
  capture_detail::current() = previous_;
}

TELCRM_INLINE Result<void> CapturingTelephony::take(Command command) const {
  Capture* open = capture_detail::current();
  if (open == nullptr || open->owner_ != this)
    return fail(Errc::invalid_state,
                "call " + command.call + ": no PBX request is being answered on this thread");
  if (open->command_ && open->command_->call != command.call)
    return fail(Errc::invalid_state,
                "call " + command.call + ": the answer is for call " + open->command_->call);
  open->command_ = std::move(command);  // the last command of an event is its answer
  return {};
}

TELCRM_INLINE Result<void> CapturingTelephony::ring(std::string_view call,
                                                    std::span<const EmployeeId> employees,
                                                    Seconds seconds) {
  Command c;
  c.call = std::string(call);
  c.kind = StepKind::ring;
  c.employees.assign(employees.begin(), employees.end());
  c.seconds = seconds;
  return take(std::move(c));
}

TELCRM_INLINE Result<void> CapturingTelephony::forward(std::string_view call,
                                                       std::string_view number, Seconds seconds) {
  Command c;
  c.call = std::string(call);
  c.kind = StepKind::forward;
  c.number = std::string(number);
  c.seconds = seconds;
  return take(std::move(c));
}

TELCRM_INLINE Result<void> CapturingTelephony::voicemail(std::string_view call,
                                                         EmployeeId employee) {
  Command c;
  c.call = std::string(call);
  c.kind = StepKind::voicemail;
  c.employee = employee;
  return take(std::move(c));
}

TELCRM_INLINE Result<void> CapturingTelephony::hang_up(std::string_view call) {
  Command c;
  c.call = std::string(call);
  c.kind = StepKind::hang_up;
  return take(std::move(c));
}

}  // namespace pbx
TELCRM_END_NAMESPACE
