// SPDX-License-Identifier: Apache-2.0
// PhoneNormalizer against libphonenumber (Parse + Format(E164)) on the same inputs, in the
// same binary: the mixed corpus of the differential test, a 4,000-character input, a number
// padded to 4,000 characters, and worst cases of at most 250 characters. bench/compare.sh
// prints the ratios.

#include <telcrm/phone/phone_normalizer.hpp>

#include <benchmark/benchmark.h>
#include <phonenumbers/phonenumberutil.h>

#include <cstddef>
#include <string>
#include <vector>

#include "phone/phone_corpus.hpp"

namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

struct Mixed {
  std::vector<telcrm_test::CorpusEntry> entries;
  std::vector<telcrm::Region> regions;
};

// 4,096 inputs of the differential corpus (every form, 33 regions), regions resolved once.
const Mixed& mixed() {
  static const Mixed corpus = [] {
    Mixed m;
    m.entries = telcrm_test::CorpusGenerator(20240601).generate(4096);
    for (const auto& e : m.entries)
      m.regions.push_back(telcrm::Region::from_code(e.region).value_or(telcrm::Region{}));
    return m;
  }();
  return corpus;
}

std::string long_input() {
  std::string s = "Ivan Petrov, Tel.: ";
  while (s.size() < 4000) s += "+7 (916) 123-45-67 доб. 101; ";
  s.resize(4000);
  return s;
}

// Inputs of at most 250 bytes built to make the reader work hardest: every byte its own
// token, words that must be compared with every extension marker, multi-byte separators
// and digits, brackets and URI look-alikes that make it search.
std::vector<std::string> worst_inputs() {
  std::vector<std::string> inputs;
  std::string words;  // digit, word, digit, word…: each word is checked against the markers
  while (words.size() + 3 <= 250) words += "1ab";
  inputs.push_back(words);
  std::string unicode;  // 3-byte digit, 3-byte separator…
  while (unicode.size() + 6 <= 250) unicode += "\uFF19\u200B";
  inputs.push_back(unicode);
  std::string signs;  // every sign that means something
  while (signs.size() + 10 <= 250) signs += "<1:2@3;4,5";
  inputs.push_back(signs);
  std::string labels;  // long non-Latin words between digits
  while (labels.size() + 13 <= 250) labels += "1 добавочный";
  inputs.push_back(labels);
  std::string plain(250, '9');  // one long run of digits
  inputs.push_back(plain);
  std::string mixed_case;  // vanity letters and markers that are not markers
  while (mixed_case.size() + 8 <= 250) mixed_case += "2X1-HC0A";
  inputs.push_back(mixed_case);
  std::string tildes;  // a pause mark after every digit
  while (tildes.size() + 2 <= 250) tildes += "1~";
  inputs.push_back(tildes);
  std::string parameters = "tel:4951234567";  // URI parameters, each one read
  while (parameters.size() + 18 <= 250) parameters += ";phone-context=+7";
  inputs.push_back(parameters);
  std::string slip = "*";  // a stray sign: the rest is read twice, as a code and as a number
  while (slip.size() + 3 <= 250) slip += "1ab";
  inputs.push_back(slip);
  std::string capitals;  // words in capitals, each compared with the labels
  while (capitals.size() + 6 <= 250) capitals += "1MOBIL";
  inputs.push_back(capitals);
  return inputs;
}

void BM_telcrm_normalize_mixed(benchmark::State& state) {
  const Mixed& m = mixed();
  const telcrm::PhoneNormalizer normalizer;
  std::size_t i = 0;
  for (auto _ : state) {
    const telcrm::PhoneNumber n = normalizer.normalize(m.entries[i].input, m.regions[i]);
    std::string_view e164 = n.e164();  // the E.164 text is part of the result
    benchmark::DoNotOptimize(e164.data());
    benchmark::DoNotOptimize(e164.size());
    if (++i == m.entries.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_libphonenumber_parse_format_mixed(benchmark::State& state) {
  const Mixed& m = mixed();
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  std::size_t i = 0;
  std::string e164;
  for (auto _ : state) {
    PhoneNumber number;
    if (util.Parse(m.entries[i].input, m.entries[i].region, &number) ==
        PhoneNumberUtil::NO_PARSING_ERROR) {
      util.Format(number, PhoneNumberUtil::E164, &e164);
    }
    benchmark::DoNotOptimize(e164.data());
    if (++i == m.entries.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_telcrm_normalize_4000_chars(benchmark::State& state) {
  const std::string input = long_input();
  const telcrm::PhoneNormalizer normalizer;
  const telcrm::Region ru = telcrm::Region::from_code("RU").value_or(telcrm::Region{});
  for (auto _ : state) {
    const telcrm::PhoneNumber n = normalizer.normalize(input, ru);
    benchmark::DoNotOptimize(n.status());
  }
}

void BM_libphonenumber_parse_format_4000_chars(benchmark::State& state) {
  const std::string input = long_input();
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  std::string e164;
  for (auto _ : state) {
    PhoneNumber number;
    if (util.Parse(input, "RU", &number) == PhoneNumberUtil::NO_PARSING_ERROR)
      util.Format(number, PhoneNumberUtil::E164, &e164);
    benchmark::DoNotOptimize(e164.data());
  }
}

// A number padded with blanks to a fixed width of 4,000 characters: the padding is dropped,
// then the number is read.
void BM_telcrm_normalize_padded_4000(benchmark::State& state) {
  std::string input = "+7 (916) 123-45-67";
  input.resize(4000, ' ');
  const telcrm::PhoneNormalizer normalizer;
  const telcrm::Region ru = telcrm::Region::from_code("RU").value_or(telcrm::Region{});
  for (auto _ : state) {
    const telcrm::PhoneNumber n = normalizer.normalize(input, ru);
    benchmark::DoNotOptimize(n.status());
  }
}

// One benchmark per worst-case shape; the slowest is the worst case reported.
void BM_telcrm_normalize_worst_250(benchmark::State& state) {
  const std::string input = worst_inputs().at(static_cast<std::size_t>(state.range(0)));
  const telcrm::PhoneNormalizer normalizer;
  const telcrm::Region ru = telcrm::Region::from_code("RU").value_or(telcrm::Region{});
  for (auto _ : state) {
    const telcrm::PhoneNumber n = normalizer.normalize(input, ru);
    benchmark::DoNotOptimize(n.status());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(input.size()));
}

}  // namespace

BENCHMARK(BM_telcrm_normalize_mixed);
BENCHMARK(BM_libphonenumber_parse_format_mixed);
BENCHMARK(BM_telcrm_normalize_4000_chars);
BENCHMARK(BM_libphonenumber_parse_format_4000_chars);
BENCHMARK(BM_telcrm_normalize_padded_4000);
BENCHMARK(BM_telcrm_normalize_worst_250)->DenseRange(0, 9);

BENCHMARK_MAIN();
