// SPDX-License-Identifier: Apache-2.0
#pragma once
// UTF-8 checks for text that comes from outside (a PBX's JSON, a REST form, a host's store):
// JSON text is UTF-8 (RFC 8259), and a JSON writer must never meet bytes that are not. Also
// the bytes a JSON string holds as they are, for the readers and writers of JSON text.

#include <telcrm/config.hpp>

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

TELCRM_BEGIN_NAMESPACE
namespace detail {

// Bytes a JSON string holds as they are: printable ASCII (and DEL) but the quote and the
// backslash. Runs of them are copied at once.
inline constexpr auto plain_json_byte = [] {
  std::array<bool, 256> plain{};
  for (int b = 0x20; b < 0x80; ++b) plain[static_cast<std::size_t>(b)] = b != '"' && b != '\\';
  return plain;
}();

// The length of the well-formed UTF-8 sequence that starts at text[i] (a byte >= 0x80),
// else 0: no overlong forms, no surrogates, nothing above U+10FFFF (RFC 3629).
inline std::size_t utf8_sequence(std::string_view text, std::size_t i) noexcept {
  const auto c = static_cast<unsigned char>(text[i]);
  const std::size_t n = c >= 0xF5 ? 0 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
  bool ok = n > 0 && i + n <= text.size();
  for (std::size_t k = 1; ok && k < n; ++k)
    ok = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
  if (ok && n == 3) {
    const auto c1 = static_cast<unsigned char>(text[i + 1]);
    ok = !(c == 0xE0 && c1 < 0xA0) && !(c == 0xED && c1 >= 0xA0);
  }
  if (ok && n == 4) {
    const auto c1 = static_cast<unsigned char>(text[i + 1]);
    ok = !(c == 0xF0 && c1 < 0x90) && !(c == 0xF4 && c1 >= 0x90);
  }
  return ok ? n : 0;
}

// The end of the run from text[i] that a JSON string holds as it is: plain bytes and
// well-formed UTF-8 sequences. It stops at a quote, a backslash, a control byte or a byte
// that starts no UTF-8 sequence — what the JSON readers and writers must handle one by one.
inline std::size_t json_text_run(std::string_view text, std::size_t i) noexcept {
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (plain_json_byte[c]) {
      ++i;
    } else if (const std::size_t n = c >= 0x80 ? utf8_sequence(text, i) : 0; n > 0) {
      i += n;
    } else {
      break;
    }
  }
  return i;
}

// `text` as valid UTF-8: each byte that starts no well-formed sequence becomes U+FFFD (as a
// browser decodes a form). Text that is valid already is returned as it is, without a copy.
inline std::string valid_utf8(std::string text) {
  std::size_t i = 0;
  while (i < text.size()) {
    if (static_cast<unsigned char>(text[i]) < 0x80) {
      ++i;
    } else if (const std::size_t n = utf8_sequence(text, i); n > 0) {
      i += n;
    } else {
      break;
    }
  }
  if (i == text.size()) return text;
  std::string out(text, 0, i);
  while (i < text.size()) {
    const std::size_t n = static_cast<unsigned char>(text[i]) < 0x80 ? 1 : utf8_sequence(text, i);
    if (n > 0) {
      out.append(text, i, n);
      i += n;
    } else {
      out += "\xEF\xBF\xBD";  // U+FFFD
      ++i;
    }
  }
  return out;
}

}  // namespace detail
TELCRM_END_NAMESPACE
