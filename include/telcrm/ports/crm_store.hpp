// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file The CrmStore port: the host's CRM database, read and written by telcrm.

#include <telcrm/config.hpp>
#include <telcrm/crm/activity.hpp>
#include <telcrm/crm/entity.hpp>
#include <telcrm/crm/snapshot.hpp>
#include <telcrm/result.hpp>
#include <telcrm/time.hpp>

#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

TELCRM_BEGIN_NAMESPACE

/// Receives every record of a store, e.g. to build the matcher's index (CrmStore::scan).
class CrmVisitor {
 public:
  virtual ~CrmVisitor() = default;
  virtual void visit(const Contact&) {}
  virtual void visit(const Company&) {}
  virtual void visit(const Lead&) {}
  virtual void visit(const Deal&) {}
};

// --- the write side: one batch per call event, applied all-or-nothing ---------------------
//
// Inside a batch, an id below zero names an entity created earlier in the same batch: -1 is
// the first contact (or lead, deal, company — of the referencing field's type) the batch
// creates, -2 the second. So "a deal plus its contact" is one batch: CreateContact, then
// CreateDeal with deal.contact = -1. The store assigns real ids (max existing id + 1).

/// Creates a lead; `lead.id` is ignored.
struct CreateLead {
  Lead lead{};
};
/// Creates a contact; `contact.id` is ignored.
struct CreateContact {
  Contact contact{};
};
/// Creates a company; `company.id` is ignored.
struct CreateCompany {
  Company company{};
};
/// Creates a deal; `deal.id` is ignored.
struct CreateDeal {
  Deal deal{};
};
/// Creates an invoice; `invoice.id` is ignored.
struct CreateInvoice {
  Invoice invoice{};
};
/// Makes `to` the responsible of an entity.
struct Reassign {
  EntityRef entity{};
  EmployeeId to = 0;
};
/// Writes the call activity (R-A2); `activity.id` is ignored.
struct WriteActivity {
  CallActivity activity{};
};
/// Keeps an unanswered incoming call as a missed call (R-A6).
struct RecordMissedCall {
  MissedCall missed{};
};
/// Marks every missed call of `number` not yet called back as called back by `call` (R-A6).
struct MarkCalledBack {
  std::string number{};
  std::string call{};
};
/// Writes the call-history record (R-A1).
struct RecordCall {
  CallRecord record{};
};

using WriteOp = std::variant<CreateLead, CreateContact, CreateCompany, CreateDeal, CreateInvoice,
                             Reassign, WriteActivity, RecordMissedCall, MarkCalledBack, RecordCall>;

/// R-I2 across processes: the batch creates its entities only if no other call has claimed
/// `number` within `window` of `at`; otherwise the store applies nothing and reports the
/// winner's entities, which the call then binds to.
struct UnknownCallerClaim {
  std::string number{};  ///< E.164
  Timestamp at{};
  Seconds window{300};
};

/// The writes of one call event. `call` + `seq` identify it: applying the same batch again
/// changes nothing and returns the first receipt (R-I1).
struct WriteBatch {
  std::string call{};
  std::uint32_t seq = 0;
  std::optional<UnknownCallerClaim> claim{};
  std::vector<WriteOp> ops{};
};

/// The local references of a batch while a store applies it (see above): -k names the k-th
/// entity of the referencing field's type that the batch created so far.
class LocalRefs {
 public:
  LocalRefs() = default;
  explicit LocalRefs(std::vector<EntityRef> created) : created_(std::move(created)) {}
  /// Notes the next entity the batch created.
  void add(EntityRef ref) { created_.push_back(ref); }
  /// The real id: `id` itself when it is not negative, else the created entity it names;
  /// nullopt when the batch has created no such entity (yet).
  [[nodiscard]] std::optional<EntityId> find(EntityType type, EntityId id) const noexcept {
    return find_in(created_, type, id);
  }
  /// find() over a list of created entities held elsewhere (a receipt's).
  [[nodiscard]] static std::optional<EntityId> find_in(std::span<const EntityRef> created,
                                                       EntityType type, EntityId id) noexcept {
    if (id >= 0) return id;
    EntityId k = -id;
    for (const auto& ref : created)
      if (ref.type == type && --k == 0) return ref.id;
    return std::nullopt;
  }
  /// find(), for a reference known to resolve (validated before): the id itself otherwise.
  [[nodiscard]] EntityId resolve(EntityType type, EntityId id) const noexcept {
    return find(type, id).value_or(id);
  }
  [[nodiscard]] std::optional<EntityId> resolve(EntityType type,
                                                std::optional<EntityId> id) const noexcept {
    if (!id) return std::nullopt;
    return resolve(type, *id);
  }
  [[nodiscard]] const std::vector<EntityRef>& created() const noexcept { return created_; }
  /// The created entities, moved out (the batch is done).
  [[nodiscard]] std::vector<EntityRef> take_created() && noexcept { return std::move(created_); }

 private:
  std::vector<EntityRef> created_;
};

