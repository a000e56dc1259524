// SPDX-License-Identifier: Apache-2.0
// CallEngine::close_interrupted: a call a previous run was serving when it died (kill -9) is
// closed as missed with its reason, written once, bound to what it created before the stop —
// and its batches never collide with the ones that run applied (R-I1, R-I2, R-I3, R-A2).
#include <telcrm/engine/call_engine.hpp>
#include <telcrm/memory/memory_crm_store.hpp>
#include <telcrm/memory/memory_directory.hpp>
#include <telcrm/memory/memory_outbox_journal.hpp>
#include <telcrm/sim/null_telephony.hpp>

#include <doctest/doctest.h>

#include "engine/office.hpp"

using namespace telcrm;
using namespace telcrm_test;

TEST_CASE(
    "R-I1 R-I2 R-A2 close_interrupted: a call cut by a crash is closed once, as missed, on its "
    "lead") {
  const Office office = Office::moscow();
  MemoryCrmStore store(office.crm);
  MemoryDirectory directory(office.employees);
  NullTelephony telephony;
  ManualClock clock(tuesday(10));
  const CallStart start = incoming("c1", "+79031110000", clock.now());
  {  // the first run: the call begins, its lead is written, then the process dies
    auto first = CallEngine::create(office.settings, Ports{store, directory, telephony, clock});
    REQUIRE(first.has_value());
    REQUIRE((*first)->start_call(start).has_value());
    (*first)->flush();
  }
  clock.advance(Seconds(30));
  auto second = CallEngine::create(office.settings, Ports{store, directory, telephony, clock});
  REQUIRE(second.has_value());
  CallEngine& engine = **second;
  auto closed = engine.close_interrupted(start, "interrupted: restart");
  REQUIRE_MESSAGE(closed.has_value(), closed.error().message());
  CHECK(closed->outcome == CallOutcome::missed);
  CHECK(engine.flush() == 0);
  CHECK(engine.stats().dropped_writes == 0);
  CHECK(engine.stats().active_calls == 0);
  // Known now: a second close is refused, nothing written twice.
  CHECK(engine.close_interrupted(start, "again").error().code() == Errc::already_exists);
  const auto snap = store.snapshot();
  REQUIRE(snap.has_value());
  REQUIRE(snap->leads.size() == 1);
  REQUIRE(snap->activities.size() == 1);
  const CallActivity& a = snap->activities.front();
  CHECK(a.call == "c1");
  CHECK(a.status == ActivityStatus::missed);
  CHECK(a.comment == std::optional<std::string>("interrupted: restart"));
  CHECK(a.bindings == std::vector<EntityRef>{{EntityType::lead, snap->leads.front().id}});
  CHECK(snap->history.size() == 1);
}
