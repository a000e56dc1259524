// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <telcrm/engine/call_engine.hpp>
#include <telcrm/settings/line_region.hpp>
#include <telcrm/settings/validate.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <set>
#include <shared_mutex>
#include <type_traits>

TELCRM_BEGIN_NAMESPACE

// What one settings version needs at run time (R-S3: a call keeps the version it began with).
struct CallEngine::Config {
  IntegrationSettings settings;
  RoutingPolicy policy;
  std::shared_ptr<const ModeStrategy> mode;
  std::vector<Region> line_regions;  // by line index
};

// What the directory said at one version: employees' numbers and their routing state.
struct CallEngine::People {
  std::uint64_t version = 0;
  EmployeeIndex employees;
  Roster roster;
};

// One call in progress. Its mutex serialises the call's events.
struct CallEngine::Call {
  std::mutex mutex;
  std::string id;
  std::shared_ptr<const Config> config;
  std::shared_ptr<const People> people;
  const LineSettings* line = nullptr;
  Timestamp at{};
  RouteCall route_call;
  RouteState route_state;
  bool routing_ended = false;
  CallResult result;
  CreationPlan plan;
  bool creation_done = false;
  std::vector<EntityRef> bound;        // R-I2: another call's records this call binds to
  std::optional<EmployeeId> holder;    // who has the call now (answer, transfers)
  std::optional<EmployeeId> answerer;  // who answered (queue statistics)
  Timestamp answered_at{};
  std::optional<EmployeeId> voicemail_for;
  std::vector<std::string> comments;
  std::set<std::size_t> actions_done;
  std::uint32_t next_seq = 1;
  Timestamp last_event{};
  bool finished = false;
  // R-I3: once the store refuses a write, the call's writes wait here and go as one batch at
  // the end (local references: -k is the k-th entity of its type created by the call).
  bool deferred = false;
  std::vector<WriteOp> pending;
  std::optional<UnknownCallerClaim> pending_claim;
  std::array<EntityId, 5> local_counts{};
};

class CallEngine::Impl {
 public:
  Impl(CrmStore& store, Directory& directory, Telephony& telephony, const Clock& clock,
       EngineOptions options, Observer* observer, std::shared_ptr<const Config> config)
      : store_(store),
        directory_(directory),
        telephony_(telephony),
        clock_(clock),
        options_(options),
        observer_(observer),
        config_(std::move(config)),
        index_(
            IndexOptions{config_->settings.default_region, config_->settings.match_suffix_digits}),
        exceptions_(config_->settings.exceptions, config_->settings.default_region) {}

  CrmStore& store_;
  Directory& directory_;
  Telephony& telephony_;
  const Clock& clock_;
  EngineOptions options_;
  Observer* observer_;

  mutable std::mutex config_mutex_;  // guards the pointers config_ and people_
  std::shared_ptr<const Config> config_;
  std::shared_ptr<const People> people_;

  CrmIndex index_;
  ExceptionList exceptions_;
  CrmMatcher matcher_;
  PhoneNormalizer normalizer_;

  mutable std::mutex stats_mutex_;
  QueueStats queue_stats_;

