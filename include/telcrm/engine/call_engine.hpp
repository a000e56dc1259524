// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file CallEngine: the one class that talks to the ports. It takes the PBX's events, asks
/// the pure decision classes what to do, and applies their decisions through the ports.

#include <telcrm/config.hpp>
#include <telcrm/crm/crm_index.hpp>
#include <telcrm/crm/crm_matcher.hpp>
#include <telcrm/crm/employee_index.hpp>
#include <telcrm/crm/exception_list.hpp>
#include <telcrm/engine/call_events.hpp>
#include <telcrm/engine/call_result.hpp>
#include <telcrm/leads/lead_factory.hpp>
#include <telcrm/leads/mode_strategy.hpp>
#include <telcrm/ports/clock.hpp>
#include <telcrm/ports/crm_store.hpp>
#include <telcrm/ports/directory.hpp>
#include <telcrm/ports/observer.hpp>
#include <telcrm/ports/outbox_journal.hpp>
#include <telcrm/ports/telephony.hpp>
#include <telcrm/result.hpp>
#include <telcrm/routing/queue_stats.hpp>
#include <telcrm/routing/roster.hpp>
#include <telcrm/routing/routing_policy.hpp>
#include <telcrm/settings/settings.hpp>

#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

TELCRM_BEGIN_NAMESPACE

/// Options of a CallEngine that are not integration settings.
struct EngineOptions {
  std::uint64_t seed = 1;                ///< the `random` distribution's seed (R-Q2)
  std::uint32_t max_route_steps = 1000;  ///< every route ends within this many steps
  /// R-I2 across processes: calls from the same number this close together share what the
  /// first created (the store's claim window).
  Seconds claim_window{300};
  /// reap() closes calls that have had no event for this long as missed.
  Seconds stale_after{4 * 3600};
  /// R-I1: how many finished calls are remembered to answer repeated events.
  std::size_t remembered_calls = 100000;
};

/// Where a call is, as an event's answer.
struct CallProgress {
  std::string call{};
  CrmState crm = CrmState::unknown;
  std::optional<EntityRef> primary{};
  std::optional<EmployeeId> responsible{};
  std::size_t steps = 0;                ///< route steps taken so far
  std::optional<RouteEntry> current{};  ///< the last step (what the PBX was told to do)
  bool routing_ended = false;           ///< answered, voicemail, hang-up, or the caller left
  bool ended = false;                   ///< the call is over (see result())
  friend bool operator==(const CallProgress&, const CallProgress&) = default;
};

/// Counters for monitoring.
struct EngineStats {
  std::size_t active_calls = 0;
  std::size_t finished_calls = 0;
  std::size_t pending_writes = 0;  ///< batches waiting in the outbox (R-I3)
  std::size_t store_errors = 0;
  std::size_t observer_errors = 0;
};

/// The call engine (R-M, R-R, R-Q, R-L, R-S, R-T, R-A, R-I).
///
/// Events for one call must come in the order they happened; events of different calls may
/// come from any threads at once. Each event is idempotent (R-I1): delivering it again
/// changes nothing and returns the same answer. Routing never waits for the CRM store: the
/// client is found in the in-memory index, the step is handed to the Telephony port first,
/// and CRM writes follow — kept in an outbox while the store is unavailable (R-I3).
class CallEngine {
 public:
  /// An engine for `settings` over the host's ports (which must outlive it). Builds the
  /// index from `store` and the employees from `directory`. With a `journal`, writes that
  /// wait for the store survive a restart (R-I3): what it still holds is taken up now.
  /// Errors: invalid settings (Errc::invalid_argument, the first problem with its path), or
  /// what the store, directory or journal report.
  [[nodiscard]] static Result<std::unique_ptr<CallEngine>> create(
      IntegrationSettings settings, CrmStore& store, Directory& directory, Telephony& telephony,
      const Clock& clock, EngineOptions options = {}, Observer* observer = nullptr,
      OutboxJournal* journal = nullptr);

  ~CallEngine();
  CallEngine(const CallEngine&) = delete;
  CallEngine& operator=(const CallEngine&) = delete;

  /// A call begins: find the client, decide the first step and hand it to the telephony.
  [[nodiscard]] Result<CallProgress> start_call(const CallStart& event);
  /// A step ended unanswered: decide and issue the next one.
  [[nodiscard]] Result<CallProgress> step_ended(const StepEnded& event);
  /// A step was answered: the route ends; created records go to whoever answered (R-T2).
  [[nodiscard]] Result<CallProgress> answered(const Answered& event);
  /// The caller gave up: the route ends; the running step is cut at that moment.
  [[nodiscard]] Result<CallProgress> caller_hung_up(const CallerHungUp& event);
  /// A manual transfer was accepted (R-T1).
  [[nodiscard]] Result<CallProgress> transferred(const Transferred& event);
  /// A deal, invoice or comment added during the call (R-A7).
  [[nodiscard]] Result<CallProgress> during_call(const DuringCallAction& event);
  /// The call is over: write the activity, the history, missed calls (R-A1 … R-A6).
  [[nodiscard]] Result<CallResult> end_call(const CallEnd& event);

  /// Closes, as missed, every call that has had no event since `now - stale_after`.
  std::vector<CallResult> reap(Timestamp now);
  /// The result of a finished call still remembered; nullopt otherwise.
  [[nodiscard]] std::optional<CallResult> result(std::string_view call) const;

  /// New settings for calls that start from now on (R-S3); running calls keep theirs.
  [[nodiscard]] Result<void> update_settings(IntegrationSettings settings);
  /// The live exception list (R-X3): changes apply to the next call.
  [[nodiscard]] ExceptionList& exceptions() noexcept;
  /// Re-reads the whole CRM from the store into the index (e.g. after a bulk import).
  [[nodiscard]] Result<void> reload_crm();
  /// Tries to apply the writes waiting in the outbox; returns how many are still waiting.
  std::size_t flush_outbox();
  [[nodiscard]] EngineStats stats() const;
  /// A copy of the queue statistics (for inspection and tests).
  [[nodiscard]] QueueStats queue_stats() const;

 private:
  struct Config;
  struct Call;
  struct People;
  class Impl;
  explicit CallEngine(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

TELCRM_END_NAMESPACE

#ifdef TELCRM_HEADER_ONLY
#include <telcrm/engine/call_engine-inl.hpp>
#endif
