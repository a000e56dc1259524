// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file The Observer port (optional): metrics and audit logs. Its failures never change what
/// the engine does.

#include <telcrm/config.hpp>
#include <telcrm/result.hpp>

#include <string_view>

TELCRM_BEGIN_NAMESPACE

struct CallResult;

/// Notified of what the engine decides and does. Every method has a default that does
/// nothing; an error returned is counted and otherwise ignored.
///
/// Thread safety: called from the threads that deliver events, concurrently for different
/// calls. Blocking: must not block (hand the data to a queue).
class Observer {
 public:
  virtual ~Observer() = default;
  /// A routing step was decided: `step` is its textual form, e.g. "ring [2] 30s responsible".
  [[nodiscard]] virtual Result<void> on_step(std::string_view call, std::string_view step) {
    (void)call, (void)step;
    return {};
  }
  /// A call ended; `result` is what it left behind.
  [[nodiscard]] virtual Result<void> on_call_ended(const CallResult& result) {
    (void)result;
    return {};
  }
  /// The store refused a write; the batch waits in the outbox (R-I3).
  [[nodiscard]] virtual Result<void> on_store_error(std::string_view call, const Error& error) {
    (void)call, (void)error;
    return {};
  }
};

TELCRM_END_NAMESPACE
