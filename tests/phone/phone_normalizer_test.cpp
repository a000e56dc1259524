// SPDX-License-Identifier: Apache-2.0
// PhoneNormalizer, rule by rule (R-N1 … R-N5, and the normaliser side of R-N7).

#include <telcrm/phone/phone_normalizer.hpp>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <string>
#include <string_view>

#include "phone/phone_test_support.hpp"

using telcrm::CountrySource;
using telcrm::InvalidReason;
using telcrm::NumberStatus;
using telcrm_test::read;
using telcrm_test::str;

namespace {

struct Expect {
  std::string_view input;
  std::string_view region;
  std::string_view e164;
  std::string_view extension = {};
};

void check_rows(std::initializer_list<Expect> rows) {
  for (const auto& row : rows) {
    CAPTURE(str(row.input));
    CAPTURE(str(row.region));
    const telcrm::PhoneNumber n = read(row.input, row.region);
    CHECK(str(n.e164()) == str(row.e164));
    CHECK(str(n.extension()) == str(row.extension));
    CHECK(n.is_dialable());
  }
}

}  // namespace

TEST_CASE("R-N examples: every row of the spec's example table holds") {
  check_rows({
      {"+7 (916) 123-45-67", "RU", "+79161234567"},
      {"8 (916) 123-45-67", "RU", "+79161234567"},
      {"79161234567", "RU", "+79161234567"},
      {"8-800-555-35-35", "RU", "+78005553535"},
      {"810 49 30 1234567", "RU", "+49301234567"},
      {"+380 44 123 4567", "RU", "+380441234567"},
      {"+7 495 123-45-67 доб. 101", "RU", "+74951234567", "101"},
      {"0049 30 1234567", "DE", "+49301234567"},
      {"030 1234567", "DE", "+49301234567"},
      {"+49 (0)30 98765432", "DE", "+493098765432"},
      {"+44 (0)20 7946 0018", "RU", "+442079460018"},
      {"011 1 212 555 1234", "US", "+12125551234"},
      {"1 212 555 1234", "US", "+12125551234"},
      {"(212) 555-1234", "US", "+12125551234"},
      {"06 12 34 56 78", "FR", "+33612345678"},
      {"612 34 56 78", "ES", "+34612345678"},
  });
  // Every row is a real number of its country, not just a plausible length.
  CHECK(read("+7 (916) 123-45-67", "RU").status() == NumberStatus::valid);
  CHECK(read("612 34 56 78", "ES").status() == NumberStatus::valid);
}

TEST_CASE("R-N1 separators of every kind between digits are ignored") {
  check_rows({
      {"+7 916 123 45 67", "RU", "+79161234567"},
      {"+7-916-123-45-67", "RU", "+79161234567"},
      {"+7.916.123.45.67", "RU", "+79161234567"},
      {"+7/916/1234567", "RU", "+79161234567"},
      {"(+7) [916] 123-4567", "RU", "+79161234567"},
      {"+7 916 123\u201345\u201467", "RU", "+79161234567"},            // en and em dash
      {"+7\u00A0916\u00A0123\u00A045\u00A067", "RU", "+79161234567"},  // NBSP
      {"+7\u202F916\u2009123\u300045\u200267", "RU", "+79161234567"},  // narrow, thin, ideographic
      {"\u200E+7 916 123 45 67\u200F", "RU", "+79161234567"},          // bidi marks
      {"\u2066+7\u200B916\u2060123\uFEFF4567\u2069", "RU", "+79161234567"},  // isolates, zero-width
      {"+7 916 123\u221245\u221267", "RU", "+79161234567"},                  // minus sign
      {"\uFF0B7\uFF08916\uFF09123\uFF0D45\uFF0D67", "RU", "+79161234567"},   // full-width signs
      {"8~10~49~30~1234567", "RU", "+49301234567"},  // 8~10: wait for the tone
      {"  +7 916 1234567  \t\n", "RU", "+79161234567"},
  });
}

