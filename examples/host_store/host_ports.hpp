// SPDX-License-Identifier: Apache-2.0
#pragma once
// The four ports telcrm needs, implemented over the host's own tables (host_tables.hpp):
// CrmStore (the CRM), Directory (the staff), Telephony (the PBX) and Clock. Each port call
// can be written to a PortLog, to see when the engine calls what.

#include <telcrm/telcrm.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "host_tables.hpp"

namespace host {

// The port calls in the order they happen (printed as they come, when on).
class PortLog {
 public:
  void start() { on_ = true; }
  void note(std::string line) {
    std::lock_guard guard(lock_);
    if (!on_) return;
    lines_.push_back(std::move(line));
    fmt::print("{:>3}. {}\n", lines_.size(), lines_.back());
  }
  [[nodiscard]] std::vector<std::string> lines() const {
    std::lock_guard guard(lock_);
    return lines_;
  }

 private:
  mutable std::mutex lock_;
  bool on_ = false;
  std::vector<std::string> lines_;
};

// --- the host's names for telcrm's ---------------------------------------------------------------

inline std::string kind_of(telcrm::EntityType t) {
  switch (t) {
    case telcrm::EntityType::contact: return "person";
    case telcrm::EntityType::company: return "organisation";
    case telcrm::EntityType::lead: return "enquiry";
    case telcrm::EntityType::deal: return "opportunity";
    case telcrm::EntityType::invoice: return "bill";
  }
  return "?";
}
inline telcrm::EntityType type_of(const std::string& kind) {
  if (kind == "organisation") return telcrm::EntityType::company;
  if (kind == "enquiry") return telcrm::EntityType::lead;
  if (kind == "opportunity") return telcrm::EntityType::deal;
  if (kind == "bill") return telcrm::EntityType::invoice;
  return telcrm::EntityType::contact;
}
inline std::vector<telcrm::EntityRef> refs_of(
    const std::vector<std::pair<std::string, long>>& rows) {
  std::vector<telcrm::EntityRef> out;
  for (const auto& [kind, id] : rows) out.push_back({type_of(kind), id});
  return out;
}
inline std::vector<std::pair<std::string, long>> rows_of(
    const std::vector<telcrm::EntityRef>& refs) {
  std::vector<std::pair<std::string, long>> out;
  for (const auto& r : refs) out.emplace_back(kind_of(r.type), static_cast<long>(r.id));
  return out;
}
inline std::optional<telcrm::Timestamp> time_of(const std::optional<std::int64_t>& s) {
  if (!s) return std::nullopt;
  return telcrm::Timestamp(telcrm::Seconds(*s));
}
inline std::optional<std::int64_t> seconds_of(const std::optional<telcrm::Timestamp>& t) {
  if (!t) return std::nullopt;
  return t->time_since_epoch().count();
}
template <class T>
std::optional<T> widen(const std::optional<long>& v) {
  return v ? std::optional<T>(*v) : std::nullopt;
}
template <class T>
std::optional<long> narrow(const std::optional<T>& v) {
  return v ? std::optional<long>(static_cast<long>(*v)) : std::nullopt;
}

inline telcrm::Contact to_contact(const PersonRow& r) {
  return {r.id,
          r.full_name,
          r.phones,
          r.emails,
          widen<telcrm::EmployeeId>(r.owner),
          widen<telcrm::EntityId>(r.organisation)};
}
inline telcrm::Company to_company(const OrganisationRow& r) {
  return {r.id, r.name, r.phones, r.emails, widen<telcrm::EmployeeId>(r.owner)};
}
inline telcrm::Lead to_lead(const EnquiryRow& r) {
  telcrm::Lead l;
  l.id = r.id;
  l.title = r.title;
  l.phones = r.phones;
  l.responsible = widen<telcrm::EmployeeId>(r.owner);
  l.status = r.state == "won"       ? telcrm::LeadStatus::converted
             : r.state == "dropped" ? telcrm::LeadStatus::junk
                                    : telcrm::LeadStatus::in_progress;
  l.modified = time_of(r.changed_at);
  l.contact = widen<telcrm::EntityId>(r.person);
  l.company = widen<telcrm::EntityId>(r.organisation);
  l.source = r.source;
  l.repeat = r.returning;
  return l;
}
inline telcrm::Deal to_deal(const OpportunityRow& r) {
  telcrm::Deal d;
  d.id = r.id;
  d.title = r.title;
  d.contact = widen<telcrm::EntityId>(r.person);
  d.company = widen<telcrm::EntityId>(r.organisation);
  d.responsible = widen<telcrm::EmployeeId>(r.owner);
  d.stage = r.state == "won"    ? telcrm::DealStage::won
            : r.state == "lost" ? telcrm::DealStage::lost
                                : telcrm::DealStage::in_progress;
  d.pipeline = r.pipeline;
  d.modified = time_of(r.changed_at);
  d.source = r.source;
  d.repeat = r.returning;
  return d;
}

// --- CrmStore ------------------------------------------------------------------------------------

// The CRM port over the host's tables. Required: scan(), find_*(), apply(); of the optional
// parts it has group commit (apply_linked) and leaves out the change feed and inspection (then
// only telcrm writes the CRM while it runs).
// Several HostCrmStore objects may share one Database, as several connections would.
class HostCrmStore final : public telcrm::CrmStore {
 public:
  explicit HostCrmStore(std::shared_ptr<Database> db,
                        telcrm::Seconds retention = telcrm::default_receipt_retention,
                        PortLog* log = nullptr)
      : db_(std::move(db)), retention_(retention), log_(log) {}

