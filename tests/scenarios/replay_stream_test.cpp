// SPDX-License-Identifier: Apache-2.0
// `telcrm replay` streams its output (ReplayOptions::on_call and replay_output_json_*): the
// pieces, concatenated, are byte for byte the document replay_output_to_json() writes, and a
// streamed replay keeps no result (its memory does not grow with the calls).
#include <telcrm/json/scenario_json.hpp>
#include <telcrm/sim/replay.hpp>

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace telcrm;

namespace {
Scenario load(const std::string& name) {
  std::ifstream in(std::string(TELCRM_OWN_SCENARIOS) + "/" + name);
  std::stringstream text;
  text << in.rdbuf();
  auto s = scenario_from_json(text.str());
  REQUIRE_MESSAGE(s.has_value(), s.error().message());
  return *s;
}
}  // namespace

TEST_CASE("replay output streamed call by call is the document replay_output_to_json writes") {
  for (const char* name : {"28-transfer-setting.json", "33-repeated-call-id.json",
                           "30-missed-calls-called-back.json"}) {
    CAPTURE(name);
    const Scenario s = load(name);
    auto whole = replay(s);
    REQUIRE(whole.has_value());
    std::string streamed = replay_output_json_begin();
    bool first = true;
    ReplayOptions options;
    options.on_call = [&](const CallResult& r) {
      streamed += replay_output_json_call(r, first);
      first = false;
    };
    auto out = replay(s, options);
    REQUIRE(out.has_value());
    CHECK(out->calls.empty());  // handed over, not kept
    streamed += replay_output_json_end(out->crm_after, !first);
    CHECK(streamed == replay_output_to_json(whole->calls, whole->crm_after));
  }
  Scenario none = load("28-transfer-setting.json");
  none.calls.clear();
  auto out = replay(none);
  REQUIRE(out.has_value());
  CHECK(replay_output_json_begin() + replay_output_json_end(out->crm_after, false) ==
        replay_output_to_json({}, out->crm_after));
}
