// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// The Clock port: where "now" comes from, so tests and replays control time.

#include <telcrm/config.hpp>
#include <telcrm/time.hpp>

#include <atomic>
#include <chrono>

TELCRM_BEGIN_NAMESPACE

/// The current UTC time. Thread-safe; never blocks.
class Clock {
 public:
  virtual ~Clock() = default;
  /// The time now, to the second.
  [[nodiscard]] virtual Timestamp now() const noexcept = 0;
};

/// The system's clock.
class SystemClock final : public Clock {
 public:
  [[nodiscard]] Timestamp now() const noexcept override {
    return std::chrono::floor<Seconds>(std::chrono::system_clock::now());
  }
};

/// A clock that stands still until told otherwise (tests, replays). Thread-safe.
class ManualClock final : public Clock {
 public:
  /// A clock that reads `start` until set() or advance() moves it.
  explicit ManualClock(Timestamp start = {}) : now_(start.time_since_epoch().count()) {}
  [[nodiscard]] Timestamp now() const noexcept override { return Timestamp(Seconds(now_.load())); }
  /// From now on the time is `t`.
  void set(Timestamp t) noexcept { now_.store(t.time_since_epoch().count()); }
  /// Moves the time `s` forward.
  void advance(Seconds s) noexcept { now_.fetch_add(s.count()); }

 private:
  std::atomic<Seconds::rep> now_;
};

TELCRM_END_NAMESPACE
