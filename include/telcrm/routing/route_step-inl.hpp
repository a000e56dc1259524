// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <telcrm/detail/join.hpp>
#include <telcrm/routing/route_step.hpp>

#include <fmt/core.h>

TELCRM_BEGIN_NAMESPACE

// Appended piece by piece: `telcrm serve` logs a line with this for every routing step.
TELCRM_INLINE std::string format_as(const RingStep& s) {
  std::string out;
  out.reserve(32 + 8 * s.employees.size() + s.why.queue.size());
  out += "ring [";
  out += detail::join_numbers(std::span<const EmployeeId>(s.employees));
  out += "] ";
  out += std::to_string(s.seconds.count());
  out += "s ";
  out += format_as(s.why);
  return out;
}

TELCRM_INLINE std::string format_as(const ForwardStep& s) {
  std::string out =
      detail::format("forward {} {}s {}", s.number, s.seconds.count(), format_as(s.why));
  if (s.employee) out += detail::format(" (employee {})", *s.employee);
  return out;
}

TELCRM_INLINE std::string format_as(const VoicemailStep& s) {
  return detail::format("voicemail {} {}", s.employee, format_as(s.why));
}

TELCRM_INLINE std::string format_as(const HangUpStep& s) {
  return detail::format("hang_up {}", format_as(s.why));
}

TELCRM_INLINE std::string format_as(const RouteStep& s) {
  return std::visit([](const auto& step) { return format_as(step); }, s.action);
}

TELCRM_END_NAMESPACE
