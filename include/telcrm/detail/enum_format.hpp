// SPDX-License-Identifier: Apache-2.0
#pragma once
// Makes every telcrm enum that has a `format_as` overload formattable with fmt, on fmt 9 as
// well as on fmt >= 10 (which understands `format_as` by itself). fmt 9 already formats an
// enum whose format_as returns an integer (CallStatus), so only string ones need this.

#include <telcrm/config.hpp>

#include <fmt/format.h>

#include <string_view>
#include <type_traits>

TELCRM_BEGIN_NAMESPACE
namespace detail {
template <class T>
concept has_string_format_as = std::is_enum_v<T> && requires(T value) {
  { format_as(value) } -> std::convertible_to<std::string_view>;
};
}  // namespace detail
TELCRM_END_NAMESPACE

#if FMT_VERSION < 100000
template <telcrm::TELCRM_ABI_NAMESPACE::detail::has_string_format_as E>
struct fmt::formatter<E, char> : fmt::formatter<std::string_view, char> {
  template <class Context>
  auto format(E value, Context& ctx) const {
    return fmt::formatter<std::string_view, char>::format(format_as(value), ctx);
  }
};
#endif
