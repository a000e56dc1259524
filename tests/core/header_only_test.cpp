// SPDX-License-Identifier: Apache-2.0
// Built against telcrm::header_only with -fno-exceptions: the library must work when a host
// just copies include/ into its tree.
#include <telcrm/memory.hpp>  // outside the umbrella: they must be header-only too
#include <telcrm/sim.hpp>
#include <telcrm/telcrm.hpp>

#define DOCTEST_CONFIG_NO_EXCEPTIONS_BUT_WITH_ALL_ASSERTS
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#ifdef TELCRM_COMPILED_LIB
#error "this test must be built in header-only mode"
#endif

TEST_CASE("header-only mode normalises a number without the compiled library") {
  auto ru = telcrm::Region::from_code("RU");
  REQUIRE(ru.has_value());
  telcrm::PhoneNormalizer normalizer;
  auto number = normalizer.normalize("8 (916) 123-45-67", *ru);
  CHECK(number.e164() == "+79161234567");
  CHECK(number.status() == telcrm::NumberStatus::valid);
}
