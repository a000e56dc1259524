// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <telcrm/pbx/detail/flat_json.hpp>
#include <telcrm/pbx/pbx_protocol.hpp>
#include <telcrm/pbx/sip_identity.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <limits>

TELCRM_BEGIN_NAMESPACE
namespace pbx {

namespace protocol_detail {

// Reads an integer written as a number or as a string of digits (a Kamailio variable set with
// jansson_set("string", …) holds text). Absent or null leaves `out` alone.
inline void read_int(const flat_json::Object& o, flat_json::Fields& f, std::string_view key,
                     std::optional<std::int64_t>& out, std::string& problem) {
  if (const auto* v = o.find(key); v != nullptr && v->kind == flat_json::Value::Kind::integer) {
    std::optional<std::int64_t> n;
    f.optional(key, n);  // marks the key as read (an integer: no text made of it)
    if (n && problem.empty()) out = *n;
    return;
  }
  std::optional<std::string> text;
  f.optional_text(key, text);
  if (!text || !problem.empty()) return;
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), n);
  if (ec != std::errc() || end != text->data() + text->size() || text->empty()) {
    problem = flat_json::path_of(key) + ": expected an integer, got \"" + *text + "\"";
    return;
  }
  out = n;
}

// Parses `body`, lets `read` take the fields, then checks for unknown keys. Every request
// has the same shape, so every parser is these few lines.
template <class T, class Read>
Result<T> parse_request(std::string_view body, Read read) {
  auto object = flat_json::parse(body);
  if (!object) return fail(object.error());
  flat_json::Fields fields(*object);
  T out{};
  std::string problem;
  read(*object, fields, out, problem);
  if (auto ok = fields.finish(); !ok) return fail(ok.error());
  if (!problem.empty()) return fail(Errc::parse_error, problem);
  return out;
}

inline void required_call(flat_json::Fields& f, std::string& call, std::string& problem) {
  f.required("call", call);
  if (problem.empty() && call.empty()) problem = "$.call: must not be empty";
}

inline void read_step(const flat_json::Object& o, flat_json::Fields& f, std::size_t& step,
                      std::string& problem) {
  std::optional<std::int64_t> n;
  read_int(o, f, "step", n, problem);
  if (!problem.empty()) return;
  if (!n) {
    if (o.find("step") == nullptr) problem = "$.step: required";
    return;
  }
  if (*n < 0) {
    problem = "$.step: must not be negative";
    return;
  }
  step = static_cast<std::size_t>(*n);
}

}  // namespace protocol_detail

TELCRM_INLINE std::optional<Endpoint> endpoint_of(std::string_view path) noexcept {
  constexpr std::string_view prefix = "/pbx/";
  if (path.substr(0, prefix.size()) != prefix) return std::nullopt;
  path.remove_prefix(prefix.size());
  for (auto e : {Endpoint::call, Endpoint::failed, Endpoint::answered, Endpoint::cancelled,
                 Endpoint::ended, Endpoint::transferred, Endpoint::presence})
    if (format_as(e) == path) return e;
  return std::nullopt;
}

TELCRM_INLINE Result<NewCall> parse_new_call(std::string_view body) {
  return protocol_detail::parse_request<NewCall>(
      body, [](const auto&, flat_json::Fields& f, NewCall& out, std::string& problem) {
        protocol_detail::required_call(f, out.call, problem);
        f.required("from", out.from);
        f.optional("asserted", out.asserted);
        f.optional("privacy", out.privacy);
        f.optional("to", out.to);
        f.optional("line", out.line);
        if (problem.empty() && out.to.empty() && out.line.empty())
          problem = "$.to: required (the Request-URI), unless $.line names the line";
      });
}

TELCRM_INLINE Result<StepFailed> parse_step_failed(std::string_view body) {
  return protocol_detail::parse_request<StepFailed>(
      body,
      [](const flat_json::Object& o, flat_json::Fields& f, StepFailed& out, std::string& problem) {
        protocol_detail::required_call(f, out.call, problem);
        protocol_detail::read_step(o, f, out.step, problem);
        std::optional<std::int64_t> code;
        protocol_detail::read_int(o, f, "code", code, problem);
        if (!problem.empty()) return;
        if (!code) {
          problem = "$.code: required (the SIP reply code, $T_reply_code)";
        } else if (*code < 300 || *code > 699) {
          problem = "$.code: a failure is a SIP code 300 … 699, got " + std::to_string(*code);
        } else {
          out.code = static_cast<int>(*code);
        }
      });
}

