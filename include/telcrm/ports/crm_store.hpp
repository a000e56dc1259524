// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// The CrmStore port: the host's CRM database, read and written by telcrm. The write side
/// (WriteBatch and its operations) and the whole contract a store keeps are here; the
/// optional change feed and inspection interfaces are in crm_change_feed.hpp and
/// crm_inspection.hpp. The conformance kit (telcrm/testing/) checks every rule below.

#include <telcrm/config.hpp>
#include <telcrm/crm/activity.hpp>
#include <telcrm/crm/entity.hpp>
#include <telcrm/detail/inline_list.hpp>
#include <telcrm/result.hpp>
#include <telcrm/time.hpp>

#include <fmt/core.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

TELCRM_BEGIN_NAMESPACE

class CrmChangeFeed;
class CrmInspection;

/// Receives every record of a store, e.g. to build the matcher's index (CrmStore::scan).
class CrmVisitor {
 public:
  virtual ~CrmVisitor() = default;
  /// @{
  /// One record; the default ignores it.
  virtual void visit(const Contact&) {}
  virtual void visit(const Company&) {}
  virtual void visit(const Lead&) {}
  virtual void visit(const Deal&) {}
  /// @}
};

// --- the write side: the operations of a batch ---------------------------------------------

/// Creates a lead. A negative `lead.id` names it within its batch (see WriteBatch).
struct CreateLead {
  Lead lead{};  ///< the lead to create
  /// Equal when every member is.
  friend bool operator==(const CreateLead&, const CreateLead&) = default;
};
/// Creates a contact. A negative `contact.id` names it within its batch.
struct CreateContact {
  Contact contact{};  ///< the contact to create
  /// Equal when every member is.
  friend bool operator==(const CreateContact&, const CreateContact&) = default;
};
/// Creates a company. A negative `company.id` names it within its batch.
struct CreateCompany {
  Company company{};  ///< the company to create
  /// Equal when every member is.
  friend bool operator==(const CreateCompany&, const CreateCompany&) = default;
};
/// Creates a deal. A negative `deal.id` names it within its batch.
struct CreateDeal {
  Deal deal{};  ///< the deal to create
  /// Equal when every member is.
  friend bool operator==(const CreateDeal&, const CreateDeal&) = default;
};
/// Creates an invoice. A negative `invoice.id` names it within its batch.
struct CreateInvoice {
  Invoice invoice{};  ///< the invoice to create
  /// Equal when every member is.
  friend bool operator==(const CreateInvoice&, const CreateInvoice&) = default;
};
/// Makes `to` the responsible of an entity.
struct Reassign {
  EntityRef entity{};  ///< the record
  EmployeeId to = 0;   ///< its new responsible
  /// Equal when every member is.
  friend bool operator==(const Reassign&, const Reassign&) = default;
};
/// Writes the call activity (R-A2); `activity.id` is ignored.
struct WriteActivity {
  CallActivity activity{};  ///< the activity to write
  /// Equal when every member is.
  friend bool operator==(const WriteActivity&, const WriteActivity&) = default;
};
/// Keeps an unanswered incoming call as a missed call (R-A6).
struct RecordMissedCall {
  MissedCall missed{};  ///< the missed call to keep
  /// Equal when every member is.
  friend bool operator==(const RecordMissedCall&, const RecordMissedCall&) = default;
};
/// Marks every missed call of `number` not yet called back as called back by `call` (R-A6).
struct MarkCalledBack {
  std::string number{};  ///< E.164
  std::string call{};    ///< the answered outgoing call
  /// Equal when every member is.
  friend bool operator==(const MarkCalledBack&, const MarkCalledBack&) = default;
};
/// Writes the call-history record (R-A1).
struct RecordCall {
  CallRecord record{};  ///< the record to write
  /// Equal when every member is.
  friend bool operator==(const RecordCall&, const RecordCall&) = default;
};
/// Attaches a recording to the activity of a finished call (R-A4), replacing any it had:
/// `recording` is where it is (a URL, or a path the host's recordings folder resolves).
/// A call without an activity (it never entered the CRM) is an error: Errc::not_found.
struct AttachRecording {
  std::string call{};       ///< the host's call id
  std::string recording{};  ///< where the recording is
  /// Equal when every member is.
  friend bool operator==(const AttachRecording&, const AttachRecording&) = default;
};