TEST_CASE("R-N1 labels, names and URIs around the number are not part of it") {
  check_rows({
      {"Tel.: +49 30 1234567", "DE", "+49301234567"},
      {"моб. 8 916 123-45-67", "RU", "+79161234567"},
      {"Тел: +7 495 123 45 67", "RU", "+74951234567"},
      {"Ivan Petrov +7 916 123 45 67", "RU", "+79161234567"},
      {"+7 916 123 45 67 Ivan", "RU", "+79161234567"},  // a name after the number: a label
      {"8 916 123-45-67 (моб.)", "RU", "+79161234567"},
      {"tel:+7-916-123-45-67", "RU", "+79161234567"},
      {"TEL:+4930123456", "DE", "+4930123456"},
      {"sip:+79161234567@pbx.example.com;user=phone", "DE", "+79161234567"},
      {"sips:+4930123456@pbx.example", "RU", "+4930123456"},
      {"\"Kundendienst\" <sip:+4930123456@pbx.example;user=phone>", "DE", "+4930123456"},
      {"\"Office 2\" <sip:030123456@pbx>", "DE", "+4930123456"},
      {"Office 2 <+49 30 123456>", "RU", "+4930123456"},
      {"'+79161234567", "RU", "+79161234567"},                     // a spreadsheet's text marker
      {"79161234567.0", "RU", "+79161234567"},                     // a spreadsheet's float
      {"8 916 123-45-67, 8 495 123-45-67", "RU", "+79161234567"},  // a list: the first number
  });
}

TEST_CASE("R-N2 a national form with the region's trunk prefix resolves to its country") {
  check_rows({
      {"8 (916) 123-45-67", "RU", "+79161234567"},
      {"8 (701) 123-45-67", "KZ", "+77011234567"},
      {"8 029 491-19-11", "BY", "+375294911911"},
      {"030 1234567", "DE", "+49301234567"},
      {"01512 3456789", "DE", "+4915123456789"},
      {"06 12 34 56 78", "FR", "+33612345678"},
      {"044 123 4567", "UA", "+380441234567"},
      {"020 7946 0018", "GB", "+442079460018"},
      {"081234 56789", "IN", "+918123456789"},
      {"(11) 96123-4567", "BR", "+5511961234567"},
      {"1 (212) 555-1234", "US", "+12125551234"},
      {"1 416 555 0123", "CA", "+14165550123"},
      {"612 34 56 78", "ES", "+34612345678"},
      {"21 123 4567", "PT", "+351211234567"},
      {"06 1234 5678", "IT", "+390612345678"},  // Italy keeps the 0: it is no trunk prefix
      {"22 123 45 67", "PL", "+48221234567"},
      {"022 123 45 67", "PL", "+48221234567"},       // the 0 Poland dropped in 2005, still written
      {"011 15-2345-6789", "AR", "+5491123456789"},  // AR mobiles: 0 area 15 … → +54 9 area …
      {"044 55 1234 5678", "MX", "+525512345678"},   // a carrier prefix
  });
  CHECK(read("8 (916) 123-45-67", "RU").country_source() == CountrySource::default_region);
  // The same digits mean another number against another default region.
  CHECK(str(read("030 1234567", "RU").e164()) != "+49301234567");
}

TEST_CASE("R-N2 the trunk prefixes come from the region table") {
  struct Row {
    std::string_view region, trunk;
  };
  for (Row row : {Row{"RU", "8"}, Row{"KZ", "8"}, Row{"BY", "8"}, Row{"DE", "0"}, Row{"FR", "0"},
                  Row{"UA", "0"}, Row{"GB", "0"}, Row{"IN", "0"}, Row{"BR", "0"}, Row{"US", "1"},
                  Row{"CA", "1"}, Row{"JM", "1"}, Row{"ES", ""}, Row{"PT", ""}, Row{"IT", ""}}) {
    CAPTURE(str(row.region));
    CHECK(str(telcrm_test::region(row.region).trunk_prefix()) == str(row.trunk));
  }
}

