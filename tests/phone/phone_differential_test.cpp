// SPDX-License-Identifier: Apache-2.0
// The measure against the field's standard: our E.164 against libphonenumber's on generated
// inputs in 33 regions, the development corpus (60,000 inputs) and a held-out one (100,000,
// drawn with a seed not used while developing). Of the inputs libphonenumber reads as a
// *valid* number, ours must agree on at least the share each case requires. The test prints
// the agreement and the forms where we differ on purpose (docs/phone-numbers.md explains them).
//
// Set TELCRM_PHONE_CORPUS_OUT=<file> to also write the development corpus as
// `INPUT<TAB>REGION` lines (the input format of `telcrm normalize --tsv`),
// TELCRM_PHONE_CORPUS_SEED=<n> to draw another development corpus, and
// TELCRM_PHONE_HELD_OUT_ROWS=<n> to draw a larger or smaller held-out corpus.

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

// The corpus developed against, and the share of libphonenumber's valid numbers we must agree on.
constexpr std::uint64_t development_seed = 20240601;
constexpr std::size_t development_size = 60000;
// Reached: 99.63 %. The rest are the forms where we differ on purpose (differs_on_purpose);
// elsewhere there is no difference, and at most 0.05 % are allowed.
constexpr double required_development = 0.9955;
constexpr double allowed_other_differences = 0.0005;
// A corpus drawn with a seed that was never used while the normaliser was developed: the
// check that it was not fitted to the development corpus. 100,000 rows keep the test at a few
// seconds (libphonenumber reads about 35,000 inputs a second); the corpus of a seed grows by
// appending, so TELCRM_PHONE_HELD_OUT_ROWS=200000 measures a larger one with the same start.
constexpr std::uint64_t held_out_seed = 914067133;
constexpr std::size_t held_out_size = 100000;
constexpr double required_held_out = 0.9955;  // reached: 99.63 % (200,000 rows: 99.64 %)
// The realistic mix (spreadsheet exports ten times rarer, see phone_corpus.hpp): the figure
// R-N5's target is quoted for. Every miss in it is a form we read differently on purpose.
constexpr double required_realistic = 0.998;

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

// Forms in which we read differently from libphonenumber on purpose (docs/phone-numbers.md,
// "Where we differ on purpose"): it glues the extension of `…p12` onto the number, keeps the
// `.0` of a spreadsheet float as a digit, reads a word after the number (`… mobil`) as keypad
// digits, and reads a number out of a note of more than 250 characters; each can still make a
// valid number of a variable-length plan. Every difference in these forms counts as
// `differs_on_purpose`; any difference elsewhere is a failure of the agreement measure.
bool differs_on_purpose(const std::string& form) {
  return form == "extension_other_notations" || form == "spreadsheet" || form == "label_after" ||
         form == "long_note";
}

struct Measure {
  std::size_t inputs = 0;
  std::size_t regions = 0;
  int libphonenumber_valid = 0;
  int agree = 0;
  int on_purpose = 0;
  int service_codes = 0;
  int service_codes_short = 0;
  [[nodiscard]] double agreement() const {
    return libphonenumber_valid == 0 ? 0.0 : static_cast<double>(agree) / libphonenumber_valid;
  }
  [[nodiscard]] int other() const { return libphonenumber_valid - agree - on_purpose; }
};

