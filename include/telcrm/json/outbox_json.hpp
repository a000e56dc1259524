// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file Write batches as JSON, and FileOutboxJournal: the durable outbox of R-I3 in a file.
/// Part of the telcrm::json component.

#include <telcrm/config.hpp>
#include <telcrm/ports/outbox_journal.hpp>
#include <telcrm/result.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

TELCRM_BEGIN_NAMESPACE

/// A write batch as one line of JSON.
[[nodiscard]] std::string write_batch_to_json(const WriteBatch& batch);
/// The inverse of write_batch_to_json; errors name the JSON path.
[[nodiscard]] Result<WriteBatch> write_batch_from_json(std::string_view text);

/// How a FileOutboxJournal makes its lines durable.
struct FileJournalOptions {
  /// true: every line is written and flushed to the disk (fsync) before append() or remove()
  /// returns — a crash of the machine loses nothing acknowledged, and every event that queues
  /// a write waits for a disk flush. false: every line is written at once (it survives a
  /// crash of the process) and the disk is flushed at sync(), which the engine calls after
  /// each flush of its outbox — a crash of the machine may lose the lines since then, as
  /// SQLite's `synchronous = normal` may lose the last commits (the OutboxJournal port allows
  /// both).
  bool sync_each_append = true;
};

/// An OutboxJournal kept in a file: one JSON line per appended batch and per removal, made
/// durable as FileJournalOptions says. A line cut short by a crash at the end of the file is
/// ignored; the file is emptied whenever nothing is pending. Thread-safe.
class FileOutboxJournal final : public OutboxJournal {
 public:
  /// Opens (or creates) the journal at `path` and reads what is pending.
  /// Errors: Errc::io_error (cannot open or read), Errc::storage_corrupt (a damaged line
  /// before the last one).
  [[nodiscard]] static Result<std::unique_ptr<FileOutboxJournal>> open(
      const std::string& path, FileJournalOptions options = {});
  ~FileOutboxJournal() override;
  FileOutboxJournal(const FileOutboxJournal&) = delete;
  FileOutboxJournal& operator=(const FileOutboxJournal&) = delete;

  [[nodiscard]] Result<void> append(const WriteBatch& batch) override;
  [[nodiscard]] Result<void> remove(std::string_view call, std::uint32_t seq) override;
  [[nodiscard]] Result<std::vector<WriteBatch>> pending() const override;
  /// Flushes to the disk what was written since the last flush (nothing to do when every
  /// line is flushed as it is written).
  [[nodiscard]] Result<void> sync() override;

 private:
  FileOutboxJournal(std::string path, int fd, FileJournalOptions options)
      : path_(std::move(path)), fd_(fd), options_(options) {}
  Result<void> write_line(const std::string& line);
  Result<void> flush_locked();
  std::string path_;
  int fd_ = -1;
  FileJournalOptions options_;
  bool dirty_ = false;  // written, not yet flushed to the disk
  mutable std::mutex mutex_;
  // What is pending, in the order it was appended, and where each (call, seq) is: a removal
  // must not cost more as the journal grows (a store down for minutes).
  std::map<std::uint64_t, WriteBatch> pending_;
  std::map<std::pair<std::string, std::uint32_t>, std::uint64_t> order_of_;
  std::uint64_t next_order_ = 0;
  void keep_locked(WriteBatch batch);
  void forget_locked(std::string_view call, std::uint32_t seq);
};

TELCRM_END_NAMESPACE
