// SPDX-License-Identifier: Apache-2.0
// A host program as small as it gets: link telcrm, read a number, print its E.164 form.
#include <telcrm/telcrm.hpp>

#include <cstdio>

// The consumer asked for C++20 and must get C++20: telcrm's targets may not raise it to C++23
// (as they did when the compiler's std::expected chose the Result backend).
static_assert(__cplusplus == 202002L, "a C++20 consumer of telcrm must stay C++20");

int main() {
  auto region = telcrm::Region::from_code("DE");
  if (!region) return 1;
  telcrm::PhoneNormalizer normalizer;
  auto number = normalizer.normalize("030 1234567", *region);
  std::printf("%.*s\n", static_cast<int>(number.e164().size()), number.e164().data());
  return number.e164() == "+49301234567" ? 0 : 1;
}
