// SPDX-License-Identifier: Apache-2.0
#pragma once
// Private to telcrm::postgres: the store's state and the split of its work over the source
// files — reads.cpp (records), writes.cpp (apply, groups, pruning), batch.cpp (the SQL of a
// batch: receipts, claims, operations), import.cpp (COPY), settings.cpp (the directory,
// settings, phone keys), feed.cpp (notifications and the change log), store.cpp (opening).

#include <telcrm/crm/crm_index.hpp>
#include <telcrm/phone/phone_normalizer.hpp>
#include <telcrm/postgres/postgres_crm_store.hpp>

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <limits>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "db.hpp"

TELCRM_BEGIN_NAMESPACE

namespace pg_detail {

// Advisory lock keys of the store (single bigint keys; "PQ" + a tag in the high bits, so a
// host's own keys are unlikely to meet them). Per-number and per-record keys are hashes in
// the two-int key space (see writes.cpp), which never meets the single-key one.
inline constexpr std::int64_t migration_lock = 5787286014313365504;
inline constexpr std::int64_t prune_lock = migration_lock + 1;
inline constexpr std::int64_t rekey_lock = migration_lock + 2;

/// Makes the connected database a telcrm database of the current schema, or explains why it
/// cannot be one; reads before it writes (schema.cpp).
[[nodiscard]] Result<void> prepare_schema(Connection& c, const PostgresOptions& options);

/// The SET commands of a store's sessions.
[[nodiscard]] Session session_of(const PostgresOptions& options, bool read_only);

/// The names of the transaction-local settings that carry the ids a transaction's creates
/// got, for the later statements that refer to them by local (negative) id: "n0", "n1", … in
/// the order the local ids first appear, the same name for the same record. Never the local
/// id itself: the engine does not reuse one, and a PostgreSQL session keeps every setting name
/// it ever saw — PostgreSQL 15 sorts them all again for each new name and walks them all at
/// every commit, so a node's session slowed down with every lead it had created. Cleared when
/// a transaction begins: its names are a few dozen at most, the same in every group.
class LocalNames {
 public:
  /// The setting's name (without "telcrm.") for a local id; nullopt for a stored id or none.
  std::optional<std::string> of(EntityType type, std::optional<EntityId> id);
  void clear() noexcept { seen_.clear(); }

 private:
  std::vector<EntityRef> seen_;  // by first appearance; a group names a few dozen at most
};

/// The notification listener: its own connection, a thread that waits on its socket, and the
/// counters data_version(), version() and settings_version() read (feed.cpp).
class Listener {
 public:
  Listener() = default;
  ~Listener() { stop(); }
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  /// Connects, LISTENs, and starts the thread. `own_pid` tells this store's writing session:
  /// its notifications are not "another writer".
  [[nodiscard]] Result<void> start(const std::string& conninfo, Session session,
                                   const std::atomic<int>* own_pid);
  void stop() noexcept;

  [[nodiscard]] std::uint64_t data() const noexcept { return data_.load(); }
  [[nodiscard]] std::uint64_t directory() const noexcept { return directory_.load(); }
  [[nodiscard]] std::uint64_t settings() const noexcept { return settings_.load(); }
  void bump_directory() noexcept { bump(directory_); }
  void bump_data() noexcept { bump(data_); }
  [[nodiscard]] std::uint64_t wait_for_change(std::uint64_t seen,
                                              std::chrono::milliseconds timeout) const;
  [[nodiscard]] std::uint64_t reconnects() const noexcept { return reconnects_.load(); }

  /// Another store object of this process on the same database wrote (see Peers).
  void peer_changed(bool data, bool directory, bool settings) noexcept;

 private:
  void run();
  void bump(std::atomic<std::uint64_t>& counter) noexcept;
  bool drain();  // reads what arrived; false when the connection broke
  std::atomic<std::uint64_t> data_{1};
  std::atomic<std::uint64_t> directory_{1};
  std::atomic<std::uint64_t> settings_{1};
  std::atomic<std::uint64_t> reconnects_{0};
  const std::atomic<int>* own_pid_ = nullptr;
  std::optional<Connection> conn_;  // used by the thread only, once started
  std::thread thread_;
  std::array<int, 2> wake_{-1, -1};  // a pipe: writing to it ends the thread's wait
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;  // for the condition variable only
  mutable std::condition_variable changed_;
};

/// The store objects of this process, by database and schema: a commit tells the others at
/// once, so their data_version() moves as soon as the writer returns — as for SQLite's
/// connections in one process. Other processes learn it from the NOTIFY, a moment later.
void join_peers(const std::string& key, Listener* listener);
void leave_peers(const std::string& key, Listener* listener);
void tell_peers(const std::string& key, const Listener* self, bool data, bool directory,
                bool settings);

}  // namespace pg_detail

// --- the store's state ------------------------------------------------------------------------

class PostgresCrmStore::Impl {
 public:
  Impl(PostgresOptions o, pg_detail::Connection writer, pg_detail::Connection reader)
      : options_(std::move(o)), writer_(std::move(writer)), reader_(std::move(reader)) {
    writer_pid_.store(writer_.backend_pid());
  }

