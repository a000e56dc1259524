// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// PostgresCrmStore: the CrmStore and Directory ports over a PostgreSQL database shared
/// by several telcrm nodes (the telcrm::postgres component; the core never links libpq). See
/// docs/postgres-store.md.

#include <telcrm/config.hpp>
#include <telcrm/crm/crm_index.hpp>
#include <telcrm/crm/employee.hpp>
#include <telcrm/ports/crm_change_feed.hpp>
#include <telcrm/ports/crm_inspection.hpp>
#include <telcrm/ports/crm_store.hpp>
#include <telcrm/ports/directory.hpp>
#include <telcrm/result.hpp>
#include <telcrm/settings/settings.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

TELCRM_BEGIN_NAMESPACE

/// Hooks for the store's own tests (claims across nodes, forced interleavings). Leave them
/// empty: they exist so a test can show that without the per-number lock duplicates happen.
struct PostgresTestHooks {
  /// Called after a batch's claim was checked (and found free), before its writes are sent.
  std::function<void(const WriteBatch&)> after_claim_check{};
  /// Takes claims without the per-number advisory lock (the negative control).
  bool claims_without_lock = false;
  /// Rows per round trip of scan() (0: 10,000); small, lists fall across chunk boundaries.
  std::size_t scan_chunk_rows = 0;
};

/// How PostgresCrmStore::open() connects and behaves.
struct PostgresOptions {
  /// `synchronous_commit` of the store's sessions. On: a commit returns once its WAL is on
  /// disk (nothing acknowledged is ever lost). Off: a crash of the server may lose the last
  /// commits (always consistent), for several times the commit rate.
  bool synchronous_commit = true;
  /// `lock_timeout`: how long a statement waits for another node's lock before failing with
  /// Errc::storage_unavailable (the engine keeps the batch and tries again).
  std::chrono::milliseconds lock_timeout{5000};
  /// `statement_timeout` (0: none); a statement cut short is Errc::storage_unavailable.
  std::chrono::milliseconds statement_timeout{0};
  /// How long a connection attempt may take (libpq's connect_timeout, unless the conninfo
  /// says otherwise).
  std::chrono::seconds connect_timeout{5};
  /// Opens for reading only (`default_transaction_read_only`): nothing is written, not even
  /// a migration; writes fail with Errc::permission_denied.
  bool read_only = false;
  /// Creates telcrm's tables in a database that holds none; when false such a database is
  /// Errc::not_found.
  bool create = true;
  /// How the phones table keys stored numbers (R-N6), as SqliteOptions::phone_keys: nullopt
  /// means as the database says. Opening with other options re-keys every phone in one
  /// transaction — for every node: they must agree.
  std::optional<IndexOptions> phone_keys{};
  /// How long receipts (R-I1) and claims (R-I2) are kept, measured from a batch's `at` to
  /// the newest `at` this node has applied; older ones are pruned as batches are applied.
  Seconds receipt_retention = default_receipt_retention;
  /// The claim window every node uses (kept in the database: nullopt keeps the database's,
  /// 300 s in a new one). The exclusion constraint that backs up the per-number lock covers
  /// claims made with this window.
  std::optional<Seconds> claim_window{};
  /// How often a transaction that lost to a concurrent one (serialisation failure, deadlock)
  /// is tried again before the store reports Errc::storage_unavailable.
  int max_retries = 8;
  /// Receive other nodes' notifications (data_version(), version()). Off: a node that does
  /// not share the database with others (data_version() then never moves).
  bool listen = true;
  PostgresTestHooks test_hooks{};  ///< for tests only: force interleavings
};

/// Reports the progress of long work: `done` of `total` records, from the working thread.
using PostgresProgress = std::function<void(std::size_t done, std::size_t total)>;

/// How many records a PostgresCrmStore holds, per table.
struct PostgresCounts {
  std::size_t contacts = 0;      ///< contacts
  std::size_t companies = 0;     ///< companies
  std::size_t leads = 0;         ///< leads
  std::size_t deals = 0;         ///< deals
  std::size_t invoices = 0;      ///< invoices
  std::size_t activities = 0;    ///< call activities (R-A1)
  std::size_t missed_calls = 0;  ///< missed-call records
  std::size_t history = 0;       ///< call-history records
  std::size_t phones = 0;        ///< stored phone numbers
  std::size_t employees = 0;     ///< the directory's employees
  std::size_t receipts = 0;      ///< R-I1: remembered batches
  std::size_t claims = 0;        ///< R-I2: remembered claims
  /// Equal when every count is.
  friend bool operator==(const PostgresCounts&, const PostgresCounts&) = default;
};

