// SPDX-License-Identifier: Apache-2.0
// Writes include/telcrm/phone/detail/region_table.inc: telcrm's region table, derived from the
// numbering facts of the installed libphonenumber through its public API only.
//
//   gen_region_table OUTPUT [--min-depth N] [--depth N] [--samples N] [--source TEXT] [--check N]
//
// Every fact is probed, never copied: calling codes and trunk (NDD) prefixes are asked for;
// exit codes are the digit strings after which Parse reads "+49 30 1234567" as dialled from
// abroad; parsing prefixes are the strings Parse strips from a national number; possible
// lengths come from IsPossibleNumberWithReason; and validity is a prefix trie per calling
// code, grown by probing IsValidNumber on sample numbers below each prefix until the samples
// agree (or the depth bound is reached, where the majority wins). Identical subtrees are
// shared, which keeps the table small. Run through tools/region_table/regenerate.sh.

#include <phonenumbers/phonenumberutil.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <list>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

constexpr int max_length = 17;  // libphonenumber's longest national significant number
constexpr std::uint16_t leaf_bit = 0x8000;

PhoneNumberUtil& util() {
  return *PhoneNumberUtil::GetInstance();
}

/// A deterministic generator so that the emitted table is reproducible.
struct SplitMix {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
};

PhoneNumber make_number(int cc, const std::string& nsn) {
  PhoneNumber number;
  number.set_country_code(cc);
  // A national number is stored as an integer; leading zeros are flags (Italian style).
  if (nsn.size() > 1 && nsn[0] == '0') {
    number.set_italian_leading_zero(true);
    int zeros = 0;
    while (zeros + 1 < static_cast<int>(nsn.size()) && nsn[static_cast<std::size_t>(zeros)] == '0')
      ++zeros;
    if (zeros > 1) number.set_number_of_leading_zeros(zeros);
  }
  number.set_national_number(std::stoull(nsn));
  return number;
}

bool is_valid(int cc, const std::string& nsn) {
  return util().IsValidNumber(make_number(cc, nsn));
}

std::string national_significant(const PhoneNumber& number) {
  std::string nsn;
  util().GetNationalSignificantNumber(number, &nsn);
  return nsn;
}

std::vector<std::string> all_digit_strings(int length, const std::string& stem = "") {
  std::vector<std::string> out{stem};
  for (int i = 0; i < length; ++i) {
    std::vector<std::string> next;
    for (const auto& s : out)
      for (char d = '0'; d <= '9'; ++d) next.push_back(s + d);
    out.swap(next);
  }
  return out;
}

// --- per calling code: possible lengths and the validity trie ------------------------------

std::uint32_t possible_lengths(int cc) {
  std::uint32_t mask = 0;
  for (int length = 1; length <= max_length; ++length) {
    auto number = make_number(cc, std::string(static_cast<std::size_t>(length), '5'));
    if (util().IsPossibleNumberWithReason(number) == PhoneNumberUtil::IS_POSSIBLE)
      mask |= 1U << length;
  }
  return mask;
}

class TrieBuilder {
 public:
  TrieBuilder(int min_depth, int depth, int samples)
      : min_depth_(min_depth), depth_(depth), samples_(samples) {}

  /// Returns the slot value of the root of calling code `cc`. `seeds` are known valid
  /// numbers (example numbers of every region sharing the code): random samples alone would
  /// miss small valid ranges, and a length valid only in a non-main region (CA's 310 xxxx).
  std::uint16_t build(int cc, std::uint32_t lengths, std::vector<std::string> seeds) {
    cc_ = cc;
    seeds_ = std::move(seeds);
    lengths_ = lengths;
    for (const auto& seed : seeds_)
      if (seed.size() <= static_cast<std::size_t>(max_length)) lengths_ |= 1U << seed.size();
    return grow("");
  }

  const std::vector<std::array<std::uint16_t, 11>>& nodes() const { return nodes_; }

