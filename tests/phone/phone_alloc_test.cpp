// SPDX-License-Identifier: Apache-2.0
// PhoneNormalizer never allocates (the hot path of every call): global operator new is
// replaced in this test program and counts every call.

#include <telcrm/phone/phone_normalizer.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

namespace {
std::atomic<long> allocations{0};
}  // namespace

void* operator new(std::size_t size) {
  allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) {
  return ::operator new(size);
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  std::free(p);
}

TEST_CASE("R-N5 normalising allocates no heap memory for inputs up to 64 bytes (and beyond)") {
  const std::vector<std::string> inputs = {
      "+7 (916) 123-45-67",
      "8 (916) 123-45-67",
      "79161234567",
      "810 49 30 1234567",
      "+7 495 123-45-67 доб. 101",
      "\"Kundendienst\" <sip:+4930123456@pbx.example;user=phone>",
      "tel:+1-212-555-1234;ext=101",
      "1-800-FLOWERS ext. 12",
      "\u0668\u0669\u0661\u0666\u0661\u0662\u0663\u0664\u0665\u0666\u0667",
      "011 15-2345-6789",
      "7.91612E+10",
      "79161234567.0",
      "*100#",
      "*8 939 816 73 90",
      "0 170 486 6174~132",
      "tel:4951234567;phone-context=+7",
      "0351/915 ROO",
      "(0xx12) 3456-7890",
      std::string(300, ' ') + "+7 916 123-45-67" + std::string(300, '_'),
      "",
      "garbage \xff\xfe",
      std::string(64, '9'),
      std::string(250, '+'),
      std::string(4000, '1'),
  };
  auto ru = telcrm::Region::from_code("RU");
  auto ar = telcrm::Region::from_code("AR");
  REQUIRE(ru.has_value());
  REQUIRE(ar.has_value());
  const telcrm::PhoneNormalizer normalizer;
  std::size_t dialable = 0;
  const long before = allocations.load();
  for (int round = 0; round < 200; ++round)
    for (const auto& input : inputs) {
      dialable += normalizer.normalize(input, *ru).is_dialable() ? 1 : 0;
      dialable += normalizer.normalize(input, *ar).is_dialable() ? 1 : 0;
    }
  const long after = allocations.load();
  CHECK(after - before == 0);
  CHECK(dialable > 0);
  // The counter works: a std::string beyond the small-string buffer allocates.
  std::string probe(100, 'x');
  CHECK(allocations.load() > after);
}
