// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// Write batches as JSON, and FileOutboxJournal: the durable outbox of R-I3 in a file.
/// Part of the telcrm::json component.

#include <telcrm/config.hpp>
#include <telcrm/ports/outbox_journal.hpp>
#include <telcrm/result.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

TELCRM_BEGIN_NAMESPACE

/// A write batch as one line of JSON.
[[nodiscard]] std::string write_batch_to_json(const WriteBatch& batch);
/// The inverse of write_batch_to_json; errors name the JSON path.
[[nodiscard]] Result<WriteBatch> write_batch_from_json(std::string_view text);

/// An OutboxJournal kept in a file: one JSON line per appended batch and per removal.
///
/// Durability, as the port asks: append() and remove() have written their line when they
/// return (the kernel has it: a crash of the process loses nothing); sync() flushes the file
/// to the disk (fsync: a crash of the machine loses nothing synced before it). So a flush of
/// many batches costs one fsync, not one per batch.
///
/// The file is compacted when the lines of removed batches outnumber the pending ones (and
/// are at least `compact_after`): the pending batches are written to `<path>.tmp`, synced,
/// and renamed over the file, so a crash leaves the old file or the new one, never a mix.
/// When nothing is pending the file is emptied. A line cut short by a crash at the end of the
/// file was never acknowledged: it is ignored, and cut off before anything is appended.
/// Thread-safe.
class FileOutboxJournal final : public OutboxJournal {
 public:
  /// Removed lines below this many never trigger a compaction (it would cost more than the
  /// lines it saves).
  static constexpr std::size_t compact_after = 64;

  /// Opens (or creates) the journal at `path` and reads what is pending.
  /// Errors: Errc::io_error (cannot open or read), Errc::storage_corrupt (a damaged line
  /// before the last one).
  [[nodiscard]] static Result<std::unique_ptr<FileOutboxJournal>> open(const std::string& path);
  ~FileOutboxJournal() override;
  FileOutboxJournal(const FileOutboxJournal&) = delete;
  FileOutboxJournal& operator=(const FileOutboxJournal&) = delete;

  [[nodiscard]] Result<void> append(const WriteBatch& batch) override;
  [[nodiscard]] Result<void> remove(std::string_view call, std::uint32_t seq) override;
  [[nodiscard]] Result<std::vector<WriteBatch>> pending() const override;
  /// fsync, when anything was written since the last one.
  [[nodiscard]] Result<void> sync() override;

  /// How many lines the file holds (pending batches plus the lines compaction would drop).
  [[nodiscard]] std::size_t lines() const;

 private:
  FileOutboxJournal(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  Result<void> write_line(const std::string& line);
  // Rewrites the file with the pending batches only (temporary file, fsync, rename).
  Result<void> compact_locked();
  std::string path_;
  int fd_ = -1;
  mutable std::mutex mutex_;
  std::vector<WriteBatch> pending_;
  std::size_t lines_ = 0;   // lines in the file
  std::uint64_t size_ = 0;  // bytes in the file (a failed write is cut back to it)
  bool unsynced_ = false;   // written since the last fsync
};

TELCRM_END_NAMESPACE