  /// The trie's verdict for `nsn` below `root`, as telcrm's runtime walks it.
  bool lookup(std::uint16_t root, const std::string& nsn) const {
    std::uint16_t slot = root;
    std::size_t i = 0;
    while ((slot & leaf_bit) == 0) {
      const auto& node = nodes_[slot];
      if (i == nsn.size()) {
        slot = node[10];
        break;
      }
      slot = node[static_cast<std::size_t>(nsn[i] - '0')];
      ++i;
    }
    return (masks_[slot & ~leaf_bit] >> nsn.size() & 1U) != 0;
  }
  const std::vector<std::uint32_t>& masks() const { return masks_; }
  long probes() const { return probes_; }

 private:
  std::uint16_t leaf(std::uint32_t mask) {
    auto [it, added] = mask_ids_.try_emplace(mask, static_cast<std::uint16_t>(masks_.size()));
    if (added) masks_.push_back(mask);
    return static_cast<std::uint16_t>(leaf_bit | it->second);
  }

  // How many of the sampled numbers of `length` digits below `prefix` are valid.
  std::pair<int, int> sample(const std::string& prefix, int length) {
    int free = length - static_cast<int>(prefix.size());
    std::vector<std::string> suffixes;
    if (free == 0) {
      suffixes.push_back("");
    } else if (free == 1) {
      suffixes = all_digit_strings(1);
    } else {
      suffixes.push_back(std::string(static_cast<std::size_t>(free), '0'));
      suffixes.push_back(std::string(static_cast<std::size_t>(free), '9'));
      SplitMix rng{std::hash<std::string>{}(prefix)*31U + static_cast<unsigned>(length * 7 + cc_)};
      for (int i = 2; i < samples_; ++i) {
        std::string s;
        for (int j = 0; j < free; ++j) s += static_cast<char>('0' + rng.next() % 10);
        suffixes.push_back(s);
      }
    }
    int valid = 0;
    for (const auto& s : suffixes) {
      ++probes_;
      valid += is_valid(cc_, prefix + s) ? 1 : 0;
    }
    int total = static_cast<int>(suffixes.size());
    if (free > 1) {
      for (const auto& seed : seeds_) {
        if (static_cast<int>(seed.size()) != length || seed.compare(0, prefix.size(), prefix) != 0)
          continue;
        ++total;
        ++valid;
      }
    }
    return {valid, total};
  }

  std::uint16_t grow(const std::string& prefix) {
    const int k = static_cast<int>(prefix.size());
    std::uint32_t mask = 0;
    bool mixed = false;
    for (int length = std::max(k, 1); length <= max_length; ++length) {
      if ((lengths_ >> length & 1U) == 0) continue;
      auto [valid, total] = sample(prefix, length);
      if (valid * 2 > total) mask |= 1U << length;
      if (length > k && valid != 0 && valid != total) mixed = true;
    }
    // Near the root a handful of samples can miss a rare valid range: always look deeper.
    if ((!mixed && k >= min_depth_) || k >= depth_) return leaf(mask);
    std::array<std::uint16_t, 11> node{};
    for (int d = 0; d < 10; ++d)
      node[static_cast<std::size_t>(d)] = grow(prefix + static_cast<char>('0' + d));
    node[10] = leaf(mask & (1U << k));  // numbers that end exactly here
    // Children that are all the same leaf (and agree on the numbers ending here) collapse.
    bool uniform = (node[0] & leaf_bit) != 0;
    for (int d = 1; d < 10 && uniform; ++d) uniform = node[static_cast<std::size_t>(d)] == node[0];
    if (uniform) {
      std::uint32_t below = masks_[node[0] & ~leaf_bit] & ~(1U << k);
      return leaf(below | (mask & (1U << k)));
    }
    auto [it, added] = node_ids_.try_emplace(node, static_cast<std::uint16_t>(nodes_.size()));
    if (added) nodes_.push_back(node);
    return it->second;
  }

  int min_depth_;
  int depth_;
  int samples_;
  int cc_ = 0;
  std::vector<std::string> seeds_;
  std::uint32_t lengths_ = 0;
  long probes_ = 0;
  std::vector<std::array<std::uint16_t, 11>> nodes_;
  std::map<std::array<std::uint16_t, 11>, std::uint16_t> node_ids_;
  std::vector<std::uint32_t> masks_;
  std::map<std::uint32_t, std::uint16_t> mask_ids_;
};

