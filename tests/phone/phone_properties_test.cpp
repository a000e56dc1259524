// SPDX-License-Identifier: Apache-2.0
// Properties of PhoneNormalizer over many generated inputs (R-N1, R-N2, R-N5).

#include <telcrm/phone/phone_normalizer.hpp>

#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "phone/phone_test_support.hpp"

using telcrm::NumberStatus;
using telcrm_test::read;
using telcrm_test::str;

namespace {

struct Rng {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
};

struct Base {
  std::string_view input;
  std::string_view region;
};

// Numbers written with digits and + only, in every R-N2 form; none ends in 0, so that a
// '.' before the last digits can never look like a spreadsheet's "….0".
constexpr std::array<Base, 22> bases = {{
    {"+79161234567", "RU"},
    {"89161234567", "RU"},
    {"79161234567", "RU"},
    {"81049301234567", "RU"},
    {"+380441234567", "RU"},
    {"0301234567", "DE"},
    {"+493098765432", "DE"},
    {"0049301234567", "DE"},
    {"4915123456789", "DE"},
    {"+4402079460018", "RU"},
    {"12125551234", "US"},
    {"2125551234", "US"},
    {"01144207946001", "US"},
    {"0612345678", "FR"},
    {"612345678", "ES"},
    {"+5491123456789", "AR"},
    {"01115234567 89", "AR"},
    {"0441234567", "UA"},
    {"112", "RU"},
    {"+70001234567", "RU"},
    {"+7916123", "RU"},
    {"+99912345678", "DE"},
}};

// No `~`: before the last digits of a complete number it is a wait mark that introduces an
// extension (R-N3); the tilde operator stays a separator.
constexpr std::array<std::string_view, 31> separators = {
    " ",      "-",      ".",      "/",      "(",      ")",      "\u00A0", "\u2013",
    "\u2014", "\u2010", "\u2212", "\u202F", "\u2009", "\u3000", "\u200B", "\u200E",
    "\u200F", "\u2060", "\uFEFF", "\u2066", "\u2069", "\uFF0D", "\uFF08", "\uFF09",
    "\u223C", "'",      "\"",     "_",      "[",      "]",      "\t"};

// Whitespace and filler that may pad a field (R-N5), ASCII and Unicode.
constexpr std::array<std::string_view, 12> paddings = {
    " ", "\t", "\r\n", "-", ".", "_", "\u00A0", "\u3000", "\u2014", "\u2026", "\uFF3F", " _"};

// The ASCII padding at both ends dropped.
std::string_view trim_ascii_padding(std::string_view s) {
  constexpr std::string_view padding = " \t\n\r\v\f-._";
  const std::size_t begin = s.find_first_not_of(padding);
  if (begin == std::string_view::npos) return {};
  return s.substr(begin, s.find_last_not_of(padding) - begin + 1);
}

void check_same(const telcrm::PhoneNumber& a, const telcrm::PhoneNumber& b) {
  CHECK(str(a.e164()) == str(b.e164()));
  CHECK(a.status() == b.status());
  CHECK(a.reason() == b.reason());
  CHECK(a.country_source() == b.country_source());
  CHECK(str(a.digits()) == str(b.digits()));
  CHECK(str(a.extension()) == str(b.extension()));
}

}  // namespace

TEST_CASE("R-N1 property: random separators between digits never change the result") {
  Rng rng{42};
  for (const auto& base : bases) {
    const auto expected = read(base.input, base.region);
    for (int round = 0; round < 150; ++round) {
      std::string variant;
      if (rng.below(3) == 0) variant += separators[rng.below(separators.size())];
      for (char c : base.input) {
        if (c == ' ') continue;
        variant += c;
        for (std::size_t k = rng.below(4); k > 0 && k < 3; --k)
          variant += separators[rng.below(separators.size())];
      }
      if (rng.below(3) == 0) variant += separators[rng.below(separators.size())];
      CAPTURE(variant);
      check_same(read(variant, base.region), expected);
    }
  }
}

TEST_CASE("R-N5 property: padding at both ends never changes the result, however long") {
  Rng rng{250};
  for (const auto& base : bases) {
    const auto expected = read(base.input, base.region);
    for (int round = 0; round < 60; ++round) {
      std::string variant;
      const std::size_t before = rng.below(4) == 0 ? 0 : rng.below(round % 2 == 0 ? 40 : 700);
      const std::size_t after = rng.below(4) == 0 ? 0 : rng.below(round % 3 == 0 ? 40 : 700);
      const std::string_view filler = paddings[rng.below(paddings.size())];
      while (variant.size() < before) variant += filler;
      variant += base.input;
      const std::size_t end = variant.size() + after;
      while (variant.size() < end) variant += paddings[rng.below(paddings.size())];
      CAPTURE(variant.size());
      CAPTURE(str(base.input));
      check_same(read(variant, base.region), expected);
    }
  }
  // Beyond the padding, more than 250 characters are not read: a number in a long note.
  std::string note(251, 'a');
  CHECK(read(note + " +7 916 123 45 67", "RU").reason() == telcrm::InvalidReason::input_too_long);
  CHECK(read("+7 916 123 45 67 " + note, "RU").reason() == telcrm::InvalidReason::input_too_long);
}

