// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file Metrics of `telcrm serve`, rendered in the Prometheus text format (version 0.0.4).

#include <telcrm/config.hpp>
#include <telcrm/engine/call_engine.hpp>
#include <telcrm/pbx/pbx_service.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

TELCRM_BEGIN_NAMESPACE
namespace server {

/// Counters kept by the router, read by `GET /metrics`. Thread-safe; recording is a few
/// atomic increments (a lock only for an endpoint or a status outside the fixed tables).
class Metrics {
 public:
  /// The upper bounds of the route-decision latency buckets, in seconds.
  static constexpr std::array<double, 12> buckets{0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025,
                                                  0.005,   0.01,   0.025,   0.05,   0.1,   0.25};

  /// One HTTP request answered with `status`; `endpoint` is a fixed name ("call", "health").
  void request(std::string_view endpoint, int status);
  /// How long one routing decision took (a new call or a failed step, engine included).
  void decision(std::chrono::nanoseconds took);

  /// The whole exposition: the engine's and the service's counters read now.
  [[nodiscard]] std::string render(const EngineStats& engine, const pbx::ServiceStats& service,
                                   bool ready) const;

 private:
  // The endpoints and statuses every request uses get a counter each, without a lock.
  static constexpr std::array<std::string_view, 11> endpoints_{
      "answered", "bitrix24", "call",  "cancelled", "ended",      "failed",
      "health",   "metrics",  "other", "presence",  "transferred"};
  static constexpr std::array<int, 11> statuses_{200, 400, 401, 403, 404, 405,
                                                 409, 410, 413, 500, 503};

  std::array<std::atomic<std::uint64_t>, buckets.size() + 1> counts_{};  // last: +Inf
  std::atomic<std::uint64_t> sum_ns_{0};
  std::array<std::array<std::atomic<std::uint64_t>, statuses_.size()>, endpoints_.size()> fixed_{};
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, int>, std::uint64_t> requests_;  // the others
};

}  // namespace server
TELCRM_END_NAMESPACE
