// SPDX-License-Identifier: Apache-2.0
#pragma once
// The engine: call events in, commands and queued CRM writes out. The parts: the state of a
// call and the registry (detail/call_state.hpp), the write pipeline (detail/outbox.hpp),
// creation and R-I2 (detail/creation.hpp), the events (detail/engine_api.hpp), and here the
// glue: settings and directory, the index, routing.
//
// EngineImpl, the outbox and the registry are templates of an unused parameter: they are
// compiled only where CallEngine::create() is (see detail/engine_base.hpp). Header-
// only, that is the translation units that create an engine; compiled, src/engine.cpp.

#include <telcrm/calllog/call_log.hpp>
#include <telcrm/crm/crm_index.hpp>
#include <telcrm/crm/crm_matcher.hpp>
#include <telcrm/crm/index_snapshot.hpp>
#include <telcrm/engine/call_engine.hpp>
#include <telcrm/engine/detail/call_state.hpp>
#include <telcrm/engine/detail/engine_base.hpp>
#include <telcrm/engine/detail/outbox.hpp>
#include <telcrm/leads/lead_factory.hpp>
#include <telcrm/ports/crm_change_feed.hpp>
#include <telcrm/settings/line_region.hpp>
#include <telcrm/settings/validate.hpp>

#include <fmt/core.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <type_traits>

TELCRM_BEGIN_NAMESPACE
namespace detail {

template <class Unused>
class EngineImpl final : public EngineBase {
 public:
  using Call = detail::Call;
  using Config = detail::EngineConfig;
  using People = detail::People;

  EngineImpl(Ports ports, EngineOptions options, std::shared_ptr<const Config> config)
      : ports_(ports),
        options_(options),
        config_(std::move(config)),
        exceptions_(std::make_shared<const ExceptionList>(config_->settings.exceptions,
                                                          config_->settings.default_region)),
        index_(
            IndexOptions{config_->settings.default_region, config_->settings.match_suffix_digits}),
        registry_(options.remembered_calls),
        outbox_(ports.store, ports.journal, ports.observer, options.max_group) {}

  Ports ports_;
  EngineOptions options_;

  mutable std::mutex config_mutex_;  // guards the pointers config_, people_ and exceptions_
  std::shared_ptr<const Config> config_;
  std::shared_ptr<const People> people_;
  std::shared_ptr<const ExceptionList> exceptions_;

  CrmIndex index_;
  std::atomic<bool> index_ready_{false};
  CrmMatcher matcher_;
  PhoneNormalizer normalizer_;

  mutable std::mutex stats_mutex_;
  QueueStats queue_stats_;

  BasicCallRegistry<Unused> registry_;
  std::array<std::mutex, 64> number_locks_;  // R-I2: one creation per number at a time
  BasicOutbox<Unused> outbox_;
  std::atomic<std::size_t> observer_errors_{0};

  // refresh(): the change feed's position.
  std::mutex refresh_mutex_;
  std::uint64_t seen_version_ = 0;
  std::uint64_t change_cursor_ = 0;
  bool snapshot_tried_ = false;  // the index snapshot file is read at the first load only

  void observe(Result<void> r) {
    if (!r) observer_errors_.fetch_add(1, std::memory_order_relaxed);
  }

  // --- settings and directory --------------------------------------------------------------

  static Result<std::shared_ptr<const Config>> make_config(IntegrationSettings settings,
                                                           std::span<const Employee> employees,
                                                           const EngineOptions& options) {
    if (auto ok = check_settings(settings, employees); !ok) return fail(ok.error());
    auto policy =
        RoutingPolicy::create(settings, RoutingOptions{options.seed, options.max_route_steps});
    if (!policy) return fail(policy.error());
    ModeStrategy mode = ModeStrategy::for_settings(settings);
    auto config = std::make_shared<Config>(
        Config{std::move(settings), std::move(*policy), std::move(mode), {}});
    for (const auto& line : config->settings.lines)
      config->line_regions.push_back(line_region(line, config->settings.default_region));
    return std::shared_ptr<const Config>(std::move(config));
  }

