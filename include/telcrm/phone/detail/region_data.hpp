// SPDX-License-Identifier: Apache-2.0
#pragma once
// The row types of the generated region table (include/telcrm/phone/detail/region_table.inc).
// Internal: hosts use telcrm::Region and telcrm::PhoneNormalizer.

#include <telcrm/config.hpp>

#include <cstdint>
#include <string_view>

TELCRM_BEGIN_NAMESPACE
namespace detail {

/// One region: what a national or international form written in it means.
struct RegionData {
  std::string_view code;          // "RU"; "001" for non-geographic numbers
  std::uint16_t country_code;     // 7; 0 for "001"
  std::string_view trunk_prefix;  // the national (NDD) prefix: "8"
  std::string_view
      national_prefixes;          // prefixes a national form may start with, "|", longest first
  std::string_view exit_codes;    // international exit codes, "|", longest first: "810"
  std::string_view mobile_infix;  // AR: mobiles are dialled 0 11 15 …
  std::string_view mobile_token;  // … and written +54 9 11 …
};

/// One country calling code (several regions may share it: +1, +7, +44…).
struct CountryData {
  std::uint16_t country_code;
  std::uint16_t main_region;       // index into the region table
  std::uint32_t possible_lengths;  // bit n set: a national significant number of n digits
  std::uint16_t valid_root;        // slot of the validity trie (see TrieNode)
};

/// A node of a validity trie. Slots 0-9 follow the next digit; slot 10 decides a number that
/// ends at this node. A slot below 0x8000 is a child node; otherwise it is a leaf whose
/// low bits index `valid_lengths`, the set of lengths that are valid below this prefix.
struct TrieNode {
  std::uint16_t slot[11];
};

inline constexpr std::uint16_t trie_leaf_bit = 0x8000;

}  // namespace detail
TELCRM_END_NAMESPACE
