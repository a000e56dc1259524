// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// PbxService: the PBX protocol over one CallEngine — a request's endpoint and body in,
/// an HTTP status and a body out. No sockets: `telcrm serve` puts it behind HTTP, and a host
/// with its own server calls handle() from its handlers (docs/pbx-protocol.md).

#include <telcrm/config.hpp>
#include <telcrm/engine/call_engine.hpp>
#include <telcrm/pbx/capturing_telephony.hpp>
#include <telcrm/pbx/pbx_protocol.hpp>
#include <telcrm/pbx/presence_directory.hpp>
#include <telcrm/ports/clock.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

TELCRM_BEGIN_NAMESPACE
namespace pbx {

/// What handle() answers: an HTTP status and a JSON body.
struct Reply {
  int status = 200;    ///< the HTTP status
  std::string body{};  ///< the JSON document
  /// Equal when every field is.
  friend bool operator==(const Reply&, const Reply&) = default;
};

/// `POST /pbx/presence` on its own: applies the report to `directory` and answers it. It needs
/// no engine, so a host may take presence while its engine is still being built.
[[nodiscard]] Reply report_presence(PresenceDirectory& directory, std::string_view body);

/// Where a service records the calls in progress durably, so that after a crash (kill -9)
/// the next start can close them (CallEngine::close_interrupted). `telcrm serve` keeps a
/// file beside the outbox journal. Called from the request threads; must not throw.
class LiveCallLog {
 public:
  virtual ~LiveCallLog() = default;
  /// A call began (the engine took it).
  virtual void began(const CallStart& start) = 0;
  /// A call is over: its final writes are queued (in the outbox journal).
  virtual void ended(std::string_view call) = 0;
};

/// Options of a PbxService.
struct ServiceOptions {
  /// Where durations come from (ring times, talk time); a steady clock when empty. Tests
  /// pass their own.
  std::function<std::chrono::milliseconds()> monotonic{};
  /// prune() forgets calls that have had no request for this long (the engine's reap()
  /// closes them on its side).
  std::chrono::milliseconds stale_after{std::chrono::hours(4)};
  /// The most steps skipped at once because nobody in them has an extension.
  std::size_t max_skipped_steps = 64;
  /// Records the calls in progress durably; none when nullptr.
  LiveCallLog* live = nullptr;
};

/// Counters for monitoring.
struct ServiceStats {
  std::size_t calls = 0;     ///< calls started through the service
  std::size_t finished = 0;  ///< calls it ended (BYE, CANCEL, a hang-up step)
  std::size_t sessions = 0;  ///< calls it is following now
  std::size_t refused = 0;   ///< new calls refused (stopping)
};

/// The protocol's service: each request becomes one engine event (or two: a caller who
/// hangs up also ends the call), each step the engine gives becomes the answer.
///
/// The engine must have been created with `telephony` as its Telephony port and `directory`
/// as its Directory. Durations (how long a step rang, the talk time) are measured here, from
/// the requests' arrival, unless the PBX reports them.
///
/// Thread safety: handle() may be called from any number of threads at once (events of one
/// call in the order they happened, as the engine requires).
class PbxService {
 public:
  /// A service over `engine`, whose Telephony is `telephony` and whose Directory is
  /// `directory`; all must outlive it.
  PbxService(CallEngine& engine, CapturingTelephony& telephony, PresenceDirectory& directory,
             const Clock& clock, ServiceOptions options = {});

  /// Handles one request. Status 200 with an answer or an acknowledgement; 400 for a body
  /// that is not the endpoint's document (the JSON path is named); 404 for an unknown call,
  /// line or extension; 409 for an event that does not fit the call; 503 while stopping
  /// (new calls only) or when the engine cannot decide.
  [[nodiscard]] Reply handle(Endpoint endpoint, std::string_view body);

  /// New calls are refused with 503 from now on (the PBX's fallback takes them); the calls
  /// already running are still served.
  void stop_taking_calls() noexcept { taking_calls_.store(false); }
  /// false once stop_taking_calls() was called.
  [[nodiscard]] bool taking_calls() const noexcept { return taking_calls_.load(); }

  /// Calls a previous run was serving when it stopped, closed at this start: every later
  /// request for one is answered 410 Gone (the PBX's fallback then applies).
  void set_interrupted(std::vector<std::string> calls);

  /// Forgets calls with no request for `stale_after`; returns how many.
  std::size_t prune();
  /// What the service has done so far (for /metrics).
  [[nodiscard]] ServiceStats stats() const;

 private:
  struct Session {
    std::chrono::milliseconds started{0};
    std::chrono::milliseconds step_at{0};  // when the running step was issued
    std::chrono::milliseconds last_request{0};
    std::optional<std::chrono::milliseconds> answered_at{};  // by a person or a forward
    std::size_t step = 0;
    StepKind kind = StepKind::ring;
    std::optional<StepOutcome> last_outcome{};
    std::optional<std::string> recording{};
    std::optional<std::string> voicemail{};
  };

  Reply new_call(std::string_view body);
  Reply step_failed(std::string_view body);
  Reply step_answered(std::string_view body);
  Reply caller_left(std::string_view body);
  Reply call_ended(std::string_view body);
  Reply call_transferred(std::string_view body);
  Reply presence(std::string_view body);

  // The answer to the step the engine just gave (or, for a repeated event, gave before);
  // skips steps nobody can be rung in, ends the call after a hang-up.
  Reply step_reply(const std::string& call, Result<CallProgress> progress,
                   std::optional<Command> command);
  // Ends the call in the engine and forgets it here; the acknowledgement of the end.
  Reply finish(const std::string& call, CallEnd end);
  std::chrono::milliseconds now() const;
  static Seconds whole_seconds(std::chrono::milliseconds d);
  Reply error(const Error& e) const;
  std::optional<Reply> gone(std::string_view call) const;

  CallEngine& engine_;
  CapturingTelephony& telephony_;
  PresenceDirectory& directory_;
  const Clock& clock_;
  ServiceOptions options_;
  std::atomic<bool> taking_calls_{true};
  std::atomic<std::size_t> calls_{0};
  std::atomic<std::size_t> refused_{0};
  std::atomic<std::size_t> finished_{0};
  mutable std::mutex mutex_;  // sessions_
  std::unordered_map<std::string, Session> sessions_;
  std::set<std::string, std::less<>> interrupted_;  // under mutex_
  std::atomic<bool> any_interrupted_{false};
};

}  // namespace pbx
TELCRM_END_NAMESPACE

#ifdef TELCRM_HEADER_ONLY
#include <telcrm/pbx/pbx_service-inl.hpp>
#endif