  std::shared_ptr<const Config> config() const {
    std::lock_guard lock(config_mutex_);
    return config_;
  }
  // What a call's start reads, under one lock.
  struct Current {
    std::shared_ptr<const Config> config;
    std::shared_ptr<const ExceptionList> exceptions;
    std::shared_ptr<const People> people;  // as last read; see people_current()
  };
  Current current() const {
    std::lock_guard lock(config_mutex_);
    return {config_, exceptions_, people_};
  }

  // `cached` (people_ as current() read it) while the directory's version has not moved, else
  // people(config).
  Result<std::shared_ptr<const People>> people_current(const Config& config,
                                                       std::shared_ptr<const People> cached) {
    auto version = ports_.directory.version();
    if (still_current(cached, version)) return cached;
    return people(config);
  }
  // A directory that cannot say its version now keeps the employees it had; version 0 means
  // "never changes" (read once).
  static bool still_current(const std::shared_ptr<const People>& people,
                            const Result<std::uint64_t>& version) {
    return people && (!version || *version == 0 || people->version == *version);
  }

  // Employees as of the directory's version: read again only when it moved (0: read once).
  Result<std::shared_ptr<const People>> people(const Config& config) {
    auto version = ports_.directory.version();
    {
      std::lock_guard lock(config_mutex_);
      if (still_current(people_, version)) return people_;
    }
    if (!version) return fail(version.error());
    auto staff = ports_.directory.employees();
    if (!staff) return fail(staff.error());
    auto fresh = std::make_shared<People>();
    fresh->version = *version;
    fresh->employees = EmployeeIndex(*staff, config.settings.default_region, normalizer_);
    fresh->roster = Roster(*staff, config.settings.default_region, normalizer_);
    if (ports_.observer)  // queue members the directory no longer holds are not rung
      for (const auto& q : config.settings.queues)
        for (EmployeeId member : q.members)
          if (std::none_of(staff->begin(), staff->end(),
                           [&](const Employee& e) { return e.id == member; }))
            observe(ports_.observer->on_missing_employee(q.id, member));
    std::lock_guard lock(config_mutex_);
    people_ = fresh;
    return std::shared_ptr<const People>(fresh);
  }

  // --- the index -----------------------------------------------------------------------------

  // Loads the whole index: from the snapshot file the first time, when there is a usable one,
  // else from the store (then the file is written anew). Queued writes wait meanwhile (what
  // they created is filed again afterwards under its provisional ids, so no pending creation
  // is forgotten).
  Result<void> load_index() {
    const CrmChangeFeed* feed = ports_.store.change_feed();
    const bool try_snapshot = feed != nullptr && !options_.index_snapshot.empty() &&
                              !std::exchange(snapshot_tried_, true);
    if (try_snapshot)
      if (auto ok = load_index_from_snapshot(*feed); ok && *ok) return {};
    std::uint64_t cursor = 0;
    auto loaded = outbox_.with_flush_paused([&]() -> Result<void> {
      std::uint64_t version = 0;
      if (feed != nullptr) {
        auto c = feed->change_cursor();
        if (!c) return fail(c.error());
        auto v = feed->data_version();
        if (!v) return fail(v.error());
        cursor = *c;
        version = *v;
      }
      // The engine reads the store; the index only takes what the scan streams.
      auto scan = [this](CrmVisitor& v) { return ports_.store.scan(v); };
      if (auto rebuilt = index_.rebuild(scan, options_.rebuild_threads); !rebuilt) return rebuilt;
      index_.update([&](CrmIndex::Writer& w) {
        outbox_.for_each_queued_create([&](const WriteOp& op) { file_created(w, op); });
      });
      change_cursor_ = cursor;
      seen_version_ = version;
      index_ready_.store(true, std::memory_order_release);
      return {};
    });
    // For the next start (a failure to write it costs only that start's speed).
    if (loaded && feed != nullptr && !options_.index_snapshot.empty())
      (void)save_index_snapshot(index_, options_.index_snapshot, cursor);
    return loaded;
  }

