// SPDX-License-Identifier: Apache-2.0
#pragma once
// PhoneNumber: assembling a number from its parts into the inline buffers.

#include <telcrm/phone/phone_number.hpp>

#include <algorithm>
#include <cstddef>
#include <string_view>

TELCRM_BEGIN_NAMESPACE

TELCRM_INLINE std::string_view format_as(InvalidReason r) noexcept {
  switch (r) {
    case InvalidReason::none: return "none";
    case InvalidReason::empty: return "empty";
    case InvalidReason::input_too_long: return "input too long (more than 250 characters)";
    case InvalidReason::no_digits: return "no digits";
    case InvalidReason::too_short: return "too short";
    case InvalidReason::too_long: return "too long";
    case InvalidReason::digits_lost: return "digits lost (scientific notation)";
    case InvalidReason::unknown_country_code: return "unknown country code";
    case InvalidReason::unknown_region: return "unknown region";
  }
  return "unknown";
}

namespace detail {

/// Copies at most Max bytes of `from` to `to`; returns how many. A loop that stops early
/// rather than std::copy_n: compilers turn the latter into a memmove call, whose dispatch
/// on the size costs more than copying a dozen bytes of varying length.
template <std::size_t Max>
inline std::size_t copy_at_most(std::string_view from, char* to) noexcept {
  std::size_t i = 0;
  for (; i < Max && i < from.size(); ++i) to[i] = from[i];
  return i;
}

}  // namespace detail

TELCRM_INLINE PhoneNumber PhoneNumber::from_parts(const Parts& parts) noexcept {
  PhoneNumber number;
  number.status_ = parts.status;
  number.reason_ = parts.status == NumberStatus::invalid ? parts.reason : InvalidReason::none;
  number.source_ = parts.source;
  number.region_ = parts.region;
  number.country_code_ = parts.country_code;

  const bool dialable =
      parts.status == NumberStatus::valid || parts.status == NumberStatus::possible;
  if (dialable && parts.country_code != 0 && parts.country_code < 1000) {
    char cc[3];
    std::size_t cc_len = 0;
    for (unsigned rest = parts.country_code; rest != 0; rest /= 10)
      cc[cc_len++] = static_cast<char>('0' + rest % 10);
    std::size_t pos = 0;
    number.e164_[pos++] = '+';
    while (cc_len != 0) number.e164_[pos++] = cc[--cc_len];
    number.nsn_offset_ = static_cast<std::uint8_t>(pos);
    pos += detail::copy_at_most<max_e164_digits>(parts.national_number, number.e164_.data() + pos);
    number.e164_len_ = static_cast<std::uint8_t>(pos);
    // The key is the E.164 digits as an integer (19 digits always fit in 64 bits), read as
    // two halves whose multiply chains run side by side.
    const std::size_t key_digits = std::min<std::size_t>(pos - 1, 19);
    const std::size_t half = key_digits / 2;
    NumberKey high = 0;
    NumberKey low = 0;
    NumberKey scale = 1;
    for (std::size_t i = 0; i < half; ++i)
      high = high * 10 + static_cast<NumberKey>(number.e164_[1 + i] - '0');
    for (std::size_t i = half; i < key_digits; ++i) {
      low = low * 10 + static_cast<NumberKey>(number.e164_[1 + i] - '0');
      scale *= 10;
    }
    number.key_ = high * scale + low;
  } else {
    number.nsn_offset_ = 0;
  }

  number.digits_len_ = static_cast<std::uint8_t>(
      detail::copy_at_most<max_digits>(parts.digits, number.digits_.data()));
  number.ext_len_ = static_cast<std::uint8_t>(
      detail::copy_at_most<max_extension>(parts.extension, number.ext_.data()));
  return number;
}

TELCRM_END_NAMESPACE
