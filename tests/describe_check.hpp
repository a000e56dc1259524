// SPDX-License-Identifier: Apache-2.0
#pragma once
// What every describe() of a public enum promises, checked the same way in each area's suite:
// each enumerator has words of its own, they are not the machine spelling of format_as (a host
// shows them to people), and they are plain lower-case text that fits in a sentence.

#include <doctest/doctest.h>

#include <cctype>
#include <set>
#include <string>
#include <string_view>
#include <type_traits>

namespace telcrm_test {

/// Checks describe() over the enumerators first … last (contiguous values).
template <class E>
void check_words(E first, E last) {
  using U = std::underlying_type_t<E>;
  std::set<std::string_view> seen;
  for (auto v = static_cast<long long>(first); v <= static_cast<long long>(last); ++v) {
    const E value = static_cast<E>(static_cast<U>(v));
    const std::string_view words = describe(value);
    CAPTURE(v);
    CAPTURE(words);
    CHECK(!words.empty());
    CHECK(words != "unknown");
    CHECK(seen.insert(words).second);  // two enumerators never read the same
    CHECK(words.front() != ' ');
    CHECK(words.back() != ' ');
    CHECK(words.back() != '.');                        // a phrase, so it can sit inside a sentence
    CHECK(words.find('_') == std::string_view::npos);  // not the snake_case spelling
  }
}

}  // namespace telcrm_test
