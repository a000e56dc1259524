// SPDX-License-Identifier: Apache-2.0
// The index built or loaded on several threads is the index one thread builds or loads.
// Runs under ThreadSanitizer in CI (label: concurrency).
#include <telcrm/crm/crm_index.hpp>
#include <telcrm/crm/index_snapshot.hpp>
#include <telcrm/memory/memory_crm_store.hpp>

#include <doctest/doctest.h>

#include <string>

#include "crm/index_test_kit.hpp"

using namespace telcrm;
using namespace index_test;

// The pipelined rebuild with chunks and a queue small enough that the scan waits for the
// merge again and again (the tests' own access to CrmIndex's private rebuild).
TELCRM_BEGIN_NAMESPACE
namespace detail {
struct RebuildTestAccess {
  static Result<void> rebuild(CrmIndex& index, const CrmIndex::Scan& scan, unsigned threads,
                              std::size_t chunk_size, std::size_t max_pending) {
    return index.rebuild_pipelined(scan, threads, chunk_size, max_pending);
  }
};
}  // namespace detail
TELCRM_END_NAMESPACE

TEST_CASE("The parallel rebuild files what the single-threaded rebuild files") {
  const MemoryCrmStore store(crm_of(9000));  // three chunks of 4096 records
  CrmIndex one(ru);
  REQUIRE(one.rebuild(scan_of(store), 1).has_value());
  // 2: the scan and the merge; 3 and 5: workers reading phones ahead of the merge too.
  for (unsigned threads : {2u, 3u, 5u}) {
    CAPTURE(threads);
    CrmIndex many(ru);
    REQUIRE(many.rebuild(scan_of(store), threads).has_value());
    CHECK(facts_of(many) == facts_of(one));
    CHECK(many.stats().unnormalised_phones == one.stats().unnormalised_phones);
    const auto found = many.snapshot().facts({EntityType::contact, 8});
    REQUIRE(found.has_value());
    CHECK(found->to_facts().open_deals.size() == 1);
  }
  // Chunks of 1 and 7 records, at most 1 or 2 waiting: every hand-over may wait for the merge.
  for (std::size_t chunk : {1u, 7u})
    for (std::size_t pending : {1u, 2u})
      for (unsigned threads : {2u, 4u}) {
        CAPTURE(chunk);
        CAPTURE(pending);
        CAPTURE(threads);
        CrmIndex many(ru);
        const MemoryCrmStore small(crm_of(300));
        CrmIndex single(ru);
        REQUIRE(single.rebuild(scan_of(small), 1).has_value());
        REQUIRE(detail::RebuildTestAccess::rebuild(many, scan_of(small), threads, chunk, pending)
                    .has_value());
        CHECK(facts_of(many) == facts_of(single));
      }
}

TEST_CASE("A parallel rebuild whose scan fails midway returns its error and keeps the index") {
  const MemoryCrmStore store(crm_of(9000));
  CrmIndex index(ru);
  REQUIRE(index.rebuild(scan_of(store), 1).has_value());
  const auto before = facts_of(index);
  const CrmSnapshot other = crm_of(6000);
  // Streams 5,000 other contacts (a chunk handed over and one begun), then the store fails.
  auto failing = [&](CrmVisitor& v) -> Result<void> {
    for (std::size_t i = 0; i < 5000; ++i) v.visit(other.contacts[i]);
    return fail(Errc::storage_unavailable, "the connection was lost");
  };
  for (unsigned threads : {2u, 3u}) {
    CAPTURE(threads);
    auto r = index.rebuild(failing, threads);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == Errc::storage_unavailable);
    CHECK(facts_of(index) == before);
  }
}

TEST_CASE("An index snapshot read on several threads is the one read on one") {
  CrmIndex built(ru);
  TempFile file;
  REQUIRE(build_and_save(built, 3000, file.path, 11));
  for (unsigned threads : {1u, 2u, 7u, 9u}) {  // 9: more threads than sections
    CAPTURE(threads);
    CrmIndex loaded(ru);
    auto info = load_index_snapshot(loaded, file.path, threads);
    REQUIRE_MESSAGE(info.has_value(), info.error().message());
    CHECK(info->cursor == 11);
    CHECK(facts_of(loaded) == facts_of(built));
    CHECK(loaded.stats().phones == built.stats().phones);
    CHECK(loaded.stats().unnormalised_phones == built.stats().unnormalised_phones);
  }
  // A damage found by one section's thread refuses the file as on one thread: a record, a
  // phone key, a table slot.
  const std::string good = read_all(file.path);
  auto layout = detail::read_snapshot_layout(good.data(), good.size(), good.size());
  REQUIRE(layout.has_value());
  for (std::size_t section : {0u, 1u, 4u, 6u}) {
    CAPTURE(section);
    std::string bad = good;
    const auto at = static_cast<std::size_t>(layout->offset[section]);
    bad[at + (section == 1 ? 8 : 0)] = static_cast<char>(0x7F);  // a type, a kind, a key byte
    const std::uint64_t sum = detail::snapshot_checksum(bad.data(), *layout);
    std::memcpy(bad.data() + bad.size() - 8, &sum, 8);
    write_all(file.path, bad);
    for (unsigned threads : {1u, 3u}) {
      CrmIndex target(ru);
      auto r = load_index_snapshot(target, file.path, threads);
      REQUIRE_FALSE(r.has_value());
      CHECK(r.error().code() == Errc::storage_corrupt);
    }
  }
}