TELCRM_INLINE Result<StepAnswered> parse_step_answered(std::string_view body) {
  return protocol_detail::parse_request<StepAnswered>(
      body, [](const flat_json::Object& o, flat_json::Fields& f, StepAnswered& out,
               std::string& problem) {
        protocol_detail::required_call(f, out.call, problem);
        protocol_detail::read_step(o, f, out.step, problem);
        std::optional<std::string> by;
        f.optional_text("by", by);
        if (by) out.by = *by;
        f.optional("recording", out.recording);
        f.optional("voicemail", out.voicemail);
        if (out.recording && out.recording->empty()) out.recording.reset();
        if (out.voicemail && out.voicemail->empty()) out.voicemail.reset();
      });
}

TELCRM_INLINE Result<CallerLeft> parse_caller_left(std::string_view body) {
  return protocol_detail::parse_request<CallerLeft>(
      body, [](const auto&, flat_json::Fields& f, CallerLeft& out, std::string& problem) {
        protocol_detail::required_call(f, out.call, problem);
      });
}

TELCRM_INLINE Result<CallEnded> parse_call_ended(std::string_view body) {
  return protocol_detail::parse_request<CallEnded>(
      body,
      [](const flat_json::Object& o, flat_json::Fields& f, CallEnded& out, std::string& problem) {
        protocol_detail::required_call(f, out.call, problem);
        protocol_detail::read_int(o, f, "duration", out.duration, problem);
        std::optional<std::int64_t> status;
        protocol_detail::read_int(o, f, "status", status, problem);
        f.optional("recording", out.recording);
        f.optional("voicemail", out.voicemail);
        if (!problem.empty()) return;
        if (out.duration && *out.duration < 0) problem = "$.duration: must not be negative";
        if (status) {
          if (*status < 100 || *status > 699)
            problem = "$.status: a SIP code 100 … 699, got " + std::to_string(*status);
          else
            out.status = static_cast<int>(*status);
        }
        // An empty header value (Kamailio's $hdr of a missing header) is no location.
        if (out.recording && out.recording->empty()) out.recording.reset();
        if (out.voicemail && out.voicemail->empty()) out.voicemail.reset();
      });
}

TELCRM_INLINE Result<CallTransferred> parse_call_transferred(std::string_view body) {
  return protocol_detail::parse_request<CallTransferred>(
      body, [](const auto&, flat_json::Fields& f, CallTransferred& out, std::string& problem) {
        protocol_detail::required_call(f, out.call, problem);
        std::optional<std::string> to;
        f.optional_text("to", to);
        if (!problem.empty()) return;
        if (!to || extension_of(*to).empty())
          problem = "$.to: required (the Refer-To URI or the extension)";
        else
          out.to = *to;
      });
}

TELCRM_INLINE Result<PresenceReport> parse_presence(std::string_view body) {
  return protocol_detail::parse_request<PresenceReport>(
      body, [](const flat_json::Object& o, flat_json::Fields& f, PresenceReport& out,
               std::string& problem) {
        std::optional<std::string> extension;
        f.optional_text("extension", extension);
        std::string state;
        f.required("state", state);
        if (!problem.empty()) return;
        if (!extension || extension_of(*extension).empty()) {
          problem = "$.extension: required";
          return;
        }
        out.extension = extension_of(*extension);
        for (auto p : {PresenceEvent::online, PresenceEvent::offline, PresenceEvent::busy,
                       PresenceEvent::idle})
          if (format_as(p) == state) {
            out.state = p;
            return;
          }
        const auto* given = o.find("state");
        if (given != nullptr && given->kind == flat_json::Value::Kind::string)
          problem = "$.state: expected one of online, offline, busy, idle, got \"" + state + "\"";
      });
}

TELCRM_INLINE Result<StepOutcome> outcome_of(int sip_code) {
  if (sip_code < 300 || sip_code > 699)
    return fail(Errc::out_of_range,
                "a step fails with a SIP code 300 … 699, got " + std::to_string(sip_code));
  switch (sip_code) {
    case 486:
    case 600: return StepOutcome::busy;
    case 603: return StepOutcome::rejected;
    default: return StepOutcome::no_answer;  // 408, 480, and whatever kept the phone silent
  }
}

TELCRM_INLINE HangUpReply hang_up_reply(std::optional<StepOutcome> last) noexcept {
  if (last == StepOutcome::busy) return {486, "Busy Here"};
  if (last == StepOutcome::rejected) return {603, "Decline"};
  return {480, "Temporarily Unavailable"};
}

TELCRM_INLINE int http_status_of(Errc code) noexcept {
  switch (code) {
    case Errc::parse_error:
    case Errc::invalid_argument:
    case Errc::out_of_range: return 400;
    case Errc::not_found: return 404;
    case Errc::invalid_state:
    case Errc::conflict:
    case Errc::already_exists: return 409;
    case Errc::storage_unavailable: return 503;
    default: return 500;
  }
}

