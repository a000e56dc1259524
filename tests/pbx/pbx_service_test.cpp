// SPDX-License-Identifier: Apache-2.0
// PbxService over a real engine and in-memory ports: what the PBX is told step by step, and
// what the CRM holds afterwards (docs/pbx-protocol.md).

#include <telcrm/engine/call_engine.hpp>
#include <telcrm/memory/memory_crm_store.hpp>
#include <telcrm/memory/memory_directory.hpp>
#include <telcrm/pbx/detail/flat_json.hpp>
#include <telcrm/pbx/pbx_service.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "engine/engine_fixture.hpp"

using namespace telcrm;
using namespace telcrm::pbx;

namespace {

// Anna (101) and Boris (102) take the line's calls; Vera (103) is Ivan's responsible;
// Gleb has no extension. Ivan Petrov (+79161234567) is a known contact.
const char* company = R"({ "settings": { "default_region": "RU",
    "exceptions": { "phones": ["+79990001122"] },
    "employees": [
      { "id": 1, "name": "Anna", "extension": "101" },
      { "id": 2, "name": "Boris", "extension": "102" },
      { "id": 3, "name": "Vera", "extension": "103", "phones": { "mobile": "+79035550003" } },
      { "id": 4, "name": "Gleb" } ],
    "queues": [
      { "id": "sales", "members": [1, 2], "distribution": "strictly", "rings": 2 },
      { "id": "night", "members": [4, 1], "distribution": "strictly", "rings": 2,
        "no_answer": "hang_up" } ],
    "lines": [
      { "number": "+74951234567", "queue": "sales", "responsible_ring_seconds": 3 },
      { "number": "+74957654321", "queue": "night" },
      { "number": "+74950000000", "queue": "sales",
        "work_hours": { "utc_offset": "+03:00", "days": ["mon","tue","wed","thu","fri"],
                        "from": "09:00", "to": "18:00", "off_hours": "voicemail" } },
      { "number": "+74951111111", "queue": "sales",
        "work_hours": { "utc_offset": "+03:00", "days": ["mon","tue","wed","thu","fri"],
                        "from": "09:00", "to": "18:00", "off_hours": "hang_up" } } ] },
  "crm": { "contacts": [ { "id": 5, "name": "Ivan Petrov", "phones": ["+7 916 123-45-67"],
                           "responsible": 3 } ] },
  "calls": [] })";

// 2026-11-24 is a Tuesday: 10:00 Moscow time is inside working hours, 22:00 outside.
const Timestamp work_time =
    std::chrono::sys_days(std::chrono::year(2026) / 11 / 24) + std::chrono::hours(7);
const Timestamp night_time = work_time + std::chrono::hours(12);

struct PbxRig {
  explicit PbxRig(const char* json = company, Timestamp at = work_time)
      : s(telcrm_test::scenario(json)),
        store(s.crm),
        base(s.employees),
        directory(base),
        clock(at) {
    REQUIRE(directory.refresh().has_value());
    auto e = CallEngine::create(s.settings, Ports{store, directory, telephony, clock});
    REQUIRE_MESSAGE(e.has_value(), e.error().message());
    engine = std::move(*e);
    ServiceOptions options;
    options.monotonic = [this] { return std::chrono::milliseconds(ms.load()); };
    service = std::make_unique<PbxService>(*engine, telephony, directory, clock, options);
  }

