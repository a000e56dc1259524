// SPDX-License-Identifier: Apache-2.0
#include "../compiled_lib.hpp"  // first: stops a build without TELCRM_COMPILED_LIB

#include <telcrm/engine/call_result.hpp>
#include <telcrm/routing/route_step.hpp>
#include <telcrm/server/log_observer.hpp>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <utility>

TELCRM_BEGIN_NAMESPACE
namespace server {

LineLog::LineLog(std::FILE* out, std::size_t capacity, std::chrono::milliseconds gather)
    : out_(out), capacity_(capacity), gather_(gather) {
  thread_ = std::thread([this] { run(); });
}

LineLog::~LineLog() {
  close();
}

namespace {

// "2026-12-06T05:53:08Z ": formatted once a second per thread, not once a line.
std::string_view stamp_now() {
  thread_local std::int64_t second = -1;
  thread_local std::string text;
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  if (now.time_since_epoch().count() != second) {
    second = now.time_since_epoch().count();
    text = fmt::format("{:%Y-%m-%dT%H:%M:%S}Z ", now);
  }
  return text;
}

}  // namespace

void LineLog::write(std::string line) {
  // The stamp goes in front of the line in its own buffer: no second string when the writer
  // left room for it (on_step does, a line per routing step).
  line.insert(0, stamp_now());
  line.push_back('\n');
  push(Entry{std::move(line), {}});
}

void LineLog::post(std::function<void()> task) {
  push(Entry{{}, std::move(task)});
}

void LineLog::push(Entry entry) {
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    if (closing_ || lines_.size() >= capacity_) {
      ++dropped_;
      return;
    }
    lines_.push_back(std::move(entry));
    wake = std::exchange(idle_, false);
  }
  // Only the first line after a pause wakes the log's thread: a wake-up per line costs a
  // call a context switch, and under load lines come thousands a second.
  if (wake) wake_.notify_one();
}

void LineLog::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    idle_ = true;
    wake_.wait(lock, [&] { return closing_ || !lines_.empty(); });
    idle_ = false;
    if (!closing_) {
      // Gathers what comes in the next few milliseconds into the same write.
      lock.unlock();
      std::this_thread::sleep_for(gather_);
      lock.lock();
    }
    std::deque<Entry> batch;
    batch.swap(lines_);
    const bool done = closing_;
    lock.unlock();
    for (const auto& entry : batch) {
      if (entry.task) {
        std::fflush(out_);
        entry.task();
      } else {
        std::fwrite(entry.line.data(), 1, entry.line.size(), out_);
      }
    }
    std::fflush(out_);
    lock.lock();
    if (done && lines_.empty()) return;
  }
}

void LineLog::close() {
  {
    std::lock_guard lock(mutex_);
    if (closing_) {
      if (!thread_.joinable()) return;
    }
    closing_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::size_t LineLog::dropped() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}

Result<void> LogObserver::on_step(std::string_view call, std::size_t index, const RouteStep& step) {
  std::string line;  // a line per routing step: no format string to parse, one allocation
  line.reserve(96 + call.size());  // with room for the stamp and the step (LineLog::write)
  line += "step ";
  line += call;
  line += " #";
  line += std::to_string(index);
  line += ' ';
  line += format_as(step);
  log_.write(std::move(line));
  return {};
}

Result<void> LogObserver::on_call_ended(const CallResult& r) {
  std::string created;
  for (const auto& c : r.created)
    created += fmt::format("{}{} {}", created.empty() ? "" : ",", c.entity.type, c.entity.id);
  std::string client = "-";
  if (r.match.primary) client = fmt::format("{} {}", r.match.primary->type, r.match.primary->id);
  log_.write(fmt::format("end {} {} {} by {} {}s crm={} client={} created={} activity={}", r.call,
                         r.outcome, code_of(r.status),
                         r.answered_by ? std::to_string(*r.answered_by) : std::string("-"),
                         r.history.duration.count(), r.match.crm, client,
                         created.empty() ? "-" : created, r.activity ? "yes" : "no"));
  if (printer_) log_.post([printer = printer_, result = r] { printer(result); });
  return {};
}

Result<void> LogObserver::on_store_error(std::string_view call, const Error& error) {
  log_.write(fmt::format("store-error {} {}", call.empty() ? "-" : call, error));
  return {};
}

Result<void> LogObserver::on_missing_employee(std::string_view queue, EmployeeId employee) {
  log_.write(fmt::format("missing-employee queue={} employee={} (not rung)", queue, employee));
  return {};
}

}  // namespace server
TELCRM_END_NAMESPACE