TELCRM_INLINE ExtensionBook::ExtensionBook(std::span<const Employee> employees) {
  for (int pass = 0; pass < 2; ++pass)  // active employees first: they win a shared extension
    for (const auto& e : employees) {
      if (!e.extension || e.extension->empty() || e.active != (pass == 0)) continue;
      by_id_.emplace(e.id, *e.extension);
      by_extension_.emplace_back(*e.extension, e.id);
    }
}

TELCRM_INLINE std::optional<std::string_view> ExtensionBook::extension_of(EmployeeId id) const {
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return std::nullopt;
  return std::string_view(it->second);
}

TELCRM_INLINE std::optional<EmployeeId> ExtensionBook::employee_of(
    std::string_view extension) const {
  const std::string user = pbx::extension_of(extension);
  if (user.empty()) return std::nullopt;
  for (const auto& [ext, id] : by_extension_)
    if (ext == user) return id;
  for (const auto& [ext, id] : by_extension_)
    if (same_extension(ext, user)) return id;
  return std::nullopt;
}

TELCRM_INLINE StepAnswer answer_for(std::string_view call, std::size_t step,
                                    const RouteEntry& entry, const ExtensionBook& book,
                                    std::optional<StepOutcome> last_outcome) {
  StepAnswer out;
  out.call = std::string(call);
  out.step = step;
  out.why = entry.why;
  out.ring = std::chrono::duration_cast<std::chrono::milliseconds>(entry.seconds);
  switch (entry.kind) {
    case RouteEntry::Kind::ring:
      out.action = StepKind::ring;
      for (EmployeeId id : entry.employees) {
        if (auto ext = book.extension_of(id)) {
          out.targets.emplace_back(*ext);
          out.employees.push_back(id);
        } else {
          out.unreachable.push_back(id);
        }
      }
      break;
    case RouteEntry::Kind::forward:
      out.action = StepKind::forward;
      out.number = entry.number;
      out.employee = entry.employee;
      break;
    case RouteEntry::Kind::voicemail:
      out.action = StepKind::voicemail;
      out.employee = entry.employee;
      out.ring = std::chrono::milliseconds(0);
      if (entry.employee) {
        auto ext = book.extension_of(*entry.employee);
        out.mailbox = ext ? std::string(*ext) : std::to_string(*entry.employee);
      }
      break;
    case RouteEntry::Kind::hang_up:
      out.action = StepKind::hang_up;
      out.ring = std::chrono::milliseconds(0);
      out.reply = hang_up_reply(last_outcome);
      break;
  }
  return out;
}

TELCRM_INLINE std::string step_header(const StepAnswer& answer) {
  std::string out = std::to_string(answer.step);
  if (!answer.why.empty()) out.append(";why=").append(answer.why);
  return out;
}

TELCRM_INLINE std::string format_answer(const StepAnswer& a) {
  flat_json::Writer w;
  w.field("call", a.call);
  w.field("step", static_cast<std::int64_t>(a.step));
  w.field("action", format_as(a.action));
  switch (a.action) {
    case StepKind::ring:
      w.field("targets", std::span<const std::string>(a.targets));
      w.field("count", static_cast<std::int64_t>(a.targets.size()));
      w.field("ring_ms", static_cast<std::int64_t>(a.ring.count()));
      break;
    case StepKind::forward:
      w.field("number", a.number);
      w.field("ring_ms", static_cast<std::int64_t>(a.ring.count()));
      break;
    case StepKind::voicemail: w.field("mailbox", a.mailbox); break;
    case StepKind::hang_up:
      w.field("code", static_cast<std::int64_t>(a.reply.code));
      w.field("reason", a.reply.reason);
      break;
  }
  if (a.employee) w.field("employee", static_cast<std::int64_t>(*a.employee));
  w.field("why", a.why);
  w.field("header", step_header(a));
  return w.finish();
}

TELCRM_INLINE std::string format_acknowledgement(const Acknowledgement& ack) {
  flat_json::Writer w;
  w.field("ok", true);
  w.field("call", ack.call);
  if (ack.employee) w.field("employee", static_cast<std::int64_t>(*ack.employee));
  if (ack.outcome) w.field("outcome", *ack.outcome);
  if (ack.status) w.field("status", static_cast<std::int64_t>(*ack.status));
  if (ack.duration) w.field("duration", *ack.duration);
  return w.finish();
}

TELCRM_INLINE std::string format_error(std::string_view message) {
  flat_json::Writer w;
  w.field("error", message);
  // Messages of the readers start with the path: "$.code: …".
  if (message.substr(0, 1) == "$") {
    const auto colon = message.find(": ");
    w.field("path", message.substr(0, colon));
  }
  return w.finish();
}

}  // namespace pbx
TELCRM_END_NAMESPACE
