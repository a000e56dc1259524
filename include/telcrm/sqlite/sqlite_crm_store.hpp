// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// SqliteCrmStore: the CrmStore and Directory ports over one SQLite file (the
/// telcrm::sqlite component; the core never links SQLite). See docs/sqlite-store.md.

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

/// SQLite's `PRAGMA synchronous`: how hard a commit waits for the disk. In WAL mode `normal`
/// keeps the database consistent after a crash of the process or of the machine; a power
/// loss may only lose the last commits. `full` loses none of them, at a few times the cost.
enum class SqliteSync : std::uint8_t { off, normal, full, extra };
/// The value's name, as fmt prints it.
constexpr std::string_view format_as(SqliteSync s) noexcept {
  switch (s) {
    case SqliteSync::off: return "off";
    case SqliteSync::normal: return "normal";
    case SqliteSync::full: return "full";
    case SqliteSync::extra: return "extra";
  }
  return "unknown";
}

/// How SqliteCrmStore::open() opens a file.
struct SqliteOptions {
  SqliteSync synchronous = SqliteSync::normal;  ///< SQLite's `PRAGMA synchronous`
  /// How long a statement waits for another connection's lock before failing with
  /// Errc::storage_unavailable.
  std::chrono::milliseconds busy_timeout{5000};
  /// Opens for reading only: nothing is ever written (not even a migration); writes fail
  /// with Errc::permission_denied. A file whose permissions allow no writing at all must be
  /// opened so.
  bool read_only = false;
  /// Creates the file when it does not exist; when false a missing file is Errc::not_found.
  bool create = true;
  /// Runs `PRAGMA quick_check` before anything is written, so a damaged file is reported as
  /// Errc::storage_corrupt and left as it is. Reads the whole file: off by default.
  bool check_integrity = false;
  /// How the phones table keys stored numbers (R-N6): read against this region, with suffix
  /// keys of this many digits — as the engine's index does with the same IndexOptions.
  /// nullopt: as the file says (the options it was keyed with, else those of its saved
  /// settings, else no region). Opening with other options than the file's re-keys every
  /// stored phone in one transaction.
  std::optional<IndexOptions> phone_keys{};
  /// How long receipts (R-I1) and claims (R-I2) are kept, measured from a batch's `at` to the
  /// newest `at` this store applied. Older ones are deleted as batches are applied (a bounded
  /// number per transaction, once they are a sixteenth of the retention overdue).
  Seconds receipt_retention = default_receipt_retention;
};

/// Reports the progress of long work: `done` of `total` records. Called from the working
/// thread, at most a few hundred times per job; it must not call back into the store.
using SqliteProgress = std::function<void(std::size_t done, std::size_t total)>;

/// How many records a SqliteCrmStore holds, per table.
struct SqliteCounts {
  std::size_t contacts = 0;      ///< rows
  std::size_t companies = 0;     ///< rows
  std::size_t leads = 0;         ///< rows
  std::size_t deals = 0;         ///< rows
  std::size_t invoices = 0;      ///< rows
  std::size_t activities = 0;    ///< rows
  std::size_t missed_calls = 0;  ///< rows
  std::size_t history = 0;       ///< call-history records
  std::size_t phones = 0;        ///< rows
  std::size_t employees = 0;     ///< rows
  /// Equal when every member is.
  friend bool operator==(const SqliteCounts&, const SqliteCounts&) = default;
};

