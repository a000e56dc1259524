// SPDX-License-Identifier: Apache-2.0
#pragma once
// "1, 2, 3": numbers joined for messages, without fmt/format.h's fmt::join (the headers
// include only fmt/core.h, which halves what a header-only includer parses).

#include <telcrm/config.hpp>

#include <span>
#include <string>
#include <string_view>

TELCRM_BEGIN_NAMESPACE
namespace detail {

template <class T>
std::string join_numbers(std::span<const T> values, std::string_view separator = ", ") {
  std::string out;
  for (const T& v : values) {
    if (!out.empty()) out += separator;
    out += std::to_string(v);
  }
  return out;
}

}  // namespace detail
TELCRM_END_NAMESPACE
