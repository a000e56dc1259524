// SPDX-License-Identifier: Apache-2.0
// The journals `telcrm serve` reads back at start, as files: the outbox journal
// (FileOutboxJournal: `{"append": batch}` / `{"remove": {call, seq}}` lines, a torn last line
// cut off) and the live-call journal (FileLiveCalls: `B call line number at` / `E call`,
// percent-escaped fields). The input's first byte picks one (even: outbox), the rest is the
// file. Properties: no crash or undefined behaviour; what a journal accepted, the file it
// leaves behind reads back the same (its pending batches, its interrupted calls); a batch
// appended and removed there leaves it so too.
#include <telcrm/json/outbox_json.hpp>
#include <telcrm/server/live_calls.hpp>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "fuzz_support.hpp"

using namespace telcrm;

namespace {

const std::string& scratch() {
  static const std::string dir = telcrm_fuzz::scratch_directory("journal");
  return dir;
}

void write_file(const std::string& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  if (!out) telcrm_fuzz::finding("cannot write the scratch file", path);
}

std::vector<std::string> pending_of(const FileOutboxJournal& journal) {
  auto pending = journal.pending();
  if (!pending) telcrm_fuzz::finding("pending() failed", pending.error().message());
  std::vector<std::string> out;
  for (const auto& batch : *pending) out.push_back(write_batch_to_json(batch));
  return out;
}

void outbox(std::string_view text) {
  const std::string path = scratch() + "/outbox";
  write_file(path, text);
  std::vector<std::string> before;
  {
    auto journal = FileOutboxJournal::open(path);
    if (!journal) return;
    before = pending_of(**journal);
  }
  auto again = FileOutboxJournal::open(path);
  if (!again)
    telcrm_fuzz::finding("an outbox journal it left cannot be reopened", again.error().message());
  if (pending_of(**again) != before)
    telcrm_fuzz::finding("an outbox journal changed when reopened", text);
  WriteBatch extra;
  extra.call = "fuzz-extra";
  extra.seq = 7;
  if (!(*again)->append(extra) || !(*again)->remove(extra.call, extra.seq) || !(*again)->sync())
    telcrm_fuzz::finding("cannot append to an outbox journal", path);
  again->reset();
  auto third = FileOutboxJournal::open(path);
  if (!third || pending_of(**third) != before)
    telcrm_fuzz::finding("an append and a remove changed what the journal holds", text);
}

std::vector<std::string> interrupted_of(const server::FileLiveCalls& live) {
  std::vector<std::string> out;
  for (const auto& s : live.interrupted()) {
    const auto at = s.at ? s.at->time_since_epoch().count() : -1;
    out.push_back(s.call + '\x1f' + s.line + '\x1f' + s.number + '\x1f' + std::to_string(at));
  }
  return out;
}

void live(std::string_view text) {
  const std::string path = scratch() + "/live";
  write_file(path, text);
  std::vector<std::string> before;
  {
    auto log = server::FileLiveCalls::open(path);
    if (!log) return;
    before = interrupted_of(**log);
  }
  auto again = server::FileLiveCalls::open(path);
  if (!again)
    telcrm_fuzz::finding("a live-call journal it left cannot be reopened", again.error().message());
  if (interrupted_of(**again) != before)
    telcrm_fuzz::finding("a live-call journal changed when reopened", text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view text = telcrm_fuzz::text_of(data + 1, size - 1);
  if (data[0] % 2 == 0)
    outbox(text);
  else
    live(text);
  return 0;
}
