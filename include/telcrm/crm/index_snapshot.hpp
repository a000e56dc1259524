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

#include <cstddef>
#include <cstdint>
#include <string>

TELCRM_BEGIN_NAMESPACE

/// The format version index snapshot files are written in (and the only one read).
inline constexpr std::uint32_t index_snapshot_version = 1;

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
[[nodiscard]] Result<IndexSnapshotInfo> load_index_snapshot(CrmIndex& index,
                                                            const std::string& path);

TELCRM_END_NAMESPACE

#ifdef TELCRM_HEADER_ONLY
#include <telcrm/crm/index_snapshot-inl.hpp>
#endif