TEST_CASE(
    "R-N2 an international form with an exit code of the region resolves to the country it names") {
  check_rows({
      {"810 49 30 1234567", "RU", "+49301234567"},
      {"8-10-49-30-1234567", "RU", "+49301234567"},
      {"8~10 44 20 7946 0018", "KZ", "+442079460018"},
      {"0049 30 1234567", "DE", "+49301234567"},
      {"00 7 916 123 45 67", "FR", "+79161234567"},
      {"011 44 20 7946 0018", "US", "+442079460018"},
      {"011 7 916 123 45 67", "CA", "+79161234567"},
      {"0011 49 30 1234567", "AU", "+49301234567"},
      {"010 49 30 1234567", "JP", "+49301234567"},
      {"001 49 30 1234567", "KR", "+49301234567"},
      {"0021 49 30 1234567", "BR", "+49301234567"},  // 00 + a carrier code
      {"009 49 30 1234567", "NG", "+49301234567"},
      {"012 49 30 1234567", "IL", "+49301234567"},
  });
  CHECK(read("0049 30 1234567", "DE").country_source() == CountrySource::exit_code);
  CHECK(read("810 49 30 1234567", "RU").country_source() == CountrySource::exit_code);
  // 00 is accepted where the region's own exit code is another, when it gives a valid number.
  auto abroad = read("00 49 30 1234567", "RU");
  CHECK(str(abroad.e164()) == "+49301234567");
  CHECK(abroad.country_source() == CountrySource::exit_code);
}

TEST_CASE("R-N2 a + resolves to the country it names, slips with an unambiguous intent included") {
  check_rows({
      {"+49 30 1234567", "RU", "+49301234567"},
      {"+1 212 555 1234", "DE", "+12125551234"},
      {"+380 44 123 4567", "US", "+380441234567"},
      {"+800 1234 5678", "DE", "+80012345678"},  // non-geographic
      {"++7 916 123 45 67", "RU", "+79161234567"},
      {"+ 7 916 123 45 67", "RU", "+79161234567"},
      {"+0049 30 1234567", "DE", "+49301234567"},
      {"+0049 30 1234567", "US", "+49301234567"},
      {"+011 49 30 1234567", "US", "+49301234567"},
      {"+49 30 1234567", "", "+49301234567"},  // no default region needed
  });
  auto n = read("+7 916 123 45 67", "DE");
  CHECK(n.country_source() == CountrySource::plus_sign);
  CHECK(n.country_code() == 7);
  CHECK(str(n.national_number()) == "9161234567");
  CHECK(read("+0049 30 1234567", "DE").country_source() == CountrySource::plus_sign);
}

TEST_CASE("R-N2 after an explicit country code its trunk prefix, often written (0), is dropped") {
  check_rows({
      {"+49 (0)30 98765432", "DE", "+493098765432"},
      {"+49 (0) 30 98765432", "RU", "+493098765432"},
      {"+44 (0)20 7946 0018", "RU", "+442079460018"},
      {"+44 020 7946 0018", "US", "+442079460018"},
      {"+7 (8) 916 123 45 67", "DE", "+79161234567"},
      {"+33 (0)6 12 34 56 78", "DE", "+33612345678"},
      {"0049 (0)30 1234567", "DE", "+49301234567"},
      {"+39 06 1234 5678", "DE", "+390612345678"},  // no trunk prefix in Italy: 0 stays
  });
  // Only when the rest is a possible length: here the 8 is part of a (possible) number.
  auto kept = read("+7 8 916 123 45 6", "DE");
  CHECK(str(kept.national_number()) == "8916123456");
  CHECK(kept.status() == NumberStatus::possible);
}

TEST_CASE(
    "R-N2 digits that begin with the region's own country code are international only when that "
    "reads better") {
  auto ru = read("79161234567", "RU");
  CHECK(str(ru.e164()) == "+79161234567");
  CHECK(ru.country_source() == CountrySource::leading_country_code);
  CHECK(str(read("77011234567", "KZ").e164()) == "+77011234567");
  CHECK(str(read("380441234567", "UA").e164()) == "+380441234567");
  CHECK(str(read("4930123456", "DE").e164()) == "+4930123456");  // 0493 0123456 is no number
  // The spec's counter-example: the whole is a valid German number, so it stays national.
  auto de = read("4915123456789", "DE");
  CHECK(str(de.e164()) == "+494915123456789");
  CHECK(de.country_source() == CountrySource::default_region);
  // NANP: the trunk prefix is the country code; the national reading gives the same number.
  auto us = read("12125551234", "US");
  CHECK(str(us.e164()) == "+12125551234");
  CHECK(us.country_source() == CountrySource::default_region);
}

