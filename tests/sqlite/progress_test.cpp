// SPDX-License-Identifier: Apache-2.0
// The command line's progress bar (tools/telcrm/progress.hpp): what it draws, that it
// redraws at most about ten times a second however often it is told, and that a disabled bar
// (not a terminal, --quiet) draws nothing.
#include <doctest/doctest.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "progress.hpp"

using telcrm::cli::Progress;

namespace {

std::string contents(std::FILE* f) {
  std::fflush(f);
  std::rewind(f);
  std::string out;
  for (int c = std::fgetc(f); c != EOF; c = std::fgetc(f)) out += static_cast<char>(c);
  return out;
}

std::size_t count(const std::string& text, char c) {
  std::size_t n = 0;
  for (char x : text) n += x == c ? 1 : 0;
  return n;
}

}  // namespace

TEST_CASE("The bar shows the fraction, the counts, the rate and what is left") {
  CHECK(Progress::render("importing", 42000, 100000, 2.0, 10) ==
        "importing [####......]  42%  42,000/100,000  21,000/s  ETA 0:03");
  CHECK(Progress::render("calls", 5, 5, 2.0, 4) == "calls [####] 100%  5/5  2/s  in 0:02");
  CHECK(Progress::render("calls", 0, 0, 0.0, 4) == "calls [####] 100%  0/0");
  CHECK(Progress::render("x", 1, 3600000, 1.0, 2) ==
        "x [..]   0%  1/3,600,000  1/s  ETA 999:59:59");
  CHECK(telcrm::cli::grouped(1234567) == "1,234,567");
  CHECK(telcrm::cli::grouped(999) == "999");
}

TEST_CASE("A disabled bar draws nothing") {
  std::FILE* f = std::tmpfile();
  REQUIRE(f != nullptr);
  {
    Progress bar("importing", false, f);
    for (std::size_t i = 0; i <= 1000; ++i) bar.update(i, 1000);
  }
  CHECK(contents(f).empty());
  std::fclose(f);
}

TEST_CASE("An enabled bar redraws at most about ten times a second and ends its line") {
  std::FILE* f = std::tmpfile();
  REQUIRE(f != nullptr);
  const auto start = std::chrono::steady_clock::now();
  {
    Progress bar("importing", true, f);
    for (std::size_t i = 0; i < 300; ++i) {
      bar.update(i, 1000000);
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    bar.update(1000000, 1000000);  // the end is always drawn
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const std::string text = contents(f);
  std::fclose(f);
  const std::size_t draws = count(text, '\r');
  CHECK(draws >= 2);
  CHECK(static_cast<double>(draws) <= seconds * 10 + 3);  // first, end, and one per 100 ms
  CHECK(text.find("1,000,000/1,000,000") != std::string::npos);
  CHECK(text.back() == '\n');
  CHECK(count(text, '\n') == 1);
}