  // Posts `body` to `endpoint`; returns the reply, its body parsed.
  struct Answer {
    int status = 0;
    flat_json::Object doc;
    std::string body;
    std::string targets;  // the raw text inside the `targets` array
    [[nodiscard]] std::string text(std::string_view key) const {
      const auto* v = doc.find(key);
      return v != nullptr ? v->text : std::string();
    }
    [[nodiscard]] std::int64_t number(std::string_view key) const {
      const auto* v = doc.find(key);
      return v != nullptr ? v->integer : -1;
    }
  };
  Answer post(Endpoint endpoint, const std::string& body) {
    Reply r = service->handle(endpoint, body);
    Answer a;
    a.status = r.status;
    a.body = r.body;
    // targets is an array: not flat; drop it before parsing the rest.
    std::string flat = r.body;
    if (auto at = flat.find("\"targets\":["); at != std::string::npos) {
      auto end = flat.find(']', at);
      a.targets = flat.substr(at + 11, end - at - 11);
      flat.erase(at, end - at + 2);
    }
    auto parsed = flat_json::parse(flat);
    REQUIRE_MESSAGE(parsed.has_value(), r.body);
    a.doc = std::move(*parsed);
    last_targets = a.targets;
    return a;
  }
  Answer call(const std::string& id, const std::string& from,
              const std::string& to = "sip:74951234567@127.0.0.1:5060") {
    return post(Endpoint::call,
                R"({"call":")" + id + R"(","from":")" + from + R"(","to":")" + to + R"("})");
  }
  Answer failed(const std::string& id, std::size_t step, int code) {
    return post(Endpoint::failed, R"({"call":")" + id + R"(","step":)" + std::to_string(step) +
                                      R"(,"code":)" + std::to_string(code) + "}");
  }
  Answer answered(const std::string& id, std::size_t step, const std::string& by,
                  const std::string& extra = "") {
    return post(Endpoint::answered, R"({"call":")" + id + R"(","step":)" + std::to_string(step) +
                                        R"(,"by":")" + by + "\"" + extra + "}");
  }
  Answer ended(const std::string& id, const std::string& extra = "") {
    return post(Endpoint::ended, R"({"call":")" + id + "\"" + extra + "}");
  }
  Answer cancelled(const std::string& id) {
    return post(Endpoint::cancelled, R"({"call":")" + id + R"("})");
  }
  void wait(std::chrono::milliseconds d) { ms += d.count(); }
  CrmSnapshot crm() {
    engine->flush();
    auto snap = store.snapshot();
    REQUIRE(snap.has_value());
    return *snap;
  }

  telcrm::Scenario s;
  MemoryCrmStore store;
  MemoryDirectory base;
  PresenceDirectory directory;
  CapturingTelephony telephony;
  ManualClock clock;
  std::atomic<std::int64_t> ms{1000000};
  std::unique_ptr<CallEngine> engine;
  std::unique_ptr<PbxService> service;
  std::string last_targets;
};

}  // namespace

