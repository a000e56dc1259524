// SPDX-License-Identifier: Apache-2.0
// CrmIndex: updates while serving are visible to the next lookup; folding keeps everything.
#include <doctest/doctest.h>

#include "crm/crm_fixture.hpp"

using namespace telcrm;
using namespace telcrm_test;

namespace {
std::string fmt_phone(EntityId id) {
  return "+7916" + std::to_string(1000000 + id);
}

std::vector<EntityRef> filed_under(const CrmIndex& index, const char* phone) {
  std::vector<EntityRef> refs;
  auto snapshot = index.snapshot();
  for (const auto& key : CrmIndex::keys_of(phone, index.options(), index.normalizer()))
    snapshot.for_each_posting(key.key, [&](EntityRef ref, WrittenForm) { refs.push_back(ref); });
  return refs;
}
}  // namespace

TEST_CASE("R-N6 adding, changing and removing phones is visible to the next lookup") {
  World w("RU");
  w.contact(5, {"+79161234567"}, 2);
  w.build();
  CHECK(*w.match("+79161234567").primary == contact_ref(5));

  Contact changed{5, "Ivan", {"+7 903 111 22 33"}, {}, 2, std::nullopt};
  w.index.update([&](CrmIndex::Writer& tx) { tx.upsert(changed); });
  CHECK(w.match("+79161234567").crm == CrmState::unknown);
  CHECK(*w.match("+79031112233").primary == contact_ref(5));

  Company acme{3, "Acme", {"+79161234567"}, {}, 1};
  w.index.update([&](CrmIndex::Writer& tx) { tx.upsert(acme); });
  CHECK(*w.match("+79161234567").primary == company_ref(3));

  w.index.update([&](CrmIndex::Writer& tx) { tx.remove(company_ref(3)); });
  CHECK(w.match("+79161234567").crm == CrmState::unknown);
  CHECK_FALSE(w.index.snapshot().facts(company_ref(3))->exists);
}

TEST_CASE("R-M3 a deal created or closed later changes the ranking of the next call") {
  World w("RU");
  w.contact(10, {"+79161234567"});
  w.contact(11, {"+79161234567"});
  w.build();
  CHECK(w.match("+79161234567").primary->id == 10);

  Deal d;
  d.id = 70;
  d.title = "Quote";
  d.contact = 11;
  d.modified = at(20);
  w.index.update([&](CrmIndex::Writer& tx) { tx.upsert(d); });
  auto r = w.match("+79161234567");
  CHECK(r.primary->id == 11);
  CHECK(r.bindings.front() == deal_ref(70));

  d.stage = DealStage::won;
  w.index.update([&](CrmIndex::Writer& tx) { tx.upsert(d); });
  CHECK(w.match("+79161234567").primary->id == 10);
  CHECK(w.index.snapshot().facts(contact_ref(11))->open_deals.empty());
}

TEST_CASE("R-M4 a reassignment changes the responsible the next call is routed to") {
  World w("DE");
  w.lead(1, {"0151 2345 6789"});
  w.employee(1);
  w.employee(2);
  w.build();
  CHECK_FALSE(w.match("+4915123456789").responsible.has_value());
  w.index.update([&](CrmIndex::Writer& tx) { tx.set_responsible(lead_ref(1), 2); });
  CHECK(w.match("+4915123456789").responsible == 2);
}

TEST_CASE("R-L6 repeat leads are tracked on their client") {
  World w("RU");
  w.contact(5, {"+79161234567"});
  w.build();
  CHECK_FALSE(w.match("+79161234567").has_open_repeat_lead);
  Lead repeat;
  repeat.id = 60;
  repeat.title = "+79161234567 - Incoming call";
  repeat.phones = {"+79161234567"};
  repeat.contact = 5;
  repeat.repeat = true;
  w.index.update([&](CrmIndex::Writer& tx) { tx.upsert(repeat); });
  auto r = w.match("+79161234567");
  CHECK(*r.primary == contact_ref(5));  // the contact still beats its own repeat lead
  CHECK(r.has_open_repeat_lead);
  repeat.status = LeadStatus::converted;
  w.index.update([&](CrmIndex::Writer& tx) { tx.upsert(repeat); });
  CHECK_FALSE(w.match("+79161234567").has_open_repeat_lead);
}