/// One operation of a WriteBatch.
using WriteOp =
    std::variant<CreateLead, CreateContact, CreateCompany, CreateDeal, CreateInvoice, Reassign,
                 WriteActivity, RecordMissedCall, MarkCalledBack, RecordCall, AttachRecording>;

/// R-I2 across processes: the batch creates its entities only if no other call has claimed
/// `number` within `window` of `at` (|Δat| ≤ window); otherwise the store applies nothing and
/// reports the winner's entities, which the call then binds to.
struct UnknownCallerClaim {
  std::string number{};  ///< E.164
  Timestamp at{};        ///< when the claiming call began
  Seconds window{300};   ///< how close two calls must be to share the records
  /// Equal when every member is.
  friend bool operator==(const UnknownCallerClaim&, const UnknownCallerClaim&) = default;
};

/// The writes of one call event, applied all-or-nothing.
///
/// **Identity (R-I1).** `call` + `seq` name the batch. The engine numbers a call's batches
/// 1, 2, 3 … in the order they were made (an attachment after the call ended gets a seq with
/// the high bit set); it re-sends a batch only with the same (call, seq) — after a failure,
/// after a restart from the journal —, and a batch whose claim was lost is never re-sent: the
/// call's later batches refer to the winner's records instead. Applying a batch whose
/// (call, seq) the store has applied before changes nothing and returns the first receipt
/// with `replayed = true`, whatever the ops say now.
///
/// **Local references.** A create operation whose entity id is negative gives that entity a
/// name within the batch: any field of a later operation of the *same* batch that holds that
/// negative id (of the same type) means the entity created there — so "a deal plus its
/// contact" is one batch: CreateContact{id -1}, then CreateDeal{contact = -1}. Names are
/// unique per type within a batch; a create with id ≥ 0 gets no name. A negative id that no
/// earlier create of the batch named is an error (Errc::invalid_argument).
///
/// **Ids.** The store gives every created entity a new id from its own generator: positive,
/// unique within its type, never reused; not necessarily dense or increasing (identity
/// columns, sequences shared by several nodes). The receipt lists them in operation order.
///
/// **Time.** `at` is when the engine made the batch (its clock): stores measure the
/// retention of receipts and claims against it, and need no clock of their own.
struct WriteBatch {
  std::string call{};     ///< the host's call id
  std::uint32_t seq = 0;  ///< the batch's number within the call
  std::optional<UnknownCallerClaim>
      claim{};                 ///< R-I2: set when the batch creates records for an unknown caller
  std::vector<WriteOp> ops{};  ///< applied in order
  Timestamp at{};              ///< when the engine made it
  /// Equal when every member is.
  friend bool operator==(const WriteBatch&, const WriteBatch&) = default;
};

/// How long a store must remember a batch's receipt and its claim, measured from the batch's
/// `at` to the newest `at` the store has seen: an engine re-sends a batch only while it is
/// younger than this. A store may forget (prune) older ones — and should, or they grow with
/// every call; both shipped stores prune as they apply. Hosts that keep batches in an outbox
/// longer (a store down for days) configure a longer retention on both sides.
inline constexpr Seconds default_receipt_retention{24 * 3600};

