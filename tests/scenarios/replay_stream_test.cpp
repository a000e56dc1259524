// SPDX-License-Identifier: Apache-2.0
// `telcrm replay` streams its output (ReplayOptions::on_call and replay_output_json_*): the
// pieces, concatenated, are byte for byte the document replay_output_to_json() writes, and a
// streamed replay keeps no result (its memory does not grow with the calls).
#include <telcrm/json/scenario_json.hpp>
#include <telcrm/memory/memory_crm_store.hpp>
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

TEST_CASE("crm_after written from the store record by record is the snapshot's document") {
  for (const char* name : {"28-transfer-setting.json", "30-missed-calls-called-back.json"}) {
    CAPTURE(name);
    const Scenario s = load(name);
    auto whole = replay(s);
    REQUIRE(whole.has_value());
    MemoryCrmStore store(s.crm);
    ReplayOptions options;
    options.crm_after = false;
    auto out = replay(s, store, options);
    REQUIRE(out.has_value());
    CHECK(out->crm_after == CrmSnapshot{});  // not copied
    for (const bool any_call : {true, false}) {
      std::string streamed;
      ReplayOutputEnd end(any_call, [&](std::string_view piece) { streamed += piece; });
      store.for_each_record([&](const auto& record) { end.add(record); });
      end.finish();
      CHECK(streamed == replay_output_json_end(whole->crm_after, any_call));
    }
  }
  std::string empty;  // no record at all: every list is written, empty
  ReplayOutputEnd end(false, [&](std::string_view piece) { empty += piece; });
  end.finish();
  CHECK(empty == replay_output_json_end(CrmSnapshot{}, false));
}

TEST_CASE("R-I1 a replay remembers as many finished calls as its repeated ids need") {
  // A call id repeated 300 calls later (beyond the smallest window a replay keeps): the
  // repeat is answered from the first call, as by an engine remembering 100,000 calls.
  Scenario s = load("33-repeated-call-id.json");
  REQUIRE_FALSE(s.calls.empty());
  const ScenarioCall model = s.calls.front();
  s.calls.clear();
  for (int i = 0; i < 301; ++i) {
    ScenarioCall c = model;
    c.id = i == 300 ? "r0" : "r" + std::to_string(i);
    c.at = model.at + Seconds(60 * i);
    s.calls.push_back(c);
  }
  s.calls.back().at = s.calls.front().at;  // identical content: a repeat (R-I1)
  ReplayOptions remembering_all;
  remembering_all.remembered_calls = 100000;
  auto all = replay(s, remembering_all);
  auto fitted = replay(s);
  REQUIRE_MESSAGE(all.has_value(), all.error().message());
  REQUIRE_MESSAGE(fitted.has_value(), fitted.error().message());
  CHECK(replay_output_to_json(fitted->calls, fitted->crm_after) ==
        replay_output_to_json(all->calls, all->crm_after));
  CHECK(fitted->crm_after.history.size() == 300);  // the repeat created nothing
  ReplayOptions forgetting;  // the window matters: remembering too few changes the output
  forgetting.remembered_calls = 64;
  auto forgot = replay(s, forgetting);
  CHECK_FALSE((forgot && replay_output_to_json(forgot->calls, forgot->crm_after) ==
                             replay_output_to_json(all->calls, all->crm_after)));
}
