// SPDX-License-Identifier: Apache-2.0
#pragma once
// Makes every telcrm enum that has a `format_as` overload formattable with fmt, on fmt 9 as
// well as on fmt >= 10 (which understands `format_as` by itself). fmt 9 already formats an
// enum whose format_as returns an integer (CallStatus), so only string ones need this.

#include <telcrm/config.hpp>

#include <fmt/core.h>

#include <string_view>
#include <type_traits>

TELCRM_BEGIN_NAMESPACE
namespace detail {
/// fmt support for values shown as text, with fmt/core.h alone: fmt 9 defines
/// formatter<string_view>::format in fmt/format.h, and deriving from it would make every
/// includer parse that header too. Takes no format spec: `{}` only.
struct text_formatter {
  constexpr auto parse(fmt::format_parse_context& ctx) -> decltype(ctx.begin()) {
    auto it = ctx.begin();
    if (it != ctx.end() && *it != '}') ctx.on_error("telcrm values take no format spec");
    return it;
  }
  template <class Context>
  static auto write(std::string_view text, Context& ctx) {
    auto out = ctx.out();
    for (char c : text) *out++ = c;
    return out;
  }
};

template <class T>
concept has_string_format_as = std::is_enum_v<T> && requires(T value) {
  { format_as(value) } -> std::convertible_to<std::string_view>;
};
}  // namespace detail
TELCRM_END_NAMESPACE

#if FMT_VERSION < 100000
template <telcrm::TELCRM_ABI_NAMESPACE::detail::has_string_format_as E>
struct fmt::formatter<E, char> : telcrm::TELCRM_ABI_NAMESPACE::detail::text_formatter {
  template <class Context>
  auto format(E value, Context& ctx) const {
    return write(format_as(value), ctx);
  }
};
#endif