  [[nodiscard]] std::shared_ptr<Database> database() const { return db_; }

  telcrm::Result<void> scan(telcrm::CrmVisitor& visitor) const override {
    note("store      scan()");
    std::lock_guard guard(db_->lock);
    for (const auto& [id, r] : db_->people) visitor.visit(to_contact(r));
    for (const auto& [id, r] : db_->organisations) visitor.visit(to_company(r));
    for (const auto& [id, r] : db_->enquiries) visitor.visit(to_lead(r));
    for (const auto& [id, r] : db_->opportunities) visitor.visit(to_deal(r));
    return {};
  }
  telcrm::Result<std::optional<telcrm::Contact>> find_contact(telcrm::EntityId id) const override {
    return find(db_->people, id, to_contact, "find_contact");
  }
  telcrm::Result<std::optional<telcrm::Company>> find_company(telcrm::EntityId id) const override {
    return find(db_->organisations, id, to_company, "find_company");
  }
  telcrm::Result<std::optional<telcrm::Lead>> find_lead(telcrm::EntityId id) const override {
    return find(db_->enquiries, id, to_lead, "find_lead");
  }
  telcrm::Result<std::optional<telcrm::Deal>> find_deal(telcrm::EntityId id) const override {
    return find(db_->opportunities, id, to_deal, "find_deal");
  }

  // All or nothing: everything that can fail is checked before anything is written (a SQL
  // host would rather run the whole batch in one transaction).
  telcrm::Result<telcrm::WriteReceipt> apply(const telcrm::WriteBatch& batch) override {
    note(fmt::format("store      apply({}#{}: {} ops{})", batch.call, batch.seq, batch.ops.size(),
                     batch.claim ? ", claims " + batch.claim->number : ""));
    std::lock_guard guard(db_->lock);
    forget_old(batch.at);
    // R-I1: a batch applied before gets its first answer again.
    if (auto it = db_->receipts.find({batch.call, batch.seq}); it != db_->receipts.end()) {
      telcrm::WriteReceipt again{refs_of(it->second.created), true, it->second.lost_to};
      return again;
    }
    const std::int64_t made_at = batch.at.time_since_epoch().count();
    // R-I2: another call claimed the number within the window first: bind to what it created.
    if (batch.claim) {
      const std::int64_t at = batch.claim->at.time_since_epoch().count();
      for (const auto& claim : db_->claims)  // oldest first: the first match won
        if (claim.number == batch.claim->number && claim.call != batch.call &&
            std::abs(claim.at - at) <= batch.claim->window.count()) {
          db_->receipts[{batch.call, batch.seq}] = {claim.created, claim.call, made_at};
          return telcrm::WriteReceipt{refs_of(claim.created), false, claim.call};
        }
    }
    auto exists = [&](telcrm::EntityType type, telcrm::EntityId id) -> telcrm::Result<bool> {
      switch (type) {
        case telcrm::EntityType::contact: return db_->people.count(id) > 0;
        case telcrm::EntityType::company: return db_->organisations.count(id) > 0;
        case telcrm::EntityType::lead: return db_->enquiries.count(id) > 0;
        case telcrm::EntityType::deal: return db_->opportunities.count(id) > 0;
        case telcrm::EntityType::invoice: return db_->bills.count(id) > 0;
      }
      return false;
    };
    if (auto ok = telcrm::check_batch_references(batch, exists); !ok)
      return telcrm::fail(ok.error());
    auto has_note = [&](std::string_view call) -> telcrm::Result<bool> {
      return std::any_of(db_->call_notes.begin(), db_->call_notes.end(),
                         [&](const CallNoteRow& n) { return n.call == call; });
    };
    if (auto ok = telcrm::check_recordings(batch, has_note); !ok) return telcrm::fail(ok.error());
    telcrm::LocalRefs local;  // the batch's own new records, by the negative ids it named them
    for (const auto& op : batch.ops) write(op, local);
    telcrm::WriteReceipt receipt{std::move(local).take_created(), false, std::nullopt};
    if (batch.claim)
      db_->claims.push_back({batch.claim->number, batch.call,
                             batch.claim->at.time_since_epoch().count(), rows_of(receipt.created)});
    db_->receipts[{batch.call, batch.seq}] = {rows_of(receipt.created), std::nullopt, made_at};
    return receipt;
  }