  // Call ids are looked up by string_view, without making a string of them.
  struct IdHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view id) const noexcept {
      return std::hash<std::string_view>{}(id);
    }
  };
  template <class V>
  using ById = std::unordered_map<std::string, V, IdHash, std::equal_to<>>;

  mutable std::mutex calls_mutex_;
  ById<std::shared_ptr<Call>> calls_;

  // R-I1: the last `remembered_calls` results, in a ring. A slot is overwritten by copy
  // assignment, which reuses the strings and vectors of the result it forgets: remembering a
  // result then costs no allocation and no free, once the ring is full.
  mutable std::mutex finished_mutex_;
  std::vector<CallResult> finished_ring_;
  std::size_t finished_next_ = 0;  // the slot overwritten next
  ById<std::size_t> finished_;     // call id -> slot

  std::array<std::mutex, 64> number_locks_;  // R-I2: one creation per number at a time

  struct Queued {
    WriteBatch batch;
    std::uint32_t journal_seq = 0;  // the seq the journal knows it by (rebind changes batch.seq)
  };
  OutboxJournal* journal_ = nullptr;
  mutable std::mutex outbox_mutex_;
  std::deque<Queued> outbox_;
  std::atomic<std::size_t> store_errors_{0};
  std::atomic<std::size_t> observer_errors_{0};

  // Writes by other processes (R-I2, the SQLite store): checked before each call.
  std::mutex refresh_mutex_;
  std::uint64_t seen_version_ = 0;
  std::uint64_t change_cursor_ = 0;

  std::atomic<bool> index_missing_{false};  // the store was down when the engine started

  // Reads what other writers changed into the index. Cheap when nothing changed: one
  // data_version() call. Failures leave the index as it is (routing goes on, R-I3).
  void refresh_from_store() {
    if (index_missing_.load(std::memory_order_relaxed)) {
      std::unique_lock lock(refresh_mutex_, std::try_to_lock);
      if (lock.owns_lock() && index_missing_ && index_.rebuild(store_)) index_missing_ = false;
    }
    auto version = store_.data_version();
    if (!version || *version == 0) return;
    std::unique_lock lock(refresh_mutex_, std::try_to_lock);
    if (!lock.owns_lock() || *version == seen_version_) return;  // someone else is at it
    auto changes = store_.changes_since(change_cursor_);
    if (!changes) return;
    if (!changes->complete) {
      if (index_.rebuild(store_)) {
        seen_version_ = *version;
        change_cursor_ = changes->cursor;
      }
      return;
    }
    reindex(changes->changed);
    seen_version_ = *version;
    change_cursor_ = changes->cursor;
  }

  // --- configuration -----------------------------------------------------------------------

  static Result<std::shared_ptr<const Config>> make_config(IntegrationSettings settings,
                                                           const EngineOptions& options) {
    if (auto ok = check_settings(settings); !ok) return fail(ok.error());
    auto policy =
        RoutingPolicy::create(settings, RoutingOptions{options.seed, options.max_route_steps});
    if (!policy) return fail(policy.error());
    auto config =
        std::make_shared<Config>(Config{std::move(settings), std::move(*policy), nullptr, {}});
    config->mode = make_mode_strategy(config->settings);
    for (const auto& line : config->settings.lines)
      config->line_regions.push_back(line_region(line, config->settings.default_region));
    return std::shared_ptr<const Config>(std::move(config));
  }

  std::shared_ptr<const Config> config() const {
    std::lock_guard lock(config_mutex_);
    return config_;
  }

  // Employees as of the directory's current version; rebuilt only when it changed.
  Result<std::shared_ptr<const People>> people(const Config& config) {
    auto version = directory_.version();
    if (!version) return fail(version.error());
    {
      std::lock_guard lock(config_mutex_);
      if (people_ && people_->version == *version && *version != 0) return people_;
    }
    auto staff = directory_.employees();
    if (!staff) return fail(staff.error());
    auto fresh = std::make_shared<People>();
    fresh->version = *version;
    fresh->employees = EmployeeIndex(*staff, config.settings.default_region, normalizer_);
    fresh->roster = Roster(*staff, config.settings.default_region, normalizer_);
    std::lock_guard lock(config_mutex_);
    people_ = fresh;
    return std::shared_ptr<const People>(fresh);
  }

  // --- the registry ------------------------------------------------------------------------

  std::shared_ptr<Call> find_active(std::string_view id) const {
    std::lock_guard lock(calls_mutex_);
    auto it = calls_.find(id);
    return it == calls_.end() ? nullptr : it->second;
  }
  // Runs `f(const CallResult&)` on a remembered result: nullopt when the call is not one.
  template <class F>
  auto with_finished(std::string_view id, F&& f) const
      -> std::optional<std::invoke_result_t<F, const CallResult&>> {
    std::lock_guard lock(finished_mutex_);
    auto it = finished_.find(id);
    if (it == finished_.end()) return std::nullopt;
    return f(finished_ring_[it->second]);
  }
  std::optional<CallProgress> finished_progress(std::string_view id) const {
    return with_finished(id, [](const CallResult& r) { return progress(r); });
  }
  std::optional<CallResult> finished_result(std::string_view id) const {
    return with_finished(id, [](const CallResult& r) { return r; });
  }

  void remember(const CallResult& result) {
    if (options_.remembered_calls == 0) return;
    std::lock_guard lock(finished_mutex_);
    if (finished_ring_.size() < options_.remembered_calls) {
      finished_ring_.push_back(result);
      finished_.emplace(result.call, finished_ring_.size() - 1);
      return;
    }
    const std::size_t slot = finished_next_;
    finished_next_ = (finished_next_ + 1) % finished_ring_.size();
    // The forgotten call's map node is reused for the new one.
    auto node = finished_.extract(finished_ring_[slot].call);
    finished_ring_[slot] = result;
    if (node.empty()) {
      finished_.emplace(result.call, slot);
    } else {
      node.key() = result.call;
      node.mapped() = slot;
      finished_.insert(std::move(node));
    }
  }

  // Remembers a finished call's result (R-I1), forgets the call, and hands the result over.
  // The result is remembered before the call leaves the registry, so an event for it finds
  // one or the other.
  CallResult retire(Call& call) {
    remember(call.result);
    std::lock_guard lock(calls_mutex_);
    calls_.erase(call.id);
    return std::move(call.result);
  }

  // Runs `f` on a call in progress under its lock. A finished call answers from its result
  // (R-I1): also when it finished while this thread waited for the lock.
  template <class F>
  Result<CallProgress> on_call(std::string_view id, F&& f) {
    // Active first, then finished: retire() remembers a call before it leaves the registry,
    // so a call missing from the registry is either remembered or was never started.
    auto call = find_active(id);
    if (!call) {
      if (auto done = finished_progress(id)) return *done;
      return fail(Errc::not_found, fmt::format("call {}: not started", id));
    }
    std::lock_guard lock(call->mutex);
    if (call->finished) {
      if (auto done = finished_progress(id)) return *done;
      return fail(Errc::invalid_state, fmt::format("call {}: already ended", id));
    }
    call->last_event = clock_.now();
    return f(*call);
  }

  // A call's progress, under its lock: from the remembered result once it has ended (its own
  // result was handed to the caller of end_call).
  CallProgress progress_locked(const Call& c) const {
    if (c.finished)
      if (auto done = finished_progress(c.id)) return *done;
    return progress(c);
  }

  static CallProgress progress(const Call& c) {
    CallProgress p;
    p.call = c.id;
    p.crm = c.result.match.crm;
    p.primary = c.result.match.primary;
    p.responsible = c.result.match.responsible;
    p.steps = c.result.route.size();
    if (!c.result.route.empty()) p.current = c.result.route.back();
    p.routing_ended = c.routing_ended;
    p.ended = c.finished;
    return p;
  }
  static CallProgress progress(const CallResult& r) {
    CallProgress p;
    p.call = r.call;
    p.crm = r.match.crm;
    p.primary = r.match.primary;
    p.responsible = r.match.responsible;
    p.steps = r.route.size();
    if (!r.route.empty()) p.current = r.route.back();
    p.routing_ended = true;
    p.ended = true;
    return p;
  }

  void observe(Result<void> r) {
    if (!r) observer_errors_.fetch_add(1, std::memory_order_relaxed);
  }

  // --- CRM writes ----------------------------------------------------------------------------

  // Applies `ops` now, or keeps them for the end of the call once the store is unavailable.
  // Returns the receipt when applied now, and then hands `ops` back as applied (so a caller
  // can keep what it wrote without copying it first); otherwise they are appended to the
  // call's pending writes and `ops` is left empty.
  std::optional<WriteReceipt> write(Call& c, std::vector<WriteOp>&& ops,
                                    std::optional<UnknownCallerClaim> claim = std::nullopt) {
    if (ops.empty()) return WriteReceipt{};
    if (!c.deferred) {
      WriteBatch batch;
      batch.call = c.id;
      batch.seq = c.next_seq++;
      if (claim) batch.claim.emplace(*claim);  // (member-wise: GCC 12 -O3 misreads the copy)
      batch.ops = std::move(ops);
      auto receipt = store_.apply(batch);
      ops = std::move(batch.ops);
      if (receipt) return std::move(*receipt);
      store_errors_.fetch_add(1, std::memory_order_relaxed);
      if (observer_) observe(observer_->on_store_error(c.id, receipt.error()));
      c.deferred = true;  // keep every later write of the call in order behind this one
    }
    if (claim && !c.pending_claim) c.pending_claim = claim;
    for (auto& op : ops) c.pending.push_back(std::move(op));
    ops.clear();
    return std::nullopt;
  }

  // Upserts the current state of `refs` from the store, or removes those that are gone. A
  // record the store cannot read now is left as the index has it.
  void reindex(const std::vector<EntityRef>& refs) {
    index_.update([&](CrmIndex::Writer& tx) {
      for (const auto& ref : refs) {
        auto put = [&](const auto& found) {
          if (!found) return;  // a read error: keep what we know
          if (*found)
            tx.upsert(**found);
          else
            tx.remove(ref);
        };
        switch (ref.type) {
          case EntityType::lead: put(store_.find_lead(ref.id)); break;
          case EntityType::contact: put(store_.find_contact(ref.id)); break;
          case EntityType::company: put(store_.find_company(ref.id)); break;
          case EntityType::deal: put(store_.find_deal(ref.id)); break;
          case EntityType::invoice: break;
        }
      }
    });
  }

  // Reads the records a batch created back from the store into the index.
  void index_created(const std::vector<EntityRef>& refs) { reindex(refs); }

  // Files the records an applied batch created, as written, with the ids the store gave them
  // (`ops` is the batch write() handed back). The store holds exactly what it was sent, so
  // this spares reading each record back (a query each on a SQL store). A replayed batch was
  // written before, maybe differently: that one is read back.
  void index_written(std::vector<WriteOp>& ops, const WriteReceipt& receipt) {
    if (receipt.replayed) return index_created(receipt.created);
    auto resolve = [&](EntityType type, std::optional<EntityId> id) -> std::optional<EntityId> {
      if (!id) return id;
      return LocalRefs::find_in(receipt.created, type, *id).value_or(*id);
    };
    std::size_t next = 0;  // receipt.created lists the created records in the order of ops
    index_.update([&](CrmIndex::Writer& tx) {
      for (auto& op : ops) {
        if (next == receipt.created.size()) break;
        if (auto* company = std::get_if<CreateCompany>(&op)) {
          company->company.id = receipt.created[next++].id;
          tx.upsert(company->company);
        } else if (auto* contact = std::get_if<CreateContact>(&op)) {
          contact->contact.id = receipt.created[next++].id;
          contact->contact.company = resolve(EntityType::company, contact->contact.company);
          tx.upsert(contact->contact);
        } else if (auto* lead = std::get_if<CreateLead>(&op)) {
          lead->lead.id = receipt.created[next++].id;
          lead->lead.contact = resolve(EntityType::contact, lead->lead.contact);
          lead->lead.company = resolve(EntityType::company, lead->lead.company);
          tx.upsert(lead->lead);
        } else if (auto* deal = std::get_if<CreateDeal>(&op)) {
          deal->deal.id = receipt.created[next++].id;
          deal->deal.contact = resolve(EntityType::contact, deal->deal.contact);
          deal->deal.company = resolve(EntityType::company, deal->deal.company);
          tx.upsert(deal->deal);
        } else if (std::holds_alternative<CreateInvoice>(op)) {
          ++next;  // invoices are not indexed
        }
      }
    });
  }

  // --- creating records (R-L5, R-I2) ---------------------------------------------------------

  // By type, stable. A call creates a handful of records: an insertion sort, which unlike
  // std::stable_sort needs no temporary buffer.
  static void sort_created(std::vector<CreatedEntity>& created) {
    auto by_type = [](const auto& a, const auto& b) { return a.entity.type < b.entity.type; };
    for (auto it = created.begin(); it != created.end(); ++it)
      std::rotate(std::upper_bound(created.begin(), it, *it, by_type), it, std::next(it));
  }

  EntityRef next_local(Call& c, EntityType type) {
    auto& n = c.local_counts[static_cast<std::size_t>(type)];
    return {type, -++n};
  }

  // Creates what the plan says, for `responsible`. Under a per-number lock: if another call
  // created records for this number meanwhile, this call binds to them instead (R-I2).
  void create_planned(Call& c, std::optional<EmployeeId> responsible) {
    if (c.creation_done || !c.plan.creates_anything()) return;
    c.creation_done = true;
    const PhoneNumber& number = c.result.match.number;
    std::unique_lock number_lock(number_locks_[std::hash<std::string_view>{}(number.e164()) % 64]);
    if (c.result.match.crm == CrmState::unknown && number.is_dialable()) {
      // Did a concurrent call create records for this number since this call's lookup? A
      // posting under its E.164 key says so; only then is the full match worth running.
      auto snapshot = index_.snapshot();
      bool filed = false;
      snapshot.for_each_posting(number.key(), [&](EntityRef, WrittenForm) { filed = true; });
      if (filed) {
        const Config& config = *c.config;
        MatchRequest again{c.result.input, config.line_regions[c.route_call.line], true,
                           std::nullopt};
        MatchResult now = matcher_.match(number, again, snapshot, exceptions_, c.people->employees);
        const bool taken =
            now.crm == CrmState::matched &&
            (config.settings.crm_mode == CrmMode::simple || now.primary->type == EntityType::lead);
        if (taken) {
          c.bound = now.bindings;
          return;
        }
      }
    }
    // Creation happens once per call (creation_done): the plan's records move into the batch.
    const std::size_t count = (c.plan.company ? 1 : 0) + (c.plan.contact ? 1 : 0) +
                              (c.plan.lead ? 1 : 0) + (c.plan.deal ? 1 : 0);
    std::vector<WriteOp> ops;
    ops.reserve(count);
    std::vector<CreatedEntity> created;
    created.reserve(count);
    auto local = [&](EntityType t) { return next_local(c, t); };
    if (c.plan.company) {
      Company v = std::move(*c.plan.company);
      v.responsible = responsible;
      created.push_back({local(EntityType::company), v.title, std::nullopt, responsible, false, 0});
      ops.push_back(CreateCompany{std::move(v)});
    }
    if (c.plan.contact) {
      Contact v = std::move(*c.plan.contact);
      v.responsible = responsible;
      created.push_back({local(EntityType::contact), v.name, std::nullopt, responsible, false, 0});
      ops.push_back(CreateContact{std::move(v)});
    }
    if (c.plan.lead) {
      Lead v = std::move(*c.plan.lead);
      v.responsible = responsible;
      v.modified = c.at;
      created.push_back({local(EntityType::lead), v.title, v.source, responsible, v.repeat, 0});
      ops.push_back(CreateLead{std::move(v)});
    }
    if (c.plan.deal) {
      Deal v = std::move(*c.plan.deal);
      v.responsible = responsible;
      v.modified = c.at;
      created.push_back({local(EntityType::deal), v.title, v.source, responsible, v.repeat, 0});
      ops.push_back(CreateDeal{std::move(v)});
    }
    std::optional<UnknownCallerClaim> claim;
    if (number.is_dialable())
      claim = UnknownCallerClaim{std::string(number.e164()), c.at, options_.claim_window};
    auto receipt = write(c, std::move(ops), claim);
    if (receipt && receipt->claimed_by) {  // another process created them first
      c.bound = receipt->created;
      index_created(receipt->created);
      return;
    }
    if (receipt) {
      for (std::size_t i = 0; i < created.size() && i < receipt->created.size(); ++i)
        created[i].entity = receipt->created[i];
      index_written(ops, *receipt);
    }
    if (c.result.created.empty())
      c.result.created = std::move(created);
    else
      for (auto& e : created) c.result.created.push_back(std::move(e));
    sort_created(c.result.created);
  }

  // Gives everything the call created to `to` (R-T1, R-T2); only actual changes count.
  void reassign_created(Call& c, EmployeeId to, ReassignReason why) {
    std::vector<WriteOp> ops;
    for (auto& e : c.result.created) {
      const std::optional<EmployeeId> from =
          current_responsible(c, e.entity).value_or(e.responsible);
      if (from == to) continue;
      ops.push_back(Reassign{e.entity, to});
      c.result.reassigned.push_back({e.entity, from, to, why});
    }
    if (ops.empty()) return;
    write(c, std::move(ops));
    if (!c.deferred)  // the batch is handed back: its Reassign operations name what changed
      index_.update([&](CrmIndex::Writer& tx) {
        for (const auto& op : ops) tx.set_responsible(std::get<Reassign>(op).entity, to);
      });
  }

  // The responsible a created record has now: its last reassignment, else its creation's.
  static std::optional<std::optional<EmployeeId>> current_responsible(const Call& c,
                                                                      EntityRef ref) {
    for (auto it = c.result.reassigned.rbegin(); it != c.result.reassigned.rend(); ++it)
      if (it->entity == ref) return std::optional<EmployeeId>(it->to);
    return std::nullopt;
  }

  // --- routing -------------------------------------------------------------------------------

  static RouteEntry entry_of(const RouteStep& step) {
    RouteEntry e;
    e.why = format_as(step.why());
    if (const auto* r = step.get_if<RingStep>()) {
      e.kind = RouteEntry::Kind::ring;
      e.users = r->users;
      e.seconds = r->seconds.count();
    } else if (const auto* f = step.get_if<ForwardStep>()) {
      e.kind = RouteEntry::Kind::forward;
      e.number = f->number;
      e.employee = f->employee;
      e.seconds = f->seconds.count();
    } else if (const auto* v = step.get_if<VoicemailStep>()) {
      e.kind = RouteEntry::Kind::voicemail;
      e.employee = v->user;
    } else {
      e.kind = RouteEntry::Kind::hang_up;
    }
    return e;
  }

  // Decides the next step after `previous`, records it, creates what is due when the first
  // employee is rung (R-L5), and hands the step to the telephony.
  Result<void> advance(Call& c, StepOutcome previous) {
    RouteDecision decision;
    {
      std::lock_guard lock(stats_mutex_);
      // (The state moves in and back out: next() takes it by value.)
      decision = c.config->policy.next(c.route_call, c.people->roster, queue_stats_,
                                       std::move(c.route_state), previous);
      if (auto offer = decision.offer()) queue_stats_.apply(*offer);
    }
    c.route_state = std::move(decision.state);
    if (decision.ended()) {
      c.routing_ended = true;
      return {};
    }
    const RouteStep& step = *decision.step;
    c.result.route.push_back(entry_of(step));
    if (const auto* ring = step.get_if<RingStep>()) {
      if (!ring->users.empty()) create_planned(c, ring->users.front());
    } else if (const auto* fwd = step.get_if<ForwardStep>()) {
      if (fwd->employee) create_planned(c, fwd->employee);  // their own phone rings (R-R3)
    } else if (const auto* vm = step.get_if<VoicemailStep>()) {
      c.voicemail_for = vm->user;
    }
    if (step.ends_route()) c.routing_ended = true;
    if (observer_) observe(observer_->on_step(c.id, format_as(step)));
    if (const auto* ring = step.get_if<RingStep>())
      return telephony_.ring(c.id, ring->users, ring->seconds);
    if (const auto* fwd = step.get_if<ForwardStep>())
      return telephony_.forward(c.id, fwd->number, fwd->seconds);
    if (const auto* vm = step.get_if<VoicemailStep>()) return telephony_.voicemail(c.id, vm->user);
    return telephony_.hang_up(c.id);
  }

  // Seconds from the call's start to the start of route step `index`.
  static Seconds step_start(const Call& c, std::size_t index) {
    std::int64_t s = 0;
    for (std::size_t i = 0; i < index && i < c.result.route.size(); ++i)
      s += c.result.route[i].seconds;
    return Seconds(s);
  }

  // --- the end of a call (R-A1 … R-A7) -------------------------------------------------------

  static std::string subject_of(const Call& c) {
    const PhoneNumber& n = c.result.match.number;
    const std::string who = n.is_dialable() ? std::string(n.e164()) : c.result.input;
    switch (c.result.direction) {
      case CallDirection::incoming: return "Incoming call from " + who;
      case CallDirection::outgoing: return "Outgoing call to " + who;
      case CallDirection::callback: return "Callback to " + who;
    }
    return who;
  }

  // R-M5 plus what the call created: deals (created first, then open), leads, contacts,
  // companies, invoices.
  static std::vector<EntityRef> bindings_of(const Call& c) {
    std::vector<EntityRef> all;
    auto add = [&](EntityRef r) {
      if (std::find(all.begin(), all.end(), r) == all.end()) all.push_back(r);
    };
    const auto& matched = c.bound.empty() ? c.result.match.bindings : c.bound;
    for (auto type : {EntityType::deal, EntityType::lead, EntityType::contact, EntityType::company,
                      EntityType::invoice}) {
      for (const auto& e : c.result.created)
        if (e.entity.type == type) add(e.entity);
      for (const auto& r : matched)
        if (r.type == type) add(r);
    }
    return all;
  }

  // R-A3.
  static std::optional<EmployeeId> responsible_of(const Call& c) {
    if (c.result.direction == CallDirection::outgoing) return c.route_call.responsible;
    if (c.holder) return c.holder;
    if (c.voicemail_for) return c.voicemail_for;
    if (c.result.match.responsible) return c.result.match.responsible;
    for (const auto& e : c.result.created)
      if (e.responsible) return current_responsible(c, e.entity).value_or(e.responsible);
    for (auto it = c.result.route.rbegin(); it != c.result.route.rend(); ++it)
      if (it->kind == RouteEntry::Kind::ring && !it->users.empty()) return it->users.front();
    return std::nullopt;
  }

  Result<void> finish(Call& c, const CallEnd& end) {
    const Config& config = *c.config;
    CallResult& r = c.result;
    c.routing_ended = true;
    const bool incoming = r.direction != CallDirection::outgoing;
    const bool answered =
        incoming ? (r.answered_by || r.answered_by_number) : end.duration.count() > 0;

    // R-L5: nobody was rung — create now, for the voicemail's addressee, else the employee an
    // off-hours call is attributed to, else the queue's first member.
    if (!c.creation_done && c.plan.creates_anything()) {
      std::optional<EmployeeId> who = c.voicemail_for;
      if (!who && incoming && config.policy.is_off_hours(c.route_call))
        who = config.policy.attributed_to(c.route_call);
      if (!who) {
        for (const auto& q : config.settings.queues)
          if (q.id == c.line->queue && !q.members.empty()) who = q.members.front();
      }
      create_planned(c, who);
    }

    const bool left_message = c.voicemail_for.has_value() && end.voicemail.has_value() && !answered;
    r.outcome = answered ? CallOutcome::answered
                         : (left_message ? CallOutcome::voicemail : CallOutcome::missed);
    r.status_code = end.status_code.value_or(answered ? 200 : 304);
    const std::int64_t talk = answered ? end.duration.count() : 0;
    if (r.created.empty() && c.bound.empty() && r.match.crm == CrmState::unknown &&
        r.match.number.is_dialable())
      r.offer.assign(config.mode->offer().begin(), config.mode->offer().end());
    else
      r.offer.clear();

    std::vector<WriteOp> ops;
    ops.reserve(3);  // the activity, a missed call or call-back, the history record
    const auto responsible = responsible_of(c);
    auto bindings = bindings_of(c);
    if (!bindings.empty()) {
      CallActivity a;
      a.call = c.id;
      a.bindings = std::move(bindings);
      a.subject = subject_of(c);
      a.direction = r.direction;
      a.start = c.at;
      a.duration = talk;
      a.status = r.outcome == CallOutcome::answered
                     ? ActivityStatus::answered
                     : (r.outcome == CallOutcome::voicemail ? ActivityStatus::voicemail
                                                            : ActivityStatus::missed);
      a.responsible = responsible;
      if (c.line->record_calls && answered) a.recording = end.recording;
      if (r.outcome == CallOutcome::voicemail) a.voicemail = end.voicemail;
      if (end.comment) c.comments.insert(c.comments.begin(), *end.comment);
      if (!c.comments.empty()) {
        std::string text;
        for (const auto& comment : c.comments) text += (text.empty() ? "" : "\n") + comment;
        a.comment = text;
      }
      ops.push_back(WriteActivity{std::move(a)});  // first: the result takes it back below
    }
    const bool in_crm = r.match.crm == CrmState::matched || r.match.crm == CrmState::unknown;
    if (incoming && !answered && in_crm && r.match.number.is_dialable())
      ops.push_back(RecordMissedCall{{std::string(r.match.number.e164()), c.id, std::nullopt}});
    if (!incoming && answered && r.match.number.is_dialable())
      ops.push_back(MarkCalledBack{std::string(r.match.number.e164()), c.id});

    CallRecord& h = r.history;
    h.call = c.id;
    h.direction = r.direction;
    h.number = r.match.number.is_dialable() ? std::string(r.match.number.e164()) : r.input;
    h.line = c.line->number;
    h.start = c.at;
    h.duration = talk;
    h.status_code = r.status_code;
    h.employee = responsible;
    h.crm = r.match.crm;
    ops.push_back(RecordCall{h});

    const bool has_activity = std::holds_alternative<WriteActivity>(ops.front());
    const std::size_t pending_before = c.pending.size();
    const bool applied = write(c, std::move(ops)).has_value();
    // The result keeps the activity as written: moved back out of the applied batch, or
    // copied from the writes that wait for the store (R-I3).
    if (has_activity) {
      if (applied)
        r.activity = std::move(std::get<WriteActivity>(ops.front()).activity);
      else
        r.activity = std::get<WriteActivity>(c.pending[pending_before]).activity;
    }
    if (c.deferred) flush_call(c);

    if (incoming && c.answerer) {
      std::lock_guard lock(stats_mutex_);
      queue_stats_.record_answer(*c.answerer, c.answered_at, c.answered_at + Seconds(talk));
    }
    c.finished = true;
    if (observer_) observe(observer_->on_call_ended(r));
    return {};
  }

  // Sends a deferred call's writes as one batch, or queues it in the outbox (R-I3).
  void flush_call(Call& c) {
    WriteBatch batch;
    batch.call = c.id;
    batch.seq = c.next_seq++;
    if (c.pending_claim) batch.claim.emplace(*c.pending_claim);
    batch.ops = std::move(c.pending);
    c.pending.clear();
    std::lock_guard lock(outbox_mutex_);
    if (journal_) {  // durable before anything else happens to it (R-I3)
      if (auto kept = journal_->append(batch); !kept && observer_)
        observe(observer_->on_store_error(c.id, kept.error()));
    }
    const std::uint32_t seq = batch.seq;
    outbox_.push_back({std::move(batch), seq});
    drain_locked();
  }

  // Applies queued batches in order until the store refuses one. A lost claim means another
  // call created the records first: the batch is re-sent bound to them (R-I2).
  void drain_locked() {
    while (!outbox_.empty()) {
      Queued& q = outbox_.front();
      auto receipt = store_.apply(q.batch);
      if (!receipt) {
        store_errors_.fetch_add(1, std::memory_order_relaxed);
        if (receipt.error().code() == Errc::storage_unavailable) return;
        // Cannot ever apply (a bug, or a record deleted meanwhile): reported, then dropped.
        if (observer_) observe(observer_->on_store_error(q.batch.call, receipt.error()));
      } else if (receipt->claimed_by) {
        rebind(q.batch, receipt->created);
        continue;
      } else {
        index_created(receipt->created);
      }
      if (journal_) {
        if (auto gone = journal_->remove(q.batch.call, q.journal_seq); !gone && observer_)
          observe(observer_->on_store_error(q.batch.call, gone.error()));
      }
      outbox_.pop_front();
    }
  }

  // The batch without its create operations, its local references pointing at `winners`.
  static void rebind(WriteBatch& batch, const std::vector<EntityRef>& winners) {
    const LocalRefs local(winners);
    auto resolve = [&](EntityType type, EntityId id) { return local.resolve(type, id); };
    std::vector<WriteOp> kept;
    for (auto& op : batch.ops) {
      if (std::holds_alternative<CreateLead>(op) || std::holds_alternative<CreateContact>(op) ||
          std::holds_alternative<CreateCompany>(op) || std::holds_alternative<CreateDeal>(op))
        continue;
      if (auto* r = std::get_if<Reassign>(&op))
        r->entity.id = resolve(r->entity.type, r->entity.id);
      if (auto* a = std::get_if<WriteActivity>(&op))
        for (auto& b : a->activity.bindings) b.id = resolve(b.type, b.id);
      if (auto* i = std::get_if<CreateInvoice>(&op))
        i->invoice.entity.id = resolve(i->invoice.entity.type, i->invoice.entity.id);
      kept.push_back(std::move(op));
    }
    batch.ops = std::move(kept);
    batch.claim.reset();
    batch.seq += 1000000;  // a different batch from the store's point of view
  }
};

