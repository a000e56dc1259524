// SPDX-License-Identifier: Apache-2.0
// describe(): the words for a number's status and for how its country was told.
#include <telcrm/phone/phone_number.hpp>

#include <doctest/doctest.h>

#include "describe_check.hpp"

using namespace telcrm;

// Constant expressions, so a host can build tables of them at compile time.
static_assert(describe(NumberStatus::short_code) == "a service code or inner extension");
static_assert(describe(CountrySource::plus_sign) == "written with +");

TEST_CASE("describe(NumberStatus) and describe(CountrySource): words of their own for each value") {
  telcrm_test::check_words(NumberStatus::valid, NumberStatus::invalid);
  telcrm_test::check_words(CountrySource::none, CountrySource::default_region);
  CHECK(describe(NumberStatus::possible) ==
        "a possible number: the length fits, the pattern is unknown");
  CHECK(describe(CountrySource::default_region) == "a national form, read in the default region");
}