  // Optional group commit: several batches in one go (a SQL host opens one transaction here
  // and commits it at the end). A batch may refer, by the provisional id the engine gave it, to
  // a record an earlier batch of the group created — an unknown caller's lead, then its
  // reassignment and its activity; LinkedBatches rewrites those references, and says when a
  // batch refers to a record that was never created (the engine then sends it again).
  std::vector<telcrm::Result<telcrm::WriteReceipt>> apply_linked(
      std::span<const telcrm::WriteBatch> batches) override {
    std::vector<telcrm::Result<telcrm::WriteReceipt>> out;
    telcrm::LinkedBatches linked;
    for (const auto& batch : batches) {
      const telcrm::WriteBatch* ready = linked.prepare(batch);
      if (ready == nullptr) break;
      out.push_back(apply(*ready));
      linked.applied(batch, out.back());
      if (!out.back() && out.back().error().code() == telcrm::Errc::storage_unavailable) {
        while (out.size() < batches.size()) out.push_back(telcrm::fail(out.back().error()));
        break;  // down: this batch and the rest wait, in order
      }
    }
    return out;
  }
  [[nodiscard]] bool resolves_group_references() const noexcept override { return true; }

  // How many receipts and claims are kept (the conformance kit's size probe).
  [[nodiscard]] std::size_t remembered() const {
    std::lock_guard guard(db_->lock);
    return db_->receipts.size() + db_->claims.size();
  }

 private:
  void note(std::string line) const {
    if (log_ != nullptr) log_->note(std::move(line));
  }

  template <class Table, class Convert>
  auto find(const Table& table, telcrm::EntityId id, Convert convert, const char* what) const
      -> telcrm::Result<std::optional<decltype(convert(table.begin()->second))>> {
    note(fmt::format("store      {}({})", what, id));
    std::lock_guard guard(db_->lock);
    using T = decltype(convert(table.begin()->second));
    auto it = table.find(static_cast<long>(id));
    if (it == table.end()) return std::optional<T>{};
    return std::optional<T>(convert(it->second));
  }

  // Receipts and claims are needed for a retention after their batch (measured against the
  // newest batch seen, so no clock is needed); older ones are deleted, or they would grow
  // with every call. (A SQL host deletes by an index on the time, a bounded number at once.)
  void forget_old(telcrm::Timestamp at) {
    newest_ = std::max(newest_, at.time_since_epoch().count());
    const std::int64_t cutoff = newest_ - retention_.count();
    std::erase_if(db_->receipts, [&](const auto& r) { return r.second.made_at < cutoff; });
    std::erase_if(db_->claims, [&](const ClaimRow& c) { return c.at < cutoff; });
  }

