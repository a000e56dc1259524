// SPDX-License-Identifier: Apache-2.0
// The host contract, seen from a host that logs every port call: an event hands its step to
// the telephony and returns without any CrmStore call; the writes it decided land when the
// host flushes, exactly once — also when the store fails in between. A telephony command
// that fails leaves the step un-issued (no record, no R-Q2 offer) and the event is retried.
#include <telcrm/engine/call_engine.hpp>
#include <telcrm/memory/memory_crm_store.hpp>
#include <telcrm/memory/memory_directory.hpp>
#include <telcrm/routing/route_step.hpp>

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/office.hpp"

using namespace telcrm;
using namespace telcrm_test;

namespace {

// Every port call, in order, as "store.apply c1#1", "telephony.ring c1 [1]", "event c1 …".
struct PortLog {
  std::mutex mutex;
  std::vector<std::string> entries;
  void add(std::string entry) {
    std::lock_guard lock(mutex);
    entries.push_back(std::move(entry));
  }
  std::vector<std::string> take() {
    std::lock_guard lock(mutex);
    return std::exchange(entries, {});
  }
};

// A store that logs every call and can be made to fail.
class RecordingStore final : public CrmStore, public CrmInspection {
 public:
  RecordingStore(PortLog& log, const CrmSnapshot& crm) : log_(log), inner_(crm) {}
  Result<void> scan(CrmVisitor& v) const override {
    log_.add("store.scan");
    return inner_.scan(v);
  }
  Result<std::optional<Contact>> find_contact(EntityId id) const override {
    log_.add("store.find");
    return inner_.find_contact(id);
  }
  Result<std::optional<Company>> find_company(EntityId id) const override {
    log_.add("store.find");
    return inner_.find_company(id);
  }
  Result<std::optional<Lead>> find_lead(EntityId id) const override {
    log_.add("store.find");
    return inner_.find_lead(id);
  }
  Result<std::optional<Deal>> find_deal(EntityId id) const override {
    log_.add("store.find");
    return inner_.find_deal(id);
  }
  Result<WriteReceipt> apply(const WriteBatch& batch) override {
    log_.add(fmt::format("store.apply {}#{}", batch.call, batch.seq));
    return inner_.apply(batch);
  }
  const CrmInspection* inspection() const noexcept override { return this; }
  Result<std::vector<Deal>> open_deals_of(EntityRef c) const override {
    return inner_.open_deals_of(c);
  }
  Result<std::vector<Lead>> open_repeat_leads_of(EntityRef c) const override {
    return inner_.open_repeat_leads_of(c);
  }
  Result<CrmSnapshot> snapshot() const override { return inner_.snapshot(); }
  void set_available(bool up) { inner_.set_available(up); }

 private:
  PortLog& log_;
  MemoryCrmStore inner_;
};

// A PBX that logs every command and can refuse the next one.
class RecordingTelephony final : public Telephony {
 public:
  explicit RecordingTelephony(PortLog& log) : log_(log) {}
  Result<void> ring(std::string_view call, std::span<const EmployeeId> who, Seconds s) override {
    return take(fmt::format("telephony.ring {} [{}] {}s", call, fmt::join(who, ","), s.count()));
  }
  Result<void> forward(std::string_view call, std::string_view number, Seconds s) override {
    return take(fmt::format("telephony.forward {} {} {}s", call, number, s.count()));
  }
  Result<void> voicemail(std::string_view call, EmployeeId e) override {
    return take(fmt::format("telephony.voicemail {} {}", call, e));
  }
  Result<void> hang_up(std::string_view call) override {
    return take(fmt::format("telephony.hang_up {}", call));
  }
  std::atomic<int> refuse{0};  // how many of the next commands fail