std::vector<PhoneNumber> examples(const std::string& region);

/// The example numbers of every type of every region (or non-geographic entity) of `cc`.
std::vector<std::string> seeds(int cc) {
  std::vector<std::string> out;
  std::list<std::string> regions;
  util().GetRegionCodesForCountryCallingCode(cc, &regions);
  for (const auto& region : regions) {
    if (region == "001") continue;
    for (const auto& number : examples(region)) out.push_back(national_significant(number));
  }
  std::set<PhoneNumberUtil::PhoneNumberType> types;
  util().GetSupportedTypesForNonGeoEntity(cc, &types);
  for (auto type : types) {
    PhoneNumber number;
    if (util().GetExampleNumberForType(type, &number) && number.country_code() == cc)
      out.push_back(national_significant(number));
  }
  PhoneNumber non_geo;
  if (util().GetExampleNumberForNonGeoEntity(cc, &non_geo))
    out.push_back(national_significant(non_geo));
  return out;
}

// --- per region: exit codes, parsing prefixes, the mobile infix ------------------------------

std::vector<std::string> exit_codes(const std::string& region) {
  // Exit codes are short; carrier-selecting ones reach five digits after "00".
  std::vector<std::string> candidates;
  for (int length = 1; length <= 4; ++length)
    for (auto& s : all_digit_strings(length)) candidates.push_back(s);
  for (auto& s : all_digit_strings(3, "00")) candidates.push_back(s);
  std::vector<std::string> found;
  for (const auto& prefix : candidates) {
    PhoneNumber number;
    if (util().ParseAndKeepRawInput(prefix + "49301234567", region, &number) !=
        PhoneNumberUtil::NO_PARSING_ERROR)
      continue;
    if (number.country_code() == 49 && number.national_number() == 301234567ULL &&
        number.country_code_source() == PhoneNumber::FROM_NUMBER_WITH_IDD)
      found.push_back(prefix);
  }
  // Longest first: the parser tries them in order, as a greedy pattern would.
  std::stable_sort(found.begin(), found.end(),
                   [](const auto& a, const auto& b) { return a.size() > b.size(); });
  return found;
}

std::vector<PhoneNumber> examples(const std::string& region) {
  std::set<PhoneNumberUtil::PhoneNumberType> types;
  util().GetSupportedTypesForRegion(region, &types);
  std::vector<PhoneNumber> out;
  for (auto type : types) {
    PhoneNumber number;
    if (util().GetExampleNumberForType(region, type, &number)) out.push_back(number);
  }
  return out;
}

std::vector<std::string> national_prefixes(const std::string& region, const std::string& ndd) {
  std::set<std::string> found;
  if (!ndd.empty()) found.insert(ndd);
  auto samples = examples(region);
  for (int length = 1; length <= 3; ++length) {
    for (const auto& prefix : all_digit_strings(length)) {
      for (const auto& example : samples) {
        PhoneNumber number;
        std::string nsn = national_significant(example);
        if (util().ParseAndKeepRawInput(prefix + nsn, region, &number) !=
            PhoneNumberUtil::NO_PARSING_ERROR)
          continue;
        if (number.country_code() == example.country_code() &&
            national_significant(number) == nsn &&
            number.country_code_source() == PhoneNumber::FROM_DEFAULT_COUNTRY) {
          found.insert(prefix);
          break;
        }
      }
    }
  }
  std::vector<std::string> out(found.begin(), found.end());
  // Longest first: the parser tries them in order.
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.size() > b.size(); });
  return out;
}

std::string digits_of(const std::string& text) {
  std::string out;
  for (char c : text)
    if (c >= '0' && c <= '9') out += c;
  return out;
}