// --- public API ------------------------------------------------------------------------------

TELCRM_INLINE CallEngine::CallEngine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TELCRM_INLINE CallEngine::~CallEngine() = default;

TELCRM_INLINE Result<std::unique_ptr<CallEngine>> CallEngine::create(
    IntegrationSettings settings, CrmStore& store, Directory& directory, Telephony& telephony,
    const Clock& clock, EngineOptions options, Observer* observer, OutboxJournal* journal) {
  auto config = Impl::make_config(std::move(settings), options);
  if (!config) return fail(config.error());
  auto impl = std::make_unique<Impl>(store, directory, telephony, clock, options, observer,
                                     std::move(*config));
  if (journal) {  // R-I3: writes a previous run could not deliver come first
    auto waiting = journal->pending();
    if (!waiting) return fail(waiting.error());
    impl->journal_ = journal;
    for (auto& batch : *waiting) {
      const std::uint32_t seq = batch.seq;
      impl->outbox_.push_back({std::move(batch), seq});
    }
  }
  if (auto cursor = store.change_cursor()) impl->change_cursor_ = *cursor;
  if (auto version = store.data_version()) impl->seen_version_ = *version;
  if (auto loaded = impl->index_.rebuild(store); !loaded) {
    // R-I3: a store that is down at start must not stop the telephony: start with an empty
    // index (every caller unknown, routed to the queue) and load it when the store is back.
    if (loaded.error().code() != Errc::storage_unavailable) return fail(loaded.error());
    impl->index_missing_ = true;
  }
  if (auto people = impl->people(*impl->config()); !people) return fail(people.error());
  {
    std::lock_guard lock(impl->outbox_mutex_);
    impl->drain_locked();
  }
  return std::unique_ptr<CallEngine>(new CallEngine(std::move(impl)));
}