TEST_CASE("R-N3 extensions in every notation are split off") {
  check_rows({
      {"+7 495 123-45-67 доб. 101", "RU", "+74951234567", "101"},
      {"+7 495 123-45-67 ДОБ.101", "RU", "+74951234567", "101"},
      {"+7 495 123-45-67 (доб. 101)", "RU", "+74951234567", "101"},
      {"+7 495 123-45-67 вн. 101", "RU", "+74951234567", "101"},
      {"+380 44 123 4567 дод. 101", "UA", "+380441234567", "101"},
      {"+1 212 555 1234 ext. 101", "US", "+12125551234", "101"},
      {"+1 212 555 1234 Ext 101", "US", "+12125551234", "101"},
      {"+1 212 555 1234 extension 101", "US", "+12125551234", "101"},
      {"+1 212 555 1234 x101", "US", "+12125551234", "101"},
      {"(212) 555-1234 X 101", "US", "+12125551234", "101"},
      {"212-555-1234x101", "US", "+12125551234", "101"},
      {"+7 495 123-45-67#101", "RU", "+74951234567", "101"},
      {"+7 495 123-45-67 # 101", "RU", "+74951234567", "101"},
      {"tel:+1-212-555-1234;ext=101", "US", "+12125551234", "101"},
      {"+33 1 23 45 67 89 poste 101", "FR", "+33123456789", "101"},
      {"+55 11 2345-6789 ramal 101", "BR", "+551123456789", "101"},
      {"+48 22 123 45 67 wew. 101", "PL", "+48221234567", "101"},
      {"+34 91 123 45 67 anexo 101", "ES", "+34911234567", "101"},
      {"030 1234567 Durchwahl 12", "DE", "+49301234567", "12"},
      {"030 1234567 DW 12", "DE", "+49301234567", "12"},
      {"+39 02 1234 5678 interno 101", "IT", "+390212345678", "101"},
      {"+31 20 123 4567 toestel 101", "NL", "+31201234567", "101"},
      {"+90 212 123 45 67 dahili 101", "TR", "+902121234567", "101"},
      {"+81 3-1234-5678 内線 101", "JP", "+81312345678", "101"},
      {"+49 30 1234567,101", "DE", "+49301234567", "101"},   // pause, then dial
      {"+49 30 1234567,,101", "DE", "+49301234567", "101"},  // two pauses
      {"+49 30 1234567p101", "DE", "+49301234567", "101"},   // dialler pause
      {"+49 30 1234567w101", "DE", "+49301234567", "101"},   // dialler wait
  });
  // A marker with nothing after it: no extension.
  check_rows({{"+7 495 123-45-67#", "RU", "+74951234567"},
              {"+7 495 123-45-67 доб.", "RU", "+74951234567"}});
  // Markers are removed before letters are read as keypad digits.
  check_rows({{"1-800-FLOWERS ext. 12", "US", "+18003569377", "12"},
              {"1-800-FLOWERS x12", "US", "+18003569377", "12"},
              {"1-800-FLOWERS доб. 12", "US", "+18003569377", "12"}});
  // Extensions play no part in the number.
  CHECK(read("+1 212 555 1234 x101", "US").key() == read("+1 212 555 1234", "US").key());
}

