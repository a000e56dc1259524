// SPDX-License-Identifier: Apache-2.0
// The measure against the field's standard: our E.164 against libphonenumber's on 60,000
// generated inputs in 33 regions. For every input libphonenumber reads as a *valid* number,
// ours must be the same in at least 99.5 % of cases. The test prints the agreement and the
// categories where we differ on purpose (docs/phone-numbers.md explains them).
//
// Set TELCRM_PHONE_CORPUS_OUT=<file> to also write the corpus as `INPUT<TAB>REGION` lines
// (the input format of `telcrm normalize --tsv`), TELCRM_PHONE_CORPUS_SEED=<n> to draw
// another corpus.

#include <telcrm/phone/phone_normalizer.hpp>

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <phonenumbers/phonenumberutil.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "phone/phone_corpus.hpp"

namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

constexpr std::size_t corpus_size = 60000;
constexpr double required_agreement = 0.995;

std::string escape_tsv(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\\': out += "\\\\"; break;
      default: out += c;
    }
  }
  return out;
}

struct Tally {
  int inputs = 0;
  int libphonenumber_valid = 0;
  int agree = 0;
  int only_ours_valid = 0;  // our status is valid, libphonenumber finds no valid number
  std::vector<std::string> examples;
};

// Forms in which we read differently from libphonenumber on purpose (docs/phone-numbers.md):
// it glues the extension of `…p12` onto the number and keeps the `.0` of a spreadsheet
// float as a digit, and either can still make a valid number of a variable-length plan.
bool differs_on_purpose(const std::string& form) {
  return form == "extension_other_notations" || form == "spreadsheet";
}

}  // namespace

TEST_CASE(
    "R-N1 R-N2 R-N3 R-N4: E.164 agrees with libphonenumber on >= 99.5% of its valid numbers") {
  std::uint64_t seed = 20240601;
  if (const char* text = std::getenv("TELCRM_PHONE_CORPUS_SEED"))
    seed = std::strtoull(text, nullptr, 10);
  telcrm_test::CorpusGenerator generator(seed);
  const auto corpus = generator.generate(corpus_size);
  REQUIRE(corpus.size() >= 50000);

  if (const char* path = std::getenv("TELCRM_PHONE_CORPUS_OUT")) {
    if (std::FILE* file = std::fopen(path, "w")) {
      for (const auto& e : corpus) fmt::print(file, "{}\t{}\n", escape_tsv(e.input), e.region);
      std::fclose(file);
    }
  }

  const auto& util = *PhoneNumberUtil::GetInstance();
  const telcrm::PhoneNormalizer normalizer;
  std::map<std::string, Tally> by_form;
  std::set<std::string> regions;
  int lpn_valid = 0;
  int agree = 0;
  int status_valid_too = 0;
  for (const auto& e : corpus) {
    regions.insert(e.region);
    auto region = telcrm::Region::from_code(e.region);
    REQUIRE(region.has_value());
    const telcrm::PhoneNumber ours = normalizer.normalize(e.input, *region);
    Tally& tally = by_form[e.form];
    ++tally.inputs;

    PhoneNumber theirs;
    const bool parsed = util.Parse(e.input, e.region, &theirs) == PhoneNumberUtil::NO_PARSING_ERROR;
    if (parsed && util.IsValidNumber(theirs)) {
      std::string e164;
      util.Format(theirs, PhoneNumberUtil::E164, &e164);
      ++lpn_valid;
      ++tally.libphonenumber_valid;
      if (ours.e164() == e164) {
        ++agree;
        ++tally.agree;
        if (ours.status() == telcrm::NumberStatus::valid) ++status_valid_too;
      } else if (tally.examples.size() < 4) {
        tally.examples.push_back(fmt::format("{:?} [{}] ours {} ({}) theirs {}", e.input, e.region,
                                             ours.e164().empty() ? "-" : ours.e164(), ours.status(),
                                             e164));
      }
    } else if (ours.status() == telcrm::NumberStatus::valid) {
      ++tally.only_ours_valid;
    }
  }

  const double agreement = lpn_valid == 0 ? 0.0 : static_cast<double>(agree) / lpn_valid;
  int on_purpose = 0;
  for (const auto& [form, t] : by_form)
    if (differs_on_purpose(form)) on_purpose += t.libphonenumber_valid - t.agree;
  fmt::print(
      "phone differential: {} inputs in {} regions; libphonenumber finds a valid number in {}\n",
      corpus.size(), regions.size(), lpn_valid);
  fmt::print("  E.164 agreement: {}/{} = {:.3f}%  (required {:.1f}%)\n", agree, lpn_valid,
             100.0 * agreement, 100.0 * required_agreement);
  fmt::print("  differences on purpose: {}; other differences: {}\n", on_purpose,
             lpn_valid - agree - on_purpose);
  fmt::print(
      "  agreeing numbers whose status is `valid` here too: {:.3f}% (the rest: `possible`)\n",
      agree == 0 ? 0.0 : 100.0 * status_valid_too / agree);
  fmt::print("  {:<32} {:>7} {:>9} {:>8} {:>16}\n", "form", "inputs", "lpn valid", "agree",
             "valid only here");
  for (const auto& [form, t] : by_form) {
    fmt::print("  {:<32} {:>7} {:>9} {:>7.2f}% {:>16}{}\n", form, t.inputs, t.libphonenumber_valid,
               t.libphonenumber_valid == 0 ? 100.0 : 100.0 * t.agree / t.libphonenumber_valid,
               t.only_ours_valid, differs_on_purpose(form) ? "  (differs on purpose)" : "");
    for (const auto& ex : t.examples) fmt::print("      differs: {}\n", ex);
  }
  fmt::print(
      "  on purpose, we read what libphonenumber rejects or misreads: extensions written\n"
      "  доб./дод./Durchwahl/wew./poste/ramal/anexo/,/p (it glues or rejects them), sip: URIs,\n"
      "  spreadsheet floats (….0), names after the number, and 00 as an exit code in regions\n"
      "  whose own is another (RU 8~10) when that gives a valid number\n");

  CHECK(regions.size() >= 12);
  CHECK(lpn_valid >= 40000);
  CHECK(agreement >= required_agreement);
}
