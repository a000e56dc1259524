// SPDX-License-Identifier: Apache-2.0
#pragma once
// Runs small scenarios written inline, and builds engines over in-memory ports.

#include <telcrm/json/scenario_json.hpp>
#include <telcrm/memory/memory_crm_store.hpp>
#include <telcrm/memory/memory_directory.hpp>
#include <telcrm/ports/clock.hpp>
#include <telcrm/sim/replay.hpp>
#include <telcrm/sim/simulated_pbx.hpp>

#include <doctest/doctest.h>

#include <memory>
#include <string>

namespace telcrm_test {

inline telcrm::Scenario scenario(const std::string& json) {
  auto s = telcrm::scenario_from_json(json);
  REQUIRE_MESSAGE(s.has_value(), s.error().message());
  return *s;
}

inline telcrm::ReplayOutput run(const std::string& json) {
  auto out = telcrm::replay(scenario(json));
  REQUIRE_MESSAGE(out.has_value(), out.error().message());
  return *out;
}

inline const telcrm::CallResult& call(const telcrm::ReplayOutput& out, const std::string& id) {
  for (const auto& c : out.calls)
    if (c.call == id) return c;
  FAIL("no call " << id);
  return out.calls.front();
}

/// An engine over in-memory ports, for tests that drive events one by one.
struct Rig {
  explicit Rig(const std::string& json, telcrm::EngineOptions options = {})
      : s(scenario(json)),
        store(s.crm),
        directory(s.employees),
        pbx(s.settings.default_region),
        clock(s.calls.empty() ? telcrm::Timestamp{} : s.calls.front().at) {
    auto e = telcrm::CallEngine::create(s.settings, telcrm::Ports{store, directory, pbx, clock},
                                        options);
    REQUIRE_MESSAGE(e.has_value(), e.error().message());
    engine = std::move(*e);
  }
  telcrm::CallResult play(std::size_t i) {
    clock.set(s.calls.at(i).at);
    auto r = pbx.play(*engine, s.calls.at(i));
    REQUIRE_MESSAGE(r.has_value(), r.error().message());
    return *r;
  }

  telcrm::Scenario s;
  telcrm::MemoryCrmStore store;
  telcrm::MemoryDirectory directory;
  telcrm::SimulatedPbx pbx;
  telcrm::ManualClock clock;
  std::unique_ptr<telcrm::CallEngine> engine;
};

}  // namespace telcrm_test