TEST_CASE("R-R1 R-R3 known client: the responsible rings first, then the queue; who answered") {
  PbxRig rig;
  auto first = rig.call("k1", R"(\"Ivan\" <sip:+79161234567@gw;user=phone>;tag=1)");
  REQUIRE_MESSAGE(first.status == 200, first.body);
  CHECK(first.text("action") == "ring");
  CHECK(first.number("step") == 0);
  CHECK(rig.last_targets == R"("103")");
  CHECK(first.number("ring_ms") == 3000);  // the line's responsible ring time
  CHECK(first.text("why") == "responsible");
  CHECK(first.text("header") == "0;why=responsible");

  rig.wait(std::chrono::milliseconds(3010));
  auto second = rig.failed("k1", 0, 408);  // fr_inv_timer fired
  REQUIRE_MESSAGE(second.status == 200, second.body);
  CHECK(second.number("step") == 1);
  CHECK(rig.last_targets == R"("101")");
  CHECK(second.text("why") == "queue:sales");
  CHECK(second.number("ring_ms") == 10000);

  rig.wait(std::chrono::milliseconds(1200));
  auto took =
      rig.answered("k1", 1, "sip:101@127.0.0.1:5081", R"(,"recording":"https://rec/k1.wav")");
  REQUIRE_MESSAGE(took.status == 200, took.body);
  CHECK(took.number("employee") == 1);

  rig.wait(std::chrono::milliseconds(35400));
  auto end = rig.ended("k1");
  REQUIRE_MESSAGE(end.status == 200, end.body);
  CHECK(end.text("outcome") == "answered");
  CHECK(end.number("duration") == 35);  // measured from the answer
  CHECK(end.number("status") == 200);

  auto crm = rig.crm();
  REQUIRE(crm.activities.size() == 1);
  CHECK(crm.activities[0].responsible == EmployeeId{1});
  CHECK(crm.activities[0].duration == Seconds(35));
  CHECK(crm.activities[0].recording == std::string("https://rec/k1.wav"));  // R-A4
  CHECK(crm.leads.empty());
  REQUIRE(crm.history.size() == 1);
  // The responsible's step is logged with how long it really rang (3 s).
  auto result = rig.engine->result("k1");
  REQUIRE(result.has_value());
  REQUIRE(result->route.size() == 2);
  CHECK(result->route[0].seconds == Seconds(3));
}

TEST_CASE("R-R2 R-R3 a busy responsible: the next step at once, no ring time spent") {
  PbxRig rig;
  rig.call("b1", "sip:+79161234567@gw");
  rig.wait(std::chrono::milliseconds(40));
  auto next = rig.failed("b1", 0, 486);
  REQUIRE(next.status == 200);
  CHECK(next.number("step") == 1);
  CHECK(rig.last_targets == R"("101")");
  rig.answered("b1", 1, "101");
  rig.ended("b1");
  auto result = rig.engine->result("b1");
  REQUIRE(result.has_value());
  CHECK(result->route[0].seconds == Seconds(0));
  CHECK(result->answered_by == EmployeeId{1});
}

TEST_CASE("R-R2 R-Q3 presence from the PBX: offline and busy employees are not rung") {
  PbxRig rig;
  auto off = rig.post(Endpoint::presence, R"({"extension":"103","state":"offline"})");
  REQUIRE_MESSAGE(off.status == 200, off.body);
  CHECK(off.number("employee") == 3);
  // R-R2: the responsible (103) is not rung; the queue (R-R3 `queue`) takes the call at once.
  auto first = rig.call("p1", "sip:+79161234567@gw");
  CHECK(first.text("why") == "queue:sales");
  CHECK(rig.last_targets == R"("101")");
  rig.cancelled("p1");

  rig.post(Endpoint::presence, R"({"extension":"103","state":"online"})");
  rig.post(Endpoint::presence, R"({"extension":"103","state":"busy"})");
  rig.call("p2", "sip:+79161234567@gw");
  CHECK(rig.last_targets == R"("101")");
  rig.cancelled("p2");
  // A registration refresh while on a call keeps the employee busy.
  rig.post(Endpoint::presence, R"({"extension":"103","state":"online"})");
  rig.call("p3", "sip:+79161234567@gw");
  CHECK(rig.last_targets == R"("101")");
  rig.cancelled("p3");
  rig.post(Endpoint::presence, R"({"extension":"103","state":"idle"})");
  auto free = rig.call("p4", "sip:+79161234567@gw");
  CHECK(free.text("why") == "responsible");
  rig.cancelled("p4");

  auto unknown = rig.post(Endpoint::presence, R"({"extension":"999","state":"online"})");
  CHECK(unknown.status == 404);
}

TEST_CASE("R-Q3 an employee who answered a call telcrm routed is busy until it ends") {
  PbxRig rig;
  rig.call("a1", "sip:+79161234567@gw");
  rig.answered("a1", 0, "103");
  auto second = rig.call("a2", "sip:+79161234567@gw");
  CHECK(second.text("why") == "queue:sales");  // Vera is on a call: not rung (R-R2)
  CHECK(rig.last_targets == R"("101")");
  rig.cancelled("a2");
  rig.ended("a1");
  auto third = rig.call("a3", "sip:+79161234567@gw");
  CHECK(third.text("why") == "responsible");
  rig.cancelled("a3");
}

TEST_CASE("R-L5 unknown caller: a lead for the first rung, reassigned to who answered") {
  PbxRig rig;
  auto first = rig.call("u1", "sip:+79031234567@gw");
  REQUIRE(first.status == 200);
  CHECK(first.text("why") == "queue:sales");
  CHECK(rig.last_targets == R"("101")");
  auto mid = rig.crm();
  REQUIRE(mid.leads.size() == 1);  // exists while ringing
  CHECK(mid.leads[0].responsible == EmployeeId{1});
  CHECK(mid.leads[0].title == "+79031234567 - Incoming call");
  rig.failed("u1", 0, 408);
  CHECK(rig.last_targets == R"("102")");
  rig.answered("u1", 1, "sip:102@127.0.0.1:5082");
  rig.ended("u1");
  auto crm = rig.crm();
  REQUIRE(crm.leads.size() == 1);
  CHECK(crm.leads[0].responsible == EmployeeId{2});  // R-T2
  REQUIRE(crm.activities.size() == 1);
  CHECK(crm.activities[0].responsible == EmployeeId{2});
}

TEST_CASE("R-A6 the caller hangs up while it rings: a missed call on the client") {
  PbxRig rig;
  rig.call("m1", "sip:+79161234567@gw");
  rig.wait(std::chrono::milliseconds(1600));
  auto gone = rig.cancelled("m1");
  REQUIRE_MESSAGE(gone.status == 200, gone.body);
  CHECK(gone.text("outcome") == "missed");
  CHECK(gone.number("status") == 304);
  auto crm = rig.crm();
  REQUIRE(crm.activities.size() == 1);
  CHECK(crm.activities[0].status == ActivityStatus::missed);
  CHECK(crm.activities[0].bindings.front() == EntityRef{EntityType::contact, 5});
  REQUIRE(crm.missed_calls.size() == 1);
  CHECK(crm.missed_calls[0].number == "+79161234567");
  auto result = rig.engine->result("m1");
  REQUIRE(result.has_value());
  CHECK(result->route[0].seconds == Seconds(2));  // cut when the caller left
  // A later request for the call: it is over (R-I1 answers the same end again).
  CHECK(rig.cancelled("m1").status == 200);
  CHECK(rig.failed("m1", 0, 408).status != 500);
}

TEST_CASE("R-X1 R-X2 R-M1 excepted, employee and anonymous callers: routed, CRM untouched") {
  PbxRig rig;
  struct Row {
    std::string from;
    std::string crm;
  };
  int n = 0;
  for (const auto& row : std::vector<Row>{
           {"sip:+79990001122@gw", "excepted"},
           {"sip:101@127.0.0.1", "employee"},
           {"sip:+79035550003@gw", "employee"},  // Vera's mobile
           {R"(\"Anonymous\" <sip:anonymous@anonymous.invalid>)", "unknown"},
           {"sip:restricted@gw", "unknown"},
       }) {
    CAPTURE(row.from);
    const std::string id = "x" + std::to_string(++n);
    auto first = rig.call(id, row.from);
    REQUIRE_MESSAGE(first.status == 200, first.body);
    CHECK(first.text("why") == "queue:sales");  // R-R4: straight to the queue
    rig.answered(id, 0, "101");
    rig.ended(id);
    auto result = rig.engine->result(id);
    REQUIRE(result.has_value());
    CHECK(format_as(result->match.crm) == row.crm);
    CHECK(result->created.empty());
    CHECK_FALSE(result->activity.has_value());
  }
  auto crm = rig.crm();
  CHECK(crm.leads.empty());
  CHECK(crm.activities.empty());
  CHECK(crm.history.size() == 5);  // R-A1: every call has its history record
}

TEST_CASE("R-R5 R-A4 off hours: voicemail for the line's queue, the message on the activity") {
  PbxRig rig(company, night_time);
  auto first = rig.call("v1", "sip:+79161234567@gw", "sip:+74950000000@pbx");
  REQUIRE_MESSAGE(first.status == 200, first.body);
  CHECK(first.text("action") == "voicemail");
  CHECK(first.text("why") == "off_hours");
  CHECK(first.text("mailbox") == "103");  // the client's responsible
  // The voicemail server answers: nobody took the call in person.
  auto vm = rig.answered("v1", 0, "sip:voicemail@127.0.0.1:5098");
  CHECK(vm.status == 200);
  CHECK_FALSE(vm.doc.find("employee"));
  auto end = rig.ended("v1", R"(,"voicemail":"https://vm/v1.wav")");
  CHECK(end.text("outcome") == "voicemail");
  auto crm = rig.crm();
  REQUIRE(crm.activities.size() == 1);
  CHECK(crm.activities[0].status == ActivityStatus::voicemail);
  CHECK(crm.activities[0].voicemail == std::string("https://vm/v1.wav"));
  CHECK(crm.activities[0].duration == Seconds(0));
}

TEST_CASE("R-R5 off hours with hang_up: the caller gets 480 and the call is over") {
  PbxRig rig(company, night_time);
  auto first = rig.call("h1", "sip:+79031234567@gw", "sip:74951111111@pbx");
  REQUIRE(first.status == 200);
  CHECK(first.text("action") == "hang_up");
  CHECK(first.number("code") == 480);
  CHECK(rig.service->stats().sessions == 0);
  auto crm = rig.crm();
  CHECK(crm.leads.size() == 1);  // R-R5: a lead is still created
  CHECK(crm.history.size() == 1);
}

TEST_CASE("R-Q4 the voicemail server fails too: the caller is sent away, the call ends") {
  PbxRig rig(company, night_time);
  rig.call("f1", "sip:+79161234567@gw", "sip:+74950000000@pbx");
  auto next = rig.failed("f1", 0, 503);
  REQUIRE(next.status == 200);
  CHECK(next.text("action") == "hang_up");
  CHECK(next.number("code") == 480);
  CHECK(rig.crm().history.size() == 1);
}

TEST_CASE("R-Q3 a member without an extension is skipped; the last busy step sets the reply") {
  PbxRig rig;
  // The night queue: Gleb (no extension), then Anna; then hang up.
  auto first = rig.call("n1", "sip:+79031234567@gw", "sip:+74957654321@pbx");
  REQUIRE_MESSAGE(first.status == 200, first.body);
  CHECK(first.number("step") == 1);  // step 0 (Gleb) ended at once
  CHECK(rig.last_targets == R"("101")");
  auto last = rig.failed("n1", 1, 486);
  CHECK(last.text("action") == "hang_up");
  CHECK(last.number("code") == 486);
  CHECK(last.text("reason") == "Busy Here");
}

TEST_CASE("R-I1 a repeated request (an HTTP retry) gets the same answer") {
  PbxRig rig;
  auto a = rig.call("r1", "sip:+79161234567@gw");
  auto b = rig.call("r1", "sip:+79161234567@gw");
  CHECK(a.body == b.body);
  auto c = rig.failed("r1", 0, 408);
  auto d = rig.failed("r1", 0, 408);
  CHECK(c.body == d.body);
  CHECK(c.number("step") == 1);
}

TEST_CASE("R-T1 a transfer hands the call and what it created to the new employee") {
  PbxRig rig;
  rig.call("t1", "sip:+79031234567@gw");
  rig.answered("t1", 0, "101");
  auto moved = rig.post(Endpoint::transferred, R"({"call":"t1","to":"sip:102@pbx"})");
  REQUIRE_MESSAGE(moved.status == 200, moved.body);
  CHECK(moved.number("employee") == 2);
  rig.ended("t1");
  auto crm = rig.crm();
  REQUIRE(crm.leads.size() == 1);
  CHECK(crm.leads[0].responsible == EmployeeId{2});
  CHECK(rig.post(Endpoint::transferred, R"({"call":"t1","to":"999"})").status == 404);
}

TEST_CASE("errors: bad bodies name the path, unknown calls and lines are 404, stopping is 503") {
  PbxRig rig;
  auto bad = rig.service->handle(Endpoint::failed, R"({"call":"z","step":0,"code":"x"})");
  CHECK(bad.status == 400);
  CHECK(bad.body.find(R"("path":"$.code")") != std::string::npos);
  CHECK(rig.service->handle(Endpoint::failed, "not json").status == 400);
  CHECK(rig.service->handle(Endpoint::failed, R"({"call":"none","step":0,"code":408})").status ==
        404);
  CHECK(rig.service->handle(Endpoint::answered, R"({"call":"none","step":0,"by":"101"})").status ==
        404);
  CHECK(rig.service->handle(Endpoint::ended, R"({"call":"none"})").status == 404);
  auto line = rig.call("l1", "sip:+79161234567@gw", "sip:+74990000000@pbx");
  CHECK(line.status == 404);
  CHECK(line.text("error").find("line") != std::string::npos);
  CHECK(line.text("unknown") == "line");  // the PBX may route it on its own
  CHECK(rig.service->stats().sessions == 0);
  rig.service->stop_taking_calls();
  CHECK(rig.call("s1", "sip:+79161234567@gw").status == 503);
  CHECK(rig.service->stats().refused == 1);
}

TEST_CASE("concurrency: many calls at once from several threads, each answered right") {
  PbxRig rig;
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        const std::string id = "c" + std::to_string(t) + "-" + std::to_string(i);
        auto r =
            rig.service->handle(Endpoint::call, R"({"call":")" + id + R"(","from":"sip:+7903)" +
                                                    std::to_string(1000000 + t * 100 + i) +
                                                    R"(@gw","to":"sip:74951234567@pbx"})");
        if (r.status != 200 || r.body.find(R"("call":")" + id + "\"") == std::string::npos) ++wrong;
        auto e = rig.service->handle(Endpoint::cancelled, R"({"call":")" + id + R"("})");
        if (e.status != 200) ++wrong;
      }
    });
  for (auto& t : threads) t.join();
  CHECK(wrong.load() == 0);
  CHECK(rig.service->stats().sessions == 0);
  CHECK(rig.crm().history.size() == 200);
}