TEST_CASE("R-N3 pause and wait marks after a complete number introduce the extension") {
  check_rows({
      {"0 170 486 6174~132", "DE", "+491704866174", "132"},  // ~: wait for the answer
      {"+49 30 1234567 ~ 132", "DE", "+49301234567", "132"},
      {"+49 30 1234567~~132", "DE", "+49301234567", "132"},
      {"+49 30 1234567\uFF5E132", "DE", "+49301234567", "132"},  // full-width tilde
      {"8 (916) 123-45-67~101", "RU", "+79161234567", "101"},
      {"(212) 555-1234 ~ 101#", "US", "+12125551234", "101"},
      {"+49 30 1234567~123456789", "DE", "+49301234567", "123456789"},
      {"+49 30 1234567;132", "DE", "+49301234567", "132"},  // ;: wait (Android, iPhone)
      {"+49 30 1234567 ; 132", "DE", "+49301234567", "132"},
      {"+49 30 1234567, 132", "DE", "+49301234567", "132"},
      {"+49 30 1234567,132#", "DE", "+49301234567", "132"},
      {"8~10~49~30~1234567~12", "RU", "+49301234567", "12"},
  });
  // Before digits that are no complete number, ~ is the separator of 8~10 (R-N1).
  check_rows(
      {{"8~10~49~30~1234567", "RU", "+49301234567"}, {"8~10 49 30 1234567", "RU", "+49301234567"}});
  // More than nine digits after the mark are not an extension.
  CHECK_FALSE(read("+49 30 1234567~1234567890", "DE").is_dialable());
}

TEST_CASE("R-N4 digits of every script count as digits") {
  check_rows({
      {"\uFF0B\uFF17 \uFF19\uFF11\uFF16 \uFF11\uFF12\uFF13 \uFF14\uFF15 \uFF16\uFF17", "RU",
       "+79161234567"},  // full-width
      {"\u0668\u0669\u0661\u0666\u0661\u0662\u0663\u0664\u0665\u0666\u0667", "RU",
       "+79161234567"},  // Arabic-Indic
      {"\u06F0\u06F9\u06F1\u06F2 \u06F3\u06F4\u06F5 \u06F6\u06F7\u06F8\u06F9", "IR",
       "+989123456789"},  // Eastern Arabic-Indic (Persian)
      {"+\u0669\u0667\u0661 \u0665\u0660 \u0661\u0662\u0663 \u0664\u0665\u0666\u0667", "AE",
       "+971501234567"},
      {"+\u096F\u0967 \u096E\u0967\u0968\u0969\u096A \u096B\u096C\u096D\u096E\u096F", "IN",
       "+918123456789"},                                          // Devanagari
      {"+7 \u0669\u0967\u0666 123 45 67", "RU", "+79161234567"},  // mixed scripts
  });
}

TEST_CASE("R-N4 vanity letters are keypad digits when at least three remain") {
  check_rows({
      {"1-800-FLOWERS", "US", "+18003569377"},
      {"1-800-GOT-JUNK", "US", "+18004685865"},
      {"1 800 flowers", "US", "+18003569377"},
      {"+1 (800) CALL-ATT", "DE", "+18002255288"},
      {"1-800-\uFF26\uFF2C\uFF2F\uFF37\uFF25\uFF32\uFF33", "US", "+18003569377"},  // full-width
  });
  // Two letters are not a vanity number; the option lowers the bar.
  auto two = read("+1 212 555 12AB", "US");
  CHECK_FALSE(two.is_dialable());
  telcrm::PhoneNormalizer lenient(telcrm::NormalizerOptions{2});
  CHECK(str(lenient.normalize("+1 212 555 12AB", telcrm_test::region("US")).e164()) ==
        "+12125551222");
  CHECK(lenient.options().min_vanity_letters == 2);
  // Letters after a complete number are a label, not part of it.
  auto named = read("+7 916 123 45 67 Ivan", "RU");
  CHECK(str(named.digits()) == "79161234567");
}

TEST_CASE("R-N4 vanity letters at the end count when they make a valid number, labels do not") {
  check_rows({
      // In plans with numbers of many lengths the digits alone are valid too; letters in
      // capitals after them are still keypad digits.
      {"0351/915 ROO", "DE", "+49351915766"},
      {"0351 915 ROOM", "DE", "+493519157666"},
      {"+49 351 915 ROO", "RU", "+49351915766"},
      {"(0XX12) 3456 ROOM", "BR", "+551234567666"},
      // A word in lower case, or a label even in capitals, after a complete number is a label
      // (libphonenumber reads them as keypad digits).
      {"030 1234567 mobil", "DE", "+49301234567"},
      {"030 1234567 (mobil)", "DE", "+49301234567"},
      {"030 1234567 MOBIL", "DE", "+49301234567"},
      {"030 1234567 Handy", "DE", "+49301234567"},
      {"+43 1 234 5678 FAX", "AT", "+4312345678"},
      {"+7 916 123 45 67 IVAN", "RU", "+79161234567"},  // the letters make no valid number
  });
}