  void write(const telcrm::WriteOp& op, telcrm::LocalRefs& local) {
    using telcrm::EntityType;
    auto ref = [&](EntityType t, const std::optional<telcrm::EntityId>& id) {
      return narrow(local.resolve(t, id));
    };
    if (const auto* c = std::get_if<telcrm::CreateContact>(&op)) {
      const long id = db_->next_id++;
      db_->people[id] = {id,
                         c->contact.name,
                         c->contact.phones,
                         c->contact.emails,
                         narrow(c->contact.responsible),
                         ref(EntityType::company, c->contact.company)};
      local.add(c->contact.id, {EntityType::contact, id});
    } else if (const auto* co = std::get_if<telcrm::CreateCompany>(&op)) {
      const long id = db_->next_id++;
      db_->organisations[id] = {id, co->company.title, co->company.phones, co->company.emails,
                                narrow(co->company.responsible)};
      local.add(co->company.id, {EntityType::company, id});
    } else if (const auto* l = std::get_if<telcrm::CreateLead>(&op)) {
      const long id = db_->next_id++;
      const telcrm::Lead& v = l->lead;
      db_->enquiries[id] = {id,
                            v.title,
                            v.phones,
                            narrow(v.responsible),
                            v.status == telcrm::LeadStatus::converted ? "won"
                            : v.status == telcrm::LeadStatus::junk    ? "dropped"
                                                                      : "new",
                            seconds_of(v.modified),
                            ref(EntityType::contact, v.contact),
                            ref(EntityType::company, v.company),
                            v.source,
                            v.repeat};
      local.add(v.id, {EntityType::lead, id});
    } else if (const auto* d = std::get_if<telcrm::CreateDeal>(&op)) {
      const long id = db_->next_id++;
      const telcrm::Deal& v = d->deal;
      db_->opportunities[id] = {id,
                                v.title,
                                ref(EntityType::contact, v.contact),
                                ref(EntityType::company, v.company),
                                narrow(v.responsible),
                                v.stage == telcrm::DealStage::won    ? "won"
                                : v.stage == telcrm::DealStage::lost ? "lost"
                                                                     : "open",
                                static_cast<long>(v.pipeline),
                                seconds_of(v.modified),
                                v.source,
                                v.repeat};
      local.add(v.id, {EntityType::deal, id});
    } else if (const auto* i = std::get_if<telcrm::CreateInvoice>(&op)) {
      const long id = db_->next_id++;
      const telcrm::Invoice& v = i->invoice;
      db_->bills[id] = {id,
                        v.amount,
                        kind_of(v.entity.type),
                        static_cast<long>(local.resolve(v.entity.type, v.entity.id)),
                        narrow(v.responsible),
                        v.call};
      local.add(v.id, {EntityType::invoice, id});
    } else if (const auto* r = std::get_if<telcrm::Reassign>(&op)) {
      const long id = static_cast<long>(local.resolve(r->entity.type, r->entity.id));
      const long to = static_cast<long>(r->to);
      switch (r->entity.type) {  // checked above: the record exists
        case EntityType::contact: db_->people[id].owner = to; break;
        case EntityType::company: db_->organisations[id].owner = to; break;
        case EntityType::lead: db_->enquiries[id].owner = to; break;
        case EntityType::deal: db_->opportunities[id].owner = to; break;
        case EntityType::invoice: db_->bills[id].owner = to; break;
      }
    } else if (const auto* w = std::get_if<telcrm::WriteActivity>(&op)) {
      const telcrm::CallActivity& a = w->activity;
      CallNoteRow row;
      row.id = db_->next_note++;
      row.call = a.call;
      for (const auto& b : a.bindings)
        row.about.emplace_back(kind_of(b.type), static_cast<long>(local.resolve(b.type, b.id)));
      row.subject = a.subject;
      row.direction = std::string(format_as(a.direction));
      row.outcome = std::string(format_as(a.status));
      row.started = a.start.time_since_epoch().count();
      row.talked = a.duration.count();
      row.owner = narrow(a.responsible);
      row.recording = a.recording;
      row.voicemail = a.voicemail;
      row.comment = a.comment;
      db_->call_notes.push_back(std::move(row));
    } else if (const auto* m = std::get_if<telcrm::RecordMissedCall>(&op)) {
      db_->missed.push_back({m->missed.number, m->missed.call, m->missed.called_back_by});
    } else if (const auto* cb = std::get_if<telcrm::MarkCalledBack>(&op)) {
      for (auto& row : db_->missed)
        if (row.number == cb->number && !row.called_back_by) row.called_back_by = cb->call;
    } else if (const auto* h = std::get_if<telcrm::RecordCall>(&op)) {
      const telcrm::CallRecord& v = h->record;
      db_->call_log.push_back({v.call, std::string(format_as(v.direction)), v.number, v.line,
                               std::string(format_as(v.crm)), v.start.time_since_epoch().count(),
                               v.duration.count(), telcrm::code_of(v.status), narrow(v.employee)});
    } else if (const auto* rec = std::get_if<telcrm::AttachRecording>(&op)) {
      for (auto& row : db_->call_notes)  // replaces whatever recording it had
        if (row.call == rec->call) row.recording = rec->recording;
    }
  }

