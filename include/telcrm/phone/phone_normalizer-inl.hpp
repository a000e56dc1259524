// SPDX-License-Identifier: Apache-2.0
#pragma once
// PhoneNormalizer: reading a number as written (R-N1 … R-N5, R-N7).
//
// Two stages, both linear in the input and free of heap memory:
//  1. read: split the text into tokens (digit runs, words, meaningful signs), find where the
//     number is (after a label, inside a tel:/sip: URI or <…>), cut off the extension at its
//     marker, and collect the digits — once as written and once with vanity letters mapped —
//     and what the text says about them (a phone-context, a pause mark, a stray * or #);
//  2. resolve: decide the country the digits name (+, exit code, the region's own country
//     code, or the default region) with the region table, and how usable the number is.

#include <telcrm/phone/detail/normalize_resolve.hpp>
#include <telcrm/phone/phone_normalizer.hpp>

TELCRM_BEGIN_NAMESPACE

TELCRM_INLINE PhoneNumber PhoneNormalizer::normalize(std::string_view input,
                                                     Region default_region) const noexcept {
  namespace n = detail::normalize;
  PhoneNumber::Parts parts;
  parts.region = default_region;
  if (input.size() > n::max_input) {
    // Over-long counts after whitespace and filler at both ends are dropped (R-N5): a number
    // padded to a fixed width is still read; a number in a long note is not.
    input = n::trim_padding(input);
    if (input.size() > n::max_input) {
      parts.reason = InvalidReason::input_too_long;
      return PhoneNumber::from_parts(parts);
    }
  }
  const detail::RegionData* region = detail::region_data(default_region.index());

  // Most numbers are digits and plain separators: no tokens needed.
  {
    char simple[n::max_input];
    std::size_t count = 0;
    bool plus = false;
    if (n::read_simple(input, simple, count, plus)) {
      const std::string_view digits(simple, count);
      n::Resolution r;
      n::resolve(digits, plus, region, r);
      n::set_resolved(r, parts);
      parts.digits = digits;
      return PhoneNumber::from_parts(parts);
    }
  }
  return n::normalize_text(input, default_region, options_);
}

TELCRM_END_NAMESPACE