TELCRM_INLINE Result<CallProgress> CallEngine::start_call(const CallStart& event) {
  Impl& e = *impl_;
  if (auto active = e.find_active(event.call)) {
    std::lock_guard lock(active->mutex);
    return e.progress_locked(*active);  // R-I1: the same start again
  }
  auto config = e.config();
  auto line = config->policy.find_line(event.line);
  if (!line)
    return fail(Errc::not_found,
                fmt::format("call {}: line '{}' is not configured", event.call, event.line));
  if (event.direction == CallDirection::outgoing && !event.user)
    return fail(Errc::invalid_argument,
                fmt::format("call {}: an outgoing call needs the employee who dials", event.call));
  auto people = e.people(*config);
  if (!people) return fail(people.error());
  e.refresh_from_store();

  auto call = std::make_shared<Call>();
  Call& c = *call;
  std::lock_guard lock(c.mutex);
  std::shared_ptr<Call> other;
  {
    std::lock_guard registry(e.calls_mutex_);
    auto [it, inserted] = e.calls_.emplace(event.call, call);
    if (!inserted) other = it->second;
  }
  if (other) {  // another thread started the same call a moment ago (R-I1)
    std::lock_guard other_lock(other->mutex);
    return e.progress_locked(*other);
  }
  if (auto done = e.finished_progress(event.call)) {  // a repeat of a call that ended (R-I1)
    std::lock_guard registry(e.calls_mutex_);
    e.calls_.erase(event.call);
    return *done;
  }
  c.id = event.call;
  c.config = config;
  c.people = *people;
  c.line = &config->settings.lines[*line];
  c.at = event.at.value_or(e.clock_.now());
  c.last_event = e.clock_.now();
  c.result.call = c.id;
  c.result.direction = event.direction;
  c.result.input = event.number;

  const Region region = config->line_regions[*line];
  const PhoneNumber number = e.normalizer_.normalize(event.number, region);
  MatchRequest request{event.number, region, c.line->crm_lookup, event.card};
  c.result.match =
      e.matcher_.match(number, request, e.index_.snapshot(), e.exceptions_, c.people->employees);
  c.result.creation = CreationReason::not_in_crm;
  c.plan = LeadFactory::plan(CreationRequest{*c.line, event.direction, c.result.match, event.number,
                                             c.at, config->settings.repeat_sales},
                             *config->mode);
  c.result.creation = c.plan.reason;
  c.route_call.line = *line;
  c.route_call.direction = event.direction;
  c.route_call.at = c.at;
  c.route_call.call_id = c.id;
  c.route_call.responsible = c.result.match.responsible;

  if (event.direction == CallDirection::outgoing) {
    c.route_call.responsible = event.user;  // the dialer (R-A3), not routed
    c.routing_ended = true;
    e.create_planned(c, event.user);  // R-L5: for the employee who dials
    return Impl::progress(c);
  }
  auto begun = config->policy.begin(c.route_call);
  if (!begun) return fail(begun.error());
  c.route_state = std::move(*begun);
  if (auto issued = e.advance(c, StepOutcome::none); !issued) return fail(issued.error());
  return Impl::progress(c);
}

