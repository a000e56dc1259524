// SPDX-License-Identifier: Apache-2.0
// Index snapshot files, damaged every way: no file makes a load crash or hang, a refused file
// leaves the index as it was, and a file a load accepts never lets a lookup leave the index.
// An input whose first byte is even is the file itself; an odd first byte makes the rest a
// list of damages to a valid file made at start — (u16 offset, xor byte) triples — after
// which the checksum is made good again, so that the damage reaches the decoding behind it
// instead of stopping at the sum.
#include <telcrm/crm/crm_index.hpp>
#include <telcrm/crm/index_snapshot.hpp>

#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "fuzz_support.hpp"

using namespace telcrm;

namespace {

// A small update log: its arrays are what each iteration would otherwise spend its time on.
IndexOptions small_options() {
  IndexOptions o{*Region::from_code("RU"), 0};
  o.min_delta_capacity = 64;
  o.max_delta_capacity = 64;
  return o;
}
const IndexOptions ru = small_options();

// Phones the valid file files (and the lookups try): normalised, raw, shared.
const char* const phones[] = {"+7 916 123 45 67", "8 (903) 765-43-21", "not a phone 12345",
                              "+49 30 1234567", "+7 916 123 45 67"};

const std::string& file_path() {
  static const std::string path = telcrm_fuzz::scratch_directory("snapshot") + "/index";
  return path;
}

void write_file(const std::string& data) {
  std::ofstream(file_path(), std::ios::binary | std::ios::trunc) << data;
}

std::string read_file() {
  return telcrm_fuzz::file_text(file_path());
}

// A small index (contacts, a company, a lead, deals) saved once.
const std::string& valid_file() {
  static const std::string file = [] {
    CrmIndex index(ru);
    index.update([](CrmIndex::Writer& w) {
      for (EntityId id = 1; id <= 5; ++id) {
        Contact c;
        c.id = id;
        c.phones = {phones[id - 1]};
        c.company = id % 2 == 0 ? std::optional<EntityId>(1) : std::nullopt;
        w.upsert(c);
      }
      w.upsert(Company{1, "co", {"+7 495 000 00 01"}, {}, std::nullopt});
      Lead l;
      l.id = 1;
      l.phones = {"+7 916 555 00 00"};
      l.contact = 2;
      l.repeat = true;
      w.upsert(l);
      Deal d;
      d.id = 1;
      d.contact = 1;
      w.upsert(d);
    });
    if (!save_index_snapshot(index, file_path(), 3)) telcrm_fuzz::finding("cannot save the seed");
    return read_file();
  }();
  return file;
}

// Every lookup a call makes, on whatever the load accepted.
void look_up(CrmIndex& index) {
  (void)index.export_facts();
  const auto s = index.snapshot();
  for (const char* phone : phones)
    for (const auto& k : CrmIndex::keys_of(phone, ru, index.normalizer()))
      s.for_each_posting(k.key, [&](EntityRef ref, WrittenForm) { (void)s.facts(ref); });
  for (EntityId id = 0; id <= 6; ++id)
    for (EntityType t :
         {EntityType::contact, EntityType::company, EntityType::lead, EntityType::deal})
      (void)s.facts({t, id});
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::string file;
  if ((data[0] & 1) == 0) {
    file.assign(reinterpret_cast<const char*>(data) + 1, size - 1);
  } else {
    file = valid_file();
    for (std::size_t i = 1; i + 3 <= size; i += 3) {
      const std::size_t at = (std::size_t{data[i]} | std::size_t{data[i + 1]} << 8) % file.size();
      file[at] = static_cast<char>(file[at] ^ static_cast<char>(data[i + 2]));
    }
    if (auto layout = detail::read_snapshot_layout(file.data(), file.size(), file.size())) {
      const std::uint64_t sum = detail::snapshot_checksum(file.data(), *layout);
      std::memcpy(file.data() + file.size() - 8, &sum, 8);
    }
  }
  write_file(file);
  CrmIndex index(ru);
  for (unsigned threads : {1u, 3u}) {
    const auto before = index.export_facts();
    auto loaded = load_index_snapshot(index, file_path(), threads);
    if (!loaded && index.export_facts() != before)
      telcrm_fuzz::finding("a refused snapshot changed the index");
    look_up(index);
  }
  return 0;
}
