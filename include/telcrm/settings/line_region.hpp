// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// The region a line's calls are read against (R-N2).

#include <telcrm/config.hpp>
#include <telcrm/phone/phone_normalizer.hpp>
#include <telcrm/settings/settings.hpp>

TELCRM_BEGIN_NAMESPACE

/// The line's own region if set; else the default region when it shares the line number's
/// country code; else the main region of that country code; else the default region.
[[nodiscard]] inline Region line_region(const LineSettings& line, Region default_region,
                                        const PhoneNormalizer& normalizer = PhoneNormalizer()) {
  if (line.region) return *line.region;
  const PhoneNumber number = normalizer.normalize(line.number, default_region);
  if (!number.is_dialable() || number.country_code() == default_region.country_code())
    return default_region;
  return Region::main_for_country_code(number.country_code()).value_or(default_region);
}

TELCRM_END_NAMESPACE
