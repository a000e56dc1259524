// SPDX-License-Identifier: Apache-2.0
// FileOutboxJournal under concurrency (R-I3): a compaction in sync() while events append and
// the flush removes. Runs under ThreadSanitizer in CI.
#include <telcrm/json/outbox_json.hpp>

#include <doctest/doctest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "json/journal_test_kit.hpp"

using namespace telcrm;
using namespace journal_test;

TEST_CASE("R-I3 a compaction in sync() loses nothing appended or removed meanwhile") {
  // One thread appends and removes as events and flushes do; another syncs (and so
  // compacts) all the while. Whatever the interleaving, the file holds exactly what is
  // pending at the end.
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("telcrm-journal-concurrency-" + std::to_string(::getpid()) + ".jsonl"))
                               .string();
  std::filesystem::remove(path);
  auto journal = open_journal(path);
  std::atomic<bool> done{false};
  std::atomic<int> failed_syncs{0};
  std::thread syncer([&] {
    while (!done.load())
      if (!journal->sync()) failed_syncs.fetch_add(1);
  });
  // A batch is removed 50 appends after its own (so removals hit batches a compaction has
  // copied); every tenth stays pending.
  constexpr int n = 3000;
  constexpr int lag = 50;
  auto settle = [&](int i) {
    if (i % 10 != 0) CHECK(journal->remove("c" + std::to_string(i), 1).has_value());
  };
  for (int i = 0; i < n; ++i) {
    CHECK(journal->append(batch(i)).has_value());  // (no REQUIRE while the thread runs)
    if (i >= lag) settle(i - lag);
  }
  for (int i = n - lag; i < n; ++i) settle(i);
  std::vector<std::string> expected;
  for (int i = 0; i < n; i += 10) expected.push_back("c" + std::to_string(i));
  done.store(true);
  syncer.join();
  CHECK(failed_syncs.load() == 0);
  REQUIRE(journal->sync().has_value());
  CHECK(calls_of(*journal->pending()) == expected);
  CHECK(calls_of(*open_journal(path)->pending()) == expected);
  // Compacted along the way (5,700 lines without): removed lines at most twice the pending.
  CHECK(journal->lines() <= 3 * expected.size());
  CHECK_FALSE(std::filesystem::exists(path + ".tmp"));
  journal.reset();
  std::filesystem::remove(path);
}
