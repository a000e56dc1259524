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
#include <map>
#include <memory>
#include <mutex>
#include <span>
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
  /// false (the default): every line is written at once (it survives a crash of the process)
  /// and the file is flushed to the disk at sync(), which the engine calls after each flush of
  /// its outbox — one fsync per flush, not one per batch; a crash of the machine may lose the
  /// lines since the last sync, as SQLite's `synchronous = normal` may lose the last commits
  /// (the OutboxJournal port allows both). true: every line is also flushed to the disk before
  /// append() or remove() returns, so every event that queues a write waits for the disk.
  bool sync_each_append = false;
};

/// An OutboxJournal kept in a file: one JSON line per appended batch and per removal, made
/// durable as FileJournalOptions says.
///
/// The file is compacted when the lines of removed batches outnumber the pending ones (and
/// are at least `compact_after`): the pending batches are written to `<path>.tmp`, synced,
/// and renamed over the file, so a crash leaves the old file or the new one, never a mix.
/// That happens in sync(), and the disk is waited for without the journal's lock, so that
/// appends (the engine's events) go on meanwhile; with `sync_each_append` it happens in
/// remove(). When nothing is pending the file is emptied (in remove()). A line cut short by a crash
/// at the end of the file was never acknowledged: it is ignored, and cut off before anything is
/// appended. Removing a batch costs O(log n) however long the journal grows (a store down for
/// minutes). Thread-safe.
class FileOutboxJournal final : public OutboxJournal {
 public:
  /// Removed lines below this many never trigger a compaction (it would cost more than the
  /// lines it saves).
  static constexpr std::size_t compact_after = 64;

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
  /// As remove() for each, with their removal lines in one write.
  [[nodiscard]] Result<void> remove_all(std::span<const JournalKey> keys) override;
  [[nodiscard]] Result<std::vector<WriteBatch>> pending() const override;
  /// Flushes to the disk what was written since the last flush (nothing to do when every
  /// line is flushed as it is written).
  [[nodiscard]] Result<void> sync() override;

  /// How many lines the file holds (pending batches plus the lines compaction would drop).
  [[nodiscard]] std::size_t lines() const;

 private:
  FileOutboxJournal(std::string path, int fd, FileJournalOptions options)
      : path_(std::move(path)), fd_(fd), options_(options) {}
  // Writes `text` (`lines` whole lines) at the end of the file.
  Result<void> write_line(const std::string& text, std::size_t lines = 1);
  // Rewrites the file with the pending batches only (temporary file, fsync, rename).
  Result<void> compact_locked();
  // After forgetting `lines` batches whose removal lines are `text`: the file emptied when
  // nothing is left, a compaction when due with sync_each_append, else the lines written.
  Result<void> note_removals_locked(const std::string& text, std::size_t lines);
  [[nodiscard]] bool compaction_due_locked() const;
  // The compaction of sync(): the disk is waited for without the lock.
  Result<void> compact_if_due();
  Result<void> flush_locked();
  std::string path_;
  int fd_ = -1;
  FileJournalOptions options_;
  bool dirty_ = false;       // written, not yet flushed to the disk
  bool compacting_ = false;  // a sync() is compacting (the others do not)
  mutable std::mutex mutex_;
  // What is pending, in the order it was appended, as the line that holds it in the file
  // (a compaction writes the lines again without serialising a batch; pending() reads
  // them), and where each (call, seq) is.
  std::map<std::uint64_t, std::string> pending_;
  std::map<std::pair<std::string, std::uint32_t>, std::uint64_t> order_of_;
  std::uint64_t next_order_ = 0;
  std::size_t lines_ = 0;   // lines in the file
  std::uint64_t size_ = 0;  // bytes in the file (a failed write is cut back to it)
  void keep_locked(std::string call, std::uint32_t seq, std::string line);
  void forget_locked(std::string_view call, std::uint32_t seq);
};

TELCRM_END_NAMESPACE
