// SPDX-License-Identifier: Apache-2.0
#pragma once
// The conformance kit's store checker: what every check shares (a fresh store per check,
// reading back what a store holds, reporting). Each check makes a fresh store, writes through
// the port only and compares what it reads back with what the contract asks; a difference is
// a failure naming the rule, never an abort, so one run reports everything a store gets wrong.

#include <telcrm/ports/crm_change_feed.hpp>
#include <telcrm/ports/crm_inspection.hpp>
#include <telcrm/testing/conformance.hpp>
#include <telcrm/testing/detail/conformance_support.hpp>

#include <fmt/core.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <set>
#include <thread>
#include <utility>

TELCRM_BEGIN_NAMESPACE
namespace conformance_detail {

inline constexpr Seconds window{300};

inline std::string describe_ids(const std::vector<EntityId>& ids) {
  std::string out;
  for (EntityId id : ids) out += (out.empty() ? "" : " ") + std::to_string(id);
  return out.empty() ? "none" : out;
}

class StoreKit {
 public:
  StoreKit(const StoreFactory& make, const ConformanceOptions& options)
      : make_(make), o_(options) {}

  std::vector<ConformanceFailure> run() {
    records_round_trip();
    references();
    all_or_nothing();
    replays();
    claim_window();
    claim_outcomes();
    claims_across_connections();
    concurrent_claims();
    retention();
    operations();
    group();
    linked();
    change_feed();
    inspection();
    return std::move(failures_);
  }

 private:
  // --- reporting ----------------------------------------------------------------------------

  void report(std::string_view rule, std::string expected, std::string seen) {
    failures_.push_back({std::string(rule), std::move(expected), std::move(seen)});
  }
  void ran(std::string_view rule, std::string_view note = "ran") const {
    if (o_.trace) o_.trace(rule, note);
  }
  [[nodiscard]] Timestamp at(std::int64_t seconds) const { return o_.start + Seconds(seconds); }
  [[nodiscard]] Seconds retention_of() const {
    return o_.retention.value_or(default_receipt_retention);
  }

  // A fresh store, or nullptr (reported) when the factory cannot make one.
  std::unique_ptr<CrmStore> fresh(std::string_view rule) {
    auto store = make_ ? make_() : nullptr;
    if (!store) report("factory", fmt::format("a fresh store for {}", rule), "nullptr");
    return store;
  }

  // Applies `b`, which must succeed; nullopt (reported under `rule`) when it does not.
  std::optional<WriteReceipt> applied(CrmStore& store, const WriteBatch& b, std::string_view rule,
                                      std::string_view why) {
    auto r = store.apply(b);
    if (r) return *r;
    report(rule, fmt::format("{}: batch {}#{} applied", why, b.call, b.seq), describe(r));
    return std::nullopt;
  }

  // Reads the store's content; nullopt (reported under `rule`) when it cannot.
  std::optional<Content> content(const CrmStore& store, std::string_view rule) {
    auto c = read_content(store);
    if (c) return std::move(*c);
    report(rule, "scan() (and snapshot(), when offered) to read the store", describe(c.error()));
    return std::nullopt;
  }

  // The batch must fail with `code` and change nothing.
  void refused(CrmStore& store, const WriteBatch& b, Errc code, std::string_view rule,
               std::string_view why) {
    auto before = content(store, rule);
    auto r = store.apply(b);
    if (r || r.error().code() != code)
      report(rule, fmt::format("{}: batch {}#{} refused with {}", why, b.call, b.seq, code),
             describe(r));
    auto after = content(store, rule);
    if (before && after && *before != *after)
      report(rule,
             fmt::format("{}: the refused batch {}#{} to change nothing ({})", why, b.call, b.seq,
                         before->summary()),
             "a change: " + after->summary());
  }

  // The batch must be answered as a repeat of `first`, changing nothing.
  void replayed(CrmStore& store, const WriteBatch& b, const WriteReceipt& first,
                std::string_view rule, std::string_view why) {
    auto before = content(store, rule);
    auto r = store.apply(b);
    WriteReceipt expected = first;
    expected.replayed = true;
    if (!r || *r != expected)
      report(
          rule,
          fmt::format("{}: batch {}#{} answered with {}", why, b.call, b.seq, describe(expected)),
          describe(r));
    auto after = content(store, rule);
    if (before && after && *before != *after)
      report(rule,
             fmt::format("{}: the repeated batch {}#{} to change nothing", why, b.call, b.seq),
             "a change: " + after->summary() + " (before: " + before->summary() + ")");
  }

