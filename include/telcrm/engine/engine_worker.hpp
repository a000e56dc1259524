// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// EngineWorker: a thread that does what a host must otherwise call itself — CallEngine's
/// flush(), refresh() and reap().

#include <telcrm/config.hpp>
#include <telcrm/engine/call_engine.hpp>
#include <telcrm/ports/clock.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

TELCRM_BEGIN_NAMESPACE

/// How often an EngineWorker does each part of its work.
struct WorkerOptions {
  /// refresh(): how fresh the index is with other writers' changes.
  std::chrono::milliseconds refresh_every{100};
  /// flush() again while the store refuses writes (R-I3).
  std::chrono::milliseconds retry_every{500};
  /// reap(now): calls the PBX never ended.
  std::chrono::milliseconds reap_every{60000};
  /// Told of the calls reap() closed (e.g. to log them); may be empty.
  std::function<void(std::vector<CallResult>&&)> on_reaped{};
};

/// Runs a CallEngine's background work on a thread of its own: flush() as soon as writes are
/// queued, refresh() and reap() every so often. The engine and the clock must outlive it.
/// Hosts that drive flush(), refresh() and reap() themselves do not need one.
class EngineWorker {
 public:
  /// Starts the thread for `engine`, reading the time from `clock`.
  EngineWorker(CallEngine& engine, const Clock& clock, WorkerOptions options = {})
      : engine_(engine), clock_(clock), options_(std::move(options)) {
    thread_ = std::thread([this] { run(); });
  }
  /// Stops the thread after one last flush.
  ~EngineWorker() { stop(); }
  EngineWorker(const EngineWorker&) = delete;
  EngineWorker& operator=(const EngineWorker&) = delete;

  /// Stops the thread (after one last flush) and waits for it. Idempotent.
  void stop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

  /// How many flushes, refreshes and reaps ran (for tests and metrics).
  [[nodiscard]] std::size_t flushes() const noexcept { return flushes_.load(); }

 private:
  void run() {
    using clock = std::chrono::steady_clock;
    auto next_refresh = clock::now();
    auto next_reap = clock::now() + options_.reap_every;
    // Short waits keep stop() prompt; a flush follows queued writes at once.
    const auto slice = std::min(options_.refresh_every, std::chrono::milliseconds(50));
    for (;;) {
      {
        std::lock_guard lock(mutex_);
        if (stopping_) break;
      }
      const bool writes = engine_.wait_for_writes(slice);
      std::size_t left = 0;
      if (writes) {
        left = engine_.flush();
        flushes_.fetch_add(1);
      }
      const auto now = clock::now();
      if (now >= next_refresh) {
        (void)engine_.refresh();  // failures leave the index as it was; tried again later
        next_refresh = now + options_.refresh_every;
      }
      if (now >= next_reap) {
        auto closed = engine_.reap(clock_.now());
        if (!closed.empty() && options_.on_reaped) options_.on_reaped(std::move(closed));
        next_reap = now + options_.reap_every;
      }
      if (left > 0) {  // the store refuses writes for now: wait before trying again
        std::unique_lock lock(mutex_);
        wake_.wait_for(lock, options_.retry_every, [&] { return stopping_; });
      }
    }
    engine_.flush();
  }

  CallEngine& engine_;
  const Clock& clock_;
  WorkerOptions options_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::atomic<std::size_t> flushes_{0};
  std::thread thread_;
};

TELCRM_END_NAMESPACE