// Draws `size` inputs with `seed`, reads each with both libraries and prints the agreement,
// overall and per form.
Measure measure(const char* name, std::uint64_t seed, std::size_t size, double required,
                const char* out_path = nullptr, telcrm_test::Mix mix = telcrm_test::Mix::stress) {
  telcrm_test::CorpusGenerator generator(seed, mix);
  const auto corpus = generator.generate(size);

  if (const char* path = out_path) {
    if (std::FILE* file = std::fopen(path, "w")) {
      for (const auto& e : corpus) fmt::print(file, "{}\t{}\n", escape_tsv(e.input), e.region);
      std::fclose(file);
    }
  }

  const auto& util = *PhoneNumberUtil::GetInstance();
  const telcrm::PhoneNormalizer normalizer;
  std::map<std::string, Tally> by_form;
  std::set<std::string> regions;
  Measure m;
  m.inputs = corpus.size();
  int status_valid_too = 0;
  for (const auto& e : corpus) {
    regions.insert(e.region);
    auto region = telcrm::Region::from_code(e.region);
    REQUIRE(region.has_value());
    const telcrm::PhoneNumber ours = normalizer.normalize(e.input, *region);
    Tally& tally = by_form[e.form];
    ++tally.inputs;
    if (e.form == "service_code") {
      ++m.service_codes;
      if (ours.status() == telcrm::NumberStatus::short_code) ++m.service_codes_short;
    }

    PhoneNumber theirs;
    const bool parsed = util.Parse(e.input, e.region, &theirs) == PhoneNumberUtil::NO_PARSING_ERROR;
    if (parsed && util.IsValidNumber(theirs)) {
      std::string e164;
      util.Format(theirs, PhoneNumberUtil::E164, &e164);
      ++m.libphonenumber_valid;
      ++tally.libphonenumber_valid;
      if (ours.e164() == e164) {
        ++m.agree;
        ++tally.agree;
        if (ours.status() == telcrm::NumberStatus::valid) ++status_valid_too;
      } else if (tally.examples.size() < 4) {
        const std::string shown = e.input.size() > 70 ? e.input.substr(0, 60) + "…" : e.input;
        tally.examples.push_back(
            fmt::format("{:?} ({} bytes) [{}] ours {} ({}) theirs {}", shown, e.input.size(),
                        e.region, ours.e164().empty() ? "-" : ours.e164(), ours.status(), e164));
      }
    } else if (ours.status() == telcrm::NumberStatus::valid) {
      ++tally.only_ours_valid;
    }
  }
  m.regions = regions.size();
  for (const auto& [form, t] : by_form)
    if (differs_on_purpose(form)) m.on_purpose += t.libphonenumber_valid - t.agree;

  fmt::print(
      "phone differential, {} corpus (seed {}): {} inputs in {} regions; libphonenumber finds a "
      "valid number in {}\n",
      name, seed, m.inputs, m.regions, m.libphonenumber_valid);
  fmt::print("  E.164 agreement: {}/{} = {:.3f}%  (required {:.2f}%)\n", m.agree,
             m.libphonenumber_valid, 100.0 * m.agreement(), 100.0 * required);
  fmt::print("  differences on purpose: {}; other differences: {}\n", m.on_purpose, m.other());
  fmt::print(
      "  agreeing numbers whose status is `valid` here too: {:.3f}% (the rest: `possible`)\n",
      m.agree == 0 ? 0.0 : 100.0 * status_valid_too / m.agree);
  fmt::print("  service codes read as `short`: {}/{}\n", m.service_codes_short, m.service_codes);
  fmt::print("  {:<32} {:>7} {:>9} {:>8} {:>16}\n", "form", "inputs", "lpn valid", "agree",
             "valid only here");
  for (const auto& [form, t] : by_form) {
    fmt::print("  {:<32} {:>7} {:>9} {:>7.2f}% {:>16}{}\n", form, t.inputs, t.libphonenumber_valid,
               t.libphonenumber_valid == 0 ? 100.0 : 100.0 * t.agree / t.libphonenumber_valid,
               t.only_ours_valid, differs_on_purpose(form) ? "  (differs on purpose)" : "");
    for (const auto& ex : t.examples) fmt::print("      differs: {}\n", ex);
  }
  return m;
}

}  // namespace

TEST_CASE("R-N1 R-N2 R-N3 R-N4 R-N5: E.164 agrees with libphonenumber on the development corpus") {
  std::uint64_t seed = development_seed;
  if (const char* text = std::getenv("TELCRM_PHONE_CORPUS_SEED"))
    seed = std::strtoull(text, nullptr, 10);
  const Measure m = measure("development", seed, development_size, required_development,
                            std::getenv("TELCRM_PHONE_CORPUS_OUT"));
  fmt::print(
      "  on purpose, we read what libphonenumber rejects or misreads: extensions written\n"
      "  доб./дод./Durchwahl/wew./poste/ramal/anexo/,/p/w (it glues or rejects them), sip: URIs,\n"
      "  spreadsheet floats (….0), words after the number (… mobil), and 00 as an exit code in\n"
      "  regions whose own is another (RU 8~10) when that gives a valid number; we do not read\n"
      "  a number out of a note of more than 250 characters (it does)\n");
  CHECK(m.inputs >= 50000);
  CHECK(m.regions >= 12);
  CHECK(m.libphonenumber_valid >= 40000);
  CHECK(m.service_codes_short == m.service_codes);
  CHECK(m.agreement() >= required_development);
  CHECK(m.other() <= allowed_other_differences * m.libphonenumber_valid);
}

TEST_CASE("R-N1 R-N2 R-N3 R-N4 R-N5: E.164 agrees with libphonenumber on a held-out corpus") {
  std::size_t size = held_out_size;
  if (const char* text = std::getenv("TELCRM_PHONE_HELD_OUT_ROWS"))
    size = std::strtoull(text, nullptr, 10);
  const Measure m = measure("held-out", held_out_seed, size, required_held_out);
  CHECK(m.inputs >= size);
  CHECK(m.libphonenumber_valid >= size * 8 / 10);
  CHECK(m.service_codes_short == m.service_codes);
  CHECK(m.agreement() >= required_held_out);
  CHECK(m.other() <= allowed_other_differences * m.libphonenumber_valid);
  const Measure r = measure("held-out, realistic mix", held_out_seed + 1, size, required_realistic,
                            nullptr, telcrm_test::Mix::realistic);
  CHECK(r.agreement() >= required_realistic);
  CHECK(r.other() <= allowed_other_differences * r.libphonenumber_valid);
}
