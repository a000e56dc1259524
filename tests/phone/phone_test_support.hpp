// SPDX-License-Identifier: Apache-2.0
#pragma once
// Helpers shared by the phone test suites.

#include <telcrm/phone/phone_normalizer.hpp>

#include <doctest/doctest.h>

#include <string>
#include <string_view>

namespace telcrm_test {

/// The region of an ISO code that must exist.
inline telcrm::Region region(std::string_view code) {
  auto r = telcrm::Region::from_code(code);
  REQUIRE_MESSAGE(r.has_value(), std::string(code));
  return r.value_or(telcrm::Region{});
}

/// Normalises with the default options against the region `code` ("": no default region).
inline telcrm::PhoneNumber read(std::string_view input, std::string_view code) {
  static const telcrm::PhoneNormalizer normalizer;
  return normalizer.normalize(input, code.empty() ? telcrm::Region{} : region(code));
}

/// doctest prints std::string, not std::string_view.
inline std::string str(std::string_view s) {
  return std::string(s);
}

}  // namespace telcrm_test