TELCRM_INLINE Result<CallProgress> CallEngine::step_ended(const StepEnded& event) {
  return impl_->on_call(event.call, [&](Call& c) -> Result<CallProgress> {
    Impl& e = *impl_;
    // Only the running step can end; an older step's event is a repeat (R-I1).
    if (c.routing_ended || event.step + 1 != c.result.route.size()) return Impl::progress(c);
    if (event.rang && event.rang->count() < c.result.route.back().seconds)
      c.result.route.back().seconds = std::max<std::int64_t>(0, event.rang->count());
    if (auto issued = e.advance(c, event.outcome); !issued) return fail(issued.error());
    return Impl::progress(c);
  });
}

TELCRM_INLINE Result<CallProgress> CallEngine::answered(const Answered& event) {
  return impl_->on_call(event.call, [&](Call& c) -> Result<CallProgress> {
    Impl& e = *impl_;
    if (c.result.answered_by || c.result.answered_by_number) return Impl::progress(c);
    if (event.step >= c.result.route.size())
      return fail(Errc::invalid_state,
                  fmt::format("call {}: no step {} to answer", event.call, event.step));
    const RouteEntry& step = c.result.route[event.step];
    std::optional<EmployeeId> who = event.employee;
    if (step.kind == RouteEntry::Kind::forward) {
      // The forwarded number answered; on an employee's own phone it counts as theirs (R-R3).
      c.result.answered_by_number = event.number.value_or(step.number);
      if (!who) who = step.employee;
    }
    c.result.answered_by = who;
    if (who) {
      c.holder = who;
      c.answerer = who;
      c.answered_at = c.at + Impl::step_start(c, event.step + 1);
      e.create_planned(c, who);
      e.reassign_created(c, *who, ReassignReason::answered);  // R-T2
    }
    c.routing_ended = true;
    return Impl::progress(c);
  });
}