/// The local names of a batch while a store applies it (see WriteBatch): which created
/// entity each negative id names. Shared by the shipped stores so all read batches alike.
class LocalRefs {
 public:
  LocalRefs() = default;
  /// Notes an entity the batch created: `local` is the id its create operation carried
  /// (negative: a name; otherwise no name), `created` what the store made of it.
  void add(EntityId local, EntityRef created) {
    locals_.push_back(local);
    created_.push_back(created);
  }
  /// The real id: `id` itself when it is not negative, else the created entity it names;
  /// nullopt when the batch has created no such entity (yet).
  [[nodiscard]] std::optional<EntityId> find(EntityType type, EntityId id) const noexcept {
    if (id >= 0) return id;
    for (std::size_t i = 0; i < created_.size(); ++i)
      if (created_[i].type == type && locals_[i] == id) return created_[i].id;
    return std::nullopt;
  }
  /// find(), for a reference known to resolve (validated before): the id itself otherwise.
  [[nodiscard]] EntityId resolve(EntityType type, EntityId id) const noexcept {
    return find(type, id).value_or(id);
  }
  /// resolve(), for an optional reference: nullopt stays nullopt.
  [[nodiscard]] std::optional<EntityId> resolve(EntityType type,
                                                std::optional<EntityId> id) const noexcept {
    if (!id) return std::nullopt;
    return resolve(type, *id);
  }
  /// What the batch created so far, in operation order.
  [[nodiscard]] const std::vector<EntityRef>& created() const noexcept { return created_; }
  /// The created entities, moved out (the batch is done).
  [[nodiscard]] std::vector<EntityRef> take_created() && noexcept { return std::move(created_); }

 private:
  std::vector<EntityRef> created_;          // handed to the receipt
  detail::InlineList<EntityId, 4> locals_;  // the local id of each, beside it
};

/// The entity and local id a create operation makes; nullopt for other operations.
[[nodiscard]] inline std::optional<EntityRef> created_by(const WriteOp& op) noexcept {
  if (const auto* v = std::get_if<CreateLead>(&op)) return EntityRef{EntityType::lead, v->lead.id};
  if (const auto* v = std::get_if<CreateContact>(&op))
    return EntityRef{EntityType::contact, v->contact.id};
  if (const auto* v = std::get_if<CreateCompany>(&op))
    return EntityRef{EntityType::company, v->company.id};
  if (const auto* v = std::get_if<CreateDeal>(&op)) return EntityRef{EntityType::deal, v->deal.id};
  if (const auto* v = std::get_if<CreateInvoice>(&op))
    return EntityRef{EntityType::invoice, v->invoice.id};
  return std::nullopt;
}

namespace detail {
/// for_each_reference's callback behind a plain function pointer: the visit over every
/// operation type is then compiled twice (const and not) instead of once per caller's lambda,
/// which every header-only includer paid for.
template <class Id>
class ReferenceSink {
 public:
  template <class F>
  explicit ReferenceSink(F& f) noexcept
      : object_(const_cast<void*>(static_cast<const void*>(std::addressof(f)))),
        call_([](void* o, EntityType type, Id& id) { (*static_cast<F*>(o))(type, id); }) {}
  void operator()(EntityType type, Id& id) const { call_(object_, type, id); }

 private:
  void* object_;
  void (*call_)(void*, EntityType, Id&);
};

template <class Op, class Id>
void visit_references(Op& op, ReferenceSink<Id> f) {
  std::visit(
      [&](auto& o) {
        using T = std::decay_t<decltype(o)>;
        if constexpr (std::is_same_v<T, CreateLead>) {
          f(EntityType::contact, o.lead.contact);
          f(EntityType::company, o.lead.company);
        } else if constexpr (std::is_same_v<T, CreateContact>) {
          f(EntityType::company, o.contact.company);
        } else if constexpr (std::is_same_v<T, CreateDeal>) {
          f(EntityType::contact, o.deal.contact);
          f(EntityType::company, o.deal.company);
        } else if constexpr (std::is_same_v<T, CreateInvoice>) {
          std::optional<EntityId> id = o.invoice.entity.id;
          f(o.invoice.entity.type, id);
          if constexpr (!std::is_const_v<Op>) o.invoice.entity.id = id.value_or(0);
        } else if constexpr (std::is_same_v<T, Reassign>) {
          std::optional<EntityId> id = o.entity.id;
          f(o.entity.type, id);
          if constexpr (!std::is_const_v<Op>) o.entity.id = id.value_or(0);
        } else if constexpr (std::is_same_v<T, WriteActivity>) {
          for (auto& b : o.activity.bindings) {
            std::optional<EntityId> id = b.id;
            f(b.type, id);
            if constexpr (!std::is_const_v<Op>) b.id = id.value_or(0);
          }
        }
      },
      op);
}
}  // namespace detail

