// SPDX-License-Identifier: Apache-2.0
// Regression (found by the fault soak, telcrm/testing/fault_soak.hpp): the outbox forgot what
// a provisional id became by age (twice stale_after), but a call lives until the host ends
// or reaps it — when reap() runs late, or a call outlives stale_after, its last writes still
// named the forgotten provisional lead and the store refused them for good: the call lost its
// activity (R-A2, R-I3). Resolutions are now kept while any call or queued batch may need them.
#include <telcrm/engine/call_engine.hpp>
#include <telcrm/memory/memory_crm_store.hpp>
#include <telcrm/memory/memory_directory.hpp>
#include <telcrm/sim/null_telephony.hpp>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "engine/office.hpp"

using namespace telcrm;
using namespace telcrm_test;

TEST_CASE(
    "R-I3 R-A2 a call that outlives stale_after keeps the lead it created: its activity is "
    "written") {
  const Office office = Office::moscow();
  MemoryCrmStore store(office.crm);
  MemoryDirectory directory(office.employees);
  NullTelephony telephony;
  ManualClock clock(tuesday(9));
  EngineOptions options;
  options.stale_after = Seconds(60);
  auto made =
      CallEngine::create(office.settings, Ports{store, directory, telephony, clock}, options);
  REQUIRE(made.has_value());
  CallEngine& engine = **made;

  REQUIRE(engine.start_call(incoming("long", "+79031110000", clock.now())).has_value());
  engine.flush();  // its lead is in the store now
  // Many other calls, hours of them: enough resolutions for the outbox to prune.
  for (int i = 0; i < 1500; ++i) {
    clock.advance(Seconds(10));
    const std::string id = fmt::format("c{}", i);
    REQUIRE(engine.start_call(incoming(id, fmt::format("+7903222{:04}", i), clock.now())));
    REQUIRE(engine.caller_hung_up(CallerHungUp{.call = id, .after = Seconds(5)}));
    REQUIRE(engine.end_call(CallEnd{.call = id}));
    engine.flush();
  }
  // The host ends the long call at last (a late reap() would do the same).
  REQUIRE(engine.caller_hung_up(CallerHungUp{.call = "long", .after = Seconds(15000)}));
  REQUIRE(engine.end_call(CallEnd{.call = "long"}));
  CHECK(engine.flush() == 0);
  CHECK(engine.stats().dropped_writes == 0);
  const auto snap = store.snapshot();
  REQUIRE(snap.has_value());
  const CallActivity* activity = nullptr;
  for (const auto& a : snap->activities)
    if (a.call == "long") activity = &a;
  REQUIRE(activity != nullptr);
  const Lead* lead = nullptr;
  for (const auto& l : snap->leads)
    if (!l.phones.empty() && l.phones.front() == "+79031110000") lead = &l;
  REQUIRE(lead != nullptr);
  CHECK(activity->bindings == std::vector<EntityRef>{{EntityType::lead, lead->id}});
}
