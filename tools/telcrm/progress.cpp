// SPDX-License-Identifier: Apache-2.0
#include "progress.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <utility>

#include "io.hpp"

namespace telcrm::cli {

std::string grouped(std::size_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

namespace {

// 75 → "1:15"; 4000 → "1:06:40".
std::string clock_text(double seconds) {
  const auto s = static_cast<long>(std::lround(std::max(0.0, seconds)));
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
  return fmt::format("{}:{:02}", s / 60, s % 60);
}

}  // namespace

Progress::Progress(std::string label, bool enabled, std::FILE* out)
    : label_(std::move(label)), enabled_(enabled), out_(out), start_(Clock::now()) {}

Progress Progress::on_stderr(std::string label, bool quiet) {
  return Progress(std::move(label), !quiet && is_terminal(stderr), stderr);
}

Progress::~Progress() {
  finish();
}

std::string Progress::render(std::string_view label, std::size_t done, std::size_t total,
                             double seconds, std::size_t width) {
  const double fraction =
      total == 0 ? 1.0 : std::min(1.0, static_cast<double>(done) / static_cast<double>(total));
  const auto filled = static_cast<std::size_t>(fraction * static_cast<double>(width));
  std::string bar(filled, '#');
  bar.resize(width, '.');
  std::string line = fmt::format("{} [{}] {:3}%  {}/{}", label, bar,
                                 static_cast<int>(fraction * 100.0), grouped(done), grouped(total));
  if (seconds > 0.05 && done > 0) {
    const double rate = static_cast<double>(done) / seconds;
    line += fmt::format("  {}/s", grouped(static_cast<std::size_t>(rate)));
    if (done < total)
      line += fmt::format("  ETA {}", clock_text(static_cast<double>(total - done) / rate));
    else
      line += fmt::format("  in {}", clock_text(seconds));
  }
  return line;
}

void Progress::update(std::size_t done, std::size_t total) {
  if (!enabled_ || finished_) return;
  done_ = done;
  total_ = total;
  const auto now = Clock::now();
  if (!drawn_ || now - last_draw_ >= std::chrono::milliseconds(100) || done >= total) draw(now);
}

void Progress::draw(Clock::time_point now) {
  const double seconds = std::chrono::duration<double>(now - start_).count();
  // \r and "erase to the end of the line": the next drawing replaces this one.
  fmt::print(out_, "\r{}\x1b[K", render(label_, done_, total_, seconds));
  std::fflush(out_);
  last_draw_ = now;
  drawn_done_ = done_;
  drawn_ = true;
}

void Progress::finish() {
  if (!enabled_ || finished_) return;
  finished_ = true;
  if (!drawn_) return;
  if (drawn_done_ != done_) draw(Clock::now());
  fmt::print(out_, "\n");
  std::fflush(out_);
}

}  // namespace telcrm::cli
