// SPDX-License-Identifier: Apache-2.0
#pragma once
// The conformance kit's checks. Each check makes a fresh store, writes through the port only
// and compares what it reads back with what the contract asks; a difference is a failure
// naming the rule, never an abort, so one run reports everything a store gets wrong.

#include <telcrm/ports/crm_change_feed.hpp>
#include <telcrm/ports/crm_inspection.hpp>
#include <telcrm/testing/conformance.hpp>
#include <telcrm/testing/detail/conformance_support.hpp>

#include <fmt/format.h>

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

  // --- local references ------------------------------------------------------------------------

  void references() {
    ran("refs.local");
    ran("refs.unnamed");
    ran("refs.named-twice");
    auto store = fresh("refs.local");
    if (!store) return;
    // A deal plus its contact (and a company with the same local name -1: names are per type).
    const WriteBatch b = batch(
        "lr-1", 1, at(10),
        {CreateCompany{company(-1, "Co", {})}, CreateContact{contact(-1, "C", {"+1 202"}, -1)},
         CreateDeal{deal(-1, "D", -1, -1)}, Reassign{{EntityType::deal, -1}, 9},
         WriteActivity{
             activity("lr-1", {{EntityType::deal, -1}, {EntityType::contact, -1}}, at(10))}});
    auto r = applied(*store, b, "refs.local", "a deal plus its contact and company, named -1");
    if (r && r->created.size() == 3) {
      const EntityId company_id = r->created[0].id, contact_id = r->created[1].id,
                     deal_id = r->created[2].id;
      auto d = store->find_deal(deal_id);
      if (!d || !*d || (*d)->contact != contact_id || (*d)->company != company_id ||
          (*d)->responsible != 9)
        report("refs.local",
               fmt::format("deal {} bound to contact {} and company {}, reassigned to 9", deal_id,
                           contact_id, company_id),
               !d ? describe(d.error())
                  : (*d ? fmt::format("contact {}, company {}, responsible {}",
                                      (*d)->contact.value_or(0), (*d)->company.value_or(0),
                                      (*d)->responsible.value_or(0))
                        : "no deal"));
      auto c = store->find_contact(contact_id);
      if (!c || !*c || (*c)->company != company_id)
        report("refs.local", fmt::format("contact {} bound to company {}", contact_id, company_id),
               !c ? describe(c.error()) : "another company, or no contact");
      if (const CrmInspection* inspection = store->inspection()) {
        auto all = inspection->snapshot();
        const std::vector<EntityRef> bindings{{EntityType::deal, deal_id},
                                              {EntityType::contact, contact_id}};
        if (!all || all->activities.size() != 1 || all->activities[0].bindings != bindings)
          report("refs.local", "the activity bound to " + describe(bindings),
                 !all ? describe(all.error())
                      : (all->activities.size() == 1 ? describe(all->activities[0].bindings)
                                                     : "no activity"));
      }
    } else if (r) {
      report("refs.local", "a receipt listing company, contact, deal", describe(*r));
    }
    refused(*store, batch("lr-2", 1, at(11), {CreateDeal{deal(-1, "D", -7, std::nullopt)}}),
            Errc::invalid_argument, "refs.unnamed",
            "a deal bound to contact -7, which no create named");
    refused(
        *store,
        batch("lr-3", 1, at(12),
              {CreateDeal{deal(-1, "D", -1, std::nullopt)}, CreateContact{contact(-1, "C", {})}}),
        Errc::invalid_argument, "refs.unnamed",
        "a deal bound to contact -1, named only by a later create");
    refused(
        *store,
        batch("lr-4", 1, at(13),
              {CreateContact{contact(-1, "C", {})}, CreateDeal{deal(-1, "D", std::nullopt, -1)}}),
        Errc::invalid_argument, "refs.unnamed",
        "a deal bound to company -1 when only contact -1 is named");
    refused(*store,
            batch("lr-5", 1, at(14),
                  {CreateContact{contact(-1, "C", {})}, CreateContact{contact(-1, "D", {})}}),
            Errc::invalid_argument, "refs.named-twice", "two contacts named -1 in one batch");
  }

  // --- all or nothing ---------------------------------------------------------------------------

  void all_or_nothing() {
    ran("apply.all-or-nothing");
    ran("apply.failed-leaves-no-receipt");
    auto store = fresh("apply.all-or-nothing");
    if (!store) return;
    auto seeded = applied(*store, everything_batch("an-0"), "apply.all-or-nothing", "setup");
    if (!seeded) return;
    EntityId far = 0;
    for (const auto& c : seeded->created) far = std::max(far, c.id);
    far += 1000000;
    const std::string number = "+79161110000";
    WriteBatch dangling = batch(
        "an-1", 1, at(20),
        {CreateLead{lead(-1, "L", {number})}, CreateContact{contact(-1, "C", {number})},
         RecordCall{call_record("an-1", number, at(20))}, Reassign{{EntityType::contact, far}, 3}});
    refused(*store, dangling, Errc::invalid_argument, "apply.all-or-nothing",
            "creates, then a reassignment of a contact that does not exist");
    WriteBatch recording = batch("an-2", 1, at(21),
                                 {CreateLead{lead(-1, "L", {number})},
                                  RecordMissedCall{MissedCall{number, "an-2", std::nullopt}},
                                  AttachRecording{"an-no-such-call", "https://rec/none"}});
    refused(*store, recording, Errc::not_found, "apply.all-or-nothing",
            "creates, then a recording for a call without an activity");
    // Neither left a receipt: the same (call, seq), made right, is applied.
    dangling.ops.pop_back();
    auto fixed = applied(*store, dangling, "apply.failed-leaves-no-receipt",
                         "a refused batch sent again without its bad operation");
    if (fixed && (fixed->replayed || fixed->created.size() != 2))
      report("apply.failed-leaves-no-receipt",
             "the batch applied anew: a receipt listing its lead and contact, not replayed",
             describe(*fixed));
  }

  // --- R-I1 -------------------------------------------------------------------------------------

  void replays() {
    ran("R-I1 replay");
    ran("R-I1 batches of a call");
    ran("R-I1 many calls");
    auto store = fresh("R-I1 replay");
    if (!store) return;
    const std::string number = "+79162220000";
    WriteBatch b = batch("r1-a", 1, at(30),
                         {CreateLead{lead(-1, "L", {number})},
                          WriteActivity{activity("r1-a", {{EntityType::lead, -1}}, at(30))},
                          RecordCall{call_record("r1-a", number, at(30))}});
    auto first = applied(*store, b, "R-I1 replay", "a new batch");
    if (!first) return;
    if (first->replayed)
      report("R-I1 replay", "a batch applied the first time: replayed = false", describe(*first));
    replayed(*store, b, *first, "R-I1 replay", "the same batch again");
    WriteBatch changed = b;
    changed.ops.push_back(CreateContact{contact(-1, "Other", {number})});
    changed.at = at(31);
    replayed(*store, changed, *first, "R-I1 replay",
             "the same (call, seq) with other operations (the key is (call, seq), not the ops)");
    // Another seq of the call, and the seq of another call, are other batches.
    WriteBatch next = b;
    next.seq = 2;
    auto second = applied(*store, next, "R-I1 batches of a call", "seq 2 of the same call");
    if (second && (second->replayed || second->created.size() != 1))
      report("R-I1 batches of a call", "seq 2 applied as a batch of its own", describe(*second));
    WriteBatch other = b;
    other.call = "r1-b";
    auto third = applied(*store, other, "R-I1 batches of a call", "seq 1 of another call");
    if (third && (third->replayed || third->created.size() != 1))
      report("R-I1 batches of a call", "another call's seq 1 applied as a batch of its own",
             describe(*third));
    if (first && second) replayed(*store, b, *first, "R-I1 batches of a call", "seq 1 again");

    // Many calls, several batches each: every batch replays its own first receipt.
    std::vector<std::pair<WriteBatch, WriteReceipt>> kept;
    for (int call = 0; call < 400; ++call)
      for (std::uint32_t seq = 1; seq <= 2; ++seq) {
        const std::string phone = fmt::format("+7903{:07}", call);
        WriteBatch m = batch(fmt::format("r1-m{}", call), seq, at(40 + call % 100),
                             {CreateLead{lead(-1, "M", {phone})}});
        if (auto r = applied(*store, m, "R-I1 many calls", "calls of two batches each"))
          kept.emplace_back(std::move(m), *r);
      }
    for (std::size_t i = 0; i < kept.size(); i += 7) {
      WriteBatch again = kept[i].first;
      again.ops = {CreateLead{lead(-1, "must not be created", {})}};
      auto r = store->apply(again);
      WriteReceipt expected = kept[i].second;
      expected.replayed = true;
      if (!r || *r != expected)
        report("R-I1 many calls",
               fmt::format("batch {}#{} of 800 answered with {}", again.call, again.seq,
                           describe(expected)),
               describe(r));
    }
  }

  // --- R-I2 -------------------------------------------------------------------------------------

  void claim_window() {
    ran("R-I2 claim window");
    ran("R-I2 outside the window");
    ran("R-I2 loser binds to the winner");
    auto store = fresh("R-I2 claim window");
    if (!store) return;
    struct Case {
      std::int64_t delta;     // the second claim's time minus the first's
      Seconds second_window;  // the second claim's window
      bool inside;
    };
    const std::vector<Case> cases{{0, window, true},          {1, window, true},
                                  {-1, window, true},         {300, window, true},
                                  {-300, window, true},       {301, window, false},
                                  {-301, window, false},      {100, Seconds(50), false},
                                  {-100, Seconds(100), true}, {3600, window, false}};
    int k = 0;
    for (const auto& c : cases) {
      ++k;
      const std::string number = fmt::format("+3469900{:04}", k);
      const std::string a = fmt::format("cw{}-a", k), b = fmt::format("cw{}-b", k);
      const auto why = fmt::format("a claim at +{}s, window {}s, after one at 0", c.delta,
                                   c.second_window.count());
      auto first = won(*store, unknown_caller(a, 1, number, at(400)), "R-I2 claim window",
                       "the first claim on a number");
      if (!first) continue;
      const WriteBatch second = unknown_caller(b, 1, number, at(400 + c.delta), c.second_window);
      if (c.inside)
        lost(*store, second, a, *first, "R-I2 claim window", why);
      else
        won(*store, second, "R-I2 outside the window", why);
    }
    // The winner's receipt lists all it created: a contact and a deal, say.
    const std::string number = "+34699009999";
    WriteBatch pair = batch("cw-pair-a", 1, at(500),
                            {CreateContact{contact(-1, number, {number})},
                             CreateDeal{deal(-1, number + " - Incoming call", -1, std::nullopt)},
                             RecordCall{call_record("cw-pair-a", number, at(500))}},
                            UnknownCallerClaim{number, at(500), window});
    auto first = won(*store, pair, "R-I2 loser binds to the winner", "a contact plus a deal");
    if (first && first->created.size() != 2)
      report("R-I2 loser binds to the winner", "the winner's receipt lists its contact and deal",
             describe(*first));
    if (first)
      lost(*store, unknown_caller("cw-pair-b", 1, number, at(510)), "cw-pair-a", *first,
           "R-I2 loser binds to the winner", "a second caller of the number 10 s later");
  }

  void claim_outcomes() {
    ran("R-I2 own claim");
    ran("R-I2 repeat of a lost batch");
    ran("R-I2 a lost claim claims nothing");
    ran("R-I2 claims per number");
    auto store = fresh("R-I2 own claim");
    if (!store) return;
    const std::string number = "+79165550000";
    auto a = won(*store, unknown_caller("co-a", 1, number, at(100)), "R-I2 own claim",
                 "the first claim");
    if (!a) return;
    won(*store, unknown_caller("co-a", 2, number, at(90)), "R-I2 own claim",
        "the same call's next batch claiming the number again, 10 s earlier");
    const WriteBatch loser = unknown_caller("co-b", 1, number, at(400));  // +300: inside
    lost(*store, loser, "co-a", *a, "R-I2 repeat of a lost batch", "another call at +300 s");
    WriteReceipt lost_receipt;
    lost_receipt.created = a->created;
    lost_receipt.claimed_by = "co-a";
    replayed(*store, loser, lost_receipt, "R-I2 repeat of a lost batch",
             "the losing batch again (its receipt is kept with its claim)");
    // co-b claimed nothing: a call 601 s after co-a's first claim (611 s after its second)
    // is outside co-a's windows, inside co-b's — and wins.
    won(*store, unknown_caller("co-c", 1, number, at(701)), "R-I2 a lost claim claims nothing",
        "a call 301 s after the lost claim's, 601 s after the winner's");
    won(*store, unknown_caller("co-d", 1, "+79165550001", at(100)), "R-I2 claims per number",
        "another number at the same moment");
  }

  void claims_across_connections() {
    if (!o_.connect) {
      ran("R-I1 replay across connections", "skipped: no connect option");
      ran("R-I2 across connections", "skipped: no connect option");
      return;
    }
    ran("R-I1 replay across connections");
    ran("R-I2 across connections");
    auto store = fresh("R-I2 across connections");
    if (!store) return;
    auto other = o_.connect(*store);
    if (!other) {
      report("factory", "connect() to open a second store object", "nullptr");
      return;
    }
    const std::string number = "+79166660000";
    const WriteBatch first = unknown_caller("xc-a", 1, number, at(100));
    auto a = won(*store, first, "R-I2 across connections", "a claim through the first object");
    if (!a) return;
    replayed(*other, first, *a, "R-I1 replay across connections",
             "the same batch through the second object");
    lost(*other, unknown_caller("xc-b", 1, number, at(120)), "xc-a", *a, "R-I2 across connections",
         "a claim on the same number through the second object");
  }

  void concurrent_claims() {
    ran("R-I2 concurrent");
    auto store = fresh("R-I2 concurrent");
    if (!store) return;
    std::unique_ptr<CrmStore> other = o_.connect ? o_.connect(*store) : nullptr;
    const std::size_t threads = std::max<std::size_t>(2, o_.threads);
    const std::size_t numbers = std::max<std::size_t>(1, o_.numbers);
    auto number_of = [](std::size_t n) { return fmt::format("+7917{:07}", n); };
    auto call_of = [](std::size_t t, std::size_t n) { return fmt::format("cc-t{}-n{}", t, n); };
    std::vector<std::vector<Result<WriteReceipt>>> results(threads);
    std::atomic<bool> go{false};
    std::atomic<bool> done{false};
    std::atomic<std::size_t> read_errors{0};
    std::vector<std::thread> pool;
    for (std::size_t t = 0; t < threads; ++t)
      pool.emplace_back([&, t] {
        CrmStore& s = (other && t % 2 == 1) ? *other : *store;
        while (!go.load()) std::this_thread::yield();
        for (std::size_t n = 0; n < numbers; ++n)  // every thread claims every number at once
          results[t].push_back(s.apply(unknown_caller(call_of(t, n), 1, number_of(n), at(900))));
      });
    std::thread reader([&] {  // readers meanwhile: the store is read while it is written
      while (!go.load()) std::this_thread::yield();
      while (!done.load()) {
        Content c;
        Collect collect(c);
        if (!store->scan(collect) || !store->find_lead(1)) read_errors.fetch_add(1);
      }
    });
    go.store(true);
    for (auto& th : pool) th.join();
    done.store(true);
    reader.join();
    if (read_errors.load() != 0)
      report("R-I2 concurrent", "scan() and find_lead() to succeed while batches are applied",
             fmt::format("{} failed reads", read_errors.load()));
    std::vector<EntityRef> created;
    for (std::size_t n = 0; n < numbers; ++n) {
      std::vector<std::size_t> winners;
      for (std::size_t t = 0; t < threads; ++t) {
        const auto& r = results[t][n];
        if (!r) {
          report("R-I2 concurrent", fmt::format("call {} applied", call_of(t, n)), describe(r));
          continue;
        }
        if (!r->claimed_by) {
          winners.push_back(t);
          created.insert(created.end(), r->created.begin(), r->created.end());
        }
      }
      if (winners.size() != 1) {
        report(
            "R-I2 concurrent",
            fmt::format("exactly one of {} simultaneous claims on {} wins", threads, number_of(n)),
            fmt::format("{} winners", winners.size()));
        continue;
      }
      const auto& win = *results[winners[0]][n];
      for (std::size_t t = 0; t < threads; ++t) {
        const auto& r = results[t][n];
        if (!r || t == winners[0]) continue;
        if (r->claimed_by != call_of(winners[0], n) || r->created != win.created)
          report("R-I2 concurrent",
                 fmt::format("call {} bound to the winner {}: {}", call_of(t, n),
                             call_of(winners[0], n), describe(win.created)),
                 describe(*r));
      }
    }
    check_ids(created, "the concurrent claims' winners");
    if (auto c = content(*store, "R-I2 concurrent"); c && c->leads.size() != numbers)
      report("R-I2 concurrent", fmt::format("{} leads, one per number", numbers),
             fmt::format("{} leads", c->leads.size()));
  }

  // --- retention ------------------------------------------------------------------------------

  void retention() {
    const Seconds keep = retention_of();
    const std::int64_t r = keep.count();
    const std::size_t drive = std::max<std::size_t>(16, o_.prune_within);
    // Within the retention: the newest batch is retention - 1 s younger than the first.
    {
      ran("retention.replay-within");
      auto store = fresh("retention.replay-within");
      if (!store) return;
      const std::string number = "+79168880000";
      const WriteBatch x = unknown_caller("rt-x", 1, number, at(0));
      auto first = won(*store, x, "retention.replay-within", "the first batch");
      const WriteBatch loser = unknown_caller("rt-y", 1, number, at(10));
      if (first) lost(*store, loser, "rt-x", *first, "retention.replay-within", "a second caller");
      for (std::size_t i = 0; i < drive; ++i)
        applied(
            *store,
            batch(fmt::format("rt-d{}", i), 1,
                  at((r - 1) * static_cast<std::int64_t>(i + 1) / static_cast<std::int64_t>(drive)),
                  {RecordCall{call_record(fmt::format("rt-d{}", i), "+100", at(0))}}),
            "retention.replay-within", "batches up to the retention");
      if (first) {
        replayed(*store, x, *first, "retention.replay-within",
                 "the first batch again when the newest is retention - 1 s younger");
        WriteReceipt lost_receipt{first->created, false, std::string("rt-x")};
        replayed(*store, loser, lost_receipt, "retention.replay-within",
                 "the lost batch again when the newest is retention - 1 s younger");
        lost(*store, unknown_caller("rt-z", 1, number, at(300)), "rt-x", *first,
             "retention.replay-within", "a claim within the window of the first, still kept");
      }
    }
    // Far beyond the retention: old receipts and claims may go, the store stays right.
    ran("retention.stays-correct");
    ran("retention.prunes", o_.retention ? "ran" : "skipped: no retention option");
    auto store = fresh("retention.stays-correct");
    if (!store) return;
    constexpr std::size_t old_batches = 64;
    std::vector<EntityRef> created;
    std::optional<WriteBatch> oldest;
    for (std::size_t i = 0; i < old_batches; ++i) {
      const WriteBatch b =
          unknown_caller(fmt::format("ro-{}", i), 1, fmt::format("+7918{:07}", i), at(0));
      if (auto w = won(*store, b, "retention.stays-correct", "old batches")) {
        created.insert(created.end(), w->created.begin(), w->created.end());
        if (!oldest) oldest = b;
      }
    }
    std::optional<std::size_t> peak;
    if (o_.retention && o_.remembered) peak = o_.remembered(*store);
    std::optional<std::pair<WriteBatch, WriteReceipt>> last;
    for (std::size_t i = 0; i < drive; ++i) {
      const std::int64_t t =
          3 * r * static_cast<std::int64_t>(i + 1) / static_cast<std::int64_t>(drive);
      WriteBatch b = batch(fmt::format("rn-{}", i), 1, at(t),
                           {CreateContact{contact(-1, "N", {fmt::format("+7919{:07}", i)})}});
      if (auto w =
              applied(*store, b, "retention.stays-correct", "batches far past the retention")) {
        created.insert(created.end(), w->created.begin(), w->created.end());
        last.emplace(std::move(b), *w);
      }
    }
    const std::int64_t now = 3 * r;
    if (last)
      replayed(*store, last->first, last->second, "retention.stays-correct",
               "the newest batch again");
    const std::string number = "+79188880000";
    if (auto a = won(*store, unknown_caller("rn-a", 1, number, at(now)), "retention.stays-correct",
                     "a claim now")) {
      created.insert(created.end(), a->created.begin(), a->created.end());
      lost(*store, unknown_caller("rn-b", 1, number, at(now + 5)), "rn-a", *a,
           "retention.stays-correct", "a second claim now");
    }
    // An old number claimed now: its old claim is far outside the window, kept or not.
    if (auto w = won(*store, unknown_caller("rn-c", 1, "+79180000000", at(now)),
                     "retention.stays-correct", "a claim now on a number claimed long ago"))
      created.insert(created.end(), w->created.begin(), w->created.end());
    check_ids(created, "batches before and after pruning");
    if (!o_.retention || !oldest) return;
    if (o_.remembered) {
      const auto kept = o_.remembered(*store);
      if (!peak || !kept)
        report("retention.prunes", "the remembered() probe to tell how many receipts and claims",
               "nullopt");
      else if (*peak < old_batches)
        report("retention.prunes",
               fmt::format("the probe to count the receipts and claims of {} batches", old_batches),
               fmt::format("{}", *peak));
      else if (const std::size_t allowed = 2 * drive / 3 + 16; *kept > allowed)
        report("retention.prunes",
               fmt::format("at most {} receipts and claims (of batches younger than two "
                           "retentions) kept once {} batches spread over {} s followed {} old "
                           "ones (retention {} s; {} kept before)",
                           allowed, drive, 3 * r, old_batches, r, *peak),
               fmt::format("{} kept", *kept));
      return;
    }
    // No probe: a batch three retentions old is forgotten, so it is applied again.
    auto again = store->apply(*oldest);
    if (!again || again->replayed || again->claimed_by)
      report("retention.prunes",
             fmt::format("batch {}#{}, made {} s before the newest (retention {} s), forgotten "
                         "and applied anew",
                         oldest->call, oldest->seq, 3 * r, r),
             describe(again));
  }

  // --- the operations' effects ------------------------------------------------------------------

  void operations() {
    ran("op.Reassign");
    ran("op.WriteActivity");
    ran("op.AttachRecording");
    ran("op.RecordMissedCall");
    ran("op.RecordCall");
    ran("op.MarkCalledBack");
    ran("op.CreateInvoice");
    auto store = fresh("op.Reassign");
    if (!store) return;
    const WriteBatch seed = everything_batch("op-0");
    auto r = applied(*store, seed, "op.Reassign", "setup");
    if (!r || r->created.size() != 7) return;
    // Reassign: every type, read back (invoices through inspection).
    std::vector<WriteOp> moves;
    for (const auto& c : r->created) moves.push_back(Reassign{c, 77});
    if (!applied(*store, batch("op-1", 1, at(50), moves), "op.Reassign", "every record to 77"))
      return;
    auto responsible = [&](EntityRef ref) -> std::optional<EmployeeId> {
      switch (ref.type) {
        case EntityType::contact: {
          auto v = store->find_contact(ref.id);
          return v && *v ? (*v)->responsible : std::nullopt;
        }
        case EntityType::company: {
          auto v = store->find_company(ref.id);
          return v && *v ? (*v)->responsible : std::nullopt;
        }
        case EntityType::lead: {
          auto v = store->find_lead(ref.id);
          return v && *v ? (*v)->responsible : std::nullopt;
        }
        case EntityType::deal: {
          auto v = store->find_deal(ref.id);
          return v && *v ? (*v)->responsible : std::nullopt;
        }
        case EntityType::invoice: break;
      }
      return std::nullopt;
    };
    for (const auto& c : r->created)
      if (c.type != EntityType::invoice && responsible(c) != 77)
        report("op.Reassign", describe(c) + " responsible 77",
               fmt::format("responsible {}", responsible(c).value_or(0)));
    const CrmInspection* inspection = store->inspection();
    if (!inspection) {
      for (const char* rule : {"op.WriteActivity", "op.AttachRecording", "op.RecordMissedCall",
                               "op.RecordCall", "op.MarkCalledBack", "op.CreateInvoice"})
        ran(rule, "effects not read back: the store offers no inspection");
    }
    // Activities, recordings, missed calls, history, called back.
    const EntityRef the_lead = r->created[2];
    const CallActivity first = activity("op-a", {the_lead}, at(60));
    CallActivity with_recording = activity("op-b", {the_lead, r->created[1]}, at(61));
    with_recording.recording = "https://rec/b1";
    with_recording.voicemail = "https://vm/b";
    with_recording.status = ActivityStatus::voicemail;
    with_recording.direction = CallDirection::callback;
    const std::string n1 = "+79161230001", n2 = "+79161230002";
    std::vector<WriteBatch> calls{
        batch("op-a", 1, at(60),
              {WriteActivity{first}, RecordMissedCall{MissedCall{n1, "op-a", std::nullopt}},
               RecordCall{call_record("op-a", n1, at(60))}}),
        batch(
            "op-b", 1, at(61),
            {WriteActivity{with_recording}, RecordMissedCall{MissedCall{n2, "op-b", std::nullopt}},
             RecordMissedCall{MissedCall{n1, "op-b", std::nullopt}},
             RecordCall{call_record("op-b", n2, at(61))}}),
        batch("op-b", 2, at(62), {AttachRecording{"op-b", "https://rec/b2"}}),
        batch("op-c", 1, at(63),
              {WriteActivity{activity("op-c", {}, at(63))},
               AttachRecording{"op-c", "https://rec/c"}, MarkCalledBack{n1, "op-c"}}),
        batch(
            "op-d", 1, at(64),
            {MarkCalledBack{n1, "op-d"}, RecordMissedCall{MissedCall{n1, "op-d", std::nullopt}},
             AttachRecording{"op-a", "https://rec/a"}, AttachRecording{"op-a", "https://rec/a2"}}),
        batch("op-e", 1, at(65), {MarkCalledBack{n1, "op-e"}})};
    for (const auto& b : calls)
      if (!applied(*store, b, "op.WriteActivity", "activities, recordings and missed calls"))
        return;
    if (!inspection) return;
    auto all = inspection->snapshot();
    if (!all) {
      report("op.WriteActivity", "snapshot() to read the effects", describe(all.error()));
      return;
    }
    // Activities: as written, ids positive and unique, recordings replaced by the last attach.
    CallActivity a = first, b = with_recording, c = activity("op-c", {}, at(63));
    a.recording = "https://rec/a2";
    b.recording = "https://rec/b2";
    c.recording = "https://rec/c";
    const std::vector<CallActivity> want{a, b, c};
    std::vector<CallActivity> got = all->activities;
    std::set<EntityId> ids;
    for (auto& v : got) {
      if (v.id <= 0 || !ids.insert(v.id).second)
        report("op.WriteActivity", "activities with positive, unique ids",
               fmt::format("activity id {}", v.id));
      v.id = 0;
    }
    const std::vector<CallActivity>& written = got;
    for (std::size_t i = 0; i < want.size(); ++i) {
      const CallActivity* found = nullptr;
      for (const auto& v : written)
        if (v.call == want[i].call) found = &v;
      CallActivity expected = want[i];
      expected.id = 0;
      if (!found || found->recording != expected.recording)
        report(
            "op.AttachRecording",
            fmt::format("the activity of {} with recording {}", expected.call,
                        expected.recording.value_or("none")),
            found ? fmt::format("recording {}", found->recording.value_or("none")) : "no activity");
      else if (*found != expected)
        report("op.WriteActivity", "the activity of " + expected.call + " as written",
               "other fields (bindings " + describe(found->bindings) + ")");
    }
    if (written.size() != want.size())
      report("op.WriteActivity", "3 activities", fmt::format("{}", written.size()));
    // Missed calls in call order; n1's first two called back by op-c, the third by op-e.
    const std::vector<MissedCall> missed{{n1, "op-a", "op-c"},
                                         {n2, "op-b", std::nullopt},
                                         {n1, "op-b", "op-c"},
                                         {n1, "op-d", "op-e"}};
    if (all->missed_calls != missed) {
      std::string seen;
      for (const auto& m : all->missed_calls)
        seen += fmt::format("[{} {} called back by {}] ", m.number, m.call,
                            m.called_back_by.value_or("nobody"));
      report(
          all->missed_calls.size() == missed.size() ? "op.MarkCalledBack" : "op.RecordMissedCall",
          "missed calls in call order: n1 op-a and op-b called back by op-c (the first call "
          "back), n2 op-b by nobody, n1 op-d by op-e",
          seen);
    }
    const std::vector<CallRecord> history{call_record("op-a", n1, at(60)),
                                          call_record("op-b", n2, at(61))};
    if (all->history != history)
      report("op.RecordCall", "the two call records as written, in call order",
             fmt::format("{} records", all->history.size()));
    if (all->invoices.size() != 1 || all->invoices[0].entity != r->created[4] ||
        all->invoices[0].amount != 1250.75 || all->invoices[0].responsible != 77)
      report("op.CreateInvoice",
             "one invoice of 1250.75 on " + describe(r->created[4]) + ", reassigned to 77",
             all->invoices.empty()
                 ? "no invoice"
                 : fmt::format("on {}, responsible {}", describe(all->invoices[0].entity),
                               all->invoices[0].responsible.value_or(0)));
  }

  // --- apply_all ------------------------------------------------------------------------------

  void group() {
    ran("apply_all.equals-one-by-one");
    auto grouped = fresh("apply_all.equals-one-by-one");
    auto single = fresh("apply_all.equals-one-by-one");
    if (!grouped || !single) return;
    const std::string number = "+79160001111";
    WriteBatch bad =
        batch("g-2", 1, at(71),
              {CreateLead{lead(-1, "L", {})}, Reassign{{EntityType::deal, 999999999}, 1}});
    WriteBatch fixed = bad;
    fixed.ops.pop_back();
    const std::vector<WriteBatch> batches{
        everything_batch("g-1"),
        bad,
        everything_batch("g-1"),  // a repeat within the group
        unknown_caller("g-3", 1, number, at(72)),
        unknown_caller("g-4", 1, number, at(73)),  // loses to g-3, in the same group
        batch("g-3", 2, at(74), {AttachRecording{"g-3", "https://rec/g3"}}),
        batch("g-5", 1, at(75), {AttachRecording{"g-none", "https://rec/none"}}),
        fixed,
        unknown_caller("g-4", 1, number, at(73)),
        batch("g-6", 1, at(76),
              {MarkCalledBack{number, "g-6"}, RecordCall{call_record("g-6", number, at(76))}})};
    const auto together = grouped->apply_all(batches);
    std::vector<Result<WriteReceipt>> alone;
    for (const auto& b : batches) alone.push_back(single->apply(b));
    if (together.size() != batches.size()) {
      report("apply_all.equals-one-by-one",
             fmt::format("{} results, one per batch", batches.size()),
             fmt::format("{} results", together.size()));
      return;
    }
    Renumber a, b;
    for (std::size_t i = 0; i < batches.size(); ++i) {
      if (together[i]) a.learn(together[i]->created);
      if (alone[i]) b.learn(alone[i]->created);
    }
    for (std::size_t i = 0; i < batches.size(); ++i) {
      const bool same = together[i].has_value() == alone[i].has_value() &&
                        (together[i] ? a.receipt(*together[i]) == b.receipt(*alone[i])
                                     : together[i].error().code() == alone[i].error().code());
      if (!same)
        report("apply_all.equals-one-by-one",
               fmt::format("batch {}#{} in apply_all() answered as apply() answers it: {}",
                           batches[i].call, batches[i].seq, describe(alone[i])),
               describe(together[i]));
    }
    auto ca = content(*grouped, "apply_all.equals-one-by-one");
    auto cb = content(*single, "apply_all.equals-one-by-one");
    if (ca && cb && a.content(*ca) != b.content(*cb))
      report("apply_all.equals-one-by-one", "the store apply() one by one leaves: " + cb->summary(),
             ca->summary() + (ca->summary() == cb->summary() ? " with other fields" : ""));
    if (!grouped->apply_all({}).empty())
      report("apply_all.equals-one-by-one", "no results for no batches", "some");
  }

  // --- the change feed --------------------------------------------------------------------------

  void change_feed() {
    auto store = fresh("feed.changes-since");
    if (!store) return;
    const CrmChangeFeed* feed = store->change_feed();
    if (!feed) {
      for (const char* rule :
           {"feed.changes-since", "feed.change-cursor", "feed.unknown-cursor", "feed.data-version"})
        ran(rule, "skipped: no change feed");
      return;
    }
    ran("feed.changes-since");
    ran("feed.change-cursor");
    ran("feed.unknown-cursor");
    auto seeded = applied(*store, everything_batch("cf-0"), "feed.changes-since", "setup");
    if (!seeded) return;
    const EntityRef the_lead = seeded->created[2];
    auto c0 = feed->change_cursor();
    if (!c0) {
      report("feed.change-cursor", "change_cursor()", describe(c0.error()));
      return;
    }
    auto made = applied(
        *store,
        batch("cf-1", 1, at(80),
              {CreateContact{contact(-1, "New", {"+79160002222"})}, Reassign{the_lead, 12}}),
        "feed.changes-since", "a new contact and a reassigned lead");
    if (!made) return;
    auto since = feed->changes_since(*c0);
    auto has = [](const ChangeSet& set, EntityRef ref) {
      return std::find(set.changed.begin(), set.changed.end(), ref) != set.changed.end();
    };
    if (!since || !since->complete || !has(*since, made->created[0]) || !has(*since, the_lead))
      report("feed.changes-since",
             fmt::format("changes_since(cursor before the batch) complete, listing {} and {}",
                         describe(made->created[0]), describe(the_lead)),
             !since ? describe(since.error())
                    : describe(since->changed) + (since->complete ? "" : ", incomplete"));
    if (!since) return;
    auto quiet = feed->changes_since(since->cursor);
    if (!quiet || !quiet->complete || !quiet->changed.empty())
      report("feed.changes-since", "changes_since(the cursor it returned) complete and empty",
             !quiet ? describe(quiet.error()) : describe(quiet->changed));
    auto now = feed->change_cursor();
    if (!now || *now != since->cursor)
      report(
          "feed.change-cursor",
          fmt::format("change_cursor() = {}, the cursor changes_since() returned", since->cursor),
          !now ? describe(now.error()) : fmt::format("{}", *now));
    auto unknown = feed->changes_since(since->cursor + 1000000000);
    if (!unknown || unknown->complete)
      report("feed.unknown-cursor", "changes_since(a cursor never handed out): complete = false",
             !unknown ? describe(unknown.error()) : "complete = true");
    if (!o_.connect) {
      ran("feed.data-version", "skipped: no connect option");
      return;
    }
    ran("feed.data-version");
    auto other = o_.connect(*store);
    if (!other) {
      report("factory", "connect() to open a second store object", "nullptr");
      return;
    }
    auto v0 = feed->data_version();
    auto theirs =
        applied(*other, batch("cf-2", 1, at(81), {CreateContact{contact(-1, "Theirs", {"+1"})}}),
                "feed.data-version", "a write through the second object");
    auto v1 = feed->data_version();
    if (!v0 || !v1 || *v0 == *v1)
      report("feed.data-version", "data_version() to change after another object's write",
             !v0 ? describe(v0.error())
                 : (!v1 ? describe(v1.error()) : fmt::format("{} before and after", *v0)));
    if (theirs) {
      auto seen = feed->changes_since(since->cursor);
      if (!seen || !seen->complete || !has(*seen, theirs->created[0]))
        report("feed.changes-since",
               "changes_since() to list " + describe(theirs->created[0]) +
                   ", written through another object",
               !seen ? describe(seen.error()) : describe(seen->changed));
    }
  }

  // --- inspection ---------------------------------------------------------------------------

  void inspection() {
    auto store = fresh("inspection.snapshot");
    if (!store) return;
    const CrmInspection* inspection = store->inspection();
    if (!inspection) {
      for (const char* rule :
           {"inspection.snapshot", "inspection.open-deals", "inspection.open-repeat-leads"})
        ran(rule, "skipped: no inspection");
      return;
    }
    ran("inspection.snapshot");
    ran("inspection.open-deals");
    ran("inspection.open-repeat-leads");
    // A contact with deals: two open with times, one open without, one lost; another
    // client's open deal; repeat leads: open, closed, not a repeat.
    auto with = [&](Deal d, std::optional<std::int64_t> modified, DealStage stage) {
      if (modified) d.modified = at(*modified);
      d.stage = stage;
      return CreateDeal{d};
    };
    Lead repeat = lead(-1, "repeat", {});
    repeat.repeat = true;
    repeat.contact = -1;
    Lead closed = repeat;
    closed.id = -2;
    closed.status = LeadStatus::converted;
    Lead plain = repeat;
    plain.id = -3;
    plain.repeat = false;
    const WriteBatch b =
        batch("in-1", 1, at(90),
              {CreateContact{contact(-1, "Client", {"+79160003333"})},
               CreateContact{contact(-2, "Other", {"+79160003334"})},
               with(deal(-1, "older", -1, std::nullopt), 10, DealStage::in_progress),
               with(deal(-2, "newer", -1, std::nullopt), 30, DealStage::in_progress),
               with(deal(-3, "no time", -1, std::nullopt), std::nullopt, DealStage::in_progress),
               with(deal(-4, "lost", -1, std::nullopt), 40, DealStage::lost),
               with(deal(-5, "theirs", -2, std::nullopt), 50, DealStage::in_progress),
               CreateLead{repeat}, CreateLead{closed}, CreateLead{plain}});
    auto r = applied(*store, b, "inspection.open-deals", "a client with deals and leads");
    if (!r || r->created.size() != 10) return;
    const EntityRef client = r->created[0];
    auto deals = inspection->open_deals_of(client);
    std::vector<EntityId> order;
    if (deals)
      for (const auto& d : *deals) order.push_back(d.id);
    const std::vector<EntityId> want{r->created[3].id, r->created[2].id, r->created[4].id};
    if (order != want)
      report("inspection.open-deals",
             fmt::format("the open deals of {}, most recently modified first, one without a time "
                         "last: {} {} {}",
                         describe(client), want[0], want[1], want[2]),
             !deals ? describe(deals.error()) : describe_ids(order));
    auto leads = inspection->open_repeat_leads_of(client);
    if (!leads || leads->size() != 1 || leads->front().id != r->created[7].id)
      report("inspection.open-repeat-leads",
             fmt::format("the one open repeat lead of {}: lead {}", describe(client),
                         r->created[7].id),
             !leads ? describe(leads.error()) : fmt::format("{} leads", leads->size()));
    auto all = inspection->snapshot();
    auto c = content(*store, "inspection.snapshot");
    if (!all || !c) return;
    auto ordered = [](const auto& rows) {
      return std::is_sorted(rows.begin(), rows.end(),
                            [](const auto& x, const auto& y) { return x.id < y.id; });
    };
    if (!ordered(all->contacts) || !ordered(all->leads) || !ordered(all->deals) ||
        all->contacts != c->contacts || all->leads != c->leads || all->deals != c->deals ||
        all->companies != c->companies)
      report("inspection.snapshot", "snapshot() with every record scan() streams, in id order",
             c->summary());
  }

  const StoreFactory& make_;
  const ConformanceOptions& o_;
  std::vector<ConformanceFailure> failures_;
};

}  // namespace conformance_detail

