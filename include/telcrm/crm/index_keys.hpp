// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// The keys under which CrmIndex files a stored phone (R-N6, R-N7).

#include <telcrm/config.hpp>
#include <telcrm/detail/enum_format.hpp>
#include <telcrm/phone/phone_number.hpp>

#include <cstdint>
#include <string_view>

TELCRM_BEGIN_NAMESPACE

/// How a stored number was written. Only numbers written without any country indication
/// (no `+`, no exit code) have a national form that foreign callers can match (R-N6 tier 2).
enum class WrittenForm : std::uint8_t {
  international,     ///< with `+` or an exit code
  national,          ///< the national significant number alone ("9161234567")
  trunk_national,    ///< with the trunk prefix ("89161234567", "030 1234567")
  country_national,  ///< the country code without `+` ("79161234567")
};
/// The value's name, as fmt prints it.
constexpr std::string_view format_as(WrittenForm f) noexcept {
  switch (f) {
    case WrittenForm::international: return "international";
    case WrittenForm::national: return "national";
    case WrittenForm::trunk_national: return "trunk_national";
    case WrittenForm::country_national: return "country_national";
  }
  return "international";
}

/// What a key is made of.
enum class KeyKind : std::uint8_t {
  e164,    ///< the E.164 number: PhoneNumber::key()
  raw,     ///< the digits as read, for a phone that does not normalise (R-N7)
  suffix,  ///< the last N digits (R-N6 tier 3)
};

/// One index entry of a stored phone.
struct PhoneKey {
  std::uint64_t key = 0;                          ///< the key's value (see KeyKind)
  KeyKind kind = KeyKind::e164;                   ///< what the key is made of
  WrittenForm form = WrittenForm::international;  ///< how the stored phone was written
  /// Equal when every member is.
  friend constexpr bool operator==(PhoneKey, PhoneKey) = default;
};

namespace detail {
inline constexpr std::uint64_t raw_key_tag = 2ULL << 62;
inline constexpr std::uint64_t suffix_key_tag = 3ULL << 62;
inline constexpr std::size_t max_key_digits = 17;

constexpr bool is_raw_key(std::uint64_t key) noexcept {
  return (key & suffix_key_tag) == raw_key_tag;  // the two tag bits
}

/// tag | length << 57 | digits as an integer; 0 when `digits` is empty, longer than 17 or
/// holds a non-digit. The length keeps leading zeros apart ("0301" ≠ "301").
constexpr std::uint64_t digits_key(std::uint64_t tag, std::string_view digits) noexcept {
  if (digits.empty() || digits.size() > max_key_digits) return 0;
  std::uint64_t value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return 0;
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return tag | (std::uint64_t{digits.size()} << 57) | value;
}
}  // namespace detail

/// The raw-digits key of a digit string (R-N7); 0 when it has none.
constexpr std::uint64_t raw_key(std::string_view digits) noexcept {
  return detail::digits_key(detail::raw_key_tag, digits);
}
/// The key of the last `n` digits of `digits`; 0 when there are fewer than `n`.
constexpr std::uint64_t suffix_key(std::string_view digits, int n) noexcept {
  if (n <= 0 || digits.size() < static_cast<std::size_t>(n)) return 0;
  return detail::digits_key(detail::suffix_key_tag,
                            digits.substr(digits.size() - static_cast<std::size_t>(n)));
}

/// How `number` was written, from how its country was found and its digits.
inline WrittenForm written_form(const PhoneNumber& number) noexcept {
  switch (number.country_source()) {
    case CountrySource::leading_country_code: return WrittenForm::country_national;
    case CountrySource::default_region:
      return number.digits() == number.national_number() ? WrittenForm::national
                                                         : WrittenForm::trunk_national;
    default: return WrittenForm::international;
  }
}

TELCRM_END_NAMESPACE