  // The batch's claim must be lost to `winner` (whose receipt is `won`), applying nothing.
  void lost(CrmStore& store, const WriteBatch& b, const std::string& winner,
            const WriteReceipt& won, std::string_view rule, std::string_view why) {
    auto before = content(store, rule);
    auto r = store.apply(b);
    WriteReceipt expected;
    expected.created = won.created;
    expected.claimed_by = winner;
    if (!r || *r != expected)
      report(rule,
             fmt::format("{}: batch {}#{} loses its claim to {}: {}", why, b.call, b.seq, winner,
                         describe(expected)),
             describe(r));
    auto after = content(store, rule);
    if (before && after && *before != *after)
      report(rule, fmt::format("{}: the losing batch {}#{} to apply nothing", why, b.call, b.seq),
             "a change: " + after->summary() + " (before: " + before->summary() + ")");
  }

  // The batch's claim must win: a receipt of its own creates.
  std::optional<WriteReceipt> won(CrmStore& store, const WriteBatch& b, std::string_view rule,
                                  std::string_view why) {
    auto r = applied(store, b, rule, why);
    if (r && (r->claimed_by || r->replayed || r->created.empty()))
      report(rule,
             fmt::format("{}: batch {}#{} wins its claim and creates its lead", why, b.call, b.seq),
             describe(*r));
    return r;
  }

  // --- records ------------------------------------------------------------------------------

  // A company, a contact working there, a lead and a deal of theirs, an invoice: one batch,
  // bound by local references.
  WriteBatch everything_batch(std::string call) const {
    Lead l = lead(-1, "Lead with every field", {"+7 916 123-45-67", "8 (495) 111-22-33"});
    l.status = LeadStatus::in_progress;
    l.modified = at(-3600);
    l.contact = -1;
    l.company = -1;
    l.repeat = true;
    Lead junk = lead(-2, "A junk lead", {"+34 600 000 001"});
    junk.status = LeadStatus::junk;
    Deal d = deal(-1, "Deal with every field", -1, -1);
    d.modified = at(-60);
    d.repeat = true;
    Deal won_deal = deal(-2, "A won deal", std::nullopt, -1);
    won_deal.stage = DealStage::won;
    Invoice invoice{-1, 1250.75, {EntityType::deal, -1}, 5, call};
    return batch(
        call, 1, at(0),
        {CreateCompany{company(-1, "Acme, S.A.", {"+34 91 123 45 67", "91 765 43 21"})},
         CreateContact{contact(-1, "Ana 'Quote' \"Marks\"", {"912 345 678"}, -1)}, CreateLead{l},
         CreateLead{junk}, CreateDeal{d}, CreateDeal{won_deal}, CreateInvoice{invoice}});
  }

  // What `b` (everything_batch) made of its records, with the ids of `r`.
  static Content expected_records(const WriteBatch& b, const WriteReceipt& r) {
    Content c;
    LocalRefs local;
    std::size_t n = 0;
    for (const auto& op : b.ops)
      if (auto made = created_by(op); made && n < r.created.size())
        local.add(made->id, r.created[n++]);
    auto fix = [&](EntityType t, std::optional<EntityId>& id) { id = local.resolve(t, id); };
    n = 0;
    for (const auto& op : b.ops) {
      if (!created_by(op) || n >= r.created.size()) continue;
      const EntityId id = r.created[n++].id;
      if (const auto* cc = std::get_if<CreateContact>(&op)) {
        Contact x = cc->contact;
        x.id = id;
        fix(EntityType::company, x.company);
        c.contacts.push_back(x);
      } else if (const auto* co = std::get_if<CreateCompany>(&op)) {
        Company x = co->company;
        x.id = id;
        c.companies.push_back(x);
      } else if (const auto* cl = std::get_if<CreateLead>(&op)) {
        Lead x = cl->lead;
        x.id = id;
        fix(EntityType::contact, x.contact);
        fix(EntityType::company, x.company);
        c.leads.push_back(x);
      } else if (const auto* cd = std::get_if<CreateDeal>(&op)) {
        Deal x = cd->deal;
        x.id = id;
        fix(EntityType::contact, x.contact);
        fix(EntityType::company, x.company);
        c.deals.push_back(x);
      }
    }
    sort_by_id(c.contacts);
    sort_by_id(c.companies);
    sort_by_id(c.leads);
    sort_by_id(c.deals);
    return c;
  }

