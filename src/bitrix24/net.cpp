// SPDX-License-Identifier: Apache-2.0
// RECORD_URL's rules: which addresses are public, URLs and redirects (no I/O here).
#include "../compiled_lib.hpp"  // first: stops a build without TELCRM_COMPILED_LIB

#include <telcrm/bitrix24/protocol.hpp>

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>

#include "text.hpp"

TELCRM_BEGIN_NAMESPACE
namespace bitrix24 {

using namespace text_detail;

bool is_public_address(std::string_view address) {
  const std::string text(address);
  std::array<unsigned char, 16> b{};
  if (inet_pton(AF_INET, text.c_str(), b.data()) == 1) {
    const unsigned a0 = b[0], a1 = b[1];
    if (a0 == 0 || a0 == 10 || a0 == 127) return false;     // this network, private, loop
    if (a0 == 100 && (a1 & 0xC0) == 64) return false;       // 100.64/10 shared (CGNAT)
    if (a0 == 169 && a1 == 254) return false;               // link-local
    if (a0 == 172 && (a1 & 0xF0) == 16) return false;       // 172.16/12
    if (a0 == 192 && a1 == 168) return false;               // 192.168/16
    if (a0 == 192 && a1 == 0 && b[2] == 0) return false;    // 192.0.0/24 protocol
    if (a0 == 198 && (a1 == 18 || a1 == 19)) return false;  // 198.18/15 benchmarking
    if (a0 >= 224) return false;                            // multicast, reserved, bcast
    return true;
  }
  if (inet_pton(AF_INET6, text.c_str(), b.data()) == 1) {
    const bool zero10 =
        std::all_of(b.begin(), b.begin() + 10, [](unsigned char c) { return c == 0; });
    if (zero10 && b[10] == 0xFF && b[11] == 0xFF)  // ::ffff:a.b.c.d
      return is_public_address(fmt::format("{}.{}.{}.{}", b[12], b[13], b[14], b[15]));
    if (std::all_of(b.begin(), b.begin() + 15, [](unsigned char c) { return c == 0; }))
      return false;                                           // :: and ::1
    if ((b[0] & 0xFE) == 0xFC) return false;                  // fc00::/7 unique local
    if (b[0] == 0xFE && (b[1] & 0xC0) == 0x80) return false;  // fe80::/10 link-local
    if (b[0] == 0xFE && (b[1] & 0xC0) == 0xC0) return false;  // fec0::/10 site-local
    if (b[0] == 0xFF) return false;                           // multicast
    if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B) return false;  // NAT64
    return true;
  }
  return false;
}

std::optional<Url> parse_url(std::string_view text) {
  Url u;
  const auto colon = text.find("://");
  if (colon == std::string_view::npos) return std::nullopt;
  u.scheme = lower(text.substr(0, colon));
  if (u.scheme != "http" && u.scheme != "https") return std::nullopt;
  text.remove_prefix(colon + 3);
  const auto slash = text.find_first_of("/?#");
  std::string_view authority = text.substr(0, slash);
  u.target = slash == std::string_view::npos ? "/" : std::string(text.substr(slash));
  if (auto hash = u.target.find('#'); hash != std::string::npos) u.target.resize(hash);
  if (u.target.empty() || u.target[0] != '/') u.target = "/" + u.target;
  if (authority.find('@') != std::string_view::npos) return std::nullopt;  // no credentials
  u.port = u.scheme == "https" ? 443 : 80;
  std::string_view port_text;
  if (!authority.empty() && authority[0] == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    u.host = std::string(authority.substr(1, close - 1));
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return std::nullopt;
      port_text = authority.substr(close + 2);
    }
  } else {
    const auto c = authority.rfind(':');
    u.host = std::string(authority.substr(0, c));
    if (c != std::string_view::npos) port_text = authority.substr(c + 1);
  }
  if (u.host.empty()) return std::nullopt;
  if (!port_text.empty()) {
    int port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port < 1 || port > 65535)
      return std::nullopt;
    u.port = port;
  }
  u.host = lower(u.host);
  return u;
}

std::optional<Url> resolve_location(const Url& base, std::string_view location) {
  if (location.find("://") != std::string_view::npos) return parse_url(location);
  if (location.substr(0, 2) == "//") return parse_url(base.scheme + ":" + std::string(location));
  Url u = base;
  if (!location.empty() && location[0] == '/') {
    u.target = std::string(location);
  } else {
    std::string path = base.target.substr(0, base.target.find('?'));
    path = path.substr(0, path.rfind('/') + 1);
    u.target = path + std::string(location);
  }
  return u;
}

}  // namespace bitrix24
TELCRM_END_NAMESPACE
