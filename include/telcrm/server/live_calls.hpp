// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// FileLiveCalls: the live-call journal of `telcrm serve` — the calls in progress, kept in a
/// file beside the outbox journal so that a node killed in the middle of calls (kill -9, a
/// crash) closes them as missed when it starts again (CallEngine::close_interrupted).

#include <telcrm/config.hpp>
#include <telcrm/pbx/pbx_service.hpp>
#include <telcrm/result.hpp>

#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

TELCRM_BEGIN_NAMESPACE
namespace server {

/// One line per event: `B <call> <line> <number> <unix seconds>` when a call begins, `E <call>`
/// when it ends; fields percent-escaped. Each line is written (write(2)) before began() or
/// ended() returns, so before the request is answered: it survives a crash of the process; a
/// crash of the machine may lose the last ones (no fsync per call: calls that vanish so are
/// closed by the engine's reap() instead). Lines of concurrent requests are written together
/// (one write(2) for all that came while the previous one ran), each request still waiting
/// for its own. Rewritten with only the open calls when the file is opened and when it has
/// grown.
class FileLiveCalls final : public pbx::LiveCallLog {
 public:
  /// Opens (creates) `path`. `interrupted()` then holds the calls a previous run left open.
  /// Errors: Errc::io_error.
  [[nodiscard]] static Result<std::unique_ptr<FileLiveCalls>> open(const std::string& path);
  ~FileLiveCalls() override;
  FileLiveCalls(const FileLiveCalls&) = delete;
  FileLiveCalls& operator=(const FileLiveCalls&) = delete;

  /// The calls a previous run began and never ended, in the order they began.
  [[nodiscard]] const std::vector<CallStart>& interrupted() const noexcept { return left_; }
  /// Forgets the interrupted calls (they were closed); rewrites the file.
  [[nodiscard]] Result<void> closed_interrupted();

  void began(const CallStart& start) override;
  void ended(std::string_view call) override;

 private:
  explicit FileLiveCalls(std::string path) : path_(std::move(path)) {}
  Result<void> rewrite_locked();
  // Queues `line` and returns once it is written (by this thread or by another's write).
  void append(std::unique_lock<std::mutex>& lock, std::string_view line);

  std::string path_;
  std::mutex mutex_;
  std::condition_variable written_cv_;
  int fd_ = -1;
  std::vector<CallStart> left_;
  // Begun in this run, not ended (kept for rewrites), with the order they began in.
  std::unordered_map<std::string, std::pair<std::uint64_t, CallStart>> open_;
  std::uint64_t begun_ = 0;
  std::size_t lines_ = 0;
  std::string queued_;           // lines waiting for the next write(2)
  std::uint64_t queued_n_ = 0;   // lines ever queued
  std::uint64_t written_n_ = 0;  // lines ever written (the first written_n_ of queued_n_)
  bool writing_ = false;         // a thread is in write(2) with a batch
};

}  // namespace server
TELCRM_END_NAMESPACE
