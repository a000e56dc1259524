// SPDX-License-Identifier: Apache-2.0
// One const PhoneNormalizer shared by many threads gives every thread the same answers
// (pure and thread-safe; run under ThreadSanitizer by the tsan preset).

#include <telcrm/phone/phone_normalizer.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

TEST_CASE("R-N5 a shared normaliser is safe and deterministic across threads") {
  const std::vector<std::string> inputs = {"+7 (916) 123-45-67",  "8 (916) 123-45-67",
                                           "79161234567",         "0049 30 1234567",
                                           "1-800-FLOWERS",       "*100#",
                                           "+44 (0)20 7946 0018", "garbage"};
  auto ru = telcrm::Region::from_code("RU");
  REQUIRE(ru.has_value());
  const telcrm::PhoneNormalizer normalizer;
  std::vector<telcrm::PhoneNumber> expected;
  for (const auto& input : inputs) expected.push_back(normalizer.normalize(input, *ru));

  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int round = 0; round < 2000; ++round)
        for (std::size_t i = 0; i < inputs.size(); ++i)
          if (!(normalizer.normalize(inputs[i], *ru) == expected[i])) ++mismatches;
    });
  for (auto& thread : threads) thread.join();
  CHECK(mismatches.load() == 0);
}