/// Regions whose mobiles are dialled nationally with an infix (AR: 0 11 15 2345-6789) but
/// written internationally with a mobile token (+54 9 11 2345-6789): returns {infix, token}.
std::pair<std::string, std::string> mobile_infix(const std::string& region, int cc,
                                                 const std::string& ndd) {
  std::string token;
  util().GetCountryMobileToken(cc, &token);
  if (token.empty()) return {};
  PhoneNumber mobile;
  if (!util().GetExampleNumberForType(region, PhoneNumberUtil::MOBILE, &mobile)) return {};
  std::string nsn = national_significant(mobile);
  std::string national;
  util().Format(mobile, PhoneNumberUtil::NATIONAL, &national);
  national = digits_of(national);
  if (nsn.rfind(token, 0) != 0 || national.rfind(ndd, 0) != 0) return {};
  std::string written = national.substr(ndd.size());
  std::string bare = nsn.substr(token.size());
  if (written.size() != bare.size() + 2) return {};
  for (std::size_t k = 1; k + 1 < bare.size(); ++k) {
    if (written.compare(0, k, bare, 0, k) != 0) continue;
    if (written.compare(k + 2, std::string::npos, bare, k) != 0) continue;
    std::string infix = written.substr(k, 2);
    PhoneNumber parsed;
    if (util().Parse(national, region, &parsed) == PhoneNumberUtil::NO_PARSING_ERROR &&
        national_significant(parsed) == nsn)
      return {infix, token};
  }
  return {};
}

std::string quoted(const std::string& s) {
  return "\"" + s + "\"";
}

