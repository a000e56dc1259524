// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// CallEngine: the one class that talks to the ports. It takes the PBX's events, asks the
/// pure decision classes what to do, and applies their decisions through the ports.

#include <telcrm/config.hpp>
#include <telcrm/crm/exception_list.hpp>
#include <telcrm/engine/call_events.hpp>
#include <telcrm/engine/call_result.hpp>
#include <telcrm/ports/clock.hpp>
#include <telcrm/ports/crm_store.hpp>
#include <telcrm/ports/directory.hpp>
#include <telcrm/ports/observer.hpp>
#include <telcrm/ports/outbox_journal.hpp>
#include <telcrm/ports/telephony.hpp>
#include <telcrm/result.hpp>
#include <telcrm/routing/queue_stats.hpp>
#include <telcrm/settings/settings.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

TELCRM_BEGIN_NAMESPACE

namespace detail {
class EngineBase;  // what CallEngine's functions call (engine/detail/engine_base.hpp)
}  // namespace detail

/// The host's ports an engine works through. The host owns them; they must outlive the
/// engine. `observer` and `journal` are optional.
struct Ports {
  CrmStore& store;                   ///< the CRM database
  Directory& directory;              ///< the employees (the one source of them)
  Telephony& telephony;              ///< the PBX's commands
  const Clock& clock;                ///< "now"
  Observer* observer = nullptr;      ///< metrics, audit logs
  OutboxJournal* journal = nullptr;  ///< keeps waiting writes across a restart (R-I3)
};

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
  /// How many queued batches one store call may take (CrmStore::apply_all).
  std::size_t max_group = 64;
  /// Threads of the full index rebuild (0: every core; see CrmIndex::rebuild).
  unsigned rebuild_threads = 0;
  /// An index snapshot file (telcrm/crm/index_snapshot.hpp), used with a store that has a
  /// change feed: the first load of the index reads it and catches up with the changes since
  /// its cursor instead of rebuilding; a missing, damaged, stale or newer file (or a cursor the
  /// feed cannot answer) falls back to a full rebuild, after which the file is written anew.
  /// Empty: always the full rebuild.
  std::string index_snapshot{};
};

/// Where a call is, as an event's answer.
struct CallProgress {
  std::string call{};                       ///< the host's call id
  CrmState crm = CrmState::unknown;         ///< whether the CRM took part
  std::optional<EntityRef> primary{};       ///< the client the call binds to
  std::optional<EmployeeId> responsible{};  ///< the client's active responsible
  std::size_t steps = 0;                    ///< route steps taken so far
  std::optional<RouteEntry> current{};      ///< the last step (what the PBX was told to do)
  bool routing_ended = false;               ///< answered, voicemail, hang-up, or the caller left
  bool ended = false;                       ///< the call is over (see result())
  /// Equal when every member is.
  friend bool operator==(const CallProgress&, const CallProgress&) = default;
};

/// Counters for monitoring.
struct EngineStats {
  std::size_t active_calls = 0;     ///< calls begun and not yet ended
  std::size_t finished_calls = 0;   ///< remembered for R-I1
  std::size_t pending_writes = 0;   ///< batches waiting for the store (R-I3)
  std::size_t store_errors = 0;     ///< store calls that failed
  std::size_t dropped_writes = 0;   ///< batches the store refused for good (reported)
  std::size_t observer_errors = 0;  ///< Observer calls that failed (ignored)
  bool index_ready = false;         ///< the CRM's index is loaded (see CallEngine::ready())
};

/// The call engine (R-M, R-R, R-Q, R-L, R-S, R-T, R-A, R-I).
///
/// **Modes.** The engine routes a call (CallMode::route: each step's command goes to the
/// Telephony port), or observes one the PBX routes itself (CallMode::observe: the PBX
/// reports rang / answered / transferred / end, no command is ever given); the CRM side is
/// the same in both.
///
/// **Events.** Events for one call must come in the order they happened; events of
/// different calls may come from any threads at once. Each event is idempotent (R-I1):
/// delivering it again changes nothing and returns the same answer — unless its telephony
/// command failed, in which case it is tried again.
///
/// **A call never waits for the CRM.** An event reads only memory (the CRM's index, the
/// settings, the directory's cached employees), hands its step to the Telephony port, and
/// returns. It makes no CrmStore call at all: the CRM writes it decides (the R-L5 lead,
/// reassignments, the activity…) are queued, with their records filed in the index at once
/// under provisional (negative) ids, so the next call already finds them.
///
/// **What the host must call**, from its own threads or through an EngineWorker:
/// - flush(): applies the queued writes to the store, in order; what the store refuses for
///   now waits in the outbox (R-I3) — in the journal, when there is one — and is tried at
///   the next flush();
/// - refresh(): brings the index up to date with changes other writers made (a store with a
///   change feed), loads it if the store was down when the engine was created, and folds
///   the index's pending updates when they have filled their room (so that no call does);
/// - reap(now): closes calls the PBX never ended.
class CallEngine {
 public:
  /// An engine for `settings` over the host's ports. Reads the employees from the
  /// directory and checks the settings against them, builds the index from the store, and
  /// takes up what the journal still holds (those writes go first). A store that is down
  /// does not stop it: calls are routed at once, and nothing is created for any caller until
  /// refresh() has loaded the index (without it every known client would look new).
  /// Errors: invalid settings (Errc::invalid_argument, the first problem with its path), or
  /// what the directory or journal report.
  ///
  /// Call it as `CallEngine::create(settings, ports)`. It is a template (of an unused
  /// parameter) only so that, header-only, the engine's implementation is compiled in the
  /// translation units that create an engine rather than in every one that includes this
  /// header; the compiled library (telcrm::telcrm) holds its one instantiation.
  template <class Unused = void>
  [[nodiscard]] static Result<std::unique_ptr<CallEngine>> create(IntegrationSettings settings,
                                                                  Ports ports,
                                                                  EngineOptions options = {});

