// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// NullTelephony: a Telephony port that accepts every command and does nothing — for
/// benchmarks and tests that drive the engine's events themselves.

#include <telcrm/config.hpp>
#include <telcrm/ports/telephony.hpp>

TELCRM_BEGIN_NAMESPACE

/// Accepts every command, does nothing, never fails. Thread-safe.
class NullTelephony final : public Telephony {
 public:
  [[nodiscard]] Result<void> ring(std::string_view, std::span<const EmployeeId>, Seconds) override {
    return {};
  }
  [[nodiscard]] Result<void> forward(std::string_view, std::string_view, Seconds) override {
    return {};
  }
  [[nodiscard]] Result<void> voicemail(std::string_view, EmployeeId) override { return {}; }
  [[nodiscard]] Result<void> hang_up(std::string_view) override { return {}; }
};

TELCRM_END_NAMESPACE
