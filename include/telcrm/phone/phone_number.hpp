// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// PhoneNumber: the result of normalising a phone number (R-N1 … R-N5).

#include <telcrm/config.hpp>
#include <telcrm/detail/enum_format.hpp>
#include <telcrm/phone/region.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

TELCRM_BEGIN_NAMESPACE

/// How usable a normalised number is (R-N5). A `possible` number still matches.
enum class NumberStatus : std::uint8_t {
  valid,       ///< matches a number pattern of its country
  possible,    ///< the country is known and only the length fits
  short_code,  ///< a service or short code (112, 911, *100#) or an inner extension
  invalid,     ///< no usable number; reason() says why
};
/// "valid", "possible", "short", "invalid" (the scenario format's spelling).
constexpr std::string_view format_as(NumberStatus s) noexcept {
  switch (s) {
    case NumberStatus::valid: return "valid";
    case NumberStatus::possible: return "possible";
    case NumberStatus::short_code: return "short";
    case NumberStatus::invalid: return "invalid";
  }
  return "invalid";
}
/// What the status means for a person ("a service code or inner extension").
constexpr std::string_view describe(NumberStatus s) noexcept {
  switch (s) {
    case NumberStatus::valid: return "a valid number";
    case NumberStatus::possible:
      return "a possible number: the length fits, the pattern is unknown";
    case NumberStatus::short_code: return "a service code or inner extension";
    case NumberStatus::invalid: return "not a usable number";
  }
  return "not a usable number";
}

/// Why a number is `invalid` (none for every other status).
enum class InvalidReason : std::uint8_t {
  none,
  empty,                 ///< nothing but blanks
  input_too_long,        ///< more than 250 bytes without the padding at both ends: unread
  no_digits,             ///< text without any digit
  too_short,             ///< fewer digits than any number of its country
  too_long,              ///< more digits than any number of its country
  digits_lost,           ///< e.g. a spreadsheet's 7.91612E+10: the real digits are gone
  unknown_country_code,  ///< `+` or an exit code followed by an unassigned country code
  unknown_region,        ///< resolved against an unknown region and written without `+`
};
/// A short English explanation, e.g. "digits lost (scientific notation)".
std::string_view format_as(InvalidReason r) noexcept;

/// How the country of a number was determined. Matching uses it: only a number written
/// without any country indication has a `national` form (R-N6 tier 2).
enum class CountrySource : std::uint8_t {
  none,                  ///< invalid, or a short code
  plus_sign,             ///< written with `+` (or `++`, `+00`…)
  exit_code,             ///< written with an international exit code of the region (00, 810…)
  leading_country_code,  ///< digits that begin with the region's own country code (79161234567)
  default_region,        ///< a national form read against the default region
};
/// The value's name, as fmt prints it.
constexpr std::string_view format_as(CountrySource s) noexcept {
  switch (s) {
    case CountrySource::none: return "none";
    case CountrySource::plus_sign: return "plus_sign";
    case CountrySource::exit_code: return "exit_code";
    case CountrySource::leading_country_code: return "leading_country_code";
    case CountrySource::default_region: return "default_region";
  }
  return "none";
}
/// How the country was told, in words for people ("written with +").
constexpr std::string_view describe(CountrySource s) noexcept {
  switch (s) {
    case CountrySource::none: return "no country";
    case CountrySource::plus_sign: return "written with +";
    case CountrySource::exit_code: return "an international exit code";
    case CountrySource::leading_country_code: return "the country code without +";
    case CountrySource::default_region: return "a national form, read in the default region";
  }
  return "no country";
}

/// A compact integer for indexes: the E.164 digits read as a decimal integer (country codes
/// are prefix-free and never start with 0, so the key is unique per number); 0 = no number.
using NumberKey = std::uint64_t;