  ~CallEngine();
  CallEngine(const CallEngine&) = delete;
  CallEngine& operator=(const CallEngine&) = delete;

  /// A call begins: find the client, decide the first step and hand it to the telephony
  /// (observe mode: no step; see CallMode).
  [[nodiscard]] Result<CallProgress> start_call(const CallStart& event);
  /// Observe mode: the PBX rang these employees (R-L5). Errors: Errc::invalid_state for a
  /// call the engine routes.
  [[nodiscard]] Result<CallProgress> rang(const Rang& event);
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
  /// The call is over: the activity, the history, missed calls (R-A1 … R-A6) are queued.
  [[nodiscard]] Result<CallResult> end_call(const CallEnd& event);

  /// A call that was in progress when a previous run of the host stopped (a crash, kill -9):
  /// the host kept `start` durably (e.g. a live-call journal) and never saw its end. Closes
  /// it as missed with `reason` as the activity's comment, without creating anything (what
  /// the call created before the stop is in the store or the outbox journal, and the index
  /// knows it) and without a telephony command. Its batches are numbered from
  /// interrupted_seq_base, so none is taken for a repeat of a batch the previous run applied
  /// (R-I1). Errors: as start_call(); Errc::already_exists when this engine knows the call.
  [[nodiscard]] Result<CallResult> close_interrupted(CallStart start, std::string reason);
  /// The first batch number of a call closed by close_interrupted().
  static constexpr std::uint32_t interrupted_seq_base = 1u << 30;

  /// Attaches a recording to a finished call's activity, replacing the one it had (R-A4):
  /// `recording` is where it is (a URL, or a file the host keeps). Queued like every write;
  /// the store answers Errc::not_found at flush time for a call without an activity (it never
  /// entered the CRM). Errors: Errc::invalid_state while the call is still in progress.
  [[nodiscard]] Result<void> attach_recording(std::string_view call, std::string recording);

  /// Applies the queued writes, in order, until the store refuses one for now; returns how
  /// many are still waiting. One flush at a time (a second caller waits). Never call it from
  /// inside a port.
  std::size_t flush();
  /// Reads what other writers changed (CrmStore::change_feed()) into the index, or loads the
  /// whole index if it is not loaded yet. Cheap when nothing changed. Returns the error of the
  /// store, if it failed (the index stays as it was).
  Result<void> refresh();
  /// Closes, as missed, every call that has had no event since `now - stale_after`.
  std::vector<CallResult> reap(Timestamp now);
  /// Waits until writes are queued or `timeout` passes (for a flushing thread; see
  /// EngineWorker). Returns true when writes are waiting.
  bool wait_for_writes(std::chrono::milliseconds timeout);

  /// The result of a finished call still remembered, with the ids the store gave the
  /// records it created once they are written; nullopt otherwise.
  [[nodiscard]] std::optional<CallResult> result(std::string_view call) const;
  /// What a call has done so far — in progress, or finished and still remembered — with the
  /// ids the store gave the records it created once they are written (e.g. a connector that
  /// must answer with the lead its call created); nullopt for a call the engine does not know.
  [[nodiscard]] std::optional<CallResult> peek(std::string_view call) const;
  /// True once the index holds the CRM (creation waits for it, see create()).
  [[nodiscard]] bool ready() const noexcept;

  /// New settings for calls that start from now on (R-S3); running calls keep theirs.
  /// Checked against the directory's employees like create()'s.
  [[nodiscard]] Result<void> update_settings(IntegrationSettings settings);
  /// The exception list in force (R-X3): a value, replaced whole by update_exceptions().
  [[nodiscard]] ExceptionList exceptions() const;
  /// Replaces the exception list; the next call sees the new one, no call a mix (R-X3).
  void update_exceptions(ExceptionList exceptions);
  /// Re-reads the whole CRM from the store into the index (e.g. after a bulk import).
  [[nodiscard]] Result<void> reload_crm();
  /// Counters for monitoring; a consistent copy.
  [[nodiscard]] EngineStats stats() const;
  /// A copy of the queue statistics (for inspection and tests).
  [[nodiscard]] QueueStats queue_stats() const;

 private:
  explicit CallEngine(std::unique_ptr<detail::EngineBase> impl);
  std::unique_ptr<detail::EngineBase> impl_;
};

#ifndef TELCRM_HEADER_ONLY
extern template Result<std::unique_ptr<CallEngine>> CallEngine::create<>(IntegrationSettings, Ports,
                                                                         EngineOptions);
#endif

TELCRM_END_NAMESPACE

#ifdef TELCRM_HEADER_ONLY
#include <telcrm/engine/call_engine-inl.hpp>
#endif
