// SPDX-License-Identifier: Apache-2.0
// The parallel rebuild gives the index the single-threaded one gives; an index snapshot file
// gives it back exactly; a damaged, truncated, foreign, stale or newer file is refused and
// leaves the index as it was.
#include <telcrm/crm/crm_index.hpp>
#include <telcrm/crm/index_snapshot.hpp>
#include <telcrm/memory/memory_crm_store.hpp>

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

using namespace telcrm;

namespace {

// The index reads no store: a test streams one into it, as the engine does.
CrmIndex::Scan scan_of(const CrmStore& store) {
  return [&store](CrmVisitor& v) { return store.scan(v); };
}

const IndexOptions ru{*Region::from_code("RU"), 0};

CrmSnapshot crm_of(std::size_t contacts) {
  CrmSnapshot crm;
  for (std::size_t i = 0; i < contacts; ++i) {
    Contact c;
    c.id = static_cast<EntityId>(i + 1);
    c.name = "c";
    c.phones = {fmt::format("+7 916 {:07}", i), i % 7 == 0 ? "not a phone" : "8 495 1234567"};
    if (i % 3 == 0) c.company = static_cast<EntityId>(1 + i % 10);
    c.responsible = static_cast<EmployeeId>(i % 5);
    crm.contacts.push_back(c);
  }
  for (EntityId id = 1; id <= 10; ++id)
    crm.companies.push_back({id, "co", {fmt::format("+49 30 {:07}", id)}, {}, std::nullopt});
  for (EntityId id = 1; id <= 40; ++id) {
    Deal d;
    d.id = id;
    d.title = "d";
    d.contact = id;
    d.company = 1 + id % 10;
    if (id % 2 == 0) d.modified = Timestamp(Seconds(1800000000 + id));
    crm.deals.push_back(d);
    Lead l;
    l.id = id;
    l.title = "l";
    l.phones = {fmt::format("+7 903 {:07}", id)};
    l.contact = id;
    l.repeat = id % 3 == 0;
    crm.leads.push_back(l);
  }
  return crm;
}

// Every entity's facts, as the index holds them, in a canonical order.
std::vector<EntityFacts> facts_of(CrmIndex& index) {
  auto facts = index.export_facts();
  std::sort(facts.begin(), facts.end(), [](const EntityFacts& a, const EntityFacts& b) {
    return std::pair(a.ref.type, a.ref.id) < std::pair(b.ref.type, b.ref.id);
  });
  return facts;
}

struct TempFile {
  std::string path = (std::filesystem::temp_directory_path() /
                      fmt::format("telcrm-index-{}-{}", ::getpid(), counter()))
                         .string();
  ~TempFile() { std::filesystem::remove(path); }
  static int counter() {
    static int n = 0;
    return n++;
  }
};

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_all(const std::string& path, const std::string& data) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << data;
}

}  // namespace

TEST_CASE("The parallel rebuild files what the single-threaded rebuild files") {
  const MemoryCrmStore store(crm_of(4500));  // two chunks of 4096 records
  CrmIndex one(ru);
  REQUIRE(one.rebuild(scan_of(store), 1).has_value());
  for (unsigned threads : {3u}) {  // two workers beside the scan
    CrmIndex many(ru);
    REQUIRE(many.rebuild(scan_of(store), threads).has_value());
    CHECK(facts_of(many) == facts_of(one));
    CHECK(many.stats().unnormalised_phones == one.stats().unnormalised_phones);
    const auto found = many.snapshot().facts({EntityType::contact, 8});
    REQUIRE(found.has_value());
    CHECK(found->to_facts().open_deals.size() == 1);
  }
}

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
  const MemoryCrmStore store(crm_of(200));
  CrmIndex built(ru);
  REQUIRE(built.rebuild(scan_of(store), 1).has_value());
  TempFile file;
  REQUIRE(save_index_snapshot(built, file.path, 7).has_value());
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
  std::string flipped = good;
  flipped[flipped.size() / 2] = static_cast<char>(flipped[flipped.size() / 2] ^ 0x10);
  refused(flipped, Errc::storage_corrupt);
  refused(good.substr(0, good.size() - 9), Errc::storage_corrupt);
  refused("not a snapshot at all, just some text", Errc::storage_corrupt);
  refused("", Errc::storage_corrupt);
  std::string newer = good;
  newer[8] = 2;  // the version
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