std::string joined(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "|") + p;
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: gen_region_table OUTPUT [--min-depth N] [--depth N] [--samples N] "
                 "[--source TEXT] [--check N]\n");
    return 2;
  }
  std::string output = argv[1];
  int min_depth = 3;
  int depth = 8;
  int samples = 16;
  int check = 40;
  std::string source = "the installed libphonenumber";
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--min-depth") min_depth = std::stoi(argv[i + 1]);
    if (flag == "--depth") depth = std::stoi(argv[i + 1]);
    if (flag == "--samples") samples = std::stoi(argv[i + 1]);
    if (flag == "--source") source = argv[i + 1];
    if (flag == "--check") check = std::stoi(argv[i + 1]);
  }

  std::set<std::string> supported;
  util().GetSupportedRegions(&supported);
  std::vector<std::string> regions(supported.begin(), supported.end());
  regions.push_back("001");                   // non-geographic numbers (+800, +882…)
  std::sort(regions.begin(), regions.end());  // Region::from_code searches by code
  std::map<std::string, int> region_index;
  for (std::size_t i = 0; i < regions.size(); ++i) region_index[regions[i]] = static_cast<int>(i);

  std::set<int> codes;
  util().GetSupportedCallingCodes(&codes);

  std::ostringstream out;
  // The first line says what the file is and how it is made, for whoever opens it.
  out << "// GENERATED DATA, do not edit: tools/region_table/regenerate.sh writes it with "
         "tools/region_table/gen_region_table.cpp from "
      << source << " (public API only; trie depth " << min_depth << ".." << depth << ", " << samples
      << " samples per prefix).\n"
         "// SPDX-License-Identifier: Apache-2.0\n"
         "#pragma once\n// clang-format off\n\n"
         "#include <telcrm/phone/detail/region_data.hpp>\n\n"
         "TELCRM_BEGIN_NAMESPACE\nnamespace detail::region_table {\n\n"
         "// code, calling code, trunk prefix, parsing prefixes, exit codes, mobile infix, token\n"
         "inline constexpr RegionData regions[] = {\n";
  for (const auto& region : regions) {
    int cc = region == "001" ? 0 : util().GetCountryCodeForRegion(region);
    std::string ndd;
    std::vector<std::string> exits, prefixes;
    std::pair<std::string, std::string> infix;
    if (region != "001") {
      util().GetNddPrefixForRegion(region, true, &ndd);
      exits = exit_codes(region);
      prefixes = national_prefixes(region, ndd);
      infix = mobile_infix(region, cc, ndd);
    }
    out << "    {" << quoted(region) << ", " << cc << ", " << quoted(ndd) << ", "
        << quoted(joined(prefixes)) << ", " << quoted(joined(exits)) << ", " << quoted(infix.first)
        << ", " << quoted(infix.second) << "},\n";
    std::fprintf(stderr, "\r%s", region.c_str());
  }
  out << "};\n\n";

  TrieBuilder trie(min_depth, depth, samples);
  std::vector<std::pair<int, std::uint16_t>> roots;
  out << "// calling code, main region, possible national lengths (bit n: n digits), validity "
         "root\n"
         "inline constexpr CountryData countries[] = {\n";
  for (int cc : codes) {
    std::string main_region;
    util().GetRegionCodeForCountryCode(cc, &main_region);
    std::uint32_t lengths = possible_lengths(cc);
    std::uint16_t root = trie.build(cc, lengths, seeds(cc));
    roots.emplace_back(cc, root);
    out << "    {" << cc << ", " << region_index.at(main_region) << ", 0x" << std::hex << lengths
        << std::dec << ", " << root << "},\n";
    std::fprintf(stderr, "\r+%d nodes %zu masks %zu probes %ld   ", cc, trie.nodes().size(),
                 trie.masks().size(), trie.probes());
  }
  out << "};\n\n";

  if (check > 0) {
    // Recall on valid numbers found by random search, specificity on invalid ones of a
    // possible length: how well the trie tells valid from possible, away from the seeds.
    long valid_total = 0, valid_hit = 0, invalid_total = 0, invalid_hit = 0;
    SplitMix rng{12345};
    for (const auto& [cc, root] : roots) {
      std::uint32_t lengths = possible_lengths(cc);
      std::vector<int> ls;
      for (int l = 1; l <= max_length; ++l)
        if (lengths >> l & 1U) ls.push_back(l);
      if (ls.empty()) continue;
      int found = 0;
      for (int attempt = 0; attempt < check * 400 && found < check; ++attempt) {
        std::string nsn;
        int len = ls[rng.next() % ls.size()];
        for (int j = 0; j < len; ++j) nsn += static_cast<char>('0' + rng.next() % 10);
        bool truth = is_valid(cc, nsn);
        bool ours = trie.lookup(root, nsn);
        if (truth) {
          ++found;
          ++valid_total;
          valid_hit += ours ? 1 : 0;
        } else if (attempt % 8 == 0) {
          ++invalid_total;
          invalid_hit += ours ? 0 : 1;
        }
      }
    }
    char line[200];
    std::snprintf(line, sizeof line,
                  "// Self-check on random numbers: valid ones recognised %ld/%ld (%.2f%%),\n"
                  "// invalid ones rejected %ld/%ld (%.2f%%).\n\n",
                  valid_hit, valid_total,
                  100.0 * static_cast<double>(valid_hit) / static_cast<double>(valid_total),
                  invalid_hit, invalid_total,
                  100.0 * static_cast<double>(invalid_hit) / static_cast<double>(invalid_total));
    out << line;
    std::fprintf(stderr, "\n%s", line);
  }

  out << "// bit n set: numbers of n digits below this prefix are valid\n"
         "inline constexpr std::uint32_t valid_lengths[] = {";
  for (std::size_t i = 0; i < trie.masks().size(); ++i)
    out << (i % 8 == 0 ? "\n    " : " ") << "0x" << std::hex << trie.masks()[i] << std::dec << ",";
  out << "\n};\n\n";

  out << "// per node: 10 digit slots + the number ending here; >= 0x8000: leaf (valid_lengths)\n"
         "inline constexpr TrieNode nodes[] = {\n";
  for (const auto& node : trie.nodes()) {
    out << "    {{";
    for (std::size_t i = 0; i < node.size(); ++i) out << (i ? "," : "") << node[i];
    out << "}},\n";
  }
  out << "};\n\n}  // namespace detail::region_table\nTELCRM_END_NAMESPACE\n";

  std::ofstream file(output, std::ios::binary);
  file << out.str();
  std::fprintf(stderr, "\nwrote %s: %zu regions, %zu calling codes, %zu nodes, %zu masks\n",
               output.c_str(), regions.size(), codes.size(), trie.nodes().size(),
               trie.masks().size());
  return file ? 0 : 1;
}
