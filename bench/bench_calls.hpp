// SPDX-License-Identifier: Apache-2.0
#pragma once
// What the whole-call benchmarks share (engine_bench, sqlite_bench): one line into a
// 10-member queue, and one complete call — start, answer, end.
#include <telcrm/engine/call_engine.hpp>

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace telcrm_bench {

inline constexpr const char* line_number = "+74950000000";

inline telcrm::IntegrationSettings call_settings(telcrm::Distribution distribution) {
  using namespace telcrm;
  IntegrationSettings s;
  s.default_region = *Region::from_code("RU");
  QueueSettings q;
  q.id = "sales";
  for (EmployeeId id = 1; id <= 10; ++id) q.members.push_back(id);
  q.distribution = distribution;
  s.queues = {q};
  LineSettings line;
  line.number = line_number;
  line.queue = "sales";
  s.lines = {line};
  return s;
}

// The ten employees of the queue (what the Directory holds).
inline std::vector<telcrm::Employee> call_employees() {
  std::vector<telcrm::Employee> staff;
  for (telcrm::EmployeeId id = 1; id <= 10; ++id)
    staff.push_back(telcrm::Employee{.id = id, .name = fmt::format("E{}", id)});
  return staff;
}

// One incoming call from `from`, answered on its first step by `answerer`, 60 s of talk; the
// CRM writes it queued are then flushed (as a host's worker does), so each iteration measures
// a whole call with its writes.
inline void run_call(telcrm::CallEngine& engine, telcrm::Timestamp now, const std::string& id,
                     const std::string& from, telcrm::EmployeeId answerer) {
  using namespace telcrm;
  auto started = engine.start_call(
      CallStart{id, CallDirection::incoming, line_number, from, std::nullopt, std::nullopt, now});
  auto answered = engine.answered(Answered{id, 0, answerer, std::nullopt});
  auto ended = engine.end_call(CallEnd{id, Seconds(60), {}, {}, {}, {}});
  if (!started || !answered || !ended || engine.flush() != 0) {
    std::fprintf(stderr, "call %s failed\n", id.c_str());
    std::abort();
  }
  benchmark::DoNotOptimize(ended);
}

}  // namespace telcrm_bench
