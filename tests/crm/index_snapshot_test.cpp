// SPDX-License-Identifier: Apache-2.0
// The rebuild gives the index that filing every record by update() gives; an index snapshot file
// gives it back exactly; a damaged, truncated, foreign, stale or newer file is refused and leaves
// the index as it was, and no file, however damaged, makes a load crash or a later lookup leave the
// index.
#include <telcrm/crm/crm_index.hpp>
#include <telcrm/crm/index_snapshot.hpp>
#include <telcrm/memory/memory_crm_store.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>

#include "crm/index_test_kit.hpp"

using namespace telcrm;
using namespace index_test;

TEST_CASE("An index snapshot file gives the index back exactly, with its cursor") {
  const MemoryCrmStore store(crm_of(1000));
  CrmIndex built(ru);
  REQUIRE(built.rebuild(scan_of(store), 2).has_value());
  // An update after the rebuild is in the file too (the pending updates are folded first).
  Lead extra;
  extra.id = 900;
  extra.title = "new";
  extra.phones = {"+7 916 555 00 00"};
  built.update([&](CrmIndex::Writer& w) { w.upsert(extra); });
  TempFile file;
  auto saved = save_index_snapshot(built, file.path, 4242);
  REQUIRE(saved.has_value());
  CHECK(saved->entities == built.stats().entities);
  CrmIndex loaded(ru);
  auto info = load_index_snapshot(loaded, file.path);
  REQUIRE_MESSAGE(info.has_value(), info.error().message());
  CHECK(info->cursor == 4242);
  CHECK(facts_of(loaded) == facts_of(built));
  CHECK(loaded.stats().phones == built.stats().phones);
  CHECK(loaded.stats().unnormalised_phones == built.stats().unnormalised_phones);
}

TEST_CASE("A damaged, truncated, foreign, stale or newer snapshot is refused; the index stays") {
  CrmIndex built(ru);
  TempFile file;
  REQUIRE(build_and_save(built, 200, file.path, 7));
  const std::string good = read_all(file.path);

  CrmIndex target(ru);
  target.rebuild(crm_of(3));
  const auto before = facts_of(target);
  auto refused = [&](const std::string& data, Errc expected) {
    write_all(file.path, data);
    auto r = load_index_snapshot(target, file.path);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == expected);
    CHECK(facts_of(target) == before);
  };
  std::string old = good;
  old[8] = 1;  // the first format: rebuilt, then written anew
  refused(old, Errc::unsupported_version);
  std::string flipped = good;
  flipped[flipped.size() / 2] = static_cast<char>(flipped[flipped.size() / 2] ^ 0x10);
  refused(flipped, Errc::storage_corrupt);
  refused(good.substr(0, good.size() - 9), Errc::storage_corrupt);
  refused("not a snapshot at all, just some text", Errc::storage_corrupt);
  refused("", Errc::storage_corrupt);
  std::string older = good;
  older[8] = 2;  // one running sum: rebuilt, then written anew
  refused(older, Errc::unsupported_version);
  std::string newer = good;
  newer[8] = 4;  // the version
  refused(newer, Errc::unsupported_version);

  write_all(file.path, good);
  CrmIndex other_region(IndexOptions{*Region::from_code("DE"), 0});
  CHECK(load_index_snapshot(other_region, file.path).error().code() == Errc::conflict);
  CrmIndex suffix(IndexOptions{*Region::from_code("RU"), 9});
  CHECK(load_index_snapshot(suffix, file.path).error().code() == Errc::conflict);
  std::filesystem::remove(file.path);
  CHECK(load_index_snapshot(target, file.path).error().code() == Errc::not_found);
  CHECK(facts_of(target) == before);
}

namespace {

// Facts as filing every record one by one through update() gives them: the reference the
// bulk rebuild is checked against (it derives the same lists another way).
std::vector<EntityFacts> updated_facts(const CrmSnapshot& crm) {
  CrmIndex index(ru);
  index.update([&](CrmIndex::Writer& w) {
    for (const auto& c : crm.contacts) w.upsert(c);
    for (const auto& c : crm.companies) w.upsert(c);
    for (const auto& l : crm.leads) w.upsert(l);
    for (const auto& d : crm.deals) w.upsert(d);
  });
  return facts_of(index);
}

// A scan that streams records as they are listed, repeats included.
struct ListScan {
  CrmSnapshot crm;
  Result<void> operator()(CrmVisitor& v) const {
    for (const auto& c : crm.contacts) v.visit(c);
    for (const auto& c : crm.companies) v.visit(c);
    for (const auto& l : crm.leads) v.visit(l);
    for (const auto& d : crm.deals) v.visit(d);
    return {};
  }
};

}  // namespace

