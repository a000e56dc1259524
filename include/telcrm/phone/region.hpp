// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// Regions (ISO 3166-1 alpha-2 codes, plus "001" for non-geographic numbers) and the
/// numbering facts telcrm knows about each of them.

#include <telcrm/config.hpp>
#include <telcrm/detail/enum_format.hpp>

#include <cstdint>
#include <optional>
#include <string_view>

TELCRM_BEGIN_NAMESPACE

/// A region of telcrm's region table: a small handle (an index), cheap to copy and compare.
/// A default-constructed Region is "unknown" and resolves nothing.
class Region {
 public:
  constexpr Region() noexcept = default;

  /// The region for an ISO code such as "RU" or "de" (case-insensitive); nullopt when the
  /// code is not in the table.
  [[nodiscard]] static std::optional<Region> from_code(std::string_view code) noexcept;
  /// The main region of a country calling code (1 → US, 7 → RU, 44 → GB, and "001" for the
  /// non-geographic codes such as 800); nullopt when the code is not assigned.
  [[nodiscard]] static std::optional<Region> main_for_country_code(std::uint16_t cc) noexcept;
  /// How many regions the table holds.
  [[nodiscard]] static std::uint16_t count() noexcept;
  /// The region at table position `index` (< count()).
  [[nodiscard]] static Region at(std::uint16_t index) noexcept { return Region(index); }

  /// False for the default, unknown region.
  [[nodiscard]] constexpr bool is_known() const noexcept { return index_ != unknown_index; }
  /// Its position in the region table (see at()).
  [[nodiscard]] constexpr std::uint16_t index() const noexcept { return index_; }
  /// "RU"; "" for an unknown region.
  [[nodiscard]] std::string_view code() const noexcept;
  /// The country calling code (7 for RU); 0 for an unknown region and for "001", whose
  /// numbers have several calling codes.
  [[nodiscard]] std::uint16_t country_code() const noexcept;
  /// The national trunk prefix ("8" in RU, "0" in DE, "1" in US, "" in ES).
  [[nodiscard]] std::string_view trunk_prefix() const noexcept;

  /// Equal when every member is.
  friend constexpr bool operator==(Region, Region) noexcept = default;

 private:
  static constexpr std::uint16_t unknown_index = 0xFFFF;
  constexpr explicit Region(std::uint16_t index) noexcept : index_(index) {}
  std::uint16_t index_ = unknown_index;
};

TELCRM_END_NAMESPACE

#ifdef TELCRM_HEADER_ONLY
#include <telcrm/phone/region-inl.hpp>
#endif
