// SPDX-License-Identifier: Apache-2.0
// Region and its table (R-N2: "trunk prefixes come from a per-region table").

#include <telcrm/phone/region.hpp>

#include <doctest/doctest.h>

#include <set>
#include <string>

#include "phone/phone_test_support.hpp"

using telcrm::Region;
using telcrm_test::str;

TEST_CASE("R-N2 the region table holds every region with an ITU country calling code") {
  CHECK(Region::count() >= 245);
  std::set<std::string> codes;
  for (std::uint16_t i = 0; i < Region::count(); ++i) {
    Region r = Region::at(i);
    CAPTURE(str(r.code()));
    CHECK(r.is_known());
    CHECK(r.index() == i);
    codes.insert(str(r.code()));
    // Every code finds its own region again.
    auto found = Region::from_code(r.code());
    REQUIRE(found.has_value());
    CHECK(*found == r);
    if (r.code() != "001") CHECK(r.country_code() != 0);
  }
  CHECK(codes.size() == Region::count());
  for (const char* code : {"RU", "UA", "DE", "FR", "ES", "PT", "BR", "US", "GB", "KZ", "PL",
                           "IN", "IT", "NL", "TR", "CN", "JP", "MX", "AR", "CO", "IL", "AE",
                           "SA", "EG", "NG", "ZA", "AU", "CA", "BY", "VA", "GG", "AX", "SX"})
    CHECK(codes.count(code) == 1);
}

TEST_CASE("R-N2 Region::from_code is case-insensitive and rejects unknown codes") {
  REQUIRE(Region::from_code("ru").has_value());
  CHECK(Region::from_code("ru") == Region::from_code("RU"));
  CHECK(Region::from_code("De") == Region::from_code("DE"));
  CHECK(str(Region::from_code("us")->code()) == "US");
  for (const char* bad : {"", "R", "XX", "RUS", "ZZ", "r1", "  "}) {
    CAPTURE(bad);
    CHECK_FALSE(Region::from_code(bad).has_value());
  }
  // Non-geographic numbers (+800, +882…) have a region of their own.
  auto world = Region::from_code("001");
  REQUIRE(world.has_value());
  CHECK(world->country_code() == 0);
}

TEST_CASE("R-N2 each region knows its calling code and trunk prefix") {
  struct Row {
    const char* code;
    std::uint16_t cc;
    const char* trunk;
  };
  for (Row row : {Row{"RU", 7, "8"}, Row{"KZ", 7, "8"}, Row{"DE", 49, "0"}, Row{"US", 1, "1"},
                  Row{"GB", 44, "0"}, Row{"ES", 34, ""}, Row{"UA", 380, "0"}, Row{"MX", 52, "01"},
                  Row{"VA", 39, ""}, Row{"AR", 54, "0"}}) {
    CAPTURE(row.code);
    Region r = telcrm_test::region(row.code);
    CHECK(r.country_code() == row.cc);
    CHECK(str(r.trunk_prefix()) == row.trunk);
  }
}

TEST_CASE("R-N2 Region::main_for_country_code finds the main region of a calling code") {
  struct Row {
    std::uint16_t cc;
    const char* code;
  };
  for (Row row : {Row{1, "US"}, Row{7, "RU"}, Row{44, "GB"}, Row{49, "DE"}, Row{39, "IT"},
                  Row{380, "UA"}, Row{800, "001"}, Row{882, "001"}}) {
    CAPTURE(row.cc);
    auto r = Region::main_for_country_code(row.cc);
    REQUIRE(r.has_value());
    CHECK(str(r->code()) == row.code);
  }
  for (std::uint16_t unassigned : {0, 28, 999, 1000, 65535})
    CHECK_FALSE(Region::main_for_country_code(unassigned));
}

TEST_CASE("R-N2 an unknown region resolves nothing") {
  Region unknown;
  CHECK_FALSE(unknown.is_known());
  CHECK(unknown.code().empty());
  CHECK(unknown.country_code() == 0);
  CHECK(unknown.trunk_prefix().empty());
  CHECK(Region::at(Region::count()).code().empty());  // past the end: unknown, not a crash
}
