// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// Write batches as JSON, and FileOutboxJournal: the durable outbox of R-I3 in a file.
/// Part of the telcrm::json component.

#include <telcrm/config.hpp>
#include <telcrm/ports/outbox_journal.hpp>
#include <telcrm/result.hpp>

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

/// An OutboxJournal kept in a file: one JSON line per appended batch and per removal, each
/// written and flushed to the disk (fsync) before the call returns. A line cut short by a
/// crash at the end of the file is ignored; the file is emptied whenever nothing is pending.
/// Thread-safe.
class FileOutboxJournal final : public OutboxJournal {
 public:
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

 private:
  FileOutboxJournal(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  Result<void> write_line(const std::string& line);
  std::string path_;
  int fd_ = -1;
  mutable std::mutex mutex_;
  std::vector<WriteBatch> pending_;
};

TELCRM_END_NAMESPACE