TEST_CASE("Folding the update log into a new base keeps every entity, phone and link") {
  IndexOptions options{region("RU"), 0, /*min_delta_capacity=*/16, /*max_delta_capacity=*/32};
  CrmIndex index(options);
  index.rebuild(CrmSnapshot{});
  // Enough updates to fold several times (the log holds at most 32 phone and 64 fact entries).
  for (EntityId id = 1; id <= 200; ++id) {
    Contact c{id, "C", {fmt_phone(id)}, {}, id % 7, std::nullopt};
    index.update([&](CrmIndex::Writer& tx) { tx.upsert(c); });
  }
  for (EntityId id = 1; id <= 200; id += 2) {
    Deal d;
    d.id = 1000 + id;
    d.title = "D";
    d.contact = id;
    index.update([&](CrmIndex::Writer& tx) { tx.upsert(d); });
  }
  for (EntityId id = 3; id <= 200; id += 3)
    index.update([&](CrmIndex::Writer& tx) { tx.remove(contact_ref(id)); });
  CHECK(index.stats().pending_updates < 64);  // 466 facts were appended: folded on the way

  auto snapshot = index.snapshot();
  for (EntityId id = 1; id <= 200; ++id) {
    CAPTURE(id);
    auto refs = filed_under(index, fmt_phone(id).c_str());
    const bool removed = id % 3 == 0;
    CHECK(refs.size() == (removed ? 0u : 1u));
    auto f = snapshot.facts(contact_ref(id));
    REQUIRE(f.has_value());
    CHECK(f->exists == !removed);
    CHECK(f->responsible == id % 7);
    CHECK(f->open_deals.size() == (id % 2 == 1 ? 1u : 0u));
  }
}

TEST_CASE("A full update log waits for fold(); a writer folds only at half again its room") {
  // Room for 16 phone changes (and 32 facts): a contact with one phone is one of each.
  IndexOptions options{region("RU"), 0, /*min_delta_capacity=*/16, /*max_delta_capacity=*/16};
  CrmIndex index(options);
  index.rebuild(CrmSnapshot{});
  auto add = [&](EntityId id) {
    Contact c{id, "C", {fmt_phone(id)}, {}, 1, std::nullopt};
    index.update([&](CrmIndex::Writer& tx) { tx.upsert(c); });
  };
  EntityId id = 0;
  while (!index.fold_due()) add(++id);
  CHECK(id == 16);  // the phone changes filled their room
  for (int i = 0; i < 4; ++i) add(++id);
  // Still unfolded: the writer left the O(entities) work to fold().
  CHECK(index.stats().entities == 0);
  CHECK(index.stats().pending_updates == 20);
  CHECK(index.fold());
  CHECK_FALSE(index.fold_due());
  CHECK_FALSE(index.fold());  // nothing due
  CHECK(index.stats().entities == 20);
  CHECK(index.stats().pending_updates == 0);
  for (EntityId k = 1; k <= 20; ++k)
    CHECK(filed_under(index, fmt_phone(k).c_str()) == std::vector<EntityRef>{contact_ref(k)});
  // Nobody calls fold(): the writer folds by itself once the log is half again as full as
  // its room (16 phone changes: at the 24th).
  for (int i = 0; i < 23; ++i) add(++id);
  CHECK(index.fold_due());
  CHECK(index.stats().entities == 20);  // not yet: 23 pending
  add(++id);
  CHECK(index.stats().entities == 44);
  CHECK(index.stats().pending_updates == 0);
  CHECK_FALSE(index.fold_due());
}

TEST_CASE("Folding leaves out renamed provisional records, keeps placeholders that carry links") {
  IndexOptions options{region("RU"), 0, /*min_delta_capacity=*/16, /*max_delta_capacity=*/32};
  CrmIndex index(options);
  index.rebuild(CrmSnapshot{});
  auto same = [](EntityType, EntityId id) { return id; };
  // A deal names a contact the index has not seen: a placeholder with the link (kept).
  Deal d;
  d.id = 5000;
  d.title = "D";
  d.contact = -500;
  index.update([&](CrmIndex::Writer& tx) { tx.upsert(d); });
  // Leads filed under provisional ids, then renamed to their stored ids, as calls do.
  constexpr EntityId leads = 100;
  for (EntityId id = 1; id <= leads; ++id) {
    Lead l;
    l.id = -id;
    l.title = "L";
    l.phones = {fmt_phone(id)};
    index.update([&](CrmIndex::Writer& tx) { tx.upsert(l); });
    index.update([&](CrmIndex::Writer& tx) { tx.rename({EntityType::lead, -id}, id, same); });
  }
  // 600 updates: folded many times. The base holds at most the stored leads, the deal and the
  // placeholder (a tombstone per renamed lead, 100 more, before).
  CHECK(index.stats().entities <= leads + 2);
  auto snapshot = index.snapshot();
  for (EntityId id = 1; id <= leads; ++id) {
    CAPTURE(id);
    CHECK(filed_under(index, fmt_phone(id).c_str()) ==
          std::vector<EntityRef>{EntityRef{EntityType::lead, id}});
    auto gone = snapshot.facts({EntityType::lead, -id});
    CHECK((!gone || !gone->exists));
  }
  auto placeholder = snapshot.facts({EntityType::contact, -500});
  REQUIRE(placeholder.has_value());
  CHECK_FALSE(placeholder->exists);
  REQUIRE(placeholder->open_deals.size() == 1);
  CHECK(placeholder->open_deals.front().id == 5000);
}