/// A CRM in a PostgreSQL database that several nodes (processes, machines) share: the
/// CrmStore port (behaving as MemoryCrmStore, the reference, modulo ids), its change feed
/// and inspection, the Directory port (employees) and the integration settings.
///
/// **Across nodes.** Every apply() is one transaction that takes, in a fixed order, an
/// advisory lock per claimed number (R-I2: one lead per unknown caller, with an exclusion
/// constraint behind it) and the batch's receipt row (R-I1: a batch delivered to two nodes is
/// applied once, the other gets its receipt). Ids come from identity columns. Writes by any
/// node — or by other applications on the CRM tables — are logged by triggers with their
/// transaction id and announced with NOTIFY; each node's data_version() counts the others'.
///
/// **Threads.** Every method may be called from several threads at once. A store holds three
/// connections: one for writes, one for reads, one listening for notifications (a background
/// thread). Each reconnects by itself after the server went away.
///
/// **Errors** carry PostgreSQL's message (never the conninfo) and map to: storage_unavailable
/// (connection refused or lost, shutdown, lock or statement timeout, repeated serialisation
/// failures — retryable), storage_corrupt (not a telcrm database), unsupported_version (a
/// newer schema), permission_denied (SQLSTATE 42501, a read-only store or session, failed
/// authentication), not_found (no such database; no telcrm schema with `create` off),
/// conflict (a unique key of another application's row), invalid_argument (a batch or
/// snapshot referencing a missing record, a value PostgreSQL refuses).
class PostgresCrmStore final : public CrmStore,
                               public CrmChangeFeed,
                               public CrmInspection,
                               public Directory {
 public:
  /// The schema version this build writes (`meta.schema_version`).
  static constexpr int schema_version = 1;

  /// Connects with a libpq connection string or URI ("host=db1 dbname=crm user=telcrm",
  /// "postgresql://telcrm@db1/crm"; PGPASSFILE, service files and PG* variables work as
  /// libpq makes them), checks the database holds telcrm's schema (or creates it, once, even
  /// when several nodes start together), and starts listening. The conninfo is never put in
  /// a message or a log.
  /// Errors: storage_unavailable, permission_denied, not_found, storage_corrupt (another
  /// application's tables), unsupported_version, invalid_argument (a malformed conninfo).
  [[nodiscard]] static Result<std::unique_ptr<PostgresCrmStore>> open(const std::string& conninfo,
                                                                      PostgresOptions options = {});
  ~PostgresCrmStore() override;
  PostgresCrmStore(const PostgresCrmStore&) = delete;
  PostgresCrmStore& operator=(const PostgresCrmStore&) = delete;

  // --- CrmStore ---
  [[nodiscard]] Result<void> scan(CrmVisitor& visitor) const override;
  [[nodiscard]] Result<std::optional<Contact>> find_contact(EntityId id) const override;
  [[nodiscard]] Result<std::optional<Company>> find_company(EntityId id) const override;
  [[nodiscard]] Result<std::optional<Lead>> find_lead(EntityId id) const override;
  [[nodiscard]] Result<std::optional<Deal>> find_deal(EntityId id) const override;
  /// One transaction (inside the open group, if any: see begin_group()), two round trips.
  [[nodiscard]] Result<WriteReceipt> apply(const WriteBatch& batch) override;
  /// Group commit: all batches in one transaction (each all-or-nothing as apply() would be),
  /// one commit for all of them: every batch's reads in one round trip, then every write and
  /// the commit in another — or, when a batch reads what an earlier one writes or a statement
  /// fails, batch by batch with a savepoint each. A batch the store cannot apply now
  /// (storage_unavailable) ends the group there: the batches before it are committed, it and
  /// the rest answer storage_unavailable.
  [[nodiscard]] std::vector<Result<WriteReceipt>> apply_all(
      std::span<const WriteBatch> batches) override;
  /// As apply_all(), and a batch may refer to records an earlier batch of the group creates
  /// (CrmStore::apply_linked): the engine's calls that create leads share the group's commit.
  [[nodiscard]] std::vector<Result<WriteReceipt>> apply_linked(
      std::span<const WriteBatch> batches) override;
  /// True (see apply_linked()).
  [[nodiscard]] bool resolves_group_references() const noexcept override { return true; }
  [[nodiscard]] const CrmChangeFeed* change_feed() const noexcept override { return this; }
  [[nodiscard]] const CrmInspection* inspection() const noexcept override { return this; }

  // --- CrmInspection ---
  [[nodiscard]] Result<std::vector<Deal>> open_deals_of(EntityRef client) const override;
  [[nodiscard]] Result<std::vector<Lead>> open_repeat_leads_of(EntityRef client) const override;
  /// Everything, each list in id order (missed calls and history in call order), from one
  /// consistent snapshot.
  [[nodiscard]] Result<CrmSnapshot> snapshot() const override;

  // --- CrmChangeFeed ---
  /// A memory read: a counter fed by other nodes' notifications (a background thread reads
  /// them as they come). Never 0; unchanged by this store's own writes; moved after a
  /// reconnect (notifications may have been missed meanwhile).
  [[nodiscard]] Result<std::uint64_t> data_version() const override;
  /// The snapshot's xmin: every transaction below it has finished.
  [[nodiscard]] Result<std::uint64_t> change_cursor() const override;
  /// The records changed by transactions with ids from `cursor` up to the current xmin — a
  /// transaction that started first and commits last is listed once it has committed,
  /// never lost. A cursor above the current xmin was never handed out: complete = false.
  [[nodiscard]] Result<ChangeSet> changes_since(std::uint64_t cursor) const override;
  /// Waits until data_version() differs from `seen` or `timeout` passes; returns it. For a
  /// host's refresher thread: wait, then CallEngine::refresh().
  [[nodiscard]] std::uint64_t wait_for_change(std::uint64_t seen,
                                              std::chrono::milliseconds timeout) const;

  // --- Directory ---
  [[nodiscard]] Result<std::vector<Employee>> employees() const override;
  [[nodiscard]] Result<std::optional<Employee>> find_employee(EmployeeId id) const override;
  /// A memory read: changes with every change of an employee, by any node.
  [[nodiscard]] Result<std::uint64_t> version() const override;
  /// Replaces the whole directory with `employees`.
  [[nodiscard]] Result<void> set_employees(const std::vector<Employee>& employees);
  /// Sets one employee's presence; false when the id is unknown.
  [[nodiscard]] Result<bool> set_presence(EmployeeId id, Presence presence);
  /// Sets one employee's working-day state; false when the id is unknown.
  [[nodiscard]] Result<bool> set_workday(EmployeeId id, Workday workday);

  // --- settings ---
  /// Stores `settings` (as the scenario format's JSON) and makes `employees` the directory,
  /// in one transaction (inside an open write group: a savepoint of it, committed with the
  /// group); re-keys the phones when the region or suffix digits change (unless opened with
  /// explicit phone_keys).
  [[nodiscard]] Result<void> save_settings(const IntegrationSettings& settings,
                                           std::span<const Employee> employees);
  /// The stored settings; nullopt when none were saved.
  [[nodiscard]] Result<std::optional<IntegrationSettings>> load_settings() const;
  /// Moves when another node saves settings (a memory read).
  [[nodiscard]] std::uint64_t settings_version() const noexcept;

  // --- bulk work and inspection ---
  /// Loads `crm` (ids as given) into a database that holds no CRM record yet, in one
  /// transaction (COPY; inside an open write group: a savepoint of it, so settings and CRM
  /// commit together), then moves every id generator past the ids loaded.
  /// Errors: already_exists (CRM records present), invalid_argument (duplicate id, dangling
  /// reference), storage errors.
  [[nodiscard]] Result<void> import(const CrmSnapshot& crm, const PostgresProgress& progress = {});
  /// The whole CRM (CrmInspection::snapshot()), for `telcrm crm export`.
  [[nodiscard]] Result<CrmSnapshot> export_crm() const { return snapshot(); }
  /// True when the database holds any CRM record.
  [[nodiscard]] Result<bool> has_data() const;
  /// How many records each table holds.
  [[nodiscard]] Result<PostgresCounts> counts() const;
  /// True when the call-history record of `call` is stored (the call completed, R-A1).
  [[nodiscard]] Result<bool> has_call(std::string_view call) const;
  /// Tier 1 of R-N6 in SQL, as SqliteCrmStore::find_by_phone.
  [[nodiscard]] Result<std::vector<EntityRef>> find_by_phone(std::string_view number) const;
  /// Forgets receipts and claims older than the retention now (apply() does it as it goes).
  [[nodiscard]] Result<void> prune();
  /// How many receipts and claims the database keeps (what the retention bounds).
  [[nodiscard]] Result<std::size_t> remembered() const;

  // --- write groups (as SqliteCrmStore's) ---
  /// The apply() calls until commit_group() share one transaction (a savepoint each). Reads
  /// go through another connection: they see the group's writes once it is committed.
  [[nodiscard]] Result<void> begin_group();
  /// Commits the group: all its batches or none.
  [[nodiscard]] Result<void> commit_group();
  /// Drops the group's writes.
  void rollback_group() noexcept;
  /// True between begin_group() and its commit or rollback.
  [[nodiscard]] bool in_group() const;

  /// "postgres DB@HOST:PORT": where the store is, without user or password.
  [[nodiscard]] const std::string& describe() const noexcept;
  /// The options the phones table is keyed with.
  [[nodiscard]] IndexOptions phone_keys() const;
  /// The claim window all nodes share (EngineOptions::claim_window should equal it).
  [[nodiscard]] Seconds claim_window() const;
  /// How many times the store's connections reconnected (for monitoring and tests).
  [[nodiscard]] std::uint64_t reconnects() const;

  class Impl;  ///< the store's state: private to the component's sources

 private:
  explicit PostgresCrmStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

TELCRM_END_NAMESPACE
