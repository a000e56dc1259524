// SPDX-License-Identifier: Apache-2.0
// The main of the PostgreSQL test programs: without a cluster (no PostgreSQL installed) they
// skip loudly — exit code 77, which ctest reports as "Skipped" — unless CI is set, where a
// missing PostgreSQL fails the suite.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>

#include "postgres/pg_fixture.hpp"

int main(int argc, char** argv) {
  const auto& c = telcrm_test::cluster();
  if (!c.available) {
    std::fprintf(stderr, "\n*** PostgreSQL tests SKIPPED: %s ***\n\n", c.why.c_str());
    return std::getenv("CI") != nullptr ? 1 : 77;
  }
  doctest::Context context(argc, argv);
  return context.run();
}
