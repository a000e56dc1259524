// SPDX-License-Identifier: Apache-2.0
#include "../compiled_lib.hpp"  // first: stops a build without TELCRM_COMPILED_LIB

#include <telcrm/server/metrics.hpp>

#include <fmt/format.h>

#include <algorithm>

TELCRM_BEGIN_NAMESPACE
namespace server {

void Metrics::request(std::string_view endpoint, int status) {
  const auto e = std::find(endpoints_.begin(), endpoints_.end(), endpoint);
  const auto s = std::find(statuses_.begin(), statuses_.end(), status);
  if (e != endpoints_.end() && s != statuses_.end()) {
    fixed_[static_cast<std::size_t>(e - endpoints_.begin())]
          [static_cast<std::size_t>(s - statuses_.begin())]
              .fetch_add(1, std::memory_order_relaxed);
    return;
  }
  std::lock_guard lock(mutex_);
  ++requests_[{std::string(endpoint), status}];
}

void Metrics::decision(std::chrono::nanoseconds took) {
  const double seconds = std::chrono::duration<double>(took).count();
  std::size_t i = 0;
  while (i < buckets.size() && seconds > buckets[i]) ++i;
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  sum_ns_.fetch_add(static_cast<std::uint64_t>(took.count() < 0 ? 0 : took.count()),
                    std::memory_order_relaxed);
}

std::string Metrics::render(const EngineStats& engine, const pbx::ServiceStats& service,
                            bool ready) const {
  std::string out;
  auto metric = [&](std::string_view name, std::string_view type, std::string_view help,
                    auto value) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n{} {}\n", name, help, name, type, name, value);
  };
  metric("telcrm_ready", "gauge", "1 once the engine's CRM index is loaded.", ready ? 1 : 0);
  metric("telcrm_calls_active", "gauge", "Calls the engine is following now.", engine.active_calls);
  metric("telcrm_calls_started_total", "counter", "Calls started through the PBX protocol.",
         service.calls);
  metric("telcrm_calls_finished_total", "counter", "Calls ended through the PBX protocol.",
         service.finished);
  metric("telcrm_calls_refused_total", "counter", "New calls refused while stopping.",
         service.refused);
  metric("telcrm_pbx_sessions", "gauge", "Calls the PBX protocol is following now.",
         service.sessions);
  metric("telcrm_outbox_depth", "gauge", "CRM write batches waiting for the store (R-I3).",
         engine.pending_writes);
  metric("telcrm_store_errors_total", "counter", "Store calls that failed.", engine.store_errors);
  metric("telcrm_outbox_dropped_total", "counter", "Batches the store refused for good.",
         engine.dropped_writes);

  out +=
      "# HELP telcrm_route_decision_seconds Time to answer a routing question (a new call or a "
      "failed step), engine included.\n# TYPE telcrm_route_decision_seconds histogram\n";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < buckets.size(); ++i) {
    cumulative += counts_[i].load(std::memory_order_relaxed);
    out += fmt::format("telcrm_route_decision_seconds_bucket{{le=\"{}\"}} {}\n", buckets[i],
                       cumulative);
  }
  cumulative += counts_[buckets.size()].load(std::memory_order_relaxed);
  out += fmt::format("telcrm_route_decision_seconds_bucket{{le=\"+Inf\"}} {}\n", cumulative);
  out += fmt::format("telcrm_route_decision_seconds_sum {}\n",
                     static_cast<double>(sum_ns_.load(std::memory_order_relaxed)) / 1e9);
  out += fmt::format("telcrm_route_decision_seconds_count {}\n", cumulative);

  out +=
      "# HELP telcrm_http_requests_total HTTP requests by endpoint and status.\n"
      "# TYPE telcrm_http_requests_total counter\n";
  std::map<std::pair<std::string, int>, std::uint64_t> requests;
  {
    std::lock_guard lock(mutex_);
    requests = requests_;
  }
  for (std::size_t e = 0; e < endpoints_.size(); ++e)
    for (std::size_t s = 0; s < statuses_.size(); ++s)
      if (const auto n = fixed_[e][s].load(std::memory_order_relaxed); n > 0)
        requests[{std::string(endpoints_[e]), statuses_[s]}] += n;
  for (const auto& [key, count] : requests)
    out += fmt::format("telcrm_http_requests_total{{endpoint=\"{}\",code=\"{}\"}} {}\n", key.first,
                       key.second, count);
  return out;
}

}  // namespace server
TELCRM_END_NAMESPACE
