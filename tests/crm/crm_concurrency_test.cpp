// SPDX-License-Identifier: Apache-2.0
// Readers matching while a writer changes phones: every lookup sees the state before or after
// an update, never a mix. Runs under ThreadSanitizer in CI (label: concurrency).
#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include "crm/crm_fixture.hpp"

using namespace telcrm;
using namespace telcrm_test;

TEST_CASE("R-X3 R-N6 four readers never see a torn index while a writer moves phones") {
  // Contact 1 moves between two states in single updates:
  //   A: phone +79160000001, responsible 1        B: phone +79160000002, responsible 2
  // A consistent view finds the contact under exactly one of the numbers, with the matching
  // responsible. Many other contacts are added meanwhile so the log folds several times.
  IndexOptions options{region("RU"), 0, /*min_delta_capacity=*/64};
  CrmIndex index(options);
  Contact a{1, "Moving", {"+79160000001"}, {}, 1, std::nullopt};
  Contact b{1, "Moving", {"+79160000002"}, {}, 2, std::nullopt};
  index.update([&](CrmIndex::Writer& tx) { tx.upsert(a); });
  const PhoneNormalizer normalizer;
  const auto key_a = normalizer.normalize("+79160000001", options.default_region).key();
  const auto key_b = normalizer.normalize("+79160000002", options.default_region).key();

  std::atomic<bool> stop{false};
  std::atomic<long> torn{0};
  std::atomic<long> lookups{0};
  auto reader = [&] {
    while (!stop.load(std::memory_order_relaxed)) {
      auto snap = index.snapshot();
      int found = 0;
      std::optional<EntityId> responsible;
      for (auto key : {key_a, key_b})
        snap.for_each_posting(key, [&](EntityRef ref, WrittenForm) {
          if (ref.id != 1) return;
          ++found;
          responsible = snap.facts(ref)->responsible;
          const bool in_a = key == key_a;
          if (responsible != (in_a ? 1 : 2)) torn.fetch_add(1);
        });
      if (found != 1) torn.fetch_add(1);
      lookups.fetch_add(1, std::memory_order_relaxed);
    }
  };
  std::vector<std::thread> readers;
  for (int i = 0; i < 4; ++i) readers.emplace_back(reader);
  for (int i = 0; i < 2000; ++i) {
    index.update([&](CrmIndex::Writer& tx) { tx.upsert(i % 2 == 0 ? b : a); });
    Contact other{100 + i, "Other", {"+7903" + std::to_string(1000000 + i)}, {}, 3, std::nullopt};
    index.update([&](CrmIndex::Writer& tx) { tx.upsert(other); });
    if (i % 3 == 0) index.update([&](CrmIndex::Writer& tx) { tx.remove(contact_ref(100 + i)); });
  }
  stop = true;
  for (auto& t : readers) t.join();
  CHECK(torn.load() == 0);
  CHECK(lookups.load() > 0);
  CHECK(index.snapshot().facts(contact_ref(1))->responsible == 1);
}
