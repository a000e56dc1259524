// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// The PBX protocol (made for Kamailio's `http_client_query`; docs/pbx-protocol.md):
/// request documents in, engine events out; engine steps in, answer documents out. Pure —
/// no sockets, no HTTP, no engine — so a host with its own HTTP stack reuses it as it is.
///
/// Kamailio asks once per step. Each answer is one flat JSON object (`action`, `targets`,
/// `number`, `mailbox`, `ring_ms`, `step`, `header`, …) that `failure_route` reads with
/// `jansson_get` and applies with `$ru`/`append_branch`/`t_set_fr`.

#include <telcrm/config.hpp>
#include <telcrm/crm/employee.hpp>
#include <telcrm/detail/enum_format.hpp>
#include <telcrm/engine/call_result.hpp>
#include <telcrm/result.hpp>
#include <telcrm/routing/route_step.hpp>
#include <telcrm/time.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

TELCRM_BEGIN_NAMESPACE
namespace pbx {

// --- requests --------------------------------------------------------------------------------

/// The requests of the protocol, one per path (`POST /pbx/<name>`).
enum class Endpoint : std::uint8_t {
  call,         ///< a new call: the first step
  failed,       ///< a step ended without an answer: the next step
  answered,     ///< a step was answered
  cancelled,    ///< the caller hung up before anyone answered
  ended,        ///< the call is over (BYE)
  transferred,  ///< the call was handed to another employee
  presence,     ///< an extension registered, expired, took or ended a call
};
/// The endpoint's last path segment (`/pbx/<name>`).
constexpr std::string_view format_as(Endpoint e) noexcept {
  switch (e) {
    case Endpoint::call: return "call";
    case Endpoint::failed: return "failed";
    case Endpoint::answered: return "answered";
    case Endpoint::cancelled: return "cancelled";
    case Endpoint::ended: return "ended";
    case Endpoint::transferred: return "transferred";
    case Endpoint::presence: return "presence";
  }
  return "unknown";
}
/// The endpoint of a path: `/pbx/call` → Endpoint::call; nullopt for any other path.
[[nodiscard]] std::optional<Endpoint> endpoint_of(std::string_view path) noexcept;

/// `POST /pbx/call`: a new incoming call (an INVITE in request_route).
struct NewCall {
  std::string call{};      ///< `call`: the SIP Call-ID
  std::string from{};      ///< `from`: the From URI or header value
  std::string asserted{};  ///< `asserted`: the P-Asserted-Identity, empty when absent
  std::string privacy{};   ///< `privacy`: the Privacy header, empty when absent
  std::string to{};        ///< `to`: the Request-URI (the dialled line)
  std::string line{};      ///< `line`: the line's number, when the PBX knows it better
};

/// `POST /pbx/failed`: step `step` ended with a SIP failure (failure_route).
struct StepFailed {
  std::string call{};    ///< the call, as the PBX named it (its Call-ID)
  std::size_t step = 0;  ///< the step that failed, as the step answer numbered it
  int code = 0;          ///< the final reply, 300 … 699 (`$T_reply_code`)
};

/// `POST /pbx/answered`: step `step` was answered (the 200 OK to the INVITE).
struct StepAnswered {
  std::string call{};    ///< the call (its Call-ID)
  std::size_t step = 0;  ///< the step that was answered
  std::string by{};      ///< the branch that answered: its Request-URI or extension
  std::optional<std::string> recording{};  ///< where the call is being recorded (R-A4)
  std::optional<std::string> voicemail{};  ///< where the voicemail left is kept (R-A4)
};

/// `POST /pbx/cancelled`: the caller hung up while the call rang (CANCEL).
struct CallerLeft {
  std::string call{};  ///< the call (its Call-ID)
};

/// `POST /pbx/ended`: the call is over (BYE).
struct CallEnded {
  std::string call{};                      ///< the call (its Call-ID)
  std::optional<std::int64_t> duration{};  ///< talk seconds; measured by telcrm when absent
  std::optional<int> status{};             ///< R-A5 status code overriding the derived one
  std::optional<std::string> recording{};  ///< where the call was recorded (R-A4)
  std::optional<std::string> voicemail{};  ///< where the voicemail left is kept (R-A4)
};

/// `POST /pbx/transferred`: the employee on the call handed it to `to` (REFER accepted).
struct CallTransferred {
  std::string call{};  ///< the call (its Call-ID)
  std::string to{};    ///< the Refer-To URI or the extension
};

/// What an extension's phone reports.
enum class PresenceEvent : std::uint8_t {
  online,   ///< registered
  offline,  ///< unregistered or the registration expired
  busy,     ///< on a call
  idle,     ///< no longer on a call
};
/// The event as the request spells it (`"state":"busy"`).
constexpr std::string_view format_as(PresenceEvent p) noexcept {
  switch (p) {
    case PresenceEvent::online: return "online";
    case PresenceEvent::offline: return "offline";
    case PresenceEvent::busy: return "busy";
    case PresenceEvent::idle: return "idle";
  }
  return "unknown";
}

/// `POST /pbx/presence`.
struct PresenceReport {
  std::string extension{};                      ///< the phone's extension
  PresenceEvent state = PresenceEvent::online;  ///< what it reports
};

/// \name Request parsers
/// Each reads one request document; unknown keys, wrong types and missing required keys are
/// Errc::parse_error naming the JSON path (`$.code: expected an integer, got a string`).
/// Integers may also be written as strings of digits (Kamailio variables often are).
/// @{

/// `POST /pbx/call`.
[[nodiscard]] Result<NewCall> parse_new_call(std::string_view body);
/// `POST /pbx/failed`.
[[nodiscard]] Result<StepFailed> parse_step_failed(std::string_view body);
/// `POST /pbx/answered`.
[[nodiscard]] Result<StepAnswered> parse_step_answered(std::string_view body);
/// `POST /pbx/cancelled`.
[[nodiscard]] Result<CallerLeft> parse_caller_left(std::string_view body);
/// `POST /pbx/ended`.
[[nodiscard]] Result<CallEnded> parse_call_ended(std::string_view body);
/// `POST /pbx/transferred`.
[[nodiscard]] Result<CallTransferred> parse_call_transferred(std::string_view body);
/// `POST /pbx/presence`.
[[nodiscard]] Result<PresenceReport> parse_presence(std::string_view body);
/// @}

// --- mappings --------------------------------------------------------------------------------

/// What a SIP failure means for a step: 408 and 480 no_answer, 486 and 600 busy, 603
/// rejected; any other 3xx–6xx (404 not registered, 487 cancelled, 5xx) no_answer — the
/// phone could not take the call. Errc::out_of_range for codes outside 300 … 699.
[[nodiscard]] Result<StepOutcome> outcome_of(int sip_code);

/// The SIP reply a hang-up step sends the caller.
struct HangUpReply {
  int code = 480;                                       ///< the SIP status code
  std::string_view reason = "Temporarily Unavailable";  ///< its reason phrase
  /// Equal when every field is.
  friend bool operator==(const HangUpReply&, const HangUpReply&) = default;
};
/// 486 Busy Here when the last step ended busy, 603 Decline when it was rejected, else
/// 480 Temporarily Unavailable (nobody answered, off hours, a queue cycle).
[[nodiscard]] HangUpReply hang_up_reply(std::optional<StepOutcome> last) noexcept;

/// The HTTP status an engine error is answered with: 400 parse_error/invalid_argument/
/// out_of_range, 404 not_found, 409 invalid_state/conflict/already_exists, 503
/// storage_unavailable, 500 otherwise.
[[nodiscard]] int http_status_of(Errc code) noexcept;

/// Employees' extensions, both ways (the Directory's Employee::extension).
class ExtensionBook {
 public:
  ExtensionBook() = default;
  /// The extensions of `employees` (those without one are left out).
  explicit ExtensionBook(std::span<const Employee> employees);
  /// The extension of an employee; nullopt when none is set (they cannot be rung by SIP).
  [[nodiscard]] std::optional<std::string_view> extension_of(EmployeeId id) const;
  /// The employee an extension (or a URI naming one) belongs to, among active employees
  /// first; compared as written, then digit by digit (same_extension()).
  [[nodiscard]] std::optional<EmployeeId> employee_of(std::string_view extension) const;

