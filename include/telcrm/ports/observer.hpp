// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// The Observer port (optional): metrics and audit logs. Its failures never change what the
/// engine does.

#include <telcrm/config.hpp>
#include <telcrm/crm/entity.hpp>
#include <telcrm/result.hpp>

#include <cstddef>
#include <string_view>

TELCRM_BEGIN_NAMESPACE

struct CallResult;
struct RouteStep;

/// Notified of what the engine decides and does. Every method has a default that does
/// nothing; an error returned is counted (EngineStats::observer_errors) and otherwise
/// ignored.
///
/// Thread safety: called from the threads that deliver events (and from the one that runs
/// CallEngine::flush()), concurrently for different calls. Blocking: must not block (hand
/// the data to a queue).
class Observer {
 public:
  virtual ~Observer() = default;
  /// Step `index` (0-based) of `call` was decided and the telephony took it; `step` carries
  /// what it does and why (R-R6).
  [[nodiscard]] virtual Result<void> on_step(std::string_view call, std::size_t index,
                                             const RouteStep& step) {
    (void)call, (void)index, (void)step;
    return {};
  }
  /// A call ended; `result` is what it left behind.
  [[nodiscard]] virtual Result<void> on_call_ended(const CallResult& result) {
    (void)result;
    return {};
  }
  /// The store (or the outbox journal) refused a write of `call`; the batch waits in the
  /// outbox when the error is Errc::storage_unavailable, and is dropped otherwise (R-I3).
  [[nodiscard]] virtual Result<void> on_store_error(std::string_view call, const Error& error) {
    (void)call, (void)error;
    return {};
  }
  /// A queue names an employee the directory does not hold (any more): they are not rung.
  /// Reported once per directory version.
  [[nodiscard]] virtual Result<void> on_missing_employee(std::string_view queue,
                                                         EmployeeId employee) {
    (void)queue, (void)employee;
    return {};
  }
};

TELCRM_END_NAMESPACE
