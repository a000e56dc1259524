// SPDX-License-Identifier: Apache-2.0
#pragma once
// The conformance checks of what a store keeps and tells: retention, every operation's
// effect, apply_all, the change feed, inspection.

#include <telcrm/testing/detail/store_kit.hpp>

TELCRM_BEGIN_NAMESPACE
namespace conformance_detail {

// --- retention ------------------------------------------------------------------------------

inline void StoreKit::retention() {
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
    if (auto w = applied(*store, b, "retention.stays-correct", "batches far past the retention")) {
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

inline void StoreKit::operations() {
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
      batch("op-b", 1, at(61),
            {WriteActivity{with_recording}, RecordMissedCall{MissedCall{n2, "op-b", std::nullopt}},
             RecordMissedCall{MissedCall{n1, "op-b", std::nullopt}},
             RecordCall{call_record("op-b", n2, at(61))}}),
      batch("op-b", 2, at(62), {AttachRecording{"op-b", "https://rec/b2"}}),
      batch("op-c", 1, at(63),
            {WriteActivity{activity("op-c", {}, at(63))}, AttachRecording{"op-c", "https://rec/c"},
             MarkCalledBack{n1, "op-c"}}),
      batch("op-d", 1, at(64),
            {MarkCalledBack{n1, "op-d"}, RecordMissedCall{MissedCall{n1, "op-d", std::nullopt}},
             AttachRecording{"op-a", "https://rec/a"}, AttachRecording{"op-a", "https://rec/a2"}}),
      batch("op-e", 1, at(65), {MarkCalledBack{n1, "op-e"}})};
  for (const auto& b : calls)
    if (!applied(*store, b, "op.WriteActivity", "activities, recordings and missed calls")) return;
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
  const std::vector<MissedCall> missed{
      {n1, "op-a", "op-c"}, {n2, "op-b", std::nullopt}, {n1, "op-b", "op-c"}, {n1, "op-d", "op-e"}};
  if (all->missed_calls != missed) {
    std::string seen;
    for (const auto& m : all->missed_calls)
      seen += fmt::format("[{} {} called back by {}] ", m.number, m.call,
                          m.called_back_by.value_or("nobody"));
    report(all->missed_calls.size() == missed.size() ? "op.MarkCalledBack" : "op.RecordMissedCall",
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

// Whether `seen` answers as `expected` does, in order: receipts alike once each store's ids are
// renumbered in the order they appear (`a` for `seen`'s store, `b` for `expected`'s), or the
// same error.
inline bool answers_alike(const Result<WriteReceipt>& seen, const Result<WriteReceipt>& expected,
                          Renumber& a, Renumber& b) {
  if (seen) a.learn(seen->created);
  if (expected) b.learn(expected->created);
  if (seen.has_value() != expected.has_value()) return false;
  return seen ? a.receipt(*seen) == b.receipt(*expected)
              : seen.error().code() == expected.error().code();
}

inline void StoreKit::group() {
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
    report("apply_all.equals-one-by-one", fmt::format("{} results, one per batch", batches.size()),
           fmt::format("{} results", together.size()));
    return;
  }
  Renumber a, b;
  for (std::size_t i = 0; i < batches.size(); ++i) {
    if (!answers_alike(together[i], alone[i], a, b))
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
  if (cb) consuming(batches, alone, *cb);
}

// apply_consuming() answers and writes as apply() (the engine's outbox applies a batch alone
// with it), and leaves a batch it refuses as it was given: the engine retries it.
inline void StoreKit::consuming(const std::vector<WriteBatch>& batches,
                                const std::vector<Result<WriteReceipt>>& alone,
                                const Content& expected) {
  constexpr std::string_view rule = "apply_consuming.as-apply";
  ran(rule);
  auto store = fresh(rule);
  if (!store) return;
  Renumber a, b;
  for (std::size_t i = 0; i < batches.size(); ++i) {
    WriteBatch given = batches[i];
    const auto r = store->apply_consuming(given);
    if (!answers_alike(r, alone[i], a, b))
      report(rule,
             fmt::format("batch {}#{} answered as apply() answers it: {}", batches[i].call,
                         batches[i].seq, describe(alone[i])),
             describe(r));
    if (!r && given != batches[i])
      report(rule,
             fmt::format("batch {}#{}, refused ({}), left as given", batches[i].call,
                         batches[i].seq, describe(r)),
             "changed");
  }
  auto left = content(*store, rule);
  if (left && a.content(*left) != b.content(expected))
    report(rule, "the store apply() leaves: " + expected.summary(), left->summary());
}

// --- apply_linked ---------------------------------------------------------------------------

// A store that says it resolves references between a group's batches (the engine then hands
// it an unknown caller's three batches at once): each reference to a record an earlier batch
// created reaches that record — its receipt's n-th record for the batch's n-th create, named or
// not — and the group ends before a batch that refers to a record an earlier batch named but
// did not create: its claim was lost, it was refused, or it was a replay.
inline void StoreKit::linked() {
  constexpr std::string_view rule = "apply_linked.resolves-earlier";
  auto store = fresh(rule);
  if (!store) return;
  if (!store->resolves_group_references()) {
    ran(rule, "skipped: the store does not resolve group references (the engine never asks)");
    ran("apply_linked_consuming.as-apply-linked", "skipped: as apply_linked.resolves-earlier");
    return;
  }
  ran(rule);
  const std::string number = "+79160002222";
  const WriteBatch first = unknown_caller("ln-1", 1, number, at(81));
  const std::vector<WriteBatch> batches{
      first, batch("ln-1", 2, at(82), {Reassign{{EntityType::lead, -1}, 7}}),
      batch("ln-1", 3, at(83),
            {CreateDeal{deal(-3, "ln-1 deal", std::nullopt, std::nullopt)},
             WriteActivity{
                 activity("ln-1#3", {{EntityType::lead, -1}, {EntityType::deal, -3}}, at(83))}}),
      // An unnamed record first: the receipt's second and third records are -22 and -21.
      batch("ln-4", 1, at(84),
            {CreateContact{contact(0, "ln-4 unnamed", {"+79160004444"})},
             CreateContact{contact(-22, "ln-4 named", {"+79160004445"})},
             CreateLead{lead(-21, "ln-4 lead", {"+79160004446"})}}),
      batch("ln-4", 2, at(85),
            {Reassign{{EntityType::contact, -22}, 9}, Reassign{{EntityType::lead, -21}, 9}}),
      [&] {  // loses its claim to ln-1: its lead -11 is ln-1's
        WriteBatch b = unknown_caller("ln-2", 1, number, at(86));
        std::get<CreateLead>(b.ops[0]).lead.id = -11;
        std::get<WriteActivity>(b.ops[1]).activity.bindings = {{EntityType::lead, -11}};
        return b;
      }(),
      batch("ln-2", 2, at(87), {Reassign{{EntityType::lead, -11}, 8}}),
      batch("ln-3", 1, at(88), {RecordCall{call_record("ln-3", "+100", at(88))}})};
  const auto results = store->apply_linked(batches);
  linked_consuming(batches, results);
  if (results.size() != 6) {
    report(rule,
           "6 results: the group ends before ln-2#2, which refers to a lead ln-2#1 named but "
           "did not create (it lost its claim)",
           fmt::format("{} results", results.size()));
    return;
  }
  for (std::size_t i = 0; i < results.size(); ++i)
    if (!results[i])
      report(rule, fmt::format("batch {}#{} applied", batches[i].call, batches[i].seq),
             describe(results[i]));
  if (!results[0] || !results[2] || !results[3] || !results[5]) return;
  if (!results[5]->claimed_by || *results[5]->claimed_by != "ln-1")
    report(rule, "ln-2#1 loses its claim to ln-1", describe(results[5]));
  auto first_of = [](const WriteReceipt& r, EntityType type) -> std::optional<EntityId> {
    for (const auto& c : r.created)
      if (c.type == type) return c.id;
    return std::nullopt;
  };
  const auto lead_id = first_of(*results[0], EntityType::lead);
  const auto deal_id = first_of(*results[2], EntityType::deal);
  const auto& made4 = results[3]->created;
  auto all = read_content(*store);
  if (!lead_id || !deal_id || made4.size() != 3 || !all) {
    report(rule,
           "a lead created by ln-1#1, a deal by ln-1#3, three records by ln-4#1, and the store "
           "readable",
           describe(results[0]) + "; " + describe(results[2]) + "; " + describe(results[3]));
    return;
  }
  auto responsible_of = [&](EntityRef ref) -> std::optional<EmployeeId> {
    if (ref.type == EntityType::lead)
      for (const auto& l : all->leads)
        if (l.id == ref.id) return l.responsible;
    if (ref.type == EntityType::contact)
      for (const auto& c : all->contacts)
        if (c.id == ref.id) return c.responsible;
    return std::nullopt;
  };
  if (all->leads.size() != 2 || responsible_of({EntityType::lead, *lead_id}) != 7)
    report(rule, "two leads, ln-1's reassigned to 7 by ln-1#2",
           fmt::format("{} leads, ln-1's responsible {}", all->leads.size(),
                       responsible_of({EntityType::lead, *lead_id}).value_or(0)));
  if (responsible_of(made4[0]) == 9 || responsible_of(made4[1]) != 9 ||
      responsible_of(made4[2]) != 9)
    report(rule,
           "ln-4#2 reassigns the records ln-4#1 named -22 and -21 (its 2nd and 3rd), not the "
           "unnamed one (its 1st)",
           fmt::format("responsible {}, {}, {}", responsible_of(made4[0]).value_or(0),
                       responsible_of(made4[1]).value_or(0), responsible_of(made4[2]).value_or(0)));
  if (all->everything) {  // activities are read through inspection() only
    const auto& activities = all->everything->activities;
    const std::vector<EntityRef> bound{{EntityType::lead, *lead_id}, {EntityType::deal, *deal_id}};
    auto activity_of = std::find_if(activities.begin(), activities.end(),
                                    [](const CallActivity& a) { return a.call == "ln-1#3"; });
    if (activity_of == activities.end() || activity_of->bindings != bound)
      report(rule, "ln-1#3's activity bound to ln-1#1's lead and its own deal",
             activity_of == activities.end() ? "no such activity" : "other bindings");
  }
  // A refused batch and a replay create nothing either: the group ends before what refers to
  // their names.
  WriteBatch refused = batch("ln-5", 1, at(89), {CreateLead{lead(-31, "ln-5", {})}});
  std::get<CreateLead>(refused.ops[0]).lead.contact = 999999999;  // no such contact
  const std::vector<WriteBatch> after_refusal{
      refused, batch("ln-5", 2, at(90), {Reassign{{EntityType::lead, -31}, 3}})};
  const auto r = store->apply_linked(after_refusal);
  if (r.size() != 1 || r[0] || r[0].error().code() != Errc::invalid_argument)
    report(rule,
           "1 result, invalid_argument for ln-5#1 (a missing contact): the group ends before "
           "ln-5#2, which refers to the lead ln-5#1 did not create",
           fmt::format("{} results{}", r.size(), r.empty() ? "" : ", the first " + describe(r[0])));
  const std::vector<WriteBatch> after_replay{
      first, batch("ln-1", 4, at(91), {Reassign{{EntityType::lead, -1}, 5}})};
  const auto again = store->apply_linked(after_replay);
  if (again.size() != 1 || !again[0] || !again[0]->replayed)
    report(rule,
           "1 result, a replay of ln-1#1: the group ends before ln-1#4, which refers to the lead "
           "the replay did not create (its id is the engine's to learn)",
           fmt::format("{} results{}", again.size(),
                       again.empty() ? "" : ", the first " + describe(again[0])));
}

// apply_linked_consuming() answers as apply_linked(), and leaves the batches it did not
// apply as they were given (the engine submits them again).
inline void StoreKit::linked_consuming(const std::vector<WriteBatch>& batches,
                                       const std::vector<Result<WriteReceipt>>& expected) {
  constexpr std::string_view rule = "apply_linked_consuming.as-apply-linked";
  ran(rule);
  auto store = fresh(rule);
  if (!store) return;
  std::vector<WriteBatch> given = batches;
  const auto results = store->apply_linked_consuming(given);
  if (results.size() != expected.size()) {
    report(rule, fmt::format("{} results, as apply_linked()", expected.size()),
           fmt::format("{} results", results.size()));
    return;
  }
  Renumber a, b;
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (!answers_alike(results[i], expected[i], a, b))
      report(rule,
             fmt::format("batch {}#{} answered as apply_linked() answers it: {}", batches[i].call,
                         batches[i].seq, describe(expected[i])),
             describe(results[i]));
  }
  for (std::size_t i = 0; i < given.size(); ++i)
    if ((i >= results.size() || !results[i]) && given[i] != batches[i])
      report(
          rule,
          fmt::format("batch {}#{}, not applied, left as given", batches[i].call, batches[i].seq),
          "changed");
}

// --- the change feed --------------------------------------------------------------------------

inline void StoreKit::change_feed() {
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
  auto made =
      applied(*store,
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
    report("feed.change-cursor",
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

inline void StoreKit::inspection() {
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
    report(
        "inspection.open-repeat-leads",
        fmt::format("the one open repeat lead of {}: lead {}", describe(client), r->created[7].id),
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

}  // namespace conformance_detail
TELCRM_END_NAMESPACE
