// SPDX-License-Identifier: Apache-2.0
// The phone normaliser (R-N1 … R-N6) on any bytes, read against a region the first byte picks.
// Properties: no crash or undefined behaviour; a dialable result is "+" and digits (a country
// code, then at most max_e164_digits), and
// normalising that E.164 again (in any region) gives the same number.
#include <telcrm/phone/phone_normalizer.hpp>
#include <telcrm/phone/region.hpp>

#include <array>
#include <string>

#include "fuzz_support.hpp"

using namespace telcrm;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static constexpr std::array<const char*, 12> codes = {"RU", "DE", "US", "GB", "BR", "FR",
                                                        "CN", "IN", "IT", "AT", "KZ", "AU"};
  if (size == 0) return 0;
  const Region region = *Region::from_code(codes[data[0] % codes.size()]);
  const std::string_view input = telcrm_fuzz::text_of(data + 1, size - 1);
  const PhoneNormalizer normalizer;
  const PhoneNumber n = normalizer.normalize(input, region);
  if (!n.is_dialable()) return 0;
  const std::string e164(n.e164());
  // '+', a country code of up to 3 digits, a national number of up to max_e164_digits.
  if (e164.size() < 2 || e164.size() > 1 + 3 + PhoneNumber::max_e164_digits || e164[0] != '+')
    telcrm_fuzz::finding("a dialable number whose E.164 is malformed", e164);
  for (std::size_t i = 1; i < e164.size(); ++i)
    if (e164[i] < '0' || e164[i] > '9') telcrm_fuzz::finding("a non-digit in an E.164", e164);
  const PhoneNumber again = normalizer.normalize(e164, *Region::from_code("US"));
  if (!again.is_dialable() || again.e164() != n.e164())
    telcrm_fuzz::finding("normalising an E.164 again changed it",
                         e164 + " -> " + std::string(again.e164()));
  return 0;
}