TEST_CASE("R-N2 Brazil's carrier notation (0xx12) is the trunk prefix and a carrier code") {
  check_rows({
      {"(0xx12) 3456-7890", "BR", "+551234567890"},
      {"(0XX12) 3456-7890", "BR", "+551234567890"},
      {"0xx21 2345-6789", "BR", "+552123456789"},
      {"(0XX11) 9 6123-4567", "BR", "+5511961234567"},
      {"(0xx11) 96123-4567", "BR", "+5511961234567"},
      {"0xx 21 98765-4321", "BR", "+5521987654321"},
      {"(0xx 12)3456-7890", "BR", "+551234567890"},
  });
  CHECK(read("(0xx12) 3456-7890", "BR").country_source() == CountrySource::default_region);
}

TEST_CASE("R-N5 a tel: URI's phone-context gives the number's country (RFC 3966)") {
  check_rows({
      {"tel:4951234567;phone-context=+7", "DE", "+74951234567"},
      {"tel:495-123-45-67;phone-context=+7", "US", "+74951234567"},
      {"tel:123-45-67;phone-context=+7-495", "US", "+74951234567"},  // with the area code
      {"tel:030123456;phone-context=+49", "RU", "+4930123456"},      // the trunk prefix goes
      {"tel:4951234567;isub=12;phone-context=+7", "DE", "+74951234567"},
      {"tel:4951234567;phone-context=+7;ext=12", "DE", "+74951234567", "12"},
      {"TEL:4951234567;Phone-Context=+7", "DE", "+74951234567"},
      {"sip:4951234567;phone-context=+7@pbx.example;user=phone", "DE", "+74951234567"},
      {"tel:+7-495-123-45-67", "DE", "+74951234567"},  // a global number needs none
      // A domain name says nothing about the country: the default region applies.
      {"tel:4951234567;phone-context=example.com", "RU", "+74951234567"},
  });
  CHECK(read("tel:4951234567;phone-context=+7", "DE").country_source() == CountrySource::plus_sign);
}

TEST_CASE("R-N5 a single * or # typed before a complete number is a slip and is dropped") {
  check_rows({
      {"*8 939 816 73 90", "RU", "+79398167390"},
      {"# 030 1234567", "DE", "+49301234567"},
      {"#(212) 555-1234", "US", "+12125551234"},
      {"*+7 939 816 73 90", "RU", "+79398167390"},
      {"Tel.: *8 (916) 123-45-67 доб. 101", "RU", "+79161234567", "101"},
  });
  // Service codes stay short: not a single sign, or no complete number after it.
  for (std::string_view code : {"*100#", "*100", "*#06#", "**8 939 816 73 90", "*8 939 816 73 90#",
                                "*31#0301234567", "*21*0301234567#", "*67 212 555 1234"}) {
    CAPTURE(str(code));
    const auto n = read(code, code.find("212") != std::string_view::npos ? "US" : "RU");
    CHECK(n.status() == NumberStatus::short_code);
    CHECK(n.e164().empty());
  }
}