 private:
  Result<void> take(std::string entry) {
    if (refuse.load() > 0) {
      --refuse;
      log_.add(entry + " REFUSED");
      return fail(Errc::storage_unavailable, "the PBX is not answering");
    }
    log_.add(std::move(entry));
    return {};
  }
  PortLog& log_;
};

// A host: the ports above, an engine, and events logged around each delivery.
struct Host {
  explicit Host(const Office& office)
      : store(log, office.crm), directory(office.employees), telephony(log) {
    auto e = CallEngine::create(office.settings, Ports{store, directory, telephony, clock});
    REQUIRE_MESSAGE(e.has_value(), e.error().message());
    engine = std::move(*e);
    log.take();  // the index was loaded at creation: not part of any call
  }
  template <class F>
  auto event(const std::string& name, F&& deliver) {
    log.add("event " + name);
    auto r = deliver(*engine);
    log.add("returned " + name);
    return r;
  }
  std::size_t flush() {
    log.add("flush");
    return engine->flush();
  }

  PortLog log;
  RecordingStore store;
  MemoryDirectory directory;
  RecordingTelephony telephony;
  ManualClock clock{tuesday(10)};
  std::unique_ptr<CallEngine> engine;
};

// The contract, read off the log: inside an event (between "event" and "returned") there is
// no store call at all; every event that answered with a step logged its command; store
// writes appear only inside a flush.
void check_order(const std::vector<std::string>& log) {
  bool in_event = false;
  bool in_flush = false;
  for (const auto& entry : log) {
    if (entry.starts_with("event ")) in_event = true, in_flush = false;
    if (entry.starts_with("returned ")) in_event = false;
    if (entry == "flush") in_flush = true;
    if (entry.starts_with("store.")) {
      CHECK_MESSAGE(!in_event, "a store call inside an event: ", fmt::format("{}", log));
      CHECK_MESSAGE(in_flush, "a store call outside a flush: ", entry);
    }
  }
}

std::size_t count_prefix(const std::vector<std::string>& log, std::string_view prefix) {
  std::size_t n = 0;
  for (const auto& e : log) n += e.starts_with(prefix) ? 1 : 0;
  return n;
}

struct Case {
  const char* name;
  Office office;
  const char* from;
  std::vector<std::function<Result<CallProgress>(CallEngine&)>> events;  // after start_call
  const char* command;  // the kind of command the steps include
};

std::function<Result<CallProgress>(CallEngine&)> no_answer(std::size_t step) {
  return [step](CallEngine& e) {
    return e.step_ended(StepEnded{"c1", step, StepOutcome::no_answer, std::nullopt});
  };
}
std::function<Result<CallProgress>(CallEngine&)> answer(std::size_t step, EmployeeId who) {
  return [step, who](CallEngine& e) { return e.answered(Answered{"c1", step, who, {}}); };
}

}  // namespace

