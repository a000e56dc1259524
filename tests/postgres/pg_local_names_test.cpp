// SPDX-License-Identifier: Apache-2.0
// The names of the transaction-local settings through which a batch's later statements find
// the ids its creates got (white-box: pg_detail::LocalNames, private to telcrm::postgres).
// A PostgreSQL session keeps every setting name it ever saw, and PostgreSQL 15 sorts them all
// again for each new one and walks them all at every commit: named after the engine's local
// ids, which it never reuses, the settings slowed a node's session down with every lead it
// had created (bench/postgres_bench.sh, unknown callers). Named per transaction, a session
// sees the same few dozen names for ever.
#include <doctest/doctest.h>

#include <optional>
#include <set>
#include <string>

#include "store_impl.hpp"

using namespace telcrm;

TEST_CASE("The settings that carry created ids are named per transaction, not per local id") {
  pg_detail::LocalNames names;
  SUBCASE("a stored id or none needs no setting") {
    CHECK(names.of(EntityType::lead, std::nullopt) == std::nullopt);
    CHECK(names.of(EntityType::lead, 0) == std::nullopt);
    CHECK(names.of(EntityType::lead, 42) == std::nullopt);
  }
  SUBCASE("first appearance gives the name; the same record keeps it; type and id both count") {
    CHECK(names.of(EntityType::lead, -1000001) == "n0");
    CHECK(names.of(EntityType::contact, -1000002) == "n1");
    CHECK(names.of(EntityType::lead, -1000001) == "n0");
    CHECK(names.of(EntityType::contact, -1000001) == "n2");
    CHECK(names.of(EntityType::contact, -1000002) == "n1");
  }
  SUBCASE("a session that creates ten thousand leads, 64 a transaction, sees 64 names") {
    std::set<std::string> seen;
    EntityId next_local = -1;
    for (int transaction = 0; transaction < 157; ++transaction) {
      names.clear();  // what a BEGIN does
      for (int k = 0; k < 64; ++k) {
        const EntityId lead = next_local--;
        const auto created = names.of(EntityType::lead, lead);
        REQUIRE(created.has_value());
        // The later batches of the call refer to it by the same name.
        CHECK(names.of(EntityType::lead, lead) == created);
        seen.insert(*created);
      }
    }
    CHECK(seen.size() == 64);
  }
}