TEST_CASE("R-N5 input padded with whitespace or filler past 250 characters is still read") {
  struct Row {
    std::string input;
    std::string_view region, e164, extension;
  };
  const Row rows[] = {
      {"+7 916 123-45-67" + std::string(300, ' '), "RU", "+79161234567", ""},
      {std::string(300, ' ') + "8 (916) 123-45-67", "RU", "+79161234567", ""},
      {std::string(200, '_') + " 030 1234567 " + std::string(200, '_'), "DE", "+49301234567", ""},
      {std::string(120, '-') + "030 1234567" + std::string(150, '.'), "DE", "+49301234567", ""},
      {"(212) 555-1234" + std::string(300, '\t') + "\r\n", "US", "+12125551234", ""},
      {"\u00A0\u00A0\u3000" + std::string(250, ' ') + "+44 20 7946 0018\u2026", "RU",
       "+442079460018", ""},
      {"+7 916 123-45-67 доб. 101" + std::string(10000, ' '), "RU", "+79161234567", "101"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.input.size());
    const auto n = read(row.input, row.region);
    CHECK(str(n.e164()) == str(row.e164));
    CHECK(str(n.extension()) == str(row.extension));
  }
  // More than 250 characters of anything else: a number buried in a long note is not read.
  std::string note;
  while (note.size() < 260) note += "Called about the contract, call back in the morning. ";
  CHECK(read(note + "+7 916 123-45-67", "RU").reason() == InvalidReason::input_too_long);
  CHECK(read("+7 916 123-45-67 " + note, "RU").reason() == InvalidReason::input_too_long);
  CHECK(read(std::string(251, '7'), "RU").reason() == InvalidReason::input_too_long);
}

TEST_CASE("R-N5 every result carries a status: valid, possible, short, invalid") {
  auto valid = read("+7 916 123 45 67", "RU");
  CHECK(valid.status() == NumberStatus::valid);
  CHECK(valid.reason() == InvalidReason::none);

  // The country is known and the length fits, but no pattern of the country matches: it
  // still has an E.164 form and is searched (metadata lag never blocks a match).
  auto possible = read("+7 000 123 45 67", "RU");
  CHECK(possible.status() == NumberStatus::possible);
  CHECK(possible.is_dialable());
  CHECK(str(possible.e164()) == "+70001234567");

  for (const auto& row : {std::pair{"112", "RU"}, std::pair{"911", "US"}, std::pair{"*100#", "RU"},
                          std::pair{"#31#", "DE"}, std::pair{"201", "RU"}, std::pair{"0611", "DE"},
                          std::pair{"*#06#", "FR"}, std::pair{"103", "UA"}}) {
    const char* input = row.first;
    CAPTURE(input);
    auto s = read(input, row.second);
    CHECK(s.status() == NumberStatus::short_code);
    CHECK(s.e164().empty());
    CHECK_FALSE(s.is_dialable());
    CHECK(s.country_source() == CountrySource::none);
  }
  CHECK(str(read("*100#", "RU").digits()) == "*100#");
  CHECK(str(read("201", "RU").digits()) == "201");
}

TEST_CASE("R-N5 garbage, empty or over-long input is invalid with a reason, never a crash") {
  struct Row {
    std::string input;
    std::string_view region;
    InvalidReason reason;
  };
  const Row rows[] = {
      {"", "RU", InvalidReason::empty},
      {" \t\u00A0\u200B ", "RU", InvalidReason::empty},
      {std::string(251, '1'), "RU", InvalidReason::input_too_long},
      {std::string(10000, '7'), "RU", InvalidReason::input_too_long},
      {"abc", "RU", InvalidReason::no_digits},
      {"Tel.: ---", "RU", InvalidReason::no_digits},
      {"+", "RU", InvalidReason::no_digits},
      {"+7 916 123", "RU", InvalidReason::too_short},
      {"8 916 123 45", "RU", InvalidReason::too_short},
      {"+7 916 123 45 67 89 01 23 45 67", "RU", InvalidReason::too_long},
      {"7.91612E+10", "RU", InvalidReason::digits_lost},
      {"7,91612E+10", "DE", InvalidReason::digits_lost},
      {"+999 123 456 7890", "RU", InvalidReason::unknown_country_code},
      {"+0 123 456 7890", "US", InvalidReason::unknown_country_code},
      {"8 916 123 45 67", "001", InvalidReason::unknown_region},
  };
  for (const auto& row : rows) {
    CAPTURE(row.input.substr(0, 40));
    auto n = read(row.input, row.region);
    CHECK(n.status() == NumberStatus::invalid);
    CHECK(n.reason() == row.reason);
    CHECK(n.e164().empty());
    CHECK(n.key() == 0);
    CHECK(n.country_source() == CountrySource::none);
  }
  telcrm::PhoneNormalizer normalizer;
  auto unknown = normalizer.normalize("8 916 123 45 67", telcrm::Region{});
  CHECK(unknown.reason() == InvalidReason::unknown_region);
  CHECK(read(std::string(250, '1'), "RU").reason() != InvalidReason::input_too_long);
}