  // The snapshot file, then the changes since its cursor. True when the index is ready; false
  // when the file or the feed could not serve (the caller rebuilds); an error of the store.
  Result<bool> load_index_from_snapshot(const CrmChangeFeed& feed) {
    return outbox_.with_flush_paused([&]() -> Result<bool> {
      auto version = feed.data_version();
      if (!version) return fail(version.error());
      auto info = load_index_snapshot(index_, options_.index_snapshot);
      if (!info) return false;
      auto changes = feed.changes_since(info->cursor);
      if (!changes) return fail(changes.error());
      if (!changes->complete) return false;  // a cursor this database never handed out
      if (auto ok = reindex(changes->changed); !ok) return fail(ok.error());
      index_.update([&](CrmIndex::Writer& w) {
        outbox_.for_each_queued_create([&](const WriteOp& op) { file_created(w, op); });
      });
      change_cursor_ = changes->cursor;
      seen_version_ = *version;
      index_ready_.store(true, std::memory_order_release);
      return true;
    });
  }

  Result<void> refresh() override {
    std::lock_guard lock(refresh_mutex_);
    if (!index_ready_.load(std::memory_order_acquire)) return load_index();
    // The index's pending updates, folded here when due rather than by the call whose
    // update filled their room (CrmIndex::fold: calls keep filing meanwhile).
    if (index_.fold_due()) index_.fold();
    const CrmChangeFeed* feed = ports_.store.change_feed();
    if (!feed) return {};
    auto version = feed->data_version();
    if (!version) return fail(version.error());
    if (*version == seen_version_) return {};
    auto changes = feed->changes_since(change_cursor_);
    if (!changes) return fail(changes.error());
    if (!changes->complete) return load_index();
    if (auto ok = reindex(changes->changed); !ok) return ok;
    seen_version_ = *version;
    change_cursor_ = changes->cursor;
    return {};
  }

  // Upserts the current state of `refs` from the store, or removes those that are gone.
  Result<void> reindex(const std::vector<EntityRef>& refs) {
    Result<void> ok;
    index_.update([&](CrmIndex::Writer& w) {
      for (const auto& ref : refs) {
        auto put = [&](const auto& found) {
          if (!found) {
            ok = fail(found.error());
            return;
          }
          if (*found)
            w.upsert(**found);
          else
            w.remove(ref);
        };
        switch (ref.type) {
          case EntityType::lead: put(ports_.store.find_lead(ref.id)); break;
          case EntityType::contact: put(ports_.store.find_contact(ref.id)); break;
          case EntityType::company: put(ports_.store.find_company(ref.id)); break;
          case EntityType::deal: put(ports_.store.find_deal(ref.id)); break;
          case EntityType::invoice: break;
        }
        if (!ok) return;
      }
    });
    return ok;
  }

  // Files a record a create operation makes (under its provisional id) in the index.
  static void file_created(CrmIndex::Writer& w, const WriteOp& op) {
    if (const auto* v = std::get_if<CreateCompany>(&op)) w.upsert(v->company);
    if (const auto* v = std::get_if<CreateContact>(&op)) w.upsert(v->contact);
    if (const auto* v = std::get_if<CreateLead>(&op)) w.upsert(v->lead);
    if (const auto* v = std::get_if<CreateDeal>(&op)) w.upsert(v->deal);
  }

  // The tick of the oldest call in progress: the outbox keeps every resolution such a call
  // may need (it may hold a provisional id however long it lives).
  static std::uint64_t oldest_live(void* self) {
    auto& e = *static_cast<EngineImpl*>(self);
    std::uint64_t oldest = UINT64_MAX;
    for (const auto& call : e.registry_.active()) oldest = std::min(oldest, call->born);
    return oldest;
  }

  // A batch was applied: its records leave their provisional ids for the store's (R-I2: for
  // a lost claim, the winner's — refresh() brings the winner's own facts).
  static void on_applied(void* self, const WriteBatch&, const WriteReceipt&,
                         const std::vector<detail::Created>& created) {
    auto& e = *static_cast<EngineImpl*>(self);
    auto relink = [&](EntityType type, EntityId id) -> EntityId {
      if (id >= 0) return id;
      for (const auto& c : created)
        if (c.provisional == EntityRef{type, id} && !c.resolution.failed)
          return c.resolution.real.id;
      return e.outbox_.resolve({type, id}).id;
    };
    e.index_.update([&](CrmIndex::Writer& w) {
      for (const auto& c : created) {
        if (c.resolution.failed)
          w.remove(c.provisional);
        else
          w.rename(c.provisional, c.resolution.real.id, relink);
      }
    });
  }