TEST_CASE(
    "R-L5 R-I3 host contract: no store call between an event and its command, every step "
    "kind, known and unknown callers, classic and simple modes") {
  auto known = [] { return Office::moscow().contact(5, "+79161234567", 2); };
  std::vector<Case> cases;
  cases.push_back({"known client, ring the responsible, answered",
                   known(),
                   "8 916 123-45-67",
                   {answer(0, 2)},
                   "telephony.ring c1 [2] 20s"});
  cases.push_back({"unknown caller, classic: ring, no answer, next member answers",
                   Office::moscow(),
                   "+79031112233",
                   {no_answer(0), answer(1, 2)},
                   "telephony.ring c1 [1] 10s"});
  cases.push_back({"unknown caller, simple mode: deal and contact",
                   Office::moscow().simple_mode(),
                   "+79031112233",
                   {answer(0, 1)},
                   "telephony.ring c1 [1] 10s"});
  cases.push_back({"ring-all",
                   Office::moscow().queue([](auto& q) { q.distribution = Distribution::all; }),
                   "+79031112233",
                   {answer(0, 2)},
                   "telephony.ring c1 [1,2] 10s"});
  cases.push_back({"forward to the responsible's own phone",
                   known()
                       .line_settings([](auto& l) {
                         l.responsible_no_answer = ResponsibleFallback::forward_to_phone;
                       })
                       .employee(2, [](auto& e) { e.phones.mobile = "+79035550000"; }),
                   "+79161234567",
                   {no_answer(0), answer(1, 2)},
                   "telephony.forward c1 +79035550000 20s"});
  cases.push_back({"voicemail when the queue gives up",
                   Office::moscow(),
                   "+79031112233",
                   {no_answer(0), no_answer(1)},
                   "telephony.voicemail c1 2"});
  cases.push_back({"hang up when the queue gives up",
                   Office::moscow().queue([](auto& q) { q.no_answer = NoAnswerRule::hang_up; }),
                   "+79031112233",
                   {no_answer(0), no_answer(1)},
                   "telephony.hang_up c1"});

  for (auto& c : cases) {
    CAPTURE(c.name);
    for (bool store_fails : {false, true}) {
      CAPTURE(store_fails);
      Host host(c.office);
      if (store_fails) host.store.set_available(false);
      auto started =
          host.event("start", [&](CallEngine& e) { return e.start_call(incoming("c1", c.from)); });
      REQUIRE(started.has_value());
      host.flush();  // a worker's flush between events
      for (std::size_t i = 0; i < c.events.size(); ++i) {
        auto r = host.event(fmt::format("#{}", i + 1), c.events[i]);
        REQUIRE_MESSAGE(r.has_value(), r.error().message());
        host.flush();
      }
      auto ended = host.event("end", [](CallEngine& e) {
        return e.end_call(CallEnd{"c1", Seconds(30), {}, {}, {}, {}});
      });
      REQUIRE(ended.has_value());
      if (store_fails) {
        CHECK(host.flush() > 0);  // still down: everything waits, in order
        host.store.set_available(true);
      }
      CHECK(host.flush() == 0);
      CHECK(host.flush() == 0);  // nothing applied twice
      const auto log = host.log.take();
      check_order(log);
      CHECK(count_prefix(log, c.command) == 1);
      // The writes landed exactly once.
      const auto crm = host.store.snapshot();
      CHECK(crm->history.size() == 1);
      CHECK(crm->activities.size() == (ended->activity ? 1u : 0u));
      const auto result = host.engine->result("c1");
      REQUIRE(result.has_value());
      for (const auto& made : result->created) CHECK(made.entity.id > 0);  // the store's ids
      const std::size_t created = result->created.size();
      CHECK(crm->leads.size() + crm->deals.size() + crm->contacts.size() ==
            created + c.office.crm.contacts.size());
      CHECK(host.engine->stats().pending_writes == 0);
      CHECK(host.engine->stats().dropped_writes == 0);
    }
  }
}

