// SPDX-License-Identifier: Apache-2.0
#pragma once
// The fault soak's definitions (compiled into telcrm::testing, or inline header-only). One
// thread drives everything, so a seed gives the same run (the store's own timing aside).

#include <telcrm/engine/call_engine.hpp>
#include <telcrm/memory/memory_directory.hpp>
#include <telcrm/memory/memory_outbox_journal.hpp>
#include <telcrm/ports/clock.hpp>
#include <telcrm/ports/crm_inspection.hpp>
#include <telcrm/ports/observer.hpp>
#include <telcrm/sim/null_telephony.hpp>
#include <telcrm/testing/fault_soak.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>

TELCRM_BEGIN_NAMESPACE
namespace soak_detail {

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  std::size_t below(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(next() % n); }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

 private:
  std::uint64_t state_;
};

struct Live {
  std::string id;
  std::string number;
  Timestamp start{};
  CallProgress progress{};
  bool started = false;
  bool answered = false;
  bool abandon = false;
};

// Keeps what the store refused for good (anything but "try again later").
class DropObserver final : public Observer {
 public:
  Result<void> on_store_error(std::string_view call, const Error& error) override {
    if (error.code() != Errc::storage_unavailable && dropped.size() < 20)
      dropped.push_back(std::string(call) + ": " + error.message());
    return {};
  }
  std::vector<std::string> dropped;
};

class Soak {
 public:
  Soak(CrmStore& store, const SoakOptions& o)
      : store_(store),
        o_(o),
        rng_(o.seed),
        faulty_(store, FaultSchedule{}),
        directory_(std::vector<Employee>{
            {.id = 1, .name = "Anna"}, {.id = 2, .name = "Boris"}, {.id = 3, .name = "Vera"}}) {}

  SoakReport run() {
    if (!setup()) return std::move(report_);
    const std::size_t unknown =
        o_.unknown_numbers > 0 ? o_.unknown_numbers : std::max<std::size_t>(20, o_.calls / 10);
    faulty_.set_schedule(o_.faults);
    std::size_t made = 0;
    std::size_t since_flush = 0;
    while (made < o_.calls || !live_.empty()) {
      const bool start_new =
          made < o_.calls && (live_.size() < o_.concurrent || live_.empty() || rng_.below(4) == 0);
      clock_.advance(Seconds(1 + static_cast<long>(rng_.below(8))));
      if (start_new) {
        Live c;
        c.id = fmt::format("soak-{}", made++);
        if (rng_.uniform() < 0.3) {
          c.number = known_number(rng_.below(o_.known_clients));
        } else {
          c.number = unknown_number(rng_.below(unknown));
          unknown_called_.insert(c.number);
        }
        c.abandon = rng_.uniform() < o_.abandoned;
        number_of_[c.id] = c.number;
        live_.push_back(std::move(c));
        step(live_.size() - 1);
      } else {
        step(rng_.below(live_.size()));
      }
      ++report_.events;
      if (++since_flush >= o_.flush_every) {
        since_flush = 0;
        flush_once();
      }
      if (report_.events % 512 == 0) (void)engine_->refresh();
      if (report_.events % 2048 == 0) report_.reaped += engine_->reap(clock_.now()).size();
    }
    report_.calls = made;
    report_.faults = faulty_.counts();
    faulty_.heal();
    settle();
    clock_.advance(options().stale_after + Seconds(1));
    report_.reaped += engine_->reap(clock_.now()).size();
    settle();
    check();
    return std::move(report_);
  }

 private:
  static EngineOptions options() {
    EngineOptions e;
    e.stale_after = Seconds(3600);
    e.max_group = 16;
    return e;
  }
  static std::string known_number(std::size_t i) { return fmt::format("+7916{:07}", 1000 + i); }
  static std::string unknown_number(std::size_t i) { return fmt::format("+7903{:07}", 5000 + i); }

  void failure(std::string rule, std::string expected, std::string seen) {
    if (report_.failures.size() < 50)
      report_.failures.push_back({std::move(rule), std::move(expected), std::move(seen)});
  }