/// Calls `f(EntityType, std::optional<EntityId>&)` for every entity reference an operation
/// holds (not the id a create gives itself): links, reassigned entity, activity bindings.
template <class Op, class F>
void for_each_reference(Op& op, F&& f) {
  using Id = std::conditional_t<std::is_const_v<Op>, const std::optional<EntityId>,
                                std::optional<EntityId>>;
  detail::visit_references(op, detail::ReferenceSink<Id>(f));
}

/// Checks that every reference in `batch` names a record — an existing one, for which
/// `exists(EntityType, EntityId)` returns Result<bool>, or one an earlier create of the batch
/// named (a local reference). Stores call it before applying anything (all or nothing).
/// Errors: Errc::invalid_argument, "batch c1#3: operation 2: contact 999 does not exist";
/// whatever `exists` reports. `earlier(EntityType, EntityId)` accepts a local id the batch
/// does not name itself (a record an earlier batch of an apply_linked() group created).
template <class Exists, class Earlier>
[[nodiscard]] Result<void> check_batch_references(const WriteBatch& batch, Exists&& exists,
                                                  Earlier&& earlier) {
  detail::InlineList<EntityRef, 4> named;  // local names so far
  for (std::size_t i = 0; i < batch.ops.size(); ++i) {
    const WriteOp& op = batch.ops[i];
    Result<void> ok;
    for_each_reference(op, [&](EntityType type, const std::optional<EntityId>& id) {
      if (!ok || !id) return;
      bool found = false;
      if (*id < 0) {
        found = named.contains(EntityRef{type, *id}) || earlier(type, *id);
      } else {
        Result<bool> stored = exists(type, *id);
        if (!stored) {
          ok = fail(stored.error());
          return;
        }
        found = *stored;
      }
      if (!found)
        ok = fail(Errc::invalid_argument,
                  detail::format("batch {}#{}: operation {}: {} {} does not exist", batch.call,
                                 batch.seq, i, type, *id));
    });
    if (!ok) return ok;
    if (auto made = created_by(op); made && made->id < 0) {
      if (named.contains(*made))
        return fail(Errc::invalid_argument,
                    detail::format("batch {}#{}: operation {}: {} {} is named twice", batch.call,
                                   batch.seq, i, made->type, made->id));
      named.push_back(*made);
    }
  }
  return {};
}

/// check_batch_references() for a batch on its own: every local id names a create of its own.
template <class Exists>
[[nodiscard]] Result<void> check_batch_references(const WriteBatch& batch, Exists&& exists) {
  return check_batch_references(batch, std::forward<Exists>(exists),
                                [](EntityType, EntityId) { return false; });
}