// --- the entry points ---------------------------------------------------------------------------

TELCRM_INLINE std::string to_string(const ConformanceFailure& failure) {
  return fmt::format("{}: expected {}; seen {}", failure.rule, failure.expected, failure.seen);
}

TELCRM_INLINE std::vector<ConformanceFailure> check_crm_store(const StoreFactory& make,
                                                              const ConformanceOptions& options) {
  return conformance_detail::StoreKit(make, options).run();
}

TELCRM_INLINE std::vector<std::string_view> crm_store_rules() {
  return {"factory",
          "scan.round-trip",
          "find.round-trip",
          "find.missing",
          "receipt.order",
          "ids.positive",
          "ids.unique-per-type",
          "refs.local",
          "refs.unnamed",
          "refs.named-twice",
          "apply.all-or-nothing",
          "apply.failed-leaves-no-receipt",
          "R-I1 replay",
          "R-I1 batches of a call",
          "R-I1 many calls",
          "R-I2 claim window",
          "R-I2 outside the window",
          "R-I2 loser binds to the winner",
          "R-I2 own claim",
          "R-I2 repeat of a lost batch",
          "R-I2 a lost claim claims nothing",
          "R-I2 claims per number",
          "R-I1 replay across connections",
          "R-I2 across connections",
          "R-I2 concurrent",
          "retention.replay-within",
          "retention.stays-correct",
          "retention.prunes",
          "op.Reassign",
          "op.WriteActivity",
          "op.AttachRecording",
          "op.RecordMissedCall",
          "op.RecordCall",
          "op.MarkCalledBack",
          "op.CreateInvoice",
          "apply_all.equals-one-by-one",
          "feed.changes-since",
          "feed.change-cursor",
          "feed.unknown-cursor",
          "feed.data-version",
          "inspection.snapshot",
          "inspection.open-deals",
          "inspection.open-repeat-leads"};
}