  // --- results -----------------------------------------------------------------------------

  // The store's ids in place of provisional ones, where known (see CallEngine::result()).
  // Records another call created first (R-I2) or that could not be written leave `created`.
  void resolve_result(CallResult& r) const {
    if (names_provisional(r, {}))  // else nothing to resolve, and no lock to take
      outbox_.with_resolutions([&](auto find) { resolve_result(r, find); });
  }
  // The same, with `find` as Outbox::with_resolutions gives it (one lock for them all).
  template <class Find>
  static void resolve_result(CallResult& r, Find& find) {
    auto res = [&](EntityRef& ref) {
      if (ref.id >= 0) return;
      if (const detail::Resolution* s = find(ref.id); s && !s->failed) ref = s->real;
    };
    auto gone = [&](EntityRef ref) {
      if (ref.id >= 0) return false;
      const detail::Resolution* s = find(ref.id);
      return s && (s->lost || s->failed);
    };
    std::erase_if(r.reassigned, [&](const Reassignment& x) { return gone(x.entity); });
    std::erase_if(r.created, [&](const CreatedEntity& x) { return gone(x.entity); });
    for (auto& x : r.created) res(x.entity);
    for (auto& x : r.reassigned) res(x.entity);
    if (r.match.primary) res(*r.match.primary);
    if (r.match.company) res(*r.match.company);
    for (auto& b : r.match.bindings) res(b);
    for (auto& c : r.match.candidates) res(c.ref);
    if (r.activity) {
      std::erase_if(r.activity->bindings, [&](const EntityRef& b) {
        const detail::Resolution* s = b.id < 0 ? find(b.id) : nullptr;
        return s && s->failed;
      });
      for (auto& b : r.activity->bindings) res(b);
    }
  }

  // Whether `r` (or `bound`) names a provisional id: only then has resolve_result work to do
  // (a known client's call names none, and takes no outbox lock for it).
  static bool names_provisional(const CallResult& r, const std::vector<EntityRef>& bound) {
    auto provisional = [](const EntityRef& ref) { return ref.id < 0; };
    auto any = [&](const auto& refs, auto ref_of) {
      return std::any_of(refs.begin(), refs.end(),
                         [&](const auto& x) { return provisional(ref_of(x)); });
    };
    auto self = [](const EntityRef& ref) { return ref; };
    return any(r.created, [](const CreatedEntity& x) { return x.entity; }) ||
           any(r.reassigned, [](const Reassignment& x) { return x.entity; }) || any(bound, self) ||
           (r.match.primary && provisional(*r.match.primary)) ||
           (r.match.company && provisional(*r.match.company)) || any(r.match.bindings, self) ||
           any(r.match.candidates, [](const auto& x) { return x.ref; }) ||
           (r.activity && any(r.activity->bindings, self));
  }

  std::optional<CallResult> finished_result(std::string_view id) const {
    auto r = registry_.with_finished(id, [](const CallResult& x) { return x; });
    if (r) resolve_result(*r);
    return r;
  }
  std::optional<CallProgress> finished_progress(std::string_view id) const {
    auto r = finished_result(id);
    if (!r) return std::nullopt;
    return detail::progress_of(*r);
  }

  // Runs `f` on a call in progress under its lock. A finished call answers from its result
  // (R-I1): also when it finished while this thread waited for the lock.
  template <class F>
  Result<CallProgress> on_call(std::string_view id, F&& f) {
    auto call = registry_.find_active(id);
    if (!call) {
      if (auto done = finished_progress(id)) return *done;
      return fail(Errc::not_found, detail::format("call {}: not started", id));
    }
    std::lock_guard lock(call->mutex);
    if (call->finished) {
      if (auto done = finished_progress(id)) return *done;
      return fail(Errc::invalid_state, detail::format("call {}: already ended", id));
    }
    call->last_event = ports_.clock.now();
    return f(*call);
  }