/// Checks that every reference in `batch` names a record — an existing one, for which
/// `exists(EntityType, EntityId)` returns Result<bool>, or one the batch creates before the
/// reference (a local reference). Stores call it before applying anything (all or nothing).
/// Errors: Errc::invalid_argument, "batch c1#3: operation 2: contact 999 does not exist";
/// whatever `exists` reports.
template <class Exists>
[[nodiscard]] Result<void> check_batch_references(const WriteBatch& batch, Exists&& exists) {
  std::array<std::size_t, 5> made{};  // created so far, by EntityType
  auto check = [&](std::size_t op, EntityType type, std::optional<EntityId> id) -> Result<void> {
    if (!id) return {};
    bool found = false;
    if (*id < 0) {
      found = static_cast<std::size_t>(-*id) <= made[static_cast<std::size_t>(type)];
    } else {
      Result<bool> stored = exists(type, *id);
      if (!stored) return fail(stored.error());
      found = *stored;
    }
    if (found) return {};
    return fail(Errc::invalid_argument,
                fmt::format("batch {}#{}: operation {}: {} {} does not exist", batch.call,
                            batch.seq, op, type, *id));
  };
  auto create = [&](EntityType type) { ++made[static_cast<std::size_t>(type)]; };
  for (std::size_t i = 0; i < batch.ops.size(); ++i) {
    const WriteOp& op = batch.ops[i];
    Result<void> ok;
    if (const auto* lead = std::get_if<CreateLead>(&op)) {
      if (ok = check(i, EntityType::contact, lead->lead.contact); ok)
        ok = check(i, EntityType::company, lead->lead.company);
      create(EntityType::lead);
    } else if (const auto* contact = std::get_if<CreateContact>(&op)) {
      ok = check(i, EntityType::company, contact->contact.company);
      create(EntityType::contact);
    } else if (std::holds_alternative<CreateCompany>(op)) {
      create(EntityType::company);
    } else if (const auto* deal = std::get_if<CreateDeal>(&op)) {
      if (ok = check(i, EntityType::contact, deal->deal.contact); ok)
        ok = check(i, EntityType::company, deal->deal.company);
      create(EntityType::deal);
    } else if (const auto* invoice = std::get_if<CreateInvoice>(&op)) {
      ok = check(i, invoice->invoice.entity.type, invoice->invoice.entity.id);
      create(EntityType::invoice);
    } else if (const auto* r = std::get_if<Reassign>(&op)) {
      ok = check(i, r->entity.type, r->entity.id);
    } else if (const auto* a = std::get_if<WriteActivity>(&op)) {
      for (const auto& b : a->activity.bindings)
        if (ok = check(i, b.type, b.id); !ok) break;
    }
    if (!ok) return ok;
  }
  return {};
}

/// What applying a batch did.
struct WriteReceipt {
  /// The entities the batch created, in the order of its create operations — or, when the
  /// claim was lost, the entities the winning call created.
  std::vector<EntityRef> created{};
  /// True when this batch had been applied before: nothing changed now.
  bool replayed = false;
  /// Set when the claim was lost: the winning call's id. Nothing of this batch was applied.
  std::optional<std::string> claimed_by{};
  friend bool operator==(const WriteReceipt&, const WriteReceipt&) = default;
};

/// What changed in a store since a cursor: how a process keeps its index current with writes
/// made by other processes (see CrmStore::changes_since).
struct ChangeSet {
  std::uint64_t cursor = 0;          ///< pass to the next changes_since()
  std::vector<EntityRef> changed{};  ///< created, changed or deleted since the cursor
  bool complete = true;              ///< false: the store cannot tell — rebuild the index
  friend bool operator==(const ChangeSet&, const ChangeSet&) = default;
};

/// The host's CRM database, implemented by the host (telcrm ships MemoryCrmStore and, in
/// telcrm::sqlite, SqliteCrmStore).
///
/// Thread safety: every method may be called from several threads at once. Blocking: reads
/// happen when telcrm builds or refreshes its index, never on the path of a ringing call;
/// apply() runs after the routing decision was handed to the telephony.
class CrmStore {
 public:
  virtual ~CrmStore() = default;

  // --- read side ---
  /// Streams every contact, company, lead and deal (the index is built from this).
  [[nodiscard]] virtual Result<void> scan(CrmVisitor& visitor) const = 0;
  [[nodiscard]] virtual Result<std::optional<Contact>> find_contact(EntityId id) const = 0;
  [[nodiscard]] virtual Result<std::optional<Company>> find_company(EntityId id) const = 0;
  [[nodiscard]] virtual Result<std::optional<Lead>> find_lead(EntityId id) const = 0;
  [[nodiscard]] virtual Result<std::optional<Deal>> find_deal(EntityId id) const = 0;
  /// The open deals of a contact or company, most recently modified first (R-M5).
  [[nodiscard]] virtual Result<std::vector<Deal>> open_deals_of(EntityRef client) const = 0;
  /// The in-progress repeat leads bound to a contact or company (R-L6).
  [[nodiscard]] virtual Result<std::vector<Lead>> open_repeat_leads_of(EntityRef client) const = 0;
  /// Everything, for inspection and export.
  [[nodiscard]] virtual Result<CrmSnapshot> snapshot() const = 0;
  /// The cursor changes_since() would return now, without listing anything (0 when the store
  /// has no change feed).
  [[nodiscard]] virtual Result<std::uint64_t> change_cursor() const { return std::uint64_t{0}; }
  /// A number that changes when *another* writer (another process, another store object)
  /// changed the data, cheap enough to ask before every call (SQLite: PRAGMA data_version).
  /// The default, 0, means the store cannot tell: telcrm never refreshes from it.
  [[nodiscard]] virtual Result<std::uint64_t> data_version() const { return std::uint64_t{0}; }
  /// The contacts, companies, leads and deals changed since `cursor` (0: since the start;
  /// the returned cursor is the current one). The default cannot tell (complete = false).
  [[nodiscard]] virtual Result<ChangeSet> changes_since(std::uint64_t cursor) const {
    (void)cursor;
    return ChangeSet{0, {}, false};
  }

  // --- write side ---
  /// Applies every operation of `batch` or none of them.
  /// Errors: Errc::storage_unavailable (retry later: the engine keeps the batch in its
  /// outbox), Errc::conflict, Errc::invalid_argument (a reference to a missing entity).
  [[nodiscard]] virtual Result<WriteReceipt> apply(const WriteBatch& batch) = 0;
};

TELCRM_END_NAMESPACE