/// A normalised phone number. A plain value (no heap memory): the E.164 text, the digits as
/// read and the extension are stored inline, so normalising never allocates.
class PhoneNumber {
 public:
  static constexpr std::size_t max_e164_digits = 17;  ///< E.164 allows 15; some plans use more
  static constexpr std::size_t max_digits = 32;       ///< digits as read (R-N7 raw form)
  static constexpr std::size_t max_extension = 20;    ///< extension digits kept

  PhoneNumber() = default;

  /// How usable the number is (R-N5).
  [[nodiscard]] NumberStatus status() const noexcept { return status_; }
  /// Why it is invalid; none for every other status.
  [[nodiscard]] InvalidReason reason() const noexcept { return reason_; }
  /// True for valid and possible numbers: those have an E.164 form and are searched.
  [[nodiscard]] bool is_dialable() const noexcept {
    return status_ == NumberStatus::valid || status_ == NumberStatus::possible;
  }
  /// The country calling code (7 for +7…); 0 when there is none.
  [[nodiscard]] std::uint16_t country_code() const noexcept { return country_code_; }
  /// "+79161234567"; empty unless is_dialable().
  [[nodiscard]] std::string_view e164() const noexcept { return {e164_.data(), e164_len_}; }
  /// The national significant number, "9161234567"; empty unless is_dialable().
  [[nodiscard]] std::string_view national_number() const noexcept {
    return e164().substr(nsn_offset_);
  }
  /// The digits as read, without labels, separators or the extension, after mapping Unicode
  /// digits and vanity letters ("89161234567" for "8 (916) 123-45-67"). For short codes and
  /// inner extensions this is the code itself. Truncated to max_digits.
  [[nodiscard]] std::string_view digits() const noexcept { return {digits_.data(), digits_len_}; }
  /// The extension ("101" for "…#101" or "… доб. 101"); empty when none (R-N3).
  [[nodiscard]] std::string_view extension() const noexcept { return {ext_.data(), ext_len_}; }
  /// The default region the input was read against.
  [[nodiscard]] Region default_region() const noexcept { return region_; }
  /// How its country was told (matching's national tier needs it).
  [[nodiscard]] CountrySource country_source() const noexcept { return source_; }
  /// The compact key of e164(); 0 unless is_dialable().
  [[nodiscard]] NumberKey key() const noexcept { return key_; }

  /// Equal when every member is.
  friend bool operator==(const PhoneNumber&, const PhoneNumber&) = default;

  /// Builder used by PhoneNormalizer; hosts normally never call it.
  struct Parts {
    NumberStatus status = NumberStatus::invalid;  ///< see status()
    InvalidReason reason = InvalidReason::none;   ///< see reason()
    CountrySource source = CountrySource::none;   ///< see country_source()
    Region region;                                ///< see default_region()
    std::uint16_t country_code = 0;               ///< see country_code()
    std::string_view national_number;             ///< digits only
    std::string_view digits;                      ///< digits as read
    std::string_view extension;                   ///< see extension()
  };
  /// Assembles a number from its parts; parts longer than the inline buffers are truncated.
  [[nodiscard]] static PhoneNumber from_parts(const Parts& parts) noexcept;

 private:
  std::array<char, 1 + 3 + max_e164_digits> e164_{};
  std::array<char, max_digits> digits_{};
  std::array<char, max_extension> ext_{};
  NumberKey key_ = 0;
  Region region_;
  std::uint16_t country_code_ = 0;
  std::uint8_t e164_len_ = 0;
  std::uint8_t nsn_offset_ = 0;
  std::uint8_t digits_len_ = 0;
  std::uint8_t ext_len_ = 0;
  NumberStatus status_ = NumberStatus::invalid;
  InvalidReason reason_ = InvalidReason::empty;
  CountrySource source_ = CountrySource::none;
};

TELCRM_END_NAMESPACE

#ifdef TELCRM_HEADER_ONLY
#include <telcrm/phone/phone_number-inl.hpp>
#endif