TEST_CASE("R-I1 a telephony command that fails leaves the step un-issued; the event is retried") {
  Office office = Office::moscow().queue([](auto& q) { q.distribution = Distribution::evenly; });
  Host host(office);
  host.telephony.refuse = 1;
  auto refused = host.engine->start_call(incoming("c1", "+79031112233"));
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().code() == Errc::storage_unavailable);
  CHECK(host.engine->stats().active_calls == 0);            // nothing of the call stays
  CHECK(host.engine->queue_stats().offer_times().empty());  // no R-Q2 offer for it
  CHECK(host.flush() == 0);
  CHECK(host.store.snapshot()->leads.empty());  // no CRM record for a step never taken

  // Delivered again: the command is issued again, and the call goes on.
  auto started = host.engine->start_call(incoming("c1", "+79031112233"));
  REQUIRE(started.has_value());
  CHECK(started->steps == 1);
  CHECK(host.engine->queue_stats().last_offer(1).has_value());
  // The next step fails too: it stays un-issued, the offer to member 2 is taken back.
  host.telephony.refuse = 1;
  auto next = host.engine->step_ended(StepEnded{"c1", 0, StepOutcome::no_answer, std::nullopt});
  REQUIRE_FALSE(next.has_value());
  CHECK_FALSE(host.engine->queue_stats().last_offer(2).has_value());
  auto again = host.engine->step_ended(StepEnded{"c1", 0, StepOutcome::no_answer, std::nullopt});
  REQUIRE(again.has_value());
  CHECK(again->steps == 2);
  CHECK(again->current->employees == std::vector<EmployeeId>{2});
  CHECK(host.engine->queue_stats().last_offer(2).has_value());
  REQUIRE(host.engine->answered(Answered{"c1", 1, 2, {}}).has_value());
  REQUIRE(host.engine->end_call(CallEnd{"c1", Seconds(5), {}, {}, {}, {}}).has_value());
  CHECK(host.flush() == 0);
  const auto log = host.log.take();
  CHECK(count_prefix(log, "telephony.ring c1 [1] 10s REFUSED") == 1);
  CHECK(count_prefix(log, "telephony.ring c1 [2] 10s REFUSED") == 1);
  CHECK(count_prefix(log, "telephony.ring c1 [1] 10s") == 2);  // refused once, then issued
  CHECK(host.store.snapshot()->leads.size() == 1);             // created once
  CHECK(host.store.snapshot()->leads[0].responsible == 2);
}

TEST_CASE("Employees come from the directory alone; a member who leaves it is not rung") {
  Office office = Office::moscow();
  MemoryCrmStore store;
  MemoryDirectory directory(office.employees);
  PortLog log;
  RecordingTelephony telephony(log);
  ManualClock clock(tuesday(10));
  struct Missing final : Observer {
    std::vector<std::pair<std::string, EmployeeId>> seen;
    Result<void> on_missing_employee(std::string_view q, EmployeeId e) override {
      seen.emplace_back(std::string(q), e);
      return {};
    }
  } observer;
  auto engine = CallEngine::create(office.settings,
                                   Ports{store, directory, telephony, clock, &observer, nullptr});
  REQUIRE(engine.has_value());  // the settings name no employee the directory lacks

  // Settings naming an employee the directory does not hold are refused, with the path.
  auto wrong = office.settings;
  wrong.queues[0].members.push_back(9);
  auto refused = (*engine)->update_settings(wrong);
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().message().find("settings.queues[0].members[2]: unknown employee 9") == 0);

  // At run time employee 1 leaves the directory: reported, not rung, never an error.
  directory.remove(1);
  auto r = (*engine)->start_call(incoming("c1", "+79031112233"));
  REQUIRE(r.has_value());
  CHECK(r->current->employees == std::vector<EmployeeId>{2});
  CHECK(observer.seen == std::vector<std::pair<std::string, EmployeeId>>{{"q", 1}});
}

TEST_CASE("Directory version 0 means never changes: the employees are read once") {
  struct Counting final : Directory {
    std::vector<Employee> staff;
    mutable std::atomic<int> reads{0};
    Result<std::vector<Employee>> employees() const override {
      ++reads;
      return staff;
    }
    Result<std::optional<Employee>> find_employee(EmployeeId id) const override {
      for (const auto& e : staff)
        if (e.id == id) return std::optional<Employee>(e);
      return std::optional<Employee>{};
    }
  } directory;
  Office office = Office::moscow();
  directory.staff = office.employees;
  MemoryCrmStore store;
  PortLog log;
  RecordingTelephony telephony(log);
  ManualClock clock(tuesday(10));
  auto engine = CallEngine::create(office.settings, Ports{store, directory, telephony, clock});
  REQUIRE(engine.has_value());
  const int after_create = directory.reads.load();
  for (int i = 0; i < 20; ++i)
    REQUIRE((*engine)->start_call(incoming(fmt::format("c{}", i), "+79031112233")).has_value());
  CHECK(directory.reads.load() == after_create);  // not re-read on every call
}