  // A call's progress under its lock: from the remembered result once it has ended.
  CallProgress progress_locked(const Call& c) const {
    if (c.finished)
      if (auto done = finished_progress(c.id)) return *done;
    return detail::progress_of(c);
  }

  // --- CRM writes --------------------------------------------------------------------------

  // Queues the call's next batch (never calls the store: flush() applies it).
  void write(Call& c, std::vector<WriteOp>&& ops,
             std::optional<UnknownCallerClaim> claim = std::nullopt) {
    if (ops.empty()) return;
    WriteBatch batch;
    batch.call = c.id;
    batch.seq = c.next_seq++;
    batch.at = ports_.clock.now();
    if (claim) batch.claim.emplace(*claim);  // (member-wise: GCC 12 -O3 misreads the copy)
    batch.ops = std::move(ops);
    outbox_.enqueue(std::move(batch));
  }

  // Queues a batch that creates records, and files them in the index under their provisional
  // ids — in that order, while no batch is being refiled: whoever finds them in the index
  // (and then queues a batch naming them) queues after this batch, and their refiling,
  // once it is applied, finds them filed.
  void write_and_file(Call& c, std::vector<WriteOp>&& ops,
                      std::optional<UnknownCallerClaim> claim = std::nullopt) {
    std::vector<EntityFacts> facts;  // read before any lock is taken
    facts.reserve(ops.size());
    for (const auto& op : ops) {
      if (const auto* v = std::get_if<CreateCompany>(&op))
        facts.push_back(index_.facts_of(v->company));
      if (const auto* v = std::get_if<CreateContact>(&op))
        facts.push_back(index_.facts_of(v->contact));
      if (const auto* v = std::get_if<CreateLead>(&op)) facts.push_back(index_.facts_of(v->lead));
      if (const auto* v = std::get_if<CreateDeal>(&op)) facts.push_back(index_.facts_of(v->deal));
    }
    outbox_.refiling([&](auto) {
      write(c, std::move(ops), std::move(claim));
      index_.update([&](CrmIndex::Writer& w) {
        for (auto& f : facts) w.upsert(std::move(f));
      });
    });
  }

  // Creating records (R-L5, R-I2) and handing them over (R-T1, R-T2): detail/creation.hpp.
  void create_planned(Call& c, std::optional<EmployeeId> responsible);
  void reassign_created(Call& c, EmployeeId to, ReassignReason why);
  Result<CallProgress> add_during_call(Call& c, const DuringCallAction& event);

  // --- routing -------------------------------------------------------------------------------

  static RouteEntry entry_of(const RouteStep& step) {
    RouteEntry e;
    e.why = format_as(step.why());
    if (const auto* r = step.get_if<RingStep>()) {
      e.kind = RouteEntry::Kind::ring;
      e.employees = r->employees;
      e.seconds = r->seconds;
    } else if (const auto* f = step.get_if<ForwardStep>()) {
      e.kind = RouteEntry::Kind::forward;
      e.number = f->number;
      e.employee = f->employee;
      e.seconds = f->seconds;
    } else if (const auto* v = step.get_if<VoicemailStep>()) {
      e.kind = RouteEntry::Kind::voicemail;
      e.employee = v->employee;
    } else {
      e.kind = RouteEntry::Kind::hang_up;
    }
    return e;
  }

  Result<void> command(const Call& c, const RouteStep& step) {
    if (const auto* ring = step.get_if<RingStep>())
      return ports_.telephony.ring(c.id, ring->employees, ring->seconds);
    if (const auto* fwd = step.get_if<ForwardStep>())
      return ports_.telephony.forward(c.id, fwd->number, fwd->seconds);
    if (const auto* vm = step.get_if<VoicemailStep>())
      return ports_.telephony.voicemail(c.id, vm->employee);
    return ports_.telephony.hang_up(c.id);
  }