/// Checks that every AttachRecording of `batch` names a call with an activity — a stored one,
/// for which `has_activity(std::string_view call)` returns Result<bool>, or one an earlier
/// WriteActivity of the batch writes. Errors: Errc::not_found, "batch c1#3: operation 0:
/// call c9 has no activity to attach a recording to"; whatever `has_activity` reports.
template <class HasActivity>
[[nodiscard]] Result<void> check_recordings(const WriteBatch& batch, HasActivity&& has_activity) {
  for (std::size_t i = 0; i < batch.ops.size(); ++i) {
    const auto* attach = std::get_if<AttachRecording>(&batch.ops[i]);
    if (attach == nullptr) continue;
    bool found = false;
    for (std::size_t k = 0; k < i && !found; ++k)
      if (const auto* w = std::get_if<WriteActivity>(&batch.ops[k]))
        found = w->activity.call == attach->call;
    if (!found) {
      Result<bool> stored = has_activity(std::string_view(attach->call));
      if (!stored) return fail(stored.error());
      found = *stored;
    }
    if (!found)
      return fail(Errc::not_found,
                  detail::format("batch {}#{}: operation {}: call {} has no activity to attach a "
                                 "recording to",
                                 batch.call, batch.seq, i, attach->call));
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
  /// Equal when every member is.
  friend bool operator==(const WriteReceipt&, const WriteReceipt&) = default;
};

/// The host's CRM database, implemented by the host (telcrm ships MemoryCrmStore and, in
/// telcrm::sqlite and telcrm::postgres, SqliteCrmStore and PostgresCrmStore).
///
/// **Required**: scan(), the four find_*() and apply(). **Optional**: a change feed (so
/// several processes share one CRM, change_feed()), an inspection interface (for tools and
/// simulations, inspection()) and grouped writes (apply_all()).
///
/// **When telcrm calls it.** Never on the path of a ringing call. scan() builds the index
/// when the engine is created and when the host asks it to reload; find_*() and the change
/// feed are read by CallEngine::refresh(); apply() and apply_all() run from
/// CallEngine::flush() (the host's thread or an EngineWorker), after the PBX has its command.
///
/// **Thread safety**: every method may be called from several threads at once.
/// **Errors**: Errc::storage_unavailable means "try again later" (the engine keeps the batch
/// in its outbox, R-I3); any other error on apply() means the batch can never be applied
/// (the engine reports it to the Observer and drops it).
class CrmStore {
 public:
  virtual ~CrmStore() = default;

  // --- read side ---
  /// Streams every contact, company, lead and deal (the index is built from this).
  [[nodiscard]] virtual Result<void> scan(CrmVisitor& visitor) const = 0;
  /// @{
  /// One record by id; nullopt when there is none (deleted, or never existed).
  [[nodiscard]] virtual Result<std::optional<Contact>> find_contact(EntityId id) const = 0;
  [[nodiscard]] virtual Result<std::optional<Company>> find_company(EntityId id) const = 0;
  [[nodiscard]] virtual Result<std::optional<Lead>> find_lead(EntityId id) const = 0;
  [[nodiscard]] virtual Result<std::optional<Deal>> find_deal(EntityId id) const = 0;
  /// @}

  // --- write side ---
  /// Applies every operation of `batch` or none of them (see WriteBatch for identity, local
  /// references and ids). With a claim (R-I2): when another call claimed the same number
  /// within the window, nothing is applied and the receipt names that call and lists the
  /// entities its batch created; the claim and the receipt are kept together, so a repeat
  /// of the losing batch answers the same. Receipts and claims are kept for at least the
  /// store's retention (default_receipt_retention unless the host configured otherwise).
  /// Errors: Errc::storage_unavailable (retry later), Errc::invalid_argument (a reference
  /// to a missing entity, a malformed operation), Errc::not_found (AttachRecording of a call
  /// without an activity), Errc::conflict.
  [[nodiscard]] virtual Result<WriteReceipt> apply(const WriteBatch& batch) = 0;

  /// As apply(), from a caller that reads nothing of the batch once it is applied but its
  /// identity: `call`, `seq`, `claim`, and each operation's kind and ids. A store that keeps
  /// what it writes as objects (MemoryCrmStore) may move their text and lists out of `batch`
  /// instead of copying them; the engine's outbox applies a batch alone this way (a call's
  /// activity is then built once for its result and once for the store, as before the
  /// outbox). **When it returns an error, `batch` must be as given**: it may be retried.
  /// The default calls apply(). A class that overrides apply() of a store that overrides
  /// this must override this too (else the engine's writes would bypass its apply()).
  [[nodiscard]] virtual Result<WriteReceipt> apply_consuming(WriteBatch& batch) {
    return apply(batch);
  }

  /// Applies several batches, each all-or-nothing as apply() would, in order; a store may
  /// group them into one commit (one fsync for many calls). The results are in the order of
  /// `batches`, one per batch. **It stops at the first Errc::storage_unavailable**: that
  /// batch and every one after it report the error and are not applied (they are retried
  /// later, in order). A store that groups reports that error for the batches before too
  /// when their commit fails — none of them was applied then. Other errors concern their
  /// batch alone. The default applies the batches one by one.
  [[nodiscard]] virtual std::vector<Result<WriteReceipt>> apply_all(
      std::span<const WriteBatch> batches) {
    std::vector<Result<WriteReceipt>> out;
    out.reserve(batches.size());
    std::optional<Error> down;  // the store went down: the batches after are not tried
    for (const auto& batch : batches) {
      if (down) {
        out.push_back(fail(*down));
        continue;
      }
      Result<WriteReceipt> applied = apply(batch);
      if (!applied && applied.error().code() == Errc::storage_unavailable) down = applied.error();
      out.push_back(std::move(applied));
    }
    return out;
  }

  /// As apply_all(), and a batch may also refer (by a local, negative id it does not name
  /// itself) to records an earlier batch of `batches` creates — the caller's local ids are
  /// then unique across the batches, as the engine's provisional ids are. The store resolves
  /// such a reference to the id that batch's record got. When that batch did not create it
  /// (its claim was lost, it was a replay, it was refused), the store applies only the
  /// batches before the one that refers to it and returns fewer results than batches: the
  /// caller submits the rest again once it knows what those ids became. The default applies
  /// the batches before the first one that refers to an earlier one (apply_all()).
  [[nodiscard]] virtual std::vector<Result<WriteReceipt>> apply_linked(
      std::span<const WriteBatch> batches) {
    std::vector<EntityRef> made;  // local ids the batches before create
    std::size_t k = 0;
    for (; k < batches.size(); ++k) {
      bool refers = false;
      for (const auto& op : batches[k].ops)
        for_each_reference(op, [&](EntityType type, const std::optional<EntityId>& id) {
          refers =
              refers || (id && *id < 0 &&
                         std::find(made.begin(), made.end(), EntityRef{type, *id}) != made.end());
        });
      if (refers && k > 0) break;
      for (const auto& op : batches[k].ops)
        if (auto m = created_by(op); m && m->id < 0) made.push_back(*m);
    }
    return apply_all(batches.first(k));
  }
  /// apply_linked() for a caller that reads nothing of an applied batch afterwards but its
  /// identity, as apply_consuming() is to apply(): a store may move the contents of the
  /// batches it applies; a batch it did not apply (an error, or left for later) must be as
  /// given. The default calls apply_linked(); the same rule for classes that derive holds.
  [[nodiscard]] virtual std::vector<Result<WriteReceipt>> apply_linked_consuming(
      std::span<WriteBatch> batches) {
    return apply_linked(batches);
  }
  /// True when apply_linked() resolves references between batches itself (the engine then
  /// groups the batches of calls that create records too: one commit for many such calls).
  /// False by default: the engine ends a group before a batch that refers to an earlier one.
  [[nodiscard]] virtual bool resolves_group_references() const noexcept { return false; }

  // --- optional interfaces ---
  /// The store's change feed, or nullptr when it has none (then only this engine writes the
  /// CRM, or the host calls CallEngine::reload_crm() after outside changes).
  [[nodiscard]] virtual const CrmChangeFeed* change_feed() const noexcept { return nullptr; }
  /// Whole-CRM reads for tools and simulations, or nullptr.
  [[nodiscard]] virtual const CrmInspection* inspection() const noexcept { return nullptr; }
};

TELCRM_END_NAMESPACE
