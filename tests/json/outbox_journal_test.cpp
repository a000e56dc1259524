// SPDX-License-Identifier: Apache-2.0
// FileOutboxJournal (R-I3): lines written at once and made durable by sync(), compaction when
// removed lines dominate, a line torn by a crash ignored and cut off.
#include <telcrm/json/outbox_json.hpp>

#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "json/journal_test_kit.hpp"

using namespace telcrm;
using namespace journal_test;

namespace {

// A journal file of its own, removed at the end.
struct JournalFile {
  JournalFile() {
    static int n = 0;
    path = (std::filesystem::temp_directory_path() /
            ("telcrm-journal-" + std::to_string(::getpid()) + "-" + std::to_string(n++) + ".jsonl"))
               .string();
    std::filesystem::remove(path);
  }
  ~JournalFile() {
    std::filesystem::remove(path);
    std::filesystem::remove(path + ".tmp");
  }
  JournalFile(const JournalFile&) = delete;
  JournalFile& operator=(const JournalFile&) = delete;
  [[nodiscard]] std::string text() const {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
  void add(const std::string& bytes) const {
    std::ofstream out(path, std::ios::binary | std::ios::app);
    out << bytes;
  }
  std::string path;
};

}  // namespace

TEST_CASE("R-I3 the file journal writes each line at once; another reader sees it before sync()") {
  JournalFile file;
  auto journal = open_journal(file.path);
  REQUIRE(journal->append(batch(1)).has_value());
  REQUIRE(journal->append(batch(2)).has_value());
  REQUIRE(journal->remove("c1", 1).has_value());
  // A process crash now loses nothing: the kernel has the lines (a second open reads them).
  CHECK(calls_of(*open_journal(file.path)->pending()) == std::vector<std::string>{"c2"});
  REQUIRE(journal->sync().has_value());
  REQUIRE(journal->sync().has_value());  // nothing new: nothing to do
  CHECK(journal->lines() == 3);
}

TEST_CASE("R-I3 the file journal is compacted when removed lines outnumber the pending ones") {
  JournalFile file;
  auto journal = open_journal(file.path);
  for (int i = 0; i < 300; ++i) REQUIRE(journal->append(batch(i)).has_value());
  std::size_t most = 0;
  for (int i = 0; i < 280; ++i) {
    REQUIRE(journal->remove("c" + std::to_string(i), 1).has_value());
    most = std::max(most, journal->lines());
    REQUIRE(journal->sync().has_value());  // as the engine does after each flush: compacts
  }
  // The removed batches' lines (an append and a removal each) at most twice the pending ones,
  // and the removal that tips it over, written before sync() compacts.
  CHECK(most <= 451);
  CHECK(journal->lines() < 20 + FileOutboxJournal::compact_after);
  const auto pending = *journal->pending();
  REQUIRE(pending.size() == 20);
  CHECK(pending.front().call == "c280");
  // The journal keeps the lines it wrote: what it reads back is the batch appended.
  CHECK(write_batch_to_json(pending.front()) == write_batch_to_json(batch(280)));
  CHECK_FALSE(std::filesystem::exists(file.path + ".tmp"));
  // The compacted file reads back the same, and takes appends after it.
  REQUIRE(journal->append(batch(1000)).has_value());
  auto again = open_journal(file.path);
  CHECK(calls_of(*again->pending()).size() == 21);
  CHECK(calls_of(*again->pending()).back() == "c1000");
  const auto reread = *again->pending();
  REQUIRE(reread.size() == pending.size() + 1);
  for (std::size_t i = 0; i < pending.size(); ++i)  // the same batches, every field
    CHECK(write_batch_to_json(reread[i]) == write_batch_to_json(pending[i]));
  // Emptied: the file too.
  const auto all = *journal->pending();
  for (const auto& b : all) REQUIRE(journal->remove(b.call, b.seq).has_value());
  CHECK(std::filesystem::file_size(file.path) == 0);
}

TEST_CASE("R-I3 removed lines alone never compact the file: sync() does") {
  JournalFile file;
  auto journal = open_journal(file.path);
  for (int i = 0; i < 300; ++i) REQUIRE(journal->append(batch(i)).has_value());
  for (int i = 0; i < 280; ++i) REQUIRE(journal->remove("c" + std::to_string(i), 1).has_value());
  CHECK(journal->lines() == 580);  // removal lines are cheap appends; no rewrite on this path
  REQUIRE(journal->sync().has_value());
  CHECK(journal->lines() == 20);
  CHECK(calls_of(*open_journal(file.path)->pending()).size() == 20);
}

TEST_CASE("R-I3 remove_all() notes a group's removals in one write, skipping what is not pending") {
  JournalFile file;
  auto journal = open_journal(file.path);
  for (int i = 0; i < 5; ++i) REQUIRE(journal->append(batch(i)).has_value());
  const std::vector<JournalKey> group{{"c1", 1}, {"c3", 1}, {"unknown", 7}, {"c1", 1}};
  REQUIRE(journal->remove_all(group).has_value());
  CHECK(journal->lines() == 7);  // five appends, two removals
  CHECK(calls_of(*journal->pending()) == std::vector<std::string>{"c0", "c2", "c4"});
  CHECK(calls_of(*open_journal(file.path)->pending()) ==
        std::vector<std::string>{"c0", "c2", "c4"});
  // The last ones: the file is emptied.
  const std::vector<JournalKey> rest{{"c0", 1}, {"c2", 1}, {"c4", 1}};
  REQUIRE(journal->remove_all(rest).has_value());
  CHECK(std::filesystem::file_size(file.path) == 0);
  CHECK(journal->lines() == 0);
}

TEST_CASE("R-I3 a removal line names any call id; it reads back after a reopen") {
  JournalFile file;
  auto journal = open_journal(file.path);
  WriteBatch odd = batch(1);
  odd.call = "quote\" back\\slash \u00e9 tab\t";
  REQUIRE(journal->append(odd).has_value());
  REQUIRE(journal->append(batch(2)).has_value());
  REQUIRE(journal->remove(odd.call, odd.seq).has_value());
  CHECK(journal->lines() == 3);  // the removal is a line of its own (no compaction yet)
  auto again = open_journal(file.path);
  CHECK(calls_of(*again->pending()) == std::vector<std::string>{"c2"});
  CHECK(again->lines() == 3);
}

TEST_CASE("R-I3 text that is not UTF-8 is journaled with U+FFFD, never a crash") {
  // A caller's number is kept as received when it is no number (the call record's), and a
  // host's store may hold any bytes: JSON cannot carry them, and the strict writer aborted
  // the process (a remote crash of `telcrm serve` through a SIP From of bad bytes).
  JournalFile file;
  auto journal = open_journal(file.path);
  WriteBatch odd = batch(1);
  CallRecord record;
  record.call = "c1";
  record.number = "ab\xFF\xFE";
  record.line = "+74951234567";
  odd.ops.push_back(RecordCall{record});
  REQUIRE(journal->append(odd).has_value());
  CHECK(file.text().find("ab\xEF\xBF\xBD\xEF\xBF\xBD") != std::string::npos);
  auto again = open_journal(file.path);
  auto pending = again->pending();
  REQUIRE(pending.has_value());
  REQUIRE(pending->size() == 1);
  const auto& ops = pending->front().ops;
  REQUIRE_FALSE(ops.empty());
  const auto* read = std::get_if<RecordCall>(&ops.back());
  REQUIRE(read != nullptr);
  CHECK(read->record.number == "ab\xEF\xBF\xBD\xEF\xBF\xBD");
  CHECK(write_batch_to_json(odd).find("\xEF\xBF\xBD") != std::string::npos);
}

TEST_CASE("R-I3 a journal whose removed lines dominate is compacted when opened") {
  JournalFile file;
  {
    auto journal = open_journal(file.path);
    for (int i = 0; i < 100; ++i) REQUIRE(journal->append(batch(i)).has_value());
  }
  // Removals written by an older build that never compacted.
  for (int i = 0; i < 99; ++i)
    file.add("{\"remove\":{\"call\":\"c" + std::to_string(i) + "\",\"seq\":1}}\n");
  auto journal = open_journal(file.path);
  CHECK(calls_of(*journal->pending()) == std::vector<std::string>{"c99"});
  CHECK(journal->lines() == 1);
  const std::string text = file.text();
  CHECK(std::count(text.begin(), text.end(), '\n') == 1);
}

TEST_CASE("R-I3 a line torn by a crash is ignored and cut off; later lines read back") {
  JournalFile file;
  {
    auto journal = open_journal(file.path);
    REQUIRE(journal->append(batch(1)).has_value());
    REQUIRE(journal->append(batch(2)).has_value());
  }
  const std::string whole = file.text();
  SUBCASE("a line cut in the middle") {
    file.add(whole.substr(0, whole.find('\n') / 2));
  }
  SUBCASE("a whole line without its newline (never acknowledged)") {
    file.add(whole.substr(0, whole.find('\n')));
  }
  auto journal = open_journal(file.path);
  CHECK(calls_of(*journal->pending()) == std::vector<std::string>{"c1", "c2"});
  CHECK(file.text() == whole);  // cut back to the last whole line
  REQUIRE(journal->append(batch(3)).has_value());
  auto again = open_journal(file.path);
  CHECK(calls_of(*again->pending()) == std::vector<std::string>{"c1", "c2", "c3"});
}

TEST_CASE("R-I3 a damaged line before the last one is storage_corrupt") {
  JournalFile file;
  {
    auto journal = open_journal(file.path);
    REQUIRE(journal->append(batch(1)).has_value());
  }
  file.add("{not json}\n");
  file.add(file.text().substr(0, file.text().find('\n') + 1));
  auto r = FileOutboxJournal::open(file.path);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code() == Errc::storage_corrupt);
  CHECK(r.error().message().find("line 2") != std::string::npos);
}