TELCRM_INLINE Result<CallProgress> CallEngine::caller_hung_up(const CallerHungUp& event) {
  return impl_->on_call(event.call, [&](Call& c) -> Result<CallProgress> {
    if (c.routing_ended) return Impl::progress(c);
    // The running step is listed only if it began before the caller left, cut at that moment.
    if (!c.result.route.empty()) {
      const std::size_t last = c.result.route.size() - 1;
      const Seconds start = Impl::step_start(c, last);
      if (event.after <= start) {
        c.result.route.pop_back();
        if (c.voicemail_for && c.result.route.size() == last) c.voicemail_for.reset();
      } else {
        auto& seconds = c.result.route.back().seconds;
        seconds = std::min<std::int64_t>(seconds, (event.after - start).count());
      }
    }
    c.routing_ended = true;
    return Impl::progress(c);
  });
}

TELCRM_INLINE Result<CallProgress> CallEngine::transferred(const Transferred& event) {
  return impl_->on_call(event.call, [&](Call& c) -> Result<CallProgress> {
    Impl& e = *impl_;
    if (!c.holder)
      return fail(Errc::invalid_state,
                  fmt::format("call {}: only an answered call can be transferred", event.call));
    if (c.result.transferred_to == event.to && c.holder == event.to) return Impl::progress(c);
    c.result.transferred_to = event.to;
    c.holder = event.to;
    if (c.line->change_responsible_on_transfer)  // R-T1: never the records that existed before
      e.reassign_created(c, event.to, ReassignReason::transfer);
    return Impl::progress(c);
  });
}

