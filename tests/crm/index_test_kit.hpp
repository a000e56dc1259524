// SPDX-License-Identifier: Apache-2.0
#pragma once
// What the index rebuild and snapshot tests share: a generated CRM, the index's facts in a
// canonical order, temporary files.
#include <telcrm/crm/crm_index.hpp>
#include <telcrm/crm/index_snapshot.hpp>
#include <telcrm/memory/memory_crm_store.hpp>

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace index_test {

using namespace telcrm;

// The index reads no store: a test streams one into it, as the engine does.
inline CrmIndex::Scan scan_of(const CrmStore& store) {
  return [&store](CrmVisitor& v) { return store.scan(v); };
}

inline const IndexOptions ru{*Region::from_code("RU"), 0};

inline CrmSnapshot crm_of(std::size_t contacts) {
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
inline std::vector<EntityFacts> facts_of(CrmIndex& index) {
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

inline std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void write_all(const std::string& path, const std::string& data) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << data;
}

// Rebuilds `index` from crm_of(contacts) on one thread and saves it to `path` with `cursor`:
// false when either failed.
inline bool build_and_save(CrmIndex& index, std::size_t contacts, const std::string& path,
                           std::uint64_t cursor) {
  const MemoryCrmStore store(crm_of(contacts));
  return index.rebuild(scan_of(store), 1).has_value() &&
         save_index_snapshot(index, path, cursor).has_value();
}

}  // namespace index_test