  bool setup() {
    using namespace std::chrono;
    clock_.set(sys_days(year(2026) / 11 / 24) + hours(10));
    if (store_.inspection() == nullptr) {
      failure("soak.inspection", "a store offering inspection()", "none");
      return false;
    }
    WriteBatch clients{.call = "soak-setup", .seq = 1, .claim = {}, .ops = {}, .at = clock_.now()};
    for (std::size_t i = 0; i < o_.known_clients; ++i)
      clients.ops.push_back(CreateContact{Contact{.id = -static_cast<EntityId>(i + 1),
                                                  .name = fmt::format("Client {}", i),
                                                  .phones = {known_number(i)},
                                                  .emails = {},
                                                  .responsible = 1 + static_cast<EmployeeId>(i % 2),
                                                  .company = {}}});
    if (auto r = store_.apply(clients); !r) {
      failure("soak.setup", "the known clients written", r.error().message());
      return false;
    }
    IntegrationSettings s;
    s.default_region = *Region::from_code("RU");
    s.queues = {
        {.id = "q", .members = {1, 2, 3}, .distribution = Distribution::evenly, .rings = 2}};
    LineSettings line;
    line.number = "+74950000000";
    line.queue = "q";
    line.responsible_ring_time = Seconds(20);
    s.lines = {line};
    auto e = CallEngine::create(
        s, Ports{faulty_, directory_, telephony_, clock_, &observer_, &journal_}, options());
    if (!e) {
      failure("soak.setup", "an engine", e.error().message());
      return false;
    }
    engine_ = std::move(*e);
    return true;
  }

  void event_failed(const Live& c, const Error& error) {
    failure("soak.event", "every event of " + c.id + " accepted", error.message());
  }

  // One event of call `i`; a finished or abandoned call leaves the live set.
  void step(std::size_t i) {
    Live& c = live_[i];
    auto done = [&] {
      live_[i] = std::move(live_.back());
      live_.pop_back();
    };
    if (!c.started) {
      c.started = true;
      c.start = clock_.now();
      auto p = engine_->start_call(CallStart{.call = c.id,
                                             .direction = CallDirection::incoming,
                                             .line = "+74950000000",
                                             .number = c.number,
                                             .at = c.start});
      if (!p) return event_failed(c, p.error()), done();
      c.progress = *p;
      return;
    }
    if (!c.progress.routing_ended) {
      const auto& cur = c.progress.current;
      const double roll = rng_.uniform();
      Result<CallProgress> p = c.progress;
      if (roll < 0.55 && cur && cur->kind == RouteEntry::Kind::ring && !cur->employees.empty() &&
          c.progress.steps > 0) {
        c.answered = true;
        p = engine_->answered(Answered{.call = c.id,
                                       .step = c.progress.steps - 1,
                                       .employee = cur->employees.front(),
                                       .number = {}});
      } else if (roll < 0.8 && c.progress.steps > 0 && c.progress.steps < 4) {
        p = engine_->step_ended(StepEnded{.call = c.id,
                                          .step = c.progress.steps - 1,
                                          .outcome = StepOutcome::no_answer,
                                          .rang = {}});
      } else {
        p = engine_->caller_hung_up(CallerHungUp{
            .call = c.id, .after = std::chrono::duration_cast<Seconds>(clock_.now() - c.start)});
      }
      if (!p) return event_failed(c, p.error()), done();
      c.progress = *p;
      return;
    }
    if (c.abandon) return done();  // the PBX never says: reap() will
    auto r = engine_->end_call(
        CallEnd{.call = c.id, .duration = Seconds(c.answered ? 40 : 0), .status = {}});
    if (!r) event_failed(c, r.error());
    done();
  }

  void flush_once() {
    report_.max_pending = std::max(report_.max_pending, engine_->stats().pending_writes);
    engine_->flush();
    ++report_.flushes;
  }

  void settle() {
    for (int i = 0; i < 1000 && engine_->stats().pending_writes > 0; ++i) flush_once();
    (void)engine_->refresh();
  }

