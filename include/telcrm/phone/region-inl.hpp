// SPDX-License-Identifier: Apache-2.0
#pragma once
// Region, backed by the generated region table, and the table lookups the normaliser uses.

#include <telcrm/phone/detail/region_data.hpp>
#include <telcrm/phone/detail/region_table.inc>
#include <telcrm/phone/region.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string_view>

TELCRM_BEGIN_NAMESPACE
namespace detail {

inline constexpr std::uint16_t no_country = 0xFFFF;
inline constexpr std::size_t region_count = std::size(region_table::regions);

// Calling code → row of the countries table, built at compile time (codes are below 1000).
inline constexpr std::array<std::uint16_t, 1000> country_rows = [] {
  std::array<std::uint16_t, 1000> rows{};
  for (auto& row : rows) row = no_country;
  for (std::size_t i = 0; i < std::size(region_table::countries); ++i)
    rows[region_table::countries[i].country_code] = static_cast<std::uint16_t>(i);
  return rows;
}();

/// One of the region table's "|"-separated prefix lists, split at compile time: entries
/// [first, first + count) of a pool, longest first as the table lists them.
struct PrefixList {
  std::uint16_t first = 0;
  std::uint8_t count = 0;
};

constexpr std::size_t count_list_items(std::string_view list) noexcept {
  if (list.empty()) return 0;
  std::size_t n = 1;
  for (char c : list) n += c == '|' ? 1 : 0;
  return n;
}

/// The lists of one RegionData field for every region, and the pool their entries live in.
template <std::string_view RegionData::*Field>
struct SplitPrefixes {
  static constexpr std::size_t total = [] {
    std::size_t n = 0;
    for (const auto& region : region_table::regions) n += count_list_items(region.*Field);
    return n;
  }();
  struct Data {
    std::array<std::string_view, total == 0 ? 1 : total> pool{};
    std::array<PrefixList, std::size(region_table::regions)> lists{};
  };
  static constexpr Data data = [] {
    Data d{};
    std::size_t next = 0;
    for (std::size_t r = 0; r < std::size(region_table::regions); ++r) {
      const std::string_view list = region_table::regions[r].*Field;
      d.lists[r].first = static_cast<std::uint16_t>(next);
      std::size_t begin = 0;
      for (std::size_t i = 0; i <= list.size(); ++i) {
        if (i < list.size() && list[i] != '|') continue;
        if (i > begin) {
          d.pool[next++] = list.substr(begin, i - begin);
          ++d.lists[r].count;
        }
        begin = i + 1;
      }
    }
    return d;
  }();
};

using ExitCodes = SplitPrefixes<&RegionData::exit_codes>;
using NationalPrefixes = SplitPrefixes<&RegionData::national_prefixes>;

/// The calling code's digits: how many, for comparing with the start of a number.
constexpr std::size_t country_code_digits(unsigned cc) noexcept {
  return cc >= 100 ? 3 : cc >= 10 ? 2 : 1;
}

/// The facts of calling code `cc`, or nullptr when it is not assigned.
inline const CountryData* country_for_code(unsigned cc) noexcept {
  if (cc >= country_rows.size() || country_rows[cc] == no_country) return nullptr;
  return &region_table::countries[country_rows[cc]];
}

/// The row of a region, or nullptr for an unknown one.
inline const RegionData* region_data(std::uint16_t index) noexcept {
  return index < region_count ? &region_table::regions[index] : nullptr;
}

/// True when a national significant number of `n` digits is a possible length for `country`.
inline bool is_possible_length(const CountryData& country, std::size_t n) noexcept {
  return n < 32 && ((country.possible_lengths >> n) & 1U) != 0;
}

/// The longest possible national significant number of `country`.
inline std::size_t max_possible_length(const CountryData& country) noexcept {
  std::size_t n = 31;
  while (n > 0 && ((country.possible_lengths >> n) & 1U) == 0) --n;
  return n;
}

/// True when `nsn` (ASCII digits) matches a number pattern of `country`: a walk down its
/// validity trie, at most one step per digit.
inline bool is_valid_national(const CountryData& country, std::string_view nsn) noexcept {
  if (nsn.empty() || nsn.size() >= 32) return false;
  std::uint16_t slot = country.valid_root;
  std::size_t i = 0;
  while ((slot & trie_leaf_bit) == 0) {
    const TrieNode& node = region_table::nodes[slot];
    if (i == nsn.size()) {
      slot = node.slot[10];
      break;
    }
    slot = node.slot[static_cast<unsigned char>(nsn[i]) - '0'];
    ++i;
  }
  return ((region_table::valid_lengths[slot & ~trie_leaf_bit] >> nsn.size()) & 1U) != 0;
}

}  // namespace detail

TELCRM_INLINE std::optional<Region> Region::from_code(std::string_view code) noexcept {
  if (code.size() < 2 || code.size() > 3) return std::nullopt;
  char upper[3] = {};
  for (std::size_t i = 0; i < code.size(); ++i) {
    char c = code[i];
    upper[i] = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  }
  std::string_view key(upper, code.size());
  // The table is sorted by code.
  std::size_t lo = 0;
  std::size_t hi = detail::region_count;
  while (lo < hi) {
    std::size_t mid = (lo + hi) / 2;
    std::string_view probe = detail::region_table::regions[mid].code;
    if (probe == key) return Region(static_cast<std::uint16_t>(mid));
    if (probe < key) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return std::nullopt;
}

TELCRM_INLINE std::optional<Region> Region::main_for_country_code(std::uint16_t cc) noexcept {
  const detail::CountryData* country = detail::country_for_code(cc);
  if (country == nullptr) return std::nullopt;
  return Region(country->main_region);
}

TELCRM_INLINE std::uint16_t Region::count() noexcept {
  return static_cast<std::uint16_t>(detail::region_count);
}

TELCRM_INLINE std::string_view Region::code() const noexcept {
  const detail::RegionData* data = detail::region_data(index_);
  return data != nullptr ? data->code : std::string_view{};
}

TELCRM_INLINE std::uint16_t Region::country_code() const noexcept {
  const detail::RegionData* data = detail::region_data(index_);
  return data != nullptr ? data->country_code : std::uint16_t{0};
}

TELCRM_INLINE std::string_view Region::trunk_prefix() const noexcept {
  const detail::RegionData* data = detail::region_data(index_);
  return data != nullptr ? data->trunk_prefix : std::string_view{};
}

TELCRM_END_NAMESPACE