TEST_CASE("R-N5 statuses and reasons have stable names for logs and the scenario format") {
  CHECK(fmt::format("{}", NumberStatus::valid) == "valid");
  CHECK(fmt::format("{}", NumberStatus::possible) == "possible");
  CHECK(fmt::format("{}", NumberStatus::short_code) == "short");
  CHECK(fmt::format("{}", NumberStatus::invalid) == "invalid");
  CHECK(fmt::format("{}", InvalidReason::digits_lost) == "digits lost (scientific notation)");
  CHECK(fmt::format("{}", InvalidReason::input_too_long) ==
        "input too long (more than 250 characters)");
  CHECK(fmt::format("{}", CountrySource::leading_country_code) == "leading_country_code");
}

TEST_CASE(
    "R-N5 a number carries E.164, its parts, the region it was read against and a compact key") {
  auto n = read("8 (916) 123-45-67", "RU");
  CHECK(str(n.e164()) == "+79161234567");
  CHECK(n.country_code() == 7);
  CHECK(str(n.national_number()) == "9161234567");
  CHECK(str(n.digits()) == "89161234567");
  CHECK(n.key() == 79161234567ULL);
  CHECK(str(n.default_region().code()) == "RU");
  CHECK(read("+380 44 123 4567", "RU").key() == 380441234567ULL);
  // Equal numbers written differently have equal keys; the value type compares exactly.
  CHECK(read("+7 916 123 45 67", "DE").key() == n.key());
  CHECK(read("8 (916) 123-45-67", "RU") == n);
  CHECK_FALSE(read("+7 916 123 45 67", "DE") == n);  // digits and region differ
}

TEST_CASE("R-N7 a number that cannot be normalised keeps its digits") {
  struct Row {
    std::string_view input, region, digits;
  };
  for (Row row :
       {Row{"8 916 123", "RU", "8916123"}, Row{"+999 123 456 7890", "RU", "9991234567890"},
        Row{"7.91612E+10", "RU", "79161210"}, Row{"8 916 123 45 67", "001", "89161234567"},
        Row{"Tel. ٨٩١٦ ١٢٣ (old)", "RU", "8916123"}}) {
    CAPTURE(str(row.input));
    auto n = read(row.input, row.region);
    CHECK(n.status() == NumberStatus::invalid);
    CHECK(str(n.digits()) == str(row.digits));
  }
  // The digits are capped at PhoneNumber::max_digits.
  auto long_one = read(std::string(45, '5'), "RU");
  CHECK(long_one.digits().size() <= telcrm::PhoneNumber::max_digits);
}

TEST_CASE("R-N5 PhoneNumber::from_parts assembles the inline buffers") {
  telcrm::PhoneNumber::Parts parts;
  parts.status = NumberStatus::valid;
  parts.source = CountrySource::plus_sign;
  parts.region = telcrm_test::region("DE");
  parts.country_code = 49;
  parts.national_number = "301234567";
  parts.digits = "49301234567";
  parts.extension = "12";
  auto n = telcrm::PhoneNumber::from_parts(parts);
  CHECK(str(n.e164()) == "+49301234567");
  CHECK(str(n.national_number()) == "301234567");
  CHECK(n.key() == 49301234567ULL);
  CHECK(str(n.extension()) == "12");
  CHECK(n.country_source() == CountrySource::plus_sign);

  parts.status = NumberStatus::invalid;
  parts.reason = InvalidReason::too_short;
  parts.extension = "123456789012345678901234567890";  // longer than the buffer
  auto bad = telcrm::PhoneNumber::from_parts(parts);
  CHECK(bad.e164().empty());
  CHECK(bad.key() == 0);
  CHECK(bad.reason() == InvalidReason::too_short);
  CHECK(bad.extension().size() == telcrm::PhoneNumber::max_extension);

  telcrm::PhoneNumber empty;
  CHECK(empty.status() == NumberStatus::invalid);
  CHECK(empty.e164().empty());
}
