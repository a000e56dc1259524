// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// Index snapshot files: a node that joins loads the CrmIndex it (or another node) saved after
/// a rebuild instead of reading and normalising every stored phone again, then catches up with
/// the change feed from the snapshot's cursor. A file that is damaged, of another version or
/// made with other key options is refused: the caller falls back to a full rebuild.

#include <telcrm/config.hpp>
#include <telcrm/crm/crm_index.hpp>
#include <telcrm/result.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

TELCRM_BEGIN_NAMESPACE

/// The format version index snapshot files are written in (and the only one read).
inline constexpr std::uint32_t index_snapshot_version = 3;

/// What an index snapshot file holds besides the facts.
struct IndexSnapshotInfo {
  /// The change feed's cursor (CrmChangeFeed::change_cursor()) the index was current with:
  /// changes_since(cursor) brings a loaded index up to date.
  std::uint64_t cursor = 0;
  std::size_t entities = 0;  ///< the entities filed (contacts, companies, leads, deals)
  std::size_t bytes = 0;     ///< the file's size
};

/// Writes every fact of `index` and `cursor` to `path`: a header (magic, version, the key
/// options), the facts, and a checksum over all of it; through a temporary file beside it,
/// flushed to the disk and renamed, so a crash leaves the old file or the new one.
/// Errors: Errc::io_error.
[[nodiscard]] Result<IndexSnapshotInfo> save_index_snapshot(CrmIndex& index,
                                                            const std::string& path,
                                                            std::uint64_t cursor);

/// Replaces the contents of `index` with the snapshot at `path`. Nothing is changed when it
/// fails. Errors: Errc::not_found (no file), Errc::io_error (unreadable), Errc::storage_corrupt
/// (not a snapshot, truncated, wrong checksum), Errc::unsupported_version (another format
/// version), Errc::conflict (made with other key options than `index` has: stale).
/// The file's sections are read on up to `threads` threads (0: every core, but a file under
/// 32 MiB on the calling thread alone).
[[nodiscard]] Result<IndexSnapshotInfo> load_index_snapshot(CrmIndex& index,
                                                            const std::string& path,
                                                            unsigned threads = 0);

namespace detail {

// A checksum that reads 32 bytes a step in four independent multiply-rotate lanes (so a
// gigabyte costs a fraction of a second): damaged or truncated files are what it must
// catch, not an adversary.
class SnapshotSum {
 public:
  void add(const char* p, std::size_t n) {
    total_ += n;
    if (fill_ > 0) {
      const std::size_t take = std::min(n, sizeof buffer_ - fill_);
      std::memcpy(buffer_ + fill_, p, take);
      fill_ += take;
      p += take;
      n -= take;
      if (fill_ < sizeof buffer_) return;
      block(buffer_);
      fill_ = 0;
    }
    for (; n >= sizeof buffer_; p += sizeof buffer_, n -= sizeof buffer_) block(p);
    std::memcpy(buffer_, p, n);
    fill_ = n;
  }
  [[nodiscard]] std::uint64_t value() const {
    SnapshotSum copy = *this;
    std::memset(copy.buffer_ + copy.fill_, 0, sizeof buffer_ - copy.fill_);
    copy.buffer_[copy.fill_ % sizeof buffer_] = static_cast<char>(0x80);
    copy.block(copy.buffer_);
    std::uint64_t h = copy.total_;
    for (std::uint64_t lane : copy.lanes_) h = mix(h, lane);
    return h ^ (h >> 29);
  }

 private:
  static std::uint64_t mix(std::uint64_t h, std::uint64_t word) {
    h = (h ^ word) * 0x9E3779B97F4A7C15ULL;
    return (h << 31) | (h >> 33);
  }
  void block(const char* p) {
    for (std::size_t lane = 0; lane < 4; ++lane) {
      std::uint64_t word = 0;
      std::memcpy(&word, p + 8 * lane, 8);
      lanes_[lane] = mix(lanes_[lane], word);
    }
  }
  std::array<std::uint64_t, 4> lanes_{0x243F6A8885A308D3ULL, 0x13198A2E03707344ULL,
                                      0xA4093822299F31D0ULL, 0x082EFA98EC4E6C89ULL};
  char buffer_[32]{};
  std::size_t fill_ = 0;
  std::uint64_t total_ = 0;
};

inline constexpr std::size_t snapshot_sections = 7;

// What a file's header says: its key options and cursor, and where each section lies
// (records, phone keys, open deals, repeat leads, then the phone, raw-digit and entity
// tables).
struct SnapshotLayout {
  std::uint32_t suffix_digits = 0;
  std::string region;
  std::uint64_t cursor = 0;
  std::uint64_t counts[4] = {};     // records, phone keys, open deals, repeat leads
  std::uint64_t tables[3][2] = {};  // slots, home slots
  std::size_t header_bytes = 0;     // summed into the checksum as they are
  std::uint64_t offset[snapshot_sections] = {};
  std::size_t bytes[snapshot_sections] = {};
};

// The layout of a file of `size` bytes whose first `n` bytes (its header at least, or all of
// it) are at `data`; every size checked against the file's before anything is allocated.
[[nodiscard]] Result<SnapshotLayout> read_snapshot_layout(const char* data, std::size_t n,
                                                          std::uint64_t size);
// The checksum a file of layout `l` held whole at `data` should end with, every section summed
// here (a test makes a changed file's checksum good with it; a load sums the sections as it
// reads them).
[[nodiscard]] std::uint64_t snapshot_checksum(const char* data, const SnapshotLayout& l);

}  // namespace detail

TELCRM_END_NAMESPACE

#ifdef TELCRM_HEADER_ONLY
#include <telcrm/crm/index_snapshot-inl.hpp>
#endif
