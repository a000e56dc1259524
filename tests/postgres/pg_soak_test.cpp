// SPDX-License-Identifier: Apache-2.0
// The fault soak (telcrm/testing/fault_soak.hpp) over PostgresCrmStore: calls through an
// engine whose store fails, times out and loses replies, then heals — every call's activity
// exactly once, one lead per unknown number, the outbox empty (R-I1, R-I2, R-I3, R-L5).
#include <telcrm/postgres/postgres_crm_store.hpp>
#include <telcrm/testing/fault_soak.hpp>

#include <doctest/doctest.h>

#include "postgres/pg_fixture.hpp"

using namespace telcrm;

TEST_CASE("R-I1 R-I2 R-I3 R-L5 fault soak over PostgresCrmStore: nothing lost, nothing doubled") {
  telcrm_test::Schema schema;
  auto store = telcrm_test::open_store(schema.conninfo(), PostgresOptions{.listen = false});
  SoakOptions o;
  o.calls = 10000;  // the CI size over every store (scripts/fault-soak.sh: 100,000)
  const SoakReport r = run_fault_soak(*store, o);
  for (const auto& f : r.failures) FAIL_CHECK(to_string(f));
  CHECK(r.calls == o.calls);
  CHECK(r.activities == o.calls);
  CHECK(r.leads == r.unknown_numbers_called);
  CHECK(r.faults.lost_replies > 0);
}