  // Decides the step after `previous` and hands it to the telephony; only once the PBX took
  // it is it recorded, counted as an offer (R-Q2) and are its records created (R-L5). A
  // failed command leaves the call as it was, so the event can be delivered again.
  Result<void> advance(Call& c, StepOutcome previous) {
    RouteDecision decision;
    std::vector<std::optional<Timestamp>> offered_before;
    {
      std::lock_guard lock(stats_mutex_);
      decision = c.config->policy.next(c.route_call, c.people->roster, queue_stats_, c.route_state,
                                       previous);
      if (auto offer = decision.offer()) {
        for (EmployeeId e : offer->employees) offered_before.push_back(queue_stats_.last_offer(e));
        queue_stats_.apply(*offer);
      }
    }
    if (decision.ended()) {
      c.route_state = std::move(decision.state);
      c.routing_ended = true;
      return {};
    }
    const RouteStep& step = *decision.step;
    if (auto issued = command(c, step); !issued) {
      if (auto offer = decision.offer()) {
        std::lock_guard lock(stats_mutex_);
        queue_stats_.undo(*offer, offered_before);
      }
      return issued;
    }
    c.route_state = std::move(decision.state);
    c.result.route.push_back(entry_of(step));
    if (const auto* ring = step.get_if<RingStep>()) {
      if (!ring->employees.empty()) create_planned(c, ring->employees.front());
    } else if (const auto* fwd = step.get_if<ForwardStep>()) {
      if (fwd->employee) create_planned(c, fwd->employee);  // their own phone rings (R-R3)
    } else if (const auto* vm = step.get_if<VoicemailStep>()) {
      c.voicemail_for = vm->employee;
    }
    if (step.ends_route()) c.routing_ended = true;
    if (ports_.observer) observe(ports_.observer->on_step(c.id, c.result.route.size() - 1, step));
    return {};
  }

  // Seconds from the call's start to the start of route step `index`.
  static Seconds step_start(const Call& c, std::size_t index) {
    Seconds s{0};
    for (std::size_t i = 0; i < index && i < c.result.route.size(); ++i)
      s += c.result.route[i].seconds;
    return s;
  }

  // --- the end of a call -------------------------------------------------------------------

  void finish(Call& c, const CallEnd& end);

  // --- CallEngine's functions (detail/engine_api.hpp) ----------------------------------------

  Result<CallProgress> start_call(const CallStart& event) override;
  Result<CallProgress> rang(const Rang& event) override;
  Result<CallProgress> step_ended(const StepEnded& event) override;
  Result<CallProgress> answered(const Answered& event) override;
  Result<CallProgress> caller_hung_up(const CallerHungUp& event) override;
  Result<CallProgress> transferred(const Transferred& event) override;
  Result<CallProgress> during_call(const DuringCallAction& event) override;
  Result<CallResult> end_call(const CallEnd& event) override;
  Result<CallResult> close_interrupted(CallStart start, std::string reason) override;
  Result<void> attach_recording(std::string_view call, std::string recording) override;
  std::size_t flush() override;
  std::vector<CallResult> reap(Timestamp now) override;
  bool wait_for_writes(std::chrono::milliseconds timeout) override;
  std::optional<CallResult> result(std::string_view call) const override;
  std::optional<CallResult> peek(std::string_view call) const override;
  bool ready() const noexcept override;
  Result<void> update_settings(IntegrationSettings settings) override;
  ExceptionList exceptions() const override;
  void update_exceptions(ExceptionList exceptions) override;
  Result<void> reload_crm() override;
  EngineStats stats() const override;
  QueueStats queue_stats() const override;
};

}  // namespace detail
TELCRM_END_NAMESPACE

#include <telcrm/engine/detail/creation.hpp>
#include <telcrm/engine/detail/engine_api.hpp>

// CallEngine's own functions: create() makes the implementation; the others call it through
// EngineBase, which instantiates nothing.
TELCRM_BEGIN_NAMESPACE