TELCRM_INLINE Result<CallProgress> CallEngine::during_call(const DuringCallAction& event) {
  return impl_->on_call(event.call, [&](Call& c) -> Result<CallProgress> {
    Impl& e = *impl_;
    if (!c.actions_done.insert(event.index).second) return Impl::progress(c);
    if (const auto* comment = std::get_if<DuringCallAction::Comment>(&event.action)) {
      c.comments.push_back(comment->text);
      return Impl::progress(c);
    }
    const auto employee =
        c.holder ? c.holder
                 : (c.result.direction == CallDirection::outgoing ? c.route_call.responsible
                                                                  : std::nullopt);
    if (!employee)
      return fail(Errc::invalid_state,
                  fmt::format("call {}: nobody is on the call to create records", event.call));
    // R-A7: bound to the call's client — the primary entity, or what the call created.
    std::optional<EntityRef> client = c.result.match.primary;
    for (const auto& created : c.result.created)
      if (!client && created.entity.type != EntityType::deal &&
          created.entity.type != EntityType::invoice)
        client = created.entity;
    if (!client && !c.bound.empty()) client = c.bound.back();
    if (!client)
      return fail(Errc::invalid_state,
                  fmt::format("call {}: no client to create records for", event.call));

    std::vector<WriteOp> ops;
    CreatedEntity made;
    if (const auto* deal = std::get_if<DuringCallAction::CreateDeal>(&event.action)) {
      Deal d;
      d.title = deal->title;
      d.responsible = employee;
      d.modified = c.at;
      d.source = c.line->source;
      if (c.config->settings.crm_mode == CrmMode::simple)
        d.pipeline = c.config->settings.simple_mode.pipeline;
      if (client->type == EntityType::contact) {
        d.contact = client->id;
        if (c.result.match.company) d.company = c.result.match.company->id;
      } else if (client->type == EntityType::company) {
        d.company = client->id;
      } else if (auto facts = e.index_.snapshot().facts(*client)) {  // a lead: its links
        d.contact = facts->contact;
        d.company = facts->company;
      }
      made = {e.next_local(c, EntityType::deal), d.title, d.source, employee, false, 0};
      ops.push_back(CreateDeal{std::move(d)});
    } else if (const auto* inv = std::get_if<DuringCallAction::CreateInvoice>(&event.action)) {
      Invoice i;
      i.amount = inv->amount;
      i.entity = *client;
      i.responsible = employee;
      i.call = c.id;
      made = {e.next_local(c, EntityType::invoice), "", std::nullopt, employee, false, inv->amount};
      ops.push_back(CreateInvoice{std::move(i)});
    }
    auto receipt = e.write(c, std::move(ops));
    if (receipt && !receipt->created.empty()) {
      made.entity = receipt->created.front();
      e.index_written(ops, *receipt);
    }
    c.result.created.push_back(made);
    Impl::sort_created(c.result.created);
    return Impl::progress(c);
  });
}

