// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// CrmChangeFeed (optional part of the CrmStore port): what changed in the store, so that
/// several processes — or the host's own CRM screens — writing one database keep every
/// engine's index current.

#include <telcrm/config.hpp>
#include <telcrm/crm/entity.hpp>
#include <telcrm/result.hpp>

#include <cstdint>
#include <vector>

TELCRM_BEGIN_NAMESPACE

/// What changed in a store since a cursor (see CrmChangeFeed::changes_since).
struct ChangeSet {
  std::uint64_t cursor = 0;          ///< pass to the next changes_since()
  std::vector<EntityRef> changed{};  ///< created, changed or deleted since the cursor
  bool complete = true;              ///< false: the store cannot tell — rebuild the index
  /// Equal when every member is.
  friend bool operator==(const ChangeSet&, const ChangeSet&) = default;
};

/// The change feed a store may offer (CrmStore::change_feed()). CallEngine::refresh() asks
/// data_version() and, when it moved, reads changes_since() and re-reads those records with
/// CrmStore::find_*() — never on a ringing call's path.
///
/// Thread safety: every method may be called from several threads at once.
class CrmChangeFeed {
 public:
  virtual ~CrmChangeFeed() = default;
  /// A number that changes when *another* writer (another process, another store object, the
  /// host's own application) changed the data; writes through this store object need not
  /// change it. Cheap: asked often (SQLite: PRAGMA data_version; PostgreSQL: a counter fed
  /// by notifications).
  [[nodiscard]] virtual Result<std::uint64_t> data_version() const = 0;
  /// The cursor changes_since() would return now, without listing anything.
  [[nodiscard]] virtual Result<std::uint64_t> change_cursor() const = 0;
  /// The contacts, companies, leads and deals changed since `cursor` (the returned cursor is
  /// the current one). `complete = false` when the store cannot list them (a cursor it never
  /// handed out, history pruned): the engine then rebuilds its index.
  [[nodiscard]] virtual Result<ChangeSet> changes_since(std::uint64_t cursor) const = 0;
};

TELCRM_END_NAMESPACE