TEST_CASE("The rebuild files what filing every record by update() files") {
  CrmSnapshot crm = crm_of(300);
  // Deals and repeat leads of clients nobody stored, sparse ids (no dense id table), a lost
  // deal and a closed repeat lead (not listed), a deal of both a contact and a company.
  Contact far;
  far.id = 5'000'000'000'000;
  far.phones = {"+7 916 000 00 01", "+7 916 000 00 01", "8 916 000 00 01"};
  crm.contacts.push_back(far);
  Deal lost;
  lost.id = 41;
  lost.contact = 2;
  lost.stage = DealStage::lost;
  crm.deals.push_back(lost);
  Deal orphan;
  orphan.id = 42;
  orphan.contact = 999'999;
  orphan.company = far.id;  // not a company: a company record that does not exist
  orphan.modified = Timestamp(Seconds(1900000000));
  crm.deals.push_back(orphan);
  Lead closed;
  closed.id = 41;
  closed.contact = 1;
  closed.repeat = true;
  closed.status = LeadStatus::converted;
  crm.leads.push_back(closed);
  Lead orphan_lead;
  orphan_lead.id = 43;
  orphan_lead.company = 77;
  orphan_lead.repeat = true;
  crm.leads.push_back(orphan_lead);
  const auto expected = updated_facts(crm);
  for (unsigned threads : {1u, 3u}) {
    CrmIndex built(ru);
    REQUIRE(built.rebuild(ListScan{crm}, threads).has_value());
    CHECK(facts_of(built) == expected);
    auto missing = built.snapshot().facts({EntityType::company, 77});
    REQUIRE(missing.has_value());
    CHECK_FALSE(missing->exists);
    CHECK(missing->open_repeat_leads.size() == 1);
  }
}

TEST_CASE("A scan that visits a record twice, or out of order, files its last visit") {
  CrmSnapshot crm = crm_of(50);
  std::reverse(crm.contacts.begin(), crm.contacts.end());
  Contact again = crm.contacts[10];
  again.phones = {"+7 916 777 66 55"};
  again.responsible = 99;
  crm.contacts.push_back(again);
  CrmSnapshot last = crm;
  last.contacts.erase(last.contacts.begin() + 10);
  for (unsigned threads : {1u, 2u}) {
    CrmIndex built(ru);
    REQUIRE(built.rebuild(ListScan{crm}, threads).has_value());
    CHECK(facts_of(built) == updated_facts(last));
    const auto found = built.snapshot().facts({EntityType::contact, again.id});
    REQUIRE(found.has_value());
    CHECK(found->responsible == EmployeeId{99});
  }
}

TEST_CASE("No damaged snapshot makes a load crash: bytes changed, the checksum made good") {
  CrmSnapshot crm = crm_of(12);
  crm.contacts[3].phones.push_back("not a phone either 12");
  CrmIndex built(ru);
  REQUIRE(built.rebuild(ListScan{crm}, 1).has_value());
  TempFile file;
  REQUIRE(save_index_snapshot(built, file.path, 1).has_value());
  const std::string good = read_all(file.path);
  // The checksum made good where the changed header still gives a layout (else the load
  // refuses the header anyway).
  auto with_sum = [](std::string data) {
    auto layout = detail::read_snapshot_layout(data.data(), data.size(), data.size());
    if (!layout) return data;
    const std::uint64_t v = detail::snapshot_checksum(data.data(), *layout);
    std::memcpy(data.data() + data.size() - 8, &v, 8);
    return data;
  };
  REQUIRE(with_sum(good) == good);
  std::size_t loaded = 0;
  // Every header byte, then every fifth byte of the sections (all of them take minutes in a
  // Debug build), with one bit or all of them flipped.
  for (std::size_t i = 8; i + 8 < good.size(); i += i < 160 ? 1 : 5)
    for (unsigned x : {1u << (i % 8), 0xFFu}) {
      std::string bad = good;
      bad[i] = static_cast<char>(static_cast<unsigned char>(bad[i]) ^ x);
      write_all(file.path, with_sum(bad));
      CrmIndex target(ru);
      auto r = load_index_snapshot(target, file.path);
      if (!r) {
        CHECK((r.error().code() == Errc::storage_corrupt ||
               r.error().code() == Errc::unsupported_version ||
               r.error().code() == Errc::conflict));
        continue;
      }
      ++loaded;  // a value changed that the format cannot tell from a real one: still safe
      (void)facts_of(target);
      auto s = target.snapshot();
      for (const auto& c : crm.contacts)
        for (const auto& k : CrmIndex::keys_of(c.phones[0], ru, target.normalizer()))
          s.for_each_posting(k.key, [&](EntityRef ref, WrittenForm) { (void)s.facts(ref); });
    }
  CHECK(loaded > 0);
}