namespace {
// A live-call log that remembers what it was told, in order.
struct RecordingLiveLog final : LiveCallLog {
  std::vector<std::string> events;
  void began(const CallStart& start) override {
    events.push_back("began " + start.call + " " + start.number);
  }
  void ended(std::string_view call) override { events.push_back("ended " + std::string(call)); }
};
}  // namespace

TEST_CASE("R-I3 the live-call log hears every call begin and end; interrupted calls are 410") {
  PbxRig rig;
  RecordingLiveLog live;
  ServiceOptions options;
  options.monotonic = [&rig] { return std::chrono::milliseconds(rig.ms.load()); };
  options.live = &live;
  rig.service =
      std::make_unique<PbxService>(*rig.engine, rig.telephony, rig.directory, rig.clock, options);
  CHECK(rig.call("c1", "sip:+79161234567@gw").status == 200);
  CHECK(rig.answered("c1", 0, "103").status == 200);
  CHECK(rig.ended("c1").status == 200);
  CHECK(rig.call("c2", "sip:+79031112233@gw", "sip:74959999999@pbx").status == 404);  // no line
  CHECK(live.events == std::vector<std::string>{"began c1 +79161234567", "ended c1",
                                                "began c2 +79031112233", "ended c2"});
  // Calls a previous run left open, closed at this start: every event for them is 410 Gone.
  rig.service->set_interrupted({"old"});
  for (const auto& a : {rig.ended("old"), rig.cancelled("old"), rig.failed("old", 0, 486),
                        rig.answered("old", 0, "101"), rig.call("old", "sip:+79161234567@gw")}) {
    CHECK(a.status == 410);
    CHECK(a.text("error").find("closed as missed") != std::string::npos);
  }
}
