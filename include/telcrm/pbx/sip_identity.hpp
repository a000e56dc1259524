// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// Numbers as SIP delivers them: the caller (P-Asserted-Identity or From, anonymous
/// callers), the dialled line (the Request-URI), an extension named by a URI. Pure functions
/// over header text; part of the PBX protocol (docs/pbx-protocol.md).

#include <telcrm/config.hpp>
#include <telcrm/detail/enum_format.hpp>

#include <cstdint>
#include <string>
#include <string_view>

TELCRM_BEGIN_NAMESPACE
namespace pbx {

/// A SIP or tel URI taken apart, or a bare number/extension (empty scheme).
struct UriParts {
  std::string scheme{};       ///< "sip", "sips", "tel" (lower case); empty for a bare user
  std::string user{};         ///< percent-decoded; a tel URI's number
  std::string user_params{};  ///< telephone-subscriber parameters, e.g. ";phone-context=+7"
  std::string host{};         ///< sip/sips only
  std::string display{};      ///< the display name of a name-addr, unquoted
  bool user_phone = false;    ///< `;user=phone` among the URI parameters
  /// Equal when every field is.
  friend bool operator==(const UriParts&, const UriParts&) = default;
};

/// Takes apart a header value (`"Anna" <sip:+7495…@host;user=phone>;tag=x`), a URI
/// (`sip:…`, `sips:…`, `tel:…`, any case) or a bare user (`101`, `+74951234567`). Never fails:
/// what it cannot read stays empty.
[[nodiscard]] UriParts parse_uri(std::string_view text);

/// The number a URI carries, in the form PhoneNormalizer reads: the user part, or
/// `tel:<user><params>` when telephone-subscriber parameters (`;phone-context=`, `;ext=`)
/// follow it, so that they are read too (RFC 3966). Empty when the URI has no user.
[[nodiscard]] std::string number_of(const UriParts& uri);

/// True when the URI names no caller: no user, a user such as `anonymous`, `Anonymous`,
/// `restricted`, `unavailable`, `unknown`, `private` or `withheld`, or the host
/// `anonymous.invalid` (RFC 3323).
[[nodiscard]] bool is_anonymous(const UriParts& uri);

/// Which header the caller's number came from.
enum class CallerSource : std::uint8_t { asserted, from, none };
/// The source's name, as logs spell it.
constexpr std::string_view format_as(CallerSource s) noexcept {
  switch (s) {
    case CallerSource::asserted: return "asserted";
    case CallerSource::from: return "from";
    case CallerSource::none: return "none";
  }
  return "unknown";
}

/// The caller of a new call.
struct Caller {
  /// What the engine gets as CallStart::number: a number as SIP wrote it, or `anonymous`
  /// (PhoneNormalizer reads it as `invalid`: not searched, never a lead — R-M1, R-L3).
  std::string number{};
  CallerSource source = CallerSource::none;  ///< which header gave it
  bool anonymous = false;                    ///< hidden by the caller (anonymous or Privacy: id)
  /// Equal when every field is.
  friend bool operator==(const Caller&, const Caller&) = default;
};

/// The spelling every anonymous caller gets.
inline constexpr std::string_view anonymous_number = "anonymous";

/// The caller from the P-Asserted-Identity header (`asserted`, empty when absent) when it
/// names one, else from the From header. A `Privacy` header holding `id` (RFC 3325) makes the
/// caller anonymous: the company must not learn a number the caller withheld.
[[nodiscard]] Caller caller_of(std::string_view from, std::string_view asserted,
                               std::string_view privacy = {});

/// The line a call came in on: the number of the Request-URI (`sip:+74951234567@pbx`,
/// `sip:74951234567@pbx;user=phone`, `tel:…`), matched to a configured line by the engine
/// the way it matches any number (RoutingPolicy::find_line compares E.164).
[[nodiscard]] std::string dialled_number(std::string_view request_uri);

/// The extension a URI or bare value names (`sip:101@pbx` → `101`, `101` → `101`).
[[nodiscard]] std::string extension_of(std::string_view uri_or_extension);

/// True when two extensions are the same: equal as written, or equal digit for digit when
/// both hold digits (`101` and `1-01`), as R-X2 compares extensions.
[[nodiscard]] bool same_extension(std::string_view a, std::string_view b) noexcept;

}  // namespace pbx
TELCRM_END_NAMESPACE

#ifdef TELCRM_HEADER_ONLY
#include <telcrm/pbx/sip_identity-inl.hpp>
#endif
