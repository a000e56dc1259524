// SPDX-License-Identifier: Apache-2.0
#pragma once
// A progress bar for long work on stderr: `label [#######.....]  58%  58,000/100,000
// 41,200/s  ETA 0:01`. Drawn only when stderr is a terminal and not --quiet; redrawn at most
// ten times a second, so reporting every record costs next to nothing.

#include <chrono>
#include <cstddef>
#include <cstdio>
#include <string>
#include <string_view>

namespace telcrm::cli {

/// 1234567 → "1,234,567".
std::string grouped(std::size_t n);

class Progress {
 public:
  using Clock = std::chrono::steady_clock;

  /// A bar for `label` on `out`; `enabled` false makes every call a no-op.
  Progress(std::string label, bool enabled, std::FILE* out = stderr);
  /// A bar on stderr, enabled when stderr is a terminal and `quiet` is false.
  static Progress on_stderr(std::string label, bool quiet);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  /// `done` of `total` units; redraws when the last drawing is 100 ms old (or at the end).
  void update(std::size_t done, std::size_t total);
  /// Draws the final state and ends the line (once; also done by the destructor).
  void finish();

  [[nodiscard]] bool enabled() const noexcept { return enabled_; }

  /// The bar's text for a state, without a line end (exposed for tests).
  static std::string render(std::string_view label, std::size_t done, std::size_t total,
                            double seconds, std::size_t width = 24);

 private:
  void draw(Clock::time_point now);

  std::string label_;
  bool enabled_;
  std::FILE* out_;
  Clock::time_point start_;
  Clock::time_point last_draw_{};
  std::size_t done_ = 0;
  std::size_t total_ = 0;
  std::size_t drawn_done_ = 0;  // `done` as last drawn
  bool drawn_ = false;
  bool finished_ = false;
};

}  // namespace telcrm::cli
