// SPDX-License-Identifier: Apache-2.0
#pragma once
// Makes every telcrm enum that has a `format_as` overload formattable with fmt, on fmt 9 as
// well as on fmt >= 10 (which understands `format_as` by itself). fmt 9 already formats an
// enum whose format_as returns an integer (CallStatus), so only string ones need this.
// Also detail::format, which telcrm's own messages are formatted with.

#include <telcrm/config.hpp>

#include <fmt/core.h>

#include <string>
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

#if defined(TELCRM_HEADER_ONLY)
// Header-only, the library's own messages skip fmt's compile-time check of the format string:
// it cost every includer about 5 ms per message (~0.3 s in all). The compiled library's build
// compiles the same code with the check, so a bad format string still fails a build.
template <class... T>
using format_string = fmt::string_view;
#else
template <class... T>
using format_string = fmt::format_string<T...>;
#endif

/// fmt::format for telcrm's own messages (see format_string above).
template <class... T>
std::string format(format_string<T...> text, T&&... args) {
  return fmt::vformat(text, fmt::make_format_args(args...));
}

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
