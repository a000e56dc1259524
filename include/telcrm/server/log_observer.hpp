// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file LogObserver: one line per decision, with its reason (R-R6), written by a thread of
/// its own so that an event never waits for the log.

#include <telcrm/config.hpp>
#include <telcrm/engine/call_result.hpp>
#include <telcrm/ports/observer.hpp>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdio>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

TELCRM_BEGIN_NAMESPACE
namespace server {

/// Writes lines to a stream from a background thread, in batches: a line reaches the stream
/// within a few milliseconds (`gather`). When more than `capacity` lines wait, new ones are
/// dropped and counted (the log must not grow without bound under load).
class LineLog {
 public:
  explicit LineLog(std::FILE* out, std::size_t capacity = 100000,
                   std::chrono::milliseconds gather = std::chrono::milliseconds(5));
  ~LineLog();
  LineLog(const LineLog&) = delete;
  LineLog& operator=(const LineLog&) = delete;

  /// Queues one line (a newline is added); prefixed with the UTC time.
  void write(std::string line);
  /// Queues work for the log's thread, run in order with the lines (e.g. printing a call).
  void post(std::function<void()> task);
  /// Writes what waits and stops the thread (idempotent).
  void close();
  [[nodiscard]] std::size_t dropped() const;

 private:
  struct Entry {
    std::string line;
    std::function<void()> task;
  };
  void push(Entry entry);
  void run();
  std::FILE* out_;
  std::size_t capacity_;
  std::chrono::milliseconds gather_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Entry> lines_;
  std::size_t dropped_ = 0;
  bool closing_ = false;
  bool idle_ = false;  // the thread waits for a line: the next one must wake it
  std::thread thread_;
};

/// The engine's decisions as log lines:
///   `step c1 #0 ring [3] 3s responsible`
///   `end c1 answered 200 by 1 35s crm=matched client=contact 5 created=- activity=yes`
///   `store-error c1 storage_unavailable: database is locked`
class LogObserver final : public Observer {
 public:
  /// Prints a call that ended (on the log's thread).
  using CallPrinter = std::function<void(const CallResult&)>;
  explicit LogObserver(LineLog& log, CallPrinter printer = {})
      : log_(log), printer_(std::move(printer)) {}
  [[nodiscard]] Result<void> on_step(std::string_view call, std::size_t index,
                                     const RouteStep& step) override;
  [[nodiscard]] Result<void> on_call_ended(const CallResult& result) override;
  [[nodiscard]] Result<void> on_store_error(std::string_view call, const Error& error) override;
  [[nodiscard]] Result<void> on_missing_employee(std::string_view queue,
                                                 EmployeeId employee) override;

 private:
  LineLog& log_;
  CallPrinter printer_;
};

}  // namespace server
TELCRM_END_NAMESPACE
