// SPDX-License-Identifier: Apache-2.0
#pragma once
// What the conformance kit's checks share: descriptions of receipts and errors for failure
// messages, the content of a store read through the port, ids renumbered by creation order
// (two stores need not give the same ids), and the records and batches the checks write.
// Included by conformance-inl.hpp only.

#include <telcrm/config.hpp>
#include <telcrm/crm/snapshot.hpp>
#include <telcrm/ports/crm_inspection.hpp>
#include <telcrm/ports/crm_store.hpp>
#include <telcrm/result.hpp>

#include <fmt/core.h>

#include <algorithm>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

TELCRM_BEGIN_NAMESPACE
namespace conformance_detail {

// --- descriptions -----------------------------------------------------------------------------

inline std::string describe(EntityRef ref) {
  return fmt::format("{} {}", ref.type, ref.id);
}
inline std::string describe(const std::vector<EntityRef>& refs) {
  std::string out = "[";
  for (const auto& r : refs) out += (out.size() > 1 ? ", " : "") + describe(r);
  return out + "]";
}
inline std::string describe(const Error& e) {
  return fmt::format("error {} ({})", e.code(), e.message());
}
inline std::string describe(const WriteReceipt& r) {
  std::string out = "a receipt listing " + describe(r.created);
  if (r.replayed) out += ", replayed";
  if (r.claimed_by) out += ", claim lost to call " + *r.claimed_by;
  return out;
}
inline std::string describe(const Result<WriteReceipt>& r) {
  return r ? describe(*r) : describe(r.error());
}

// --- a store's content, read through the port -------------------------------------------------

// Every record scan() streams, each list in id order, and — when the store offers inspection —
// its whole snapshot.
struct Content {
  std::vector<Contact> contacts;
  std::vector<Company> companies;
  std::vector<Lead> leads;
  std::vector<Deal> deals;
  std::optional<CrmSnapshot> everything;
  /// Equal when every field is.
  friend bool operator==(const Content&, const Content&) = default;

  [[nodiscard]] std::string summary() const {
    std::string out = fmt::format("{} contacts, {} companies, {} leads, {} deals", contacts.size(),
                                  companies.size(), leads.size(), deals.size());
    if (everything)
      out += fmt::format(", {} invoices, {} activities, {} missed calls, {} history records",
                         everything->invoices.size(), everything->activities.size(),
                         everything->missed_calls.size(), everything->history.size());
    return out;
  }
};

class Collect final : public CrmVisitor {
 public:
  explicit Collect(Content& into) : into_(into) {}
  void visit(const Contact& c) override { into_.contacts.push_back(c); }
  void visit(const Company& c) override { into_.companies.push_back(c); }
  void visit(const Lead& l) override { into_.leads.push_back(l); }
  void visit(const Deal& d) override { into_.deals.push_back(d); }

 private:
  Content& into_;
};

template <class T>
void sort_by_id(std::vector<T>& rows) {
  std::stable_sort(rows.begin(), rows.end(), [](const T& a, const T& b) { return a.id < b.id; });
}

inline Result<Content> read_content(const CrmStore& store) {
  Content c;
  Collect collect(c);
  if (auto ok = store.scan(collect); !ok) return fail(ok.error());
  sort_by_id(c.contacts);
  sort_by_id(c.companies);
  sort_by_id(c.leads);
  sort_by_id(c.deals);
  if (const CrmInspection* inspection = store.inspection()) {
    auto all = inspection->snapshot();
    if (!all) return fail(all.error());
    c.everything = std::move(*all);
  }
  return c;
}

// --- ids renumbered by creation order ----------------------------------------------------------

// Maps each id a store gave to its rank among the records of its type, in the order the
// receipts listed them: the n-th contact created is contact n in every store.
class Renumber {
 public:
  void learn(const std::vector<EntityRef>& created) {
    for (const auto& r : created)
      if (map_.emplace(r, 0).second) map_[r] = ++count_[r.type];
  }
  [[nodiscard]] EntityId id(EntityType type, EntityId id) const {
    auto it = map_.find({type, id});
    return it == map_.end() ? -1000000000 - id : it->second;  // unknown: kept apart
  }
  [[nodiscard]] std::optional<EntityId> id(EntityType type, std::optional<EntityId> id) const {
    if (!id) return std::nullopt;
    return this->id(type, *id);
  }
  [[nodiscard]] EntityRef ref(EntityRef r) const { return {r.type, id(r.type, r.id)}; }