TELCRM_INLINE std::vector<std::string_view> directory_rules() {
  return {"directory.ordered",        "directory.find",   "directory.find-missing",
          "directory.version-stable", "directory.change", "directory.version-moves"};
}

TELCRM_INLINE std::vector<ConformanceFailure> check_directory(const Directory& directory,
                                                              const DirectoryChange& change) {
  std::vector<ConformanceFailure> out;
  auto report = [&](std::string_view rule, std::string expected, std::string seen) {
    out.push_back({std::string(rule), std::move(expected), std::move(seen)});
  };
  auto describe_error = [](const Error& e) { return conformance_detail::describe(e); };
  // Ordered by id (so unique), and find_employee() agrees with employees().
  auto consistent = [&](std::string_view when) -> std::optional<std::vector<Employee>> {
    auto all = directory.employees();
    if (!all) {
      report("directory.ordered", fmt::format("employees() {}", when), describe_error(all.error()));
      return std::nullopt;
    }
    for (std::size_t i = 1; i < all->size(); ++i)
      if (!((*all)[i - 1].id < (*all)[i].id))
        report("directory.ordered", fmt::format("employees() {} ordered by id, each once", when),
               fmt::format("{} before {}", (*all)[i - 1].id, (*all)[i].id));
    for (const auto& e : *all) {
      auto one = directory.find_employee(e.id);
      if (!one || !*one || **one != e)
        report("directory.find",
               fmt::format("find_employee({}) {} equal to what employees() lists", e.id, when),
               !one ? describe_error(one.error()) : (*one ? "another employee" : "nullopt"));
    }
    const EmployeeId above = all->empty() ? 1 : all->back().id + 1;
    const EmployeeId below = all->empty() ? -1 : all->front().id - 1;
    for (EmployeeId id : {above, below}) {
      auto none = directory.find_employee(id);
      if (!none || *none)
        report("directory.find-missing",
               fmt::format("find_employee({}) of an id employees() does not list: nullopt", id),
               !none ? describe_error(none.error()) : "an employee");
    }
    return std::move(*all);
  };
  auto v0 = directory.version();
  auto before = consistent("at first");
  auto v1 = directory.version();
  if (!v0 || !v1 || *v0 != *v1)
    report("directory.version-stable", "version() unchanged while nothing changes",
           !v0 ? describe_error(v0.error())
               : (!v1 ? describe_error(v1.error()) : fmt::format("{} then {}", *v0, *v1)));
  if (!change || !before || !v1) return out;
  if (auto changed = change(); !changed) {
    report("directory.change", "the host's change to succeed", describe_error(changed.error()));
    return out;
  }
  auto after = consistent("after the change");
  auto v2 = directory.version();
  if (!after || !v2) {
    if (!v2)
      report("directory.version-moves", "version() after the change", describe_error(v2.error()));
    return out;
  }
  if (*after == *before) {
    report("directory.change", "the host's change to change what employees() lists",
           "the same employees");
    return out;
  }
  if (*v1 == 0)
    report("directory.version-moves",
           "version() 0 means the directory never changes, but employees() changed",
           fmt::format("version {} before and after", *v2));
  else if (*v2 == *v1)
    report("directory.version-moves", "version() to change when an employee changes",
           fmt::format("{} before and after", *v2));
  return out;
}

TELCRM_END_NAMESPACE