  void check_ids(const std::vector<EntityRef>& all, std::string_view why) {
    std::set<EntityRef> seen;
    for (const auto& r : all) {
      if (r.id <= 0)
        report("ids.positive", fmt::format("{}: every created id > 0", why), describe(r));
      if (!seen.insert(r).second)
        report("ids.unique-per-type", fmt::format("{}: every created {} a new id", why, r.type),
               describe(r) + " given twice");
    }
  }

  void records_round_trip() {
    ran("scan.round-trip");
    ran("find.round-trip");
    ran("find.missing");
    ran("receipt.order");
    ran("ids.positive");
    ran("ids.unique-per-type");
    auto store = fresh("scan.round-trip");
    if (!store) return;
    const WriteBatch b = everything_batch("rt-1");
    auto r = applied(*store, b, "scan.round-trip", "a batch creating one of each record");
    if (!r) return;
    const std::vector<EntityType> order{EntityType::company, EntityType::contact, EntityType::lead,
                                        EntityType::lead,    EntityType::deal,    EntityType::deal,
                                        EntityType::invoice};
    std::vector<EntityType> types;
    for (const auto& c : r->created) types.push_back(c.type);
    if (types != order || r->replayed || r->claimed_by)
      report("receipt.order",
             "a receipt listing company, contact, lead, lead, deal, deal, invoice (the creates in "
             "operation order), not replayed, no claim",
             describe(*r));
    if (types != order) return;
    const Content want = expected_records(b, *r);
    auto got = content(*store, "scan.round-trip");
    if (got) {
      Content scanned = *got;
      scanned.everything.reset();
      if (scanned != want)
        report(
            "scan.round-trip", "scan() to stream each created record once, as written",
            scanned.summary() + (scanned.summary() == want.summary() ? " with other fields" : ""));
    }
    auto found = [&](auto result, const auto& expected, std::string_view what) {
      if (!result || !*result || **result != expected)
        report("find.round-trip",
               fmt::format("find_{}({}) to return it as written", what, expected.id),
               !result ? describe(result.error()) : (*result ? "other fields" : "nullopt"));
    };
    for (const auto& v : want.contacts) found(store->find_contact(v.id), v, "contact");
    for (const auto& v : want.companies) found(store->find_company(v.id), v, "company");
    for (const auto& v : want.leads) found(store->find_lead(v.id), v, "lead");
    for (const auto& v : want.deals) found(store->find_deal(v.id), v, "deal");
    // Ids never given: 0 (ids are positive) and far past every id the batch got.
    EntityId far = 0;
    for (const auto& c : r->created) far = std::max(far, c.id);
    far += 1000000;
    for (EntityId id : {EntityId{0}, far}) {
      auto missing = [&](auto result, std::string_view what) {
        if (!result || *result)
          report("find.missing", fmt::format("find_{}({}) of an id never given: nullopt", what, id),
                 !result ? describe(result.error()) : "a record");
      };
      missing(store->find_contact(id), "contact");
      missing(store->find_company(id), "company");
      missing(store->find_lead(id), "lead");
      missing(store->find_deal(id), "deal");
    }
    // More batches: ids positive and unique per type over all of them.
    std::vector<EntityRef> all = r->created;
    for (std::uint32_t i = 2; i <= 20; ++i) {
      auto more = applied(*store, everything_batch(fmt::format("rt-{}", i)), "ids.unique-per-type",
                          "more batches creating one of each record");
      if (more) all.insert(all.end(), more->created.begin(), more->created.end());
    }
    check_ids(all, "twenty batches");
  }
  // The checks, by concern (store_kit_writes.hpp, store_kit_state.hpp).
  void references();
  void all_or_nothing();
  void replays();
  void claim_window();
  void claim_outcomes();
  void claims_across_connections();
  void concurrent_claims();
  void retention();
  void operations();
  void group();
  void consuming(const std::vector<WriteBatch>& batches,
                 const std::vector<Result<WriteReceipt>>& alone, const Content& expected);
  void linked();
  void linked_consuming(const std::vector<WriteBatch>& batches,
                        const std::vector<Result<WriteReceipt>>& expected);
  void change_feed();
  void inspection();

  const StoreFactory& make_;
  const ConformanceOptions& o_;
  std::vector<ConformanceFailure> failures_;
};

}  // namespace conformance_detail
TELCRM_END_NAMESPACE