TELCRM_INLINE Result<CallResult> CallEngine::end_call(const CallEnd& event) {
  Impl& e = *impl_;
  auto call = e.find_active(event.call);  // then the remembered results (see on_call)
  if (!call) {
    if (auto done = e.finished_result(event.call)) return std::move(*done);  // R-I1
    return fail(Errc::not_found, fmt::format("call {}: not started", event.call));
  }
  std::unique_lock lock(call->mutex);
  if (call->finished) {
    lock.unlock();
    if (auto done = e.finished_result(event.call)) return std::move(*done);
    return fail(Errc::invalid_state, fmt::format("call {}: already ended", event.call));
  }
  if (auto finished = e.finish(*call, event); !finished) return fail(finished.error());
  return e.retire(*call);
}

TELCRM_INLINE std::vector<CallResult> CallEngine::reap(Timestamp now) {
  Impl& e = *impl_;
  std::vector<std::shared_ptr<Call>> stale;
  {
    std::lock_guard lock(e.calls_mutex_);
    for (const auto& [id, call] : e.calls_) stale.push_back(call);
  }
  std::vector<CallResult> closed;
  for (const auto& call : stale) {
    std::lock_guard lock(call->mutex);
    if (call->finished || now - call->last_event < e.options_.stale_after) continue;
    if (e.finish(*call, CallEnd{call->id, Seconds(0), std::nullopt, std::nullopt, std::nullopt,
                                std::nullopt}))
      closed.push_back(e.retire(*call));
  }
  return closed;
}

TELCRM_INLINE std::optional<CallResult> CallEngine::result(std::string_view call) const {
  return impl_->finished_result(call);
}

TELCRM_INLINE Result<void> CallEngine::update_settings(IntegrationSettings settings) {
  Impl& e = *impl_;
  auto config = Impl::make_config(std::move(settings), e.options_);
  if (!config) return fail(config.error());
  const auto& before = e.config()->settings;
  const bool rekey = before.default_region != (*config)->settings.default_region ||
                     before.match_suffix_digits != (*config)->settings.match_suffix_digits;
  if (rekey)
    return fail(Errc::invalid_argument,
                "changing default_region or match_suffix_digits needs a new engine (the index is "
                "keyed by them)");
  if (before.exceptions != (*config)->settings.exceptions) {
    for (const auto& p : e.exceptions_.phones()) e.exceptions_.remove_phone(p);
    for (const auto& m : e.exceptions_.emails()) e.exceptions_.remove_email(m);
    for (const auto& p : (*config)->settings.exceptions.phones) e.exceptions_.add_phone(p);
    for (const auto& m : (*config)->settings.exceptions.emails) e.exceptions_.add_email(m);
  }
  std::lock_guard lock(e.config_mutex_);
  e.config_ = std::move(*config);
  e.people_.reset();  // employees may have changed with the settings
  return {};
}

TELCRM_INLINE ExceptionList& CallEngine::exceptions() noexcept {
  return impl_->exceptions_;
}

TELCRM_INLINE Result<void> CallEngine::reload_crm() {
  return impl_->index_.rebuild(impl_->store_);
}

TELCRM_INLINE std::size_t CallEngine::flush_outbox() {
  std::lock_guard lock(impl_->outbox_mutex_);
  impl_->drain_locked();
  return impl_->outbox_.size();
}

TELCRM_INLINE EngineStats CallEngine::stats() const {
  EngineStats s;
  {
    std::lock_guard lock(impl_->calls_mutex_);
    s.active_calls = impl_->calls_.size();
  }
  {
    std::lock_guard lock(impl_->finished_mutex_);
    s.finished_calls = impl_->finished_.size();
  }
  {
    std::lock_guard lock(impl_->outbox_mutex_);
    s.pending_writes = impl_->outbox_.size();
  }
  s.store_errors = impl_->store_errors_.load();
  s.observer_errors = impl_->observer_errors_.load();
  return s;
}

TELCRM_INLINE QueueStats CallEngine::queue_stats() const {
  std::lock_guard lock(impl_->stats_mutex_);
  return impl_->queue_stats_;
}

TELCRM_END_NAMESPACE