 private:
  std::unordered_map<EmployeeId, std::string> by_id_;
  std::vector<std::pair<std::string, EmployeeId>> by_extension_;  // active employees first
};

// --- answers ---------------------------------------------------------------------------------

/// A step as the PBX carries it out.
struct StepAnswer {
  std::string call{};                     ///< the call (its Call-ID)
  std::size_t step = 0;                   ///< the step's number in the call, from 0
  StepKind action = StepKind::ring;       ///< ring, forward, voicemail or hang_up
  std::vector<std::string> targets{};     ///< ring: the extensions to ring at once
  std::vector<EmployeeId> employees{};    ///< ring: who they are (rung in this order)
  std::vector<EmployeeId> unreachable{};  ///< ring: employees without an extension (not rung)
  std::string number{};                   ///< forward: the external number (E.164)
  std::string mailbox{};                  ///< voicemail: the extension (else the employee id)
  std::optional<EmployeeId> employee{};   ///< voicemail: for whom; forward: whose own phone
  std::chrono::milliseconds ring{0};      ///< ring / forward: the ring time (`t_set_fr`)
  std::string why{};                      ///< the reason (R-R6), e.g. `queue:sales`
  HangUpReply reply{};                    ///< hang_up: what the caller gets
  /// Equal when every field is.
  friend bool operator==(const StepAnswer&, const StepAnswer&) = default;
};

/// The step a route entry describes (CallProgress::current) as the PBX carries it out:
/// employees become their extensions (those without one are listed as `unreachable`).
[[nodiscard]] StepAnswer answer_for(std::string_view call, std::size_t step,
                                    const RouteEntry& entry, const ExtensionBook& book,
                                    std::optional<StepOutcome> last_outcome = {});

/// The value of the `X-Telcrm-Step` header the PBX puts on the step's INVITEs:
/// `2;why=queue:sales`.
[[nodiscard]] std::string step_header(const StepAnswer& answer);

/// The answer document (docs/pbx-protocol.md): `{"call":…,"step":0,"action":"ring",
/// "targets":["101"],"count":1,"ring_ms":20000,"why":"responsible","header":"0;why=…"}`.
[[nodiscard]] std::string format_answer(const StepAnswer& answer);

/// `{"ok":true,"call":…}` plus the given fields — the answer to events that issue no step.
struct Acknowledgement {
  std::string call{};                      ///< the call (its Call-ID)
  std::optional<EmployeeId> employee{};    ///< answered / transferred: who has the call
  std::optional<std::string> outcome{};    ///< ended / cancelled: answered, voicemail, missed
  std::optional<int> status{};             ///< ended / cancelled: the R-A5 status code
  std::optional<std::int64_t> duration{};  ///< ended: the talk seconds recorded
};
/// The acknowledgement as its JSON document.
[[nodiscard]] std::string format_acknowledgement(const Acknowledgement& ack);

/// `{"error":"…","path":"$.code"}`; `path` is taken from a message that starts with one.
[[nodiscard]] std::string format_error(std::string_view message);

}  // namespace pbx
TELCRM_END_NAMESPACE

#ifdef TELCRM_HEADER_ONLY
#include <telcrm/pbx/pbx_protocol-inl.hpp>
#endif
