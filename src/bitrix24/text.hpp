// SPDX-License-Identifier: Apache-2.0
// Small text helpers shared by the Bitrix24 protocol's sources (not installed).
#pragma once

#include <telcrm/config.hpp>

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>

TELCRM_BEGIN_NAMESPACE
namespace bitrix24::text_detail {

inline std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}
inline std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}
inline bool iequal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace bitrix24::text_detail
TELCRM_END_NAMESPACE
