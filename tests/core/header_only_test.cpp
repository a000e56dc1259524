// SPDX-License-Identifier: Apache-2.0
// Built against telcrm::header_only with -fno-exceptions: the library must work when a host
// just copies include/ into its tree.
#include <telcrm/memory.hpp>  // outside the umbrella: they must be header-only too
#include <telcrm/pbx.hpp>
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

TEST_CASE("header-only mode reads a PBX request and the caller it names") {
  auto call = telcrm::pbx::parse_new_call(
      R"({"call":"c1","from":"<sip:+79161234567@gw;user=phone>","to":"sip:74951234567@pbx"})");
  REQUIRE(call.has_value());
  CHECK(telcrm::pbx::caller_of(call->from, call->asserted).number == "+79161234567");
  CHECK(telcrm::pbx::dialled_number(call->to) == "74951234567");
}