  [[nodiscard]] WriteReceipt receipt(WriteReceipt r) const {
    for (auto& c : r.created) c = ref(c);
    return r;
  }
  [[nodiscard]] Content content(Content c) const {
    for (auto& v : c.contacts) fix(v);
    for (auto& v : c.companies) fix(v);
    for (auto& v : c.leads) fix(v);
    for (auto& v : c.deals) fix(v);
    sort_by_id(c.contacts);
    sort_by_id(c.companies);
    sort_by_id(c.leads);
    sort_by_id(c.deals);
    if (c.everything) {
      CrmSnapshot& s = *c.everything;
      for (auto& v : s.contacts) fix(v);
      for (auto& v : s.companies) fix(v);
      for (auto& v : s.leads) fix(v);
      for (auto& v : s.deals) fix(v);
      for (auto& v : s.invoices) {
        v.id = id(EntityType::invoice, v.id);
        v.entity = ref(v.entity);
      }
      // Activities have no receipt: they are compared by their order, without ids.
      for (auto& v : s.activities) {
        v.id = 0;
        for (auto& b : v.bindings) b = ref(b);
      }
      sort_by_id(s.contacts);
      sort_by_id(s.companies);
      sort_by_id(s.leads);
      sort_by_id(s.deals);
      sort_by_id(s.invoices);
    }
    return c;
  }

 private:
  void fix(Contact& v) const {
    v.id = id(EntityType::contact, v.id);
    v.company = id(EntityType::company, v.company);
  }
  void fix(Company& v) const { v.id = id(EntityType::company, v.id); }
  void fix(Lead& v) const {
    v.id = id(EntityType::lead, v.id);
    v.contact = id(EntityType::contact, v.contact);
    v.company = id(EntityType::company, v.company);
  }
  void fix(Deal& v) const {
    v.id = id(EntityType::deal, v.id);
    v.contact = id(EntityType::contact, v.contact);
    v.company = id(EntityType::company, v.company);
  }
  std::map<EntityRef, EntityId> map_;
  std::map<EntityType, EntityId> count_;
};

// --- what the checks write --------------------------------------------------------------------

inline Contact contact(EntityId local, std::string name, std::vector<std::string> phones,
                       std::optional<EntityId> company = std::nullopt) {
  Contact c;
  c.id = local;
  c.name = std::move(name);
  c.phones = std::move(phones);
  c.emails = {"info@example.org"};
  c.responsible = 3;
  c.company = company;
  return c;
}
inline Company company(EntityId local, std::string title, std::vector<std::string> phones) {
  Company c;
  c.id = local;
  c.title = std::move(title);
  c.phones = std::move(phones);
  c.emails = {"office@example.org", "sales@example.org"};
  c.responsible = 4;
  return c;
}
inline Lead lead(EntityId local, std::string title, std::vector<std::string> phones) {
  Lead l;
  l.id = local;
  l.title = std::move(title);
  l.phones = std::move(phones);
  l.responsible = 2;
  l.source = "CALL";
  return l;
}
inline Deal deal(EntityId local, std::string title, std::optional<EntityId> contact,
                 std::optional<EntityId> company) {
  Deal d;
  d.id = local;
  d.title = std::move(title);
  d.contact = contact;
  d.company = company;
  d.responsible = 5;
  d.pipeline = 2;
  d.source = "CALL";
  return d;
}
inline CallActivity activity(std::string call, std::vector<EntityRef> bindings, Timestamp start) {
  CallActivity a;
  a.call = std::move(call);
  a.bindings = std::move(bindings);
  a.subject = "Incoming call";
  a.start = start;
  a.duration = Seconds(42);
  a.status = ActivityStatus::answered;
  a.responsible = 2;
  a.comment = "from the conformance kit";
  return a;
}
inline CallRecord call_record(std::string call, std::string number, Timestamp start) {
  CallRecord r;
  r.call = std::move(call);
  r.number = std::move(number);
  r.line = "+74950000000";
  r.start = start;
  r.duration = Seconds(42);
  r.status = CallStatus::answered;
  r.employee = 2;
  r.crm = CrmState::unknown;
  return r;
}
inline WriteBatch batch(std::string call, std::uint32_t seq, Timestamp at, std::vector<WriteOp> ops,
                        std::optional<UnknownCallerClaim> claim = std::nullopt) {
  WriteBatch b;
  b.call = std::move(call);
  b.seq = seq;
  b.at = at;
  b.ops = std::move(ops);
  b.claim = std::move(claim);
  return b;
}
// What an engine writes for an unknown caller: a lead, the call's activity on it and the
// history record — with a claim on the number at `at`.
inline WriteBatch unknown_caller(std::string call, std::uint32_t seq, const std::string& number,
                                 Timestamp at, Seconds window = Seconds(300)) {
  std::vector<WriteOp> ops{CreateLead{lead(-1, number + " - Incoming call", {number})},
                           WriteActivity{activity(call, {{EntityType::lead, -1}}, at)},
                           RecordCall{call_record(call, number, at)}};
  return batch(call, seq, at, std::move(ops), UnknownCallerClaim{number, at, window});
}

}  // namespace conformance_detail
TELCRM_END_NAMESPACE