  PostgresOptions options_;

  // Writes: one connection, one writer at a time.
  mutable std::mutex write_mutex_;
  pg_detail::Connection writer_;
  bool group_open_ = false;            // begin_group()
  pg_detail::LocalNames local_names_;  // of the open transaction (cleared at its BEGIN)
  std::optional<Error> group_lost_;    // why the open group ended on its own
  std::int64_t newest_at_ = std::numeric_limits<std::int64_t>::min();  // newest batch `at`
  std::int64_t pruned_at_ = std::numeric_limits<std::int64_t>::min();  // newest_at_ then
  std::atomic<int> writer_pid_{0};

  // How phones are keyed, and the claim window: read by writes and reads.
  mutable std::mutex keys_mutex_;
  IndexOptions keys_{};
  std::int64_t key_version_ = 0;
  Seconds claim_window_{300};
  PhoneNormalizer normalizer_;

  // Reads: their own connection.
  mutable std::mutex read_mutex_;
  mutable pg_detail::Connection reader_;

  pg_detail::Listener listener_;
  std::string peer_key_;  // database and schema, for pg_detail::tell_peers

  // --- helpers shared by the files ---
  /// Tells this process's other store objects on the same data what this one committed.
  void wrote(bool data, bool directory, bool settings) const {
    pg_detail::tell_peers(peer_key_, &listener_, data, directory, settings);
  }
  [[nodiscard]] IndexOptions keys() const {
    std::lock_guard lock(keys_mutex_);
    return keys_;
  }
  /// Bulk work (import, settings) is a unit: its own transaction, or — inside an open write
  /// group — a savepoint, committed with the group (so `crm import` stores settings and CRM
  /// together, all or nothing).
  [[nodiscard]] Result<pg_detail::PgResult> begin_unit(pg_detail::Connection& c,
                                                       std::string_view what) {
    return c.exec(group_open_ ? "SAVEPOINT telcrm_unit" : "BEGIN", what);
  }
  [[nodiscard]] Result<pg_detail::PgResult> end_unit(pg_detail::Connection& c,
                                                     std::string_view what) {
    return c.exec(group_open_ ? "RELEASE SAVEPOINT telcrm_unit" : "COMMIT", what);
  }
  /// Undoes the unit: the savepoint inside a group (the group stays usable), else the
  /// transaction.
  void abort_unit(pg_detail::Connection& c) {
    if (c.broken() || !c.in_transaction()) return;
    (void)c.exec(group_open_ ? "ROLLBACK TO SAVEPOINT telcrm_unit" : "ROLLBACK", "rolling back");
  }
  /// The writer, reconnected if needed (the listener learns its new pid).
  [[nodiscard]] Result<void> ensure_writer();

  // --- reads.cpp ---
  /// The stored settings, read through `c` (the reader, or the writer inside a transaction).
  [[nodiscard]] Result<std::optional<IntegrationSettings>> load_settings_with(
      pg_detail::Connection& c) const;

  // --- writes.cpp (write_mutex_ held by the caller) ---
  /// Applies `batches` in one transaction (a savepoint each when there are several, or when a
  /// group is open) — see PostgresCrmStore::apply_all.
  /// With `linked`, a batch may refer to records an earlier one creates (apply_linked()).
  [[nodiscard]] std::vector<Result<WriteReceipt>> apply_locked(std::span<const WriteBatch> batches,
                                                               bool linked = false);
  [[nodiscard]] Result<void> prune_locked(bool force);
  /// The keys (region, suffix digits) of `phone`, as parameters of a phones row: e164,
  /// e164_key, raw_key, form, suffix_key.
  void phone_columns(std::string_view phone, const IndexOptions& keys,
                     std::vector<std::optional<std::string>>& e164,
                     std::vector<std::optional<std::int64_t>>& e164_key,
                     std::vector<std::optional<std::int64_t>>& raw_key,
                     std::vector<std::optional<std::string>>& form,
                     std::vector<std::optional<std::int64_t>>& suffix_key) const;

  // --- import.cpp and settings.cpp (write_mutex_ held by the caller) ---
  [[nodiscard]] Result<void> import_locked(const CrmSnapshot& crm,
                                           const PostgresProgress& progress);
  [[nodiscard]] Result<void> put_employees(const std::vector<Employee>& staff);
  [[nodiscard]] Result<bool> set_employee_field(const char* sql, EmployeeId id,
                                                std::string_view value);
  [[nodiscard]] Result<void> save_settings_locked(const IntegrationSettings& settings,
                                                  std::span<const Employee> employees);
  /// Decides the key options and the claim window at open (explicit ones, else the
  /// database's, else its settings'), re-keying when needed.
  [[nodiscard]] Result<void> resolve_options();
  /// Re-reads the key options the database holds (another node re-keyed).
  [[nodiscard]] Result<void> reload_keys_locked();
  [[nodiscard]] Result<void> rekey_locked(const IndexOptions& fresh);
};

TELCRM_END_NAMESPACE