/// A CRM in one SQLite file: the CrmStore port (with the exact behaviour of MemoryCrmStore,
/// the reference), the Directory port (employees), and the integration settings.
///
/// Durability: WAL journal, `synchronous` as configured; every apply() is one transaction
/// (`BEGIN IMMEDIATE`), every apply_all() one for all its batches, so a crash leaves all or
/// none of a batch. Receipts (R-I1) and unknown-caller claims (R-I2) live in the file, so
/// idempotency and duplicate-lead prevention hold across restarts and across processes
/// sharing the file, for SqliteOptions::receipt_retention.
///
/// Thread safety: every method may be called from several threads at once. The store owns
/// one connection, serialised by a mutex; other processes (and other SqliteCrmStore objects)
/// are other connections, coordinated by SQLite's locks and the busy timeout.
///
/// Errors carry SQLite's message and map to: Errc::storage_unavailable (busy, locked, I/O,
/// disk full — retryable), Errc::storage_corrupt (not a database, damaged, not telcrm's),
/// Errc::unsupported_version (written by a newer telcrm), Errc::permission_denied
/// (read-only), Errc::io_error (cannot open), Errc::conflict (a constraint), and
/// Errc::invalid_argument (a batch or snapshot referencing a missing record).
class SqliteCrmStore final : public CrmStore,
                             public CrmChangeFeed,
                             public CrmInspection,
                             public Directory {
 public:
  /// The schema version this build writes (`PRAGMA user_version`). Older files are
  /// migrated forward when opened for writing; newer ones are refused.
  static constexpr int schema_version = 3;

  /// Opens (or creates) the database at `path`: checks it is a telcrm database this build
  /// can read, migrates an older schema, switches to WAL. A file that cannot be used is left
  /// exactly as it was.
  /// Errors: Errc::not_found (missing, `create` off), Errc::storage_corrupt (not an SQLite
  /// database, damaged, or another application's database), Errc::unsupported_version
  /// (a newer schema), Errc::permission_denied (a read-only file opened for writing, or a
  /// migration needed on a read-only open), Errc::io_error, Errc::storage_unavailable.
  [[nodiscard]] static Result<std::unique_ptr<SqliteCrmStore>> open(const std::string& path,
                                                                    SqliteOptions options = {});
  ~SqliteCrmStore() override;
  SqliteCrmStore(const SqliteCrmStore&) = delete;
  SqliteCrmStore& operator=(const SqliteCrmStore&) = delete;

  // --- CrmStore ---
  [[nodiscard]] Result<void> scan(CrmVisitor& visitor) const override;
  [[nodiscard]] Result<std::optional<Contact>> find_contact(EntityId id) const override;
  [[nodiscard]] Result<std::optional<Company>> find_company(EntityId id) const override;
  [[nodiscard]] Result<std::optional<Lead>> find_lead(EntityId id) const override;
  [[nodiscard]] Result<std::optional<Deal>> find_deal(EntityId id) const override;
  /// One transaction per batch (inside the open group, if any: see begin_group()).
  [[nodiscard]] Result<WriteReceipt> apply(const WriteBatch& batch) override;
  /// One transaction for all the batches, each a savepoint in it, so they cost one commit;
  /// each batch is still all-or-nothing. Stops at the first Errc::storage_unavailable (see
  /// CrmStore::apply_all); when the commit itself fails, every batch reports that error.
  [[nodiscard]] std::vector<Result<WriteReceipt>> apply_all(
      std::span<const WriteBatch> batches) override;
  /// As apply_all(), resolving a batch's references to records an earlier batch of the group
  /// created (CrmStore::apply_linked): an unknown caller's writes share the group's commit.
  [[nodiscard]] std::vector<Result<WriteReceipt>> apply_linked(
      std::span<const WriteBatch> batches) override;
  /// True (see apply_linked()).
  [[nodiscard]] bool resolves_group_references() const noexcept override { return true; }
  [[nodiscard]] const CrmChangeFeed* change_feed() const noexcept override { return this; }
  [[nodiscard]] const CrmInspection* inspection() const noexcept override { return this; }

  // --- CrmInspection ---
  [[nodiscard]] Result<std::vector<Deal>> open_deals_of(EntityRef client) const override;
  [[nodiscard]] Result<std::vector<Lead>> open_repeat_leads_of(EntityRef client) const override;
  /// Everything, each list in id order (missed calls and history in call order).
  [[nodiscard]] Result<CrmSnapshot> snapshot() const override;
  // --- CrmChangeFeed ---
  /// SQLite's `PRAGMA data_version` (plus one, so it is never 0): changes exactly when
  /// another connection — another process or another store object — committed.
  [[nodiscard]] Result<std::uint64_t> data_version() const override;
  /// The newest entry of the change log (one cheap query).
  [[nodiscard]] Result<std::uint64_t> change_cursor() const override;
  /// From the change log every write transaction keeps (one row per record, so it is always
  /// complete): the records created or changed after `cursor`.
  [[nodiscard]] Result<ChangeSet> changes_since(std::uint64_t cursor) const override;

  // --- Directory ---
  [[nodiscard]] Result<std::vector<Employee>> employees() const override;
  [[nodiscard]] Result<std::optional<Employee>> find_employee(EmployeeId id) const override;
  /// Changes whenever an employee changes, by this store or another process.
  [[nodiscard]] Result<std::uint64_t> version() const override;

  /// Replaces the whole directory with `employees`.
  [[nodiscard]] Result<void> set_employees(const std::vector<Employee>& employees);
  /// Sets one employee's presence; false when the id is unknown.
  [[nodiscard]] Result<bool> set_presence(EmployeeId id, Presence presence);
  /// Sets one employee's working-day state; false when the id is unknown.
  [[nodiscard]] Result<bool> set_workday(EmployeeId id, Workday workday);

  // --- settings ---
  /// Stores `settings` (as the scenario format's JSON) and makes `employees` the directory,
  /// in one transaction. Re-keys the stored phones when the default region or suffix digits
  /// change and the store was not opened with explicit phone_keys.
  [[nodiscard]] Result<void> save_settings(const IntegrationSettings& settings,
                                           std::span<const Employee> employees);
  /// The stored settings (the employees are this store's Directory); nullopt when none were
  /// saved.
  [[nodiscard]] Result<std::optional<IntegrationSettings>> load_settings() const;

  // --- bulk work and inspection ---
  /// Loads `crm` (ids as given) into a store that holds no CRM record yet, in one
  /// transaction: all of it or nothing. `progress`, if set, is told how far it got.
  /// Errors: Errc::already_exists (the store holds CRM records), Errc::invalid_argument (a
  /// duplicate id, or a reference to a record the snapshot does not hold), storage errors.
  [[nodiscard]] Result<void> import(const CrmSnapshot& crm, const SqliteProgress& progress = {});
  /// True when the store holds any CRM record (contact, company, lead, deal, invoice,
  /// activity, missed call or history record) — e.g. to reuse a database on a second run.
  [[nodiscard]] Result<bool> has_data() const;
  /// How many records each table holds.
  [[nodiscard]] Result<SqliteCounts> counts() const;
  /// True when the call-history record of `call` is stored: the call was completed (its
  /// last batch always writes it, R-A1).
  [[nodiscard]] Result<bool> has_call(std::string_view call) const;
  /// A plain SQL lookup on the phones table: the contacts, companies and leads with a stored
  /// phone whose E.164 key (or, for a phone that does not normalise, raw-digits key) equals
  /// that of `number`, read against the key region. Tier 1 of R-N6 only, no ranking: the
  /// engine's matcher does the full match in memory.
  [[nodiscard]] Result<std::vector<EntityRef>> find_by_phone(std::string_view number) const;
  /// How many receipts and claims the file keeps (the conformance kit's size probe; see
  /// SqliteOptions::receipt_retention).
  [[nodiscard]] Result<std::size_t> remembered() const;
  /// `PRAGMA integrity_check`: an empty list when the file is sound, else SQLite's findings.
  [[nodiscard]] Result<std::vector<std::string>> check_integrity() const;

  // --- write groups ---
  /// Starts a write group: the apply() calls until commit_group() share one transaction, so
  /// a crash keeps all of them or none (`telcrm replay` groups each call's batches). Holds
  /// the database's write lock until it ends; meant for one thread doing bulk work — other
  /// threads' apply() calls join the group.
  /// Errors: Errc::invalid_state (a group is open), storage errors.
  [[nodiscard]] Result<void> begin_group();
  /// Commits the open group. Errors: Errc::invalid_state (none is open), storage errors
  /// (the group is then rolled back).
  [[nodiscard]] Result<void> commit_group();
  /// Rolls the open group back (nothing happens when none is open).
  void rollback_group() noexcept;
  /// True while a group is open.
  [[nodiscard]] bool in_group() const;

  /// The file's path as given to open().
  [[nodiscard]] const std::string& path() const noexcept;
  /// The options the phones table is keyed with.
  [[nodiscard]] IndexOptions phone_keys() const;

 private:
  class Impl;
  explicit SqliteCrmStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

TELCRM_END_NAMESPACE
