// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <telcrm/pbx/sip_identity.hpp>

#include <telcrm/detail/utf8.hpp>

#include <array>
#include <cstddef>

TELCRM_BEGIN_NAMESPACE
namespace pbx {

namespace identity_detail {

constexpr char lower(char c) noexcept {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
}

inline bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

inline std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

inline int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// RFC 3261 escapes in the user part (`%2B7495…`); a malformed escape is kept as written.
// Escaped bytes that make no UTF-8 become U+FFFD: the number is text from here on (kept
// as received, journaled as JSON).
inline std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      const int hi = hex_value(s[i + 1]);
      const int lo = hex_value(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += s[i];
  }
  return ::telcrm::detail::valid_utf8(std::move(out));
}

// A quoted display name without its quotes and escapes; an unquoted one trimmed.
inline std::string unquote(std::string_view s) {
  s = trim(s);
  if (s.size() < 2 || s.front() != '"' || s.back() != '"') return std::string(s);
  std::string out;
  for (std::size_t i = 1; i + 1 < s.size(); ++i) {
    if (s[i] == '\\' && i + 2 < s.size()) ++i;
    out += s[i];
  }
  return out;
}

// Whether the URI parameters (";user=phone;transport=udp") hold user=phone.
inline bool has_user_phone(std::string_view params) noexcept {
  while (!params.empty()) {
    if (params.front() == ';') params.remove_prefix(1);
    const auto end = params.find(';');
    const auto param = params.substr(0, end);
    const auto eq = param.find('=');
    if (eq != std::string_view::npos && iequals(trim(param.substr(0, eq)), "user") &&
        iequals(trim(param.substr(eq + 1)), "phone"))
      return true;
    if (end == std::string_view::npos) break;
    params.remove_prefix(end);
  }
  return false;
}

}  // namespace identity_detail

TELCRM_INLINE UriParts parse_uri(std::string_view text) {
  using namespace identity_detail;
  UriParts out;
  text = trim(text);
  // name-addr: [display] <URI> [;header-params]. A display name may hold '<' only quoted.
  std::size_t open = std::string_view::npos;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '"' && (i == 0 || text[i - 1] != '\\')) quoted = !quoted;
    if (!quoted && text[i] == '<') {
      open = i;
      break;
    }
  }
  if (open != std::string_view::npos) {
    out.display = unquote(text.substr(0, open));
    const auto close = text.find('>', open);
    text = text.substr(open + 1,
                       close == std::string_view::npos ? std::string_view::npos : close - open - 1);
    text = trim(text);
  }
  // The scheme: letters before ':' (a bare "+7 495 …" or "101" has none).
  const auto colon = text.find(':');
  std::string_view scheme;
  if (colon != std::string_view::npos) {
    scheme = text.substr(0, colon);
    for (char c : scheme)
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) scheme = {};
  }
  if (iequals(scheme, "tel")) {
    out.scheme = "tel";
    const auto rest = text.substr(colon + 1);
    const auto semi = rest.find(';');
    out.user = percent_decode(trim(rest.substr(0, semi)));
    if (semi != std::string_view::npos) out.user_params = std::string(rest.substr(semi));
    return out;
  }
  if (iequals(scheme, "sip") || iequals(scheme, "sips")) {
    out.scheme = iequals(scheme, "sip") ? "sip" : "sips";
    auto rest = text.substr(colon + 1);
    if (const auto q = rest.find('?'); q != std::string_view::npos) rest = rest.substr(0, q);
    const auto at = rest.rfind('@');
    std::string_view hostport = rest;
    if (at != std::string_view::npos) {
      auto userinfo = rest.substr(0, at);
      hostport = rest.substr(at + 1);
      userinfo = userinfo.substr(0, userinfo.find(':'));  // user[:password]
      const auto semi = userinfo.find(';');
      out.user = percent_decode(userinfo.substr(0, semi));
      if (semi != std::string_view::npos) out.user_params = std::string(userinfo.substr(semi));
    }
    const auto semi = hostport.find(';');
    out.host = std::string(hostport.substr(0, semi));
    if (semi != std::string_view::npos) out.user_phone = has_user_phone(hostport.substr(semi));
    return out;
  }
  // A bare user: a number or an extension as a PBX variable holds it ($rU, $fU), or an
  // address of record without its scheme (`101@pbx`, as usrloc names one).
  const auto at = text.find('@');
  out.user = percent_decode(text.substr(0, at));
  if (at != std::string_view::npos) out.host = std::string(text.substr(at + 1));
  return out;
}

TELCRM_INLINE std::string number_of(const UriParts& uri) {
  if (uri.user.empty()) return {};
  if (uri.user_params.empty()) return uri.user;
  // PhoneNormalizer reads ";ext=" and ";phone-context=" in a tel: URI (R-N3, R-N5).
  return "tel:" + uri.user + uri.user_params;
}

TELCRM_INLINE bool is_anonymous(const UriParts& uri) {
  using namespace identity_detail;
  if (iequals(uri.host, "anonymous.invalid")) return true;
  const auto user = trim(uri.user);
  if (user.empty()) return true;
  static constexpr std::array<std::string_view, 7> hidden{
      "anonymous", "restricted", "unavailable",      "unknown",
      "private",   "withheld",   "anonymous.invalid"};
  for (auto word : hidden)
    if (iequals(user, word)) return true;
  return false;
}

TELCRM_INLINE Caller caller_of(std::string_view from, std::string_view asserted,
                               std::string_view privacy) {
  using namespace identity_detail;
  // Privacy: id (RFC 3325) — the network knows the number, the caller asked to hide it.
  for (std::size_t start = 0; start <= privacy.size();) {
    auto end = privacy.find_first_of(";, ", start);
    if (end == std::string_view::npos) end = privacy.size();
    if (iequals(trim(privacy.substr(start, end - start)), "id"))
      return Caller{std::string(anonymous_number), CallerSource::none, true};
    start = end + 1;
  }
  Caller out;
  UriParts uri;
  if (!trim(asserted).empty()) {
    uri = parse_uri(asserted);
    out.source = CallerSource::asserted;
  } else {
    uri = parse_uri(from);
    out.source = CallerSource::from;
  }
  if (is_anonymous(uri)) {
    out.anonymous = true;
    out.number = std::string(anonymous_number);
    return out;
  }
  out.number = number_of(uri);
  return out;
}

TELCRM_INLINE std::string dialled_number(std::string_view request_uri) {
  return number_of(parse_uri(request_uri));
}

TELCRM_INLINE std::string extension_of(std::string_view uri_or_extension) {
  return parse_uri(uri_or_extension).user;
}

TELCRM_INLINE bool same_extension(std::string_view a, std::string_view b) noexcept {
  if (a == b) return !a.empty();
  std::size_t i = 0;
  std::size_t j = 0;
  bool any = false;
  for (;;) {
    while (i < a.size() && !(a[i] >= '0' && a[i] <= '9')) ++i;
    while (j < b.size() && !(b[j] >= '0' && b[j] <= '9')) ++j;
    if (i == a.size() || j == b.size()) return any && i == a.size() && j == b.size();
    if (a[i] != b[j]) return false;
    any = true;
    ++i;
    ++j;
  }
}

}  // namespace pbx
TELCRM_END_NAMESPACE