  std::shared_ptr<Database> db_;
  telcrm::Seconds retention_;
  PortLog* log_;
  std::int64_t newest_ = std::numeric_limits<std::int64_t>::min();
};

// --- Directory -----------------------------------------------------------------------------------

class HostDirectory final : public telcrm::Directory {
 public:
  explicit HostDirectory(StaffTable& staff, PortLog* log = nullptr) : staff_(staff), log_(log) {}

  telcrm::Result<std::vector<telcrm::Employee>> employees() const override {
    note("directory  employees()");
    std::lock_guard guard(staff_.lock);
    std::vector<telcrm::Employee> out;  // the map keeps them ordered by id, as the port asks
    for (const auto& [id, row] : staff_.rows) out.push_back(to_employee(row));
    return out;
  }
  telcrm::Result<std::optional<telcrm::Employee>> find_employee(
      telcrm::EmployeeId id) const override {
    std::lock_guard guard(staff_.lock);
    auto it = staff_.rows.find(static_cast<long>(id));
    if (it == staff_.rows.end()) return std::optional<telcrm::Employee>{};
    return std::optional<telcrm::Employee>(to_employee(it->second));
  }
  // Asked at every call: answered from memory, as the port asks.
  telcrm::Result<std::uint64_t> version() const override {
    std::lock_guard guard(staff_.lock);
    return staff_.version;
  }

  // The host's own change: someone steps away (bumps the version, as every change must).
  void set_status(long id, std::string status) {
    std::lock_guard guard(staff_.lock);
    staff_.rows[id].status = std::move(status);
    ++staff_.version;
  }

 private:
  static telcrm::Employee to_employee(const StaffRow& r) {
    telcrm::Employee e;
    e.id = r.id;
    e.name = r.name;
    e.active = r.enabled;
    e.presence = r.status == "away"        ? telcrm::Presence::offline
                 : r.status == "on a call" ? telcrm::Presence::busy
                                           : telcrm::Presence::online;
    e.phones.mobile = r.mobile;
    e.extension = r.desk_extension;
    return e;
  }
  void note(std::string line) const {
    if (log_ != nullptr) log_->note(std::move(line));
  }
  StaffTable& staff_;
  PortLog* log_;
};

// --- Telephony and Clock
// ---------------------------------------------------------------------------

// The PBX side: each command would be queued to the PBX here (the port must not block).
class HostTelephony final : public telcrm::Telephony {
 public:
  explicit HostTelephony(PortLog& log) : log_(log) {}
  telcrm::Result<void> ring(std::string_view call, std::span<const telcrm::EmployeeId> who,
                            telcrm::Seconds seconds) override {
    std::string list;
    for (auto id : who) list += (list.empty() ? "" : ",") + std::to_string(id);
    log_.note(
        fmt::format("telephony  ring({}: employees {} for {} s)", call, list, seconds.count()));
    return {};
  }
  telcrm::Result<void> forward(std::string_view call, std::string_view number,
                               telcrm::Seconds) override {
    log_.note(fmt::format("telephony  forward({} to {})", call, number));
    return {};
  }
  telcrm::Result<void> voicemail(std::string_view call, telcrm::EmployeeId employee) override {
    log_.note(fmt::format("telephony  voicemail({} of employee {})", call, employee));
    return {};
  }
  telcrm::Result<void> hang_up(std::string_view call) override {
    log_.note(fmt::format("telephony  hang_up({})", call));
    return {};
  }

 private:
  PortLog& log_;
};

// The host's time; here it stands still unless moved, so the example prints the same each run.
class HostClock final : public telcrm::Clock {
 public:
  explicit HostClock(telcrm::Timestamp start) : now_(start) {}
  telcrm::Timestamp now() const noexcept override {
    std::lock_guard guard(lock_);
    return now_;
  }
  void advance(telcrm::Seconds s) {
    std::lock_guard guard(lock_);
    now_ += s;
  }

 private:
  mutable std::mutex lock_;
  telcrm::Timestamp now_;
};

}  // namespace host
