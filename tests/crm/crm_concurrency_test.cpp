// SPDX-License-Identifier: Apache-2.0
// Readers matching while a writer changes phones: every lookup sees the state before or after
// an update, never a mix. Runs under ThreadSanitizer in CI (label: concurrency).
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
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

TEST_CASE(
    "R-X3 fold() on another thread while a writer files and readers look up: no update "
    "lost, none seen twice") {
  // A writer files contacts one update at a time (each its own phone) and says which it has
  // committed; a folder thread folds whenever the log is full, carrying over what the writer
  // filed meanwhile; readers check that the newest committed contact is found, exactly once.
  IndexOptions options{region("RU"), 0, /*min_delta_capacity=*/64, /*max_delta_capacity=*/64};
  CrmIndex index(options);
  index.rebuild(CrmSnapshot{});
  const PhoneNormalizer normalizer;
  auto phone = [](EntityId id) { return "+7903" + std::to_string(1000000 + id); };
  auto key_of = [&](EntityId id) {
    return normalizer.normalize(phone(id), options.default_region).key();
  };
  constexpr EntityId contacts = 3000;
  std::atomic<EntityId> committed{0};
  std::atomic<bool> stop{false};
  std::atomic<long> wrong{0};
  std::atomic<long> lookups{0};
  std::atomic<long> folds{0};
  std::thread folder([&] {
    while (!stop.load(std::memory_order_relaxed))
      if (index.fold()) folds.fetch_add(1);
  });
  auto reader = [&] {
    while (!stop.load(std::memory_order_relaxed)) {
      const EntityId newest = committed.load(std::memory_order_acquire);
      if (newest == 0) continue;
      auto snap = index.snapshot();
      for (EntityId id : {newest, newest / 2 + 1}) {
        int found = 0;
        snap.for_each_posting(key_of(id), [&](EntityRef ref, WrittenForm) {
          if (ref == contact_ref(id)) ++found;
        });
        auto facts = snap.facts(contact_ref(id));
        if (found != 1 || !facts || facts->responsible != id % 5) wrong.fetch_add(1);
      }
      lookups.fetch_add(1, std::memory_order_relaxed);
    }
  };
  std::vector<std::thread> readers;
  for (int i = 0; i < 2; ++i) readers.emplace_back(reader);
  int since_due = 0;
  for (EntityId id = 1; id <= contacts; ++id) {
    Contact c{id, "C", {phone(id)}, {}, id % 5, std::nullopt};
    index.update([&](CrmIndex::Writer& tx) { tx.upsert(c); });
    committed.store(id, std::memory_order_release);
    // Eight more updates once the log is full (the fold carries them over), then a pause
    // for the folder: with a room of 64 the writer would otherwise reach half again as many
    // and fold by itself before a fold of thousands of entities ends.
    if (!index.fold_due()) {
      since_due = 0;
    } else if (++since_due > 8) {
      const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
      while (index.fold_due() && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
  }
  stop = true;
  folder.join();
  for (auto& t : readers) t.join();
  CHECK(wrong.load() == 0);
  CHECK(lookups.load() > 0);
  CHECK(folds.load() > 0);
  // The same index as one whose writer folded by itself: every contact, once.
  index.fold();
  auto facts = index.export_facts();
  CHECK(facts.size() == static_cast<std::size_t>(contacts));
  std::vector<bool> seen(contacts + 1, false);
  for (const auto& f : facts) {
    REQUIRE(f.ref.type == EntityType::contact);
    REQUIRE(f.ref.id >= 1);
    REQUIRE(f.ref.id <= contacts);
    CHECK_FALSE(seen[static_cast<std::size_t>(f.ref.id)]);
    seen[static_cast<std::size_t>(f.ref.id)] = true;
    CHECK(f.responsible == f.ref.id % 5);
    CHECK(f.phones.size() == 1);
  }
}