  void check() {
    const EngineStats st = engine_->stats();
    if (st.pending_writes != 0)
      failure("soak.outbox-empty", "no batch waiting after the store healed",
              fmt::format("{} waiting", st.pending_writes));
    if (st.dropped_writes != 0)
      failure("soak.nothing-dropped", "no batch refused for good",
              fmt::format("{} dropped", st.dropped_writes));
    for (const auto& d : observer_.dropped)
      failure("soak.nothing-dropped", "every batch applied", "refused: " + d);
    if (st.active_calls != 0)
      failure("soak.none-active", "no call active after reap()",
              fmt::format("{} active", st.active_calls));
    if (auto j = journal_.pending(); !j || !j->empty())
      failure("soak.journal-empty", "an empty journal",
              j ? fmt::format("{} batches", j->size()) : j.error().message());
    auto snap = store_.inspection()->snapshot();
    if (!snap) return failure("soak.snapshot", "a snapshot", snap.error().message());
    report_.leads = snap->leads.size();
    report_.activities = snap->activities.size();
    report_.unknown_numbers_called = unknown_called_.size();

    std::unordered_map<std::string, std::size_t> activities;
    for (const auto& a : snap->activities) ++activities[a.call];
    std::unordered_map<std::string, std::size_t> records;
    for (const auto& r : snap->history) ++records[r.call];
    for (const auto& [call, number] : number_of_) {
      const auto n = activities.count(call) ? activities[call] : 0;
      if (n != 1)
        failure("soak.activity-once", call + ": exactly one activity",
                fmt::format("{} activities", n));
      const auto h = records.count(call) ? records[call] : 0;
      if (h != 1)
        failure("soak.history-once", call + ": exactly one call record",
                fmt::format("{} records", h));
    }
    if (activities.size() != number_of_.size())
      failure("soak.activity-once", fmt::format("{} activities", number_of_.size()),
              fmt::format("{} calls have one", activities.size()));

    std::map<std::string, std::vector<EntityId>> leads_of;
    for (const auto& l : snap->leads)
      for (const auto& p : l.phones) leads_of[p].push_back(l.id);
    for (const auto& number : unknown_called_) {
      const auto it = leads_of.find(number);
      const std::size_t n = it == leads_of.end() ? 0 : it->second.size();
      if (n != 1) failure("soak.one-lead", number + ": one lead", fmt::format("{} leads", n));
    }
    for (const auto& [phone, ids] : leads_of)
      if (!unknown_called_.count(phone))
        failure("soak.one-lead", "leads only for unknown numbers",
                fmt::format("{} lead(s) for {}", ids.size(), phone));
    for (const auto& a : snap->activities) {
      const auto n = number_of_.find(a.call);
      if (n == number_of_.end() || !unknown_called_.count(n->second)) continue;
      const auto lead = leads_of.find(n->second);
      if (lead == leads_of.end() || lead->second.size() != 1) continue;
      const EntityRef want{EntityType::lead, lead->second.front()};
      if (std::find(a.bindings.begin(), a.bindings.end(), want) == a.bindings.end())
        failure("soak.binds-to-lead",
                fmt::format("{} (from {}) written on lead {}", a.call, n->second, want.id),
                fmt::format("{} binding(s)", a.bindings.size()));
    }
  }

  CrmStore& store_;
  SoakOptions o_;
  Rng rng_;
  FaultyCrmStore faulty_;
  MemoryDirectory directory_;
  NullTelephony telephony_;
  ManualClock clock_;
  MemoryOutboxJournal journal_;
  DropObserver observer_;
  std::unique_ptr<CallEngine> engine_;
  std::vector<Live> live_;
  std::unordered_map<std::string, std::string> number_of_;
  std::set<std::string> unknown_called_;
  SoakReport report_;
};

}  // namespace soak_detail

TELCRM_INLINE SoakReport run_fault_soak(CrmStore& store, const SoakOptions& options) {
  return soak_detail::Soak(store, options).run();
}

TELCRM_END_NAMESPACE
