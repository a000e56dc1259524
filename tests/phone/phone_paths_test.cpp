// SPDX-License-Identifier: Apache-2.0
// PhoneNormalizer reads plain inputs (digits, +, plain separators, an ASCII label) with a
// shortcut; every other input goes through the full reader. This test, built header-only so
// that it can reach the full reader, checks that both give the same number for everything
// the shortcut accepts (R-N1: only the order of the digits matters, whatever the path).

#include <telcrm/phone/phone_normalizer.hpp>

#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#ifdef TELCRM_COMPILED_LIB
#error "this test must be built in header-only mode"
#endif

namespace internal = telcrm::TELCRM_ABI_NAMESPACE::detail::normalize;

TEST_CASE("R-N1 the shortcut for plain inputs and the full reader give the same number") {
  std::uint64_t state = 99;
  auto next = [&state] {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  };
  const std::array<std::string_view, 36> pieces = {
      "0",      "1",      "7",      "8",       "9",      "49",     "810",    "00",     "+",
      "++",     " ",      "-",      "(",       ")",      "/",      ".",      "'",      "\t",
      ".0",     "Tel.: ", "tel:",   "Mobile ", "x",      "E",      "\u00A0", "\u2013", "\u200E",
      "\u0663", "\uFF18", "\u096F", "моб. ",   "\uFF0B", "\uFF0E", "\uFF1A", ",",      "\xff"};
  const std::array<std::string_view, 8> regions = {"RU", "DE", "US", "AR", "BR", "GB", "PL", "001"};
  const telcrm::PhoneNormalizer normalizer;
  int shortcut = 0;
  for (int round = 0; round < 40000; ++round) {
    std::string input;
    const std::size_t parts = 1 + next() % 14;
    for (std::size_t i = 0; i < parts; ++i) input += pieces[next() % pieces.size()];
    const auto region =
        telcrm::Region::from_code(regions[next() % regions.size()]).value_or(telcrm::Region{});
    char digits[250];
    std::size_t count = 0;
    bool plus = false;
    if (input.size() <= 250 && internal::read_simple(input, digits, count, plus)) ++shortcut;
    const telcrm::PhoneNumber fast = normalizer.normalize(input, region);
    const telcrm::PhoneNumber full = internal::normalize_text(input, region, normalizer.options());
    CAPTURE(input);
    CHECK(fast == full);
  }
  CHECK(shortcut > 5000);  // the shortcut was really exercised
}