TEST_CASE("R-N2 property: normalising an e164() output gives the same number") {
  Rng rng{7};
  const std::array<std::string_view, 12> regions = {"RU", "DE", "US", "GB", "FR", "KZ",
                                                    "AR", "BR", "IN", "JP", "AU", "CN"};
  int checked = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string input = rng.below(2) == 0 ? "+" : "";
    std::size_t length = 5 + rng.below(11);
    for (std::size_t i = 0; i < length; ++i) input += static_cast<char>('0' + rng.below(10));
    const auto region = regions[rng.below(regions.size())];
    const auto first = read(input, region);
    if (!first.is_dialable()) continue;
    ++checked;
    const auto again = read(first.e164(), regions[rng.below(regions.size())]);
    CAPTURE(input);
    CAPTURE(str(region));
    CHECK(str(again.e164()) == str(first.e164()));
    CHECK(again.status() == first.status());
    CHECK(again.key() == first.key());
  }
  CHECK(checked > 5000);
  for (const auto& base : bases) {
    const auto first = read(base.input, base.region);
    if (!first.is_dialable()) continue;
    CHECK(str(read(first.e164(), "US").e164()) == str(first.e164()));
  }
}

TEST_CASE("R-N5 property: any bytes of any length give a consistent result, never a crash") {
  Rng rng{2024};
  const std::array<std::string_view, 24> pieces = {
      "0", "1", "5", "7",   "9",    "+",    "-",    " ", "(", ")", "#",      "*",
      ",", ";", "x", "ext", "доб.", "tel:", "sip:", "@", "<", ">", "\u0663", "\uFF18"};
  for (int round = 0; round < 60000; ++round) {
    std::string input;
    const std::size_t parts = rng.below(round % 50 == 0 ? 300 : 40);
    for (std::size_t i = 0; i < parts; ++i) {
      if (rng.below(3) == 0) {
        input += static_cast<char>(rng.below(256));  // any byte, malformed UTF-8 included
      } else {
        input += pieces[rng.below(pieces.size())];
      }
    }
    const std::string_view regions[] = {"RU", "US", "DE", "001", ""};
    const std::string_view region = regions[rng.below(5)];
    const auto n = read(input, region);
    if (input.size() > 250) {
      // Over-long counts once the padding at both ends is dropped (R-N5).
      const std::string_view core = trim_ascii_padding(input);
      if (core.size() > 250) {
        CHECK(n.reason() == telcrm::InvalidReason::input_too_long);
      } else {
        CHECK(n == read(core, region));
      }
      continue;
    }
    const bool dialable = n.is_dialable();
    if (dialable != !n.e164().empty()) {
      FAIL_CHECK("e164 present iff dialable: " << input);
      continue;
    }
    if (dialable) {
      const std::string_view e164 = n.e164();
      bool digits_only = e164.size() >= 3 && e164.size() <= 21 && e164[0] == '+';
      std::uint64_t key = 0;
      for (char c : e164.substr(1)) {
        digits_only = digits_only && c >= '0' && c <= '9';
        key = key * 10 + static_cast<std::uint64_t>(c - '0');
      }
      CHECK(digits_only);
      CHECK(n.key() == key);
      CHECK(n.country_code() != 0);
      CHECK_FALSE(n.national_number().empty());
      CHECK(n.reason() == telcrm::InvalidReason::none);
    } else {
      CHECK(n.key() == 0);
      CHECK((n.status() == NumberStatus::invalid) == (n.reason() != telcrm::InvalidReason::none));
    }
    for (char c : n.extension()) CHECK((c >= '0' && c <= '9'));
    CHECK(n.extension().size() <= telcrm::PhoneNumber::max_extension);
    CHECK(n.digits().size() <= telcrm::PhoneNumber::max_digits);
    for (char c : n.digits()) CHECK(((c >= '0' && c <= '9') || c == '*' || c == '#'));
    if (n.status() == NumberStatus::short_code)
      CHECK(n.country_source() == telcrm::CountrySource::none);
    CHECK(read(input, "RU") == read(input, "RU"));  // pure: same input, same result
  }
}