template <class Unused>
Result<std::unique_ptr<CallEngine>> CallEngine::create(IntegrationSettings settings, Ports ports,
                                                       EngineOptions options) {
  static_assert(std::is_void_v<Unused>, "call it as CallEngine::create(...)");
  using Impl = detail::EngineImpl<Unused>;
  auto staff = ports.directory.employees();
  if (!staff) return fail(staff.error());
  auto config = Impl::make_config(std::move(settings), *staff, options);
  if (!config) return fail(config.error());
  auto impl = std::make_unique<Impl>(ports, options, std::move(*config));
  // R-I3: writes a previous run could not deliver go first.
  if (auto taken = impl->outbox_.load_journal(); !taken) return fail(taken.error());
  if (auto people = impl->people(*impl->config()); !people) return fail(people.error());
  if (auto loaded = impl->load_index(); !loaded) {
    // A store that is down must not stop the telephony: calls are routed from now on, and
    // nothing is created until refresh() has loaded the index (R-I3).
    if (loaded.error().code() != Errc::storage_unavailable) return fail(loaded.error());
  }
  return std::unique_ptr<CallEngine>(new CallEngine(std::move(impl)));
}

TELCRM_INLINE CallEngine::CallEngine(std::unique_ptr<detail::EngineBase> impl)
    : impl_(std::move(impl)) {}
TELCRM_INLINE CallEngine::~CallEngine() = default;

TELCRM_INLINE Result<CallProgress> CallEngine::start_call(const CallStart& event) {
  return impl_->start_call(event);
}
TELCRM_INLINE Result<CallProgress> CallEngine::rang(const Rang& event) {
  return impl_->rang(event);
}
TELCRM_INLINE Result<CallProgress> CallEngine::step_ended(const StepEnded& event) {
  return impl_->step_ended(event);
}
TELCRM_INLINE Result<CallProgress> CallEngine::answered(const Answered& event) {
  return impl_->answered(event);
}
TELCRM_INLINE Result<CallProgress> CallEngine::caller_hung_up(const CallerHungUp& event) {
  return impl_->caller_hung_up(event);
}
TELCRM_INLINE Result<CallProgress> CallEngine::transferred(const Transferred& event) {
  return impl_->transferred(event);
}
TELCRM_INLINE Result<CallProgress> CallEngine::during_call(const DuringCallAction& event) {
  return impl_->during_call(event);
}
TELCRM_INLINE Result<CallResult> CallEngine::end_call(const CallEnd& event) {
  return impl_->end_call(event);
}
TELCRM_INLINE Result<CallResult> CallEngine::close_interrupted(CallStart start,
                                                               std::string reason) {
  return impl_->close_interrupted(std::move(start), std::move(reason));
}
TELCRM_INLINE Result<void> CallEngine::attach_recording(std::string_view call,
                                                        std::string recording) {
  return impl_->attach_recording(call, std::move(recording));
}
TELCRM_INLINE std::size_t CallEngine::flush() {
  return impl_->flush();
}
TELCRM_INLINE Result<void> CallEngine::refresh() {
  return impl_->refresh();
}
TELCRM_INLINE std::vector<CallResult> CallEngine::reap(Timestamp now) {
  return impl_->reap(now);
}
TELCRM_INLINE bool CallEngine::wait_for_writes(std::chrono::milliseconds timeout) {
  return impl_->wait_for_writes(timeout);
}
TELCRM_INLINE std::optional<CallResult> CallEngine::result(std::string_view call) const {
  return impl_->result(call);
}
TELCRM_INLINE std::optional<CallResult> CallEngine::peek(std::string_view call) const {
  return impl_->peek(call);
}
TELCRM_INLINE bool CallEngine::ready() const noexcept {
  return impl_->ready();
}
TELCRM_INLINE Result<void> CallEngine::update_settings(IntegrationSettings settings) {
  return impl_->update_settings(std::move(settings));
}
TELCRM_INLINE ExceptionList CallEngine::exceptions() const {
  return impl_->exceptions();
}
TELCRM_INLINE void CallEngine::update_exceptions(ExceptionList exceptions) {
  impl_->update_exceptions(std::move(exceptions));
}
TELCRM_INLINE Result<void> CallEngine::reload_crm() {
  return impl_->reload_crm();
}
TELCRM_INLINE EngineStats CallEngine::stats() const {
  return impl_->stats();
}
TELCRM_INLINE QueueStats CallEngine::queue_stats() const {
  return impl_->queue_stats();
}

TELCRM_END_NAMESPACE
