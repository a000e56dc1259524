// SPDX-License-Identifier: Apache-2.0
#pragma once
// The conformance checks of writing: local references, all-or-nothing, R-I1 replays, R-I2
// claims (their window, outcomes, across connections, concurrent).

#include <telcrm/testing/detail/store_kit.hpp>

TELCRM_BEGIN_NAMESPACE
namespace conformance_detail {

// --- local references ------------------------------------------------------------------------

inline void StoreKit::references() {
  ran("refs.local");
  ran("refs.unnamed");
  ran("refs.named-twice");
  auto store = fresh("refs.local");
  if (!store) return;
  // A deal plus its contact (and a company with the same local name -1: names are per type).
  const WriteBatch b =
      batch("lr-1", 1, at(10),
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
  refused(*store,
          batch("lr-3", 1, at(12),
                {CreateDeal{deal(-1, "D", -1, std::nullopt)}, CreateContact{contact(-1, "C", {})}}),
          Errc::invalid_argument, "refs.unnamed",
          "a deal bound to contact -1, named only by a later create");
  refused(*store,
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

inline void StoreKit::all_or_nothing() {
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

inline void StoreKit::replays() {
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

inline void StoreKit::claim_window() {
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

inline void StoreKit::claim_outcomes() {
  ran("R-I2 own claim");
  ran("R-I2 repeat of a lost batch");
  ran("R-I2 a lost claim claims nothing");
  ran("R-I2 claims per number");
  auto store = fresh("R-I2 own claim");
  if (!store) return;
  const std::string number = "+79165550000";
  auto a =
      won(*store, unknown_caller("co-a", 1, number, at(100)), "R-I2 own claim", "the first claim");
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

inline void StoreKit::claims_across_connections() {
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

inline void StoreKit::concurrent_claims() {
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
      report("R-I2 concurrent",
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

}  // namespace conformance_detail
TELCRM_END_NAMESPACE
