// SPDX-License-Identifier: Apache-2.0
#pragma once
// PhoneNormalizer, stage 1 (its vocabulary): the limits, the kinds of glyph, tokens, the text
// being read and what reading it finds (phone_normalizer-inl.hpp tells the two stages).

#include <telcrm/phone/detail/phone_text.hpp>
#include <telcrm/phone/phone_normalizer.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

TELCRM_BEGIN_NAMESPACE
namespace detail::normalize {

using phone_text::Glyph;

inline constexpr std::size_t max_input = 250;         // longer, once padding is dropped: unread
inline constexpr std::size_t max_number_digits = 40;  // more is never a number
inline constexpr std::size_t max_short_code = 6;      // 112, 911, 0611, inner extensions
// ",101", "~101": longer is a second number (libphonenumber's limit for one-sign markers).
inline constexpr std::size_t max_pause_extension = 9;
inline constexpr std::size_t min_nsn = 2;
inline constexpr std::size_t max_nsn = 17;

enum class Kind : std::uint8_t {
  digits,
  word,
  plus,
  star,
  hash,
  comma,
  semicolon,
  equals,
  at,
  colon,
  less,
  greater,
  dot,
  tilde,
  space,  // a run of separators
};

constexpr Kind kind_of(Glyph g) noexcept {
  switch (g) {
    case Glyph::digit: return Kind::digits;
    case Glyph::letter: return Kind::word;
    case Glyph::plus: return Kind::plus;
    case Glyph::star: return Kind::star;
    case Glyph::hash: return Kind::hash;
    case Glyph::comma: return Kind::comma;
    case Glyph::semicolon: return Kind::semicolon;
    case Glyph::equals: return Kind::equals;
    case Glyph::at: return Kind::at;
    case Glyph::colon: return Kind::colon;
    case Glyph::less: return Kind::less;
    case Glyph::greater: return Kind::greater;
    case Glyph::dot: return Kind::dot;
    case Glyph::tilde: return Kind::tilde;
    case Glyph::separator: return Kind::space;
  }
  return Kind::space;
}

inline constexpr std::array<Kind, 128> ascii_kinds = [] {
  std::array<Kind, 128> table{};
  for (std::size_t c = 0; c < 128; ++c) table[c] = kind_of(phone_text::ascii_glyphs[c]);
  return table;
}();

struct Token {
  Kind kind;
  std::uint8_t begin;  // byte offset in the input
  std::uint8_t end;    // byte offset past the token
  std::uint8_t first;  // digits: index in Text::digits; word: index in Text::letters
  std::uint8_t count;  // digits: how many; word: how many Latin letters
  bool latin;          // word: every letter is Latin (may be a vanity word)
};

/// The input split into tokens. Inputs are at most 250 bytes, so fixed arrays suffice.
struct Text {
  std::string_view input;
  Token tokens[max_input];
  char digits[max_input];   // every digit of the input, as ASCII
  char letters[max_input];  // every Latin letter of the input, upper case
  std::size_t size = 0;     // tokens in use
  std::uint32_t seen = 0;   // bit k: a token of Kind k occurs

  explicit Text(std::string_view in) noexcept : input(in) {
    const auto* bytes = reinterpret_cast<const unsigned char*>(in.data());
    const std::size_t n = in.size();
    // Counters live in locals while the loop runs (it is the hot loop), and runs of ASCII
    // digits, letters and separators are taken whole.
    std::size_t count = 0;
    std::size_t digit_count = 0;
    std::size_t letter_count = 0;
    std::uint32_t kinds = 0;
    std::size_t pos = 0;
    while (pos < n) {
      const unsigned char b = bytes[pos];
      Kind kind;
      std::uint8_t value = 0;
      std::size_t next = pos + 1;
      if (b < 0x80) {
        kind = ascii_kinds[b];
      } else {
        const phone_text::Decoded ch = phone_text::decode(bytes + pos, n - pos);
        kind = kind_of(ch.glyph);
        value = ch.value;
        next = pos + ch.size;
      }
      kinds |= 1U << static_cast<unsigned>(kind);
      Token* t = count != 0 ? &tokens[count - 1] : nullptr;
      if (t == nullptr || t->kind != kind ||
          !(kind == Kind::digits || kind == Kind::word || kind == Kind::space)) {
        t = &tokens[count++];
        *t = Token{kind, static_cast<std::uint8_t>(pos), 0, 0, 0, true};
        if (kind == Kind::digits) t->first = static_cast<std::uint8_t>(digit_count);
        if (kind == Kind::word) t->first = static_cast<std::uint8_t>(letter_count);
      }
      if (kind == Kind::digits) {
        if (b < 0x80) {
          while (next < n && static_cast<unsigned>(bytes[next] - '0') < 10U) ++next;
          for (std::size_t i = pos; i < next; ++i)
            digits[digit_count++] = static_cast<char>(bytes[i]);
          t->count = static_cast<std::uint8_t>(t->count + (next - pos));
        } else {
          digits[digit_count++] = static_cast<char>('0' + value);
          ++t->count;
        }
      } else if (kind == Kind::word) {
        if (b < 0x80) {
          while (next < n && bytes[next] < 0x80 && ascii_kinds[bytes[next]] == Kind::word) ++next;
          for (std::size_t i = pos; i < next; ++i)
            letters[letter_count++] = static_cast<char>(bytes[i] & ~0x20U);  // upper case
          t->count = static_cast<std::uint8_t>(t->count + (next - pos));
        } else if (value != 0) {
          letters[letter_count++] = static_cast<char>(value);
          ++t->count;
        } else {
          t->latin = false;
        }
      } else if (kind == Kind::space && b < 0x80) {
        while (next < n && bytes[next] < 0x80 && ascii_kinds[bytes[next]] == Kind::space) ++next;
      }
      t->end = static_cast<std::uint8_t>(next);
      pos = next;
    }
    size = count;
    seen = kinds;
  }

  /// True when a token of `kind` occurs anywhere: lets the reader skip whole searches.
  [[nodiscard]] bool has(Kind kind) const noexcept {
    return (seen >> static_cast<unsigned>(kind) & 1U) != 0;
  }

  [[nodiscard]] std::string_view bytes(const Token& t) const noexcept {
    return input.substr(t.begin, static_cast<std::size_t>(t.end - t.begin));
  }
  [[nodiscard]] std::string_view digits_of(const Token& t) const noexcept {
    return {digits + t.first, t.count};
  }
  [[nodiscard]] bool is(std::size_t i, Kind kind) const noexcept {
    return i < size && tokens[i].kind == kind;
  }
  /// True when token i ends exactly where token j (> i) begins.
  [[nodiscard]] bool glued(std::size_t i, std::size_t j) const noexcept {
    return i < size && j < size && tokens[i].end == tokens[j].begin;
  }
  [[nodiscard]] std::size_t skip_spaces(std::size_t i, std::size_t end) const noexcept {
    while (i < end && tokens[i].kind == Kind::space) ++i;
    return i;
  }
  /// True when the word at i, folded to ASCII lower case, equals `lower`.
  [[nodiscard]] bool word_is(std::size_t i, std::string_view lower) const noexcept {
    if (!is(i, Kind::word)) return false;
    std::string_view w = bytes(tokens[i]);
    if (w.size() != lower.size()) return false;
    for (std::size_t k = 0; k < w.size(); ++k) {
      char c = w[k];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
      if (c != lower[k]) return false;
    }
    return true;
  }
};

/// A fixed-capacity digit string.
template <std::size_t N>
struct Digits {
  char data[N];
  std::size_t size = 0;
  void append(std::string_view s) noexcept {
    const std::size_t room = N - size;
    const std::size_t k = s.size() < room ? s.size() : room;
    for (std::size_t i = 0; i < k; ++i) data[size + i] = s[i];
    size += k;
  }
  void push(char c) noexcept {
    if (size < N) data[size++] = c;
  }
  [[nodiscard]] std::string_view view() const noexcept { return {data, size}; }
};

/// The digits of the number as written: one stretch of Text::digits, since the number's
/// digit runs follow each other there.
struct DigitSpan {
  const char* base = nullptr;
  std::size_t begin = 0;
  std::size_t end = 0;
  void add(const Token& t) noexcept {
    if (end == begin) begin = t.first;
    end = static_cast<std::size_t>(t.first) + t.count;
  }
  [[nodiscard]] std::size_t size() const noexcept { return end - begin; }
  [[nodiscard]] std::string_view view() const noexcept {
    return base == nullptr ? std::string_view{} : std::string_view(base + begin, end - begin);
  }
};

/// What the reading stage found.
struct Reading {
  DigitSpan plain;                       // the digits as written
  Digits<max_number_digits + 8> vanity;  // the same with Latin letters as keypad digits
  Digits<PhoneNumber::max_extension> extension;
  Digits<PhoneNumber::max_digits> code;  // a service code with its * and #
  DigitSpan context;                     // ;phone-context=+7-495: its digits (RFC 3966)
  // A pause mark (~) after `pause_digits` digits, followed only by `pause_extension`: that is
  // the extension when the digits before it are a complete number (R-N3).
  std::size_t pause_digits = 0;
  Digits<PhoneNumber::max_extension> pause_extension;
  // A single * or # before the digits: the token after it and the end of the span, to read
  // the rest as a number when the sign turns out to be a slip (R-N5).
  std::size_t slip_token = 0;
  std::size_t slip_end = 0;
  std::size_t latin_letters = 0;
  bool lower_letters = false;  // a Latin letter of the number is written in lower case
  bool label_word = false;     // a word of the number is a label (mobil, fax…)
  bool plus = false;
  bool service_code = false;  // *100#, #31#
  bool too_many_digits = false;
  InvalidReason invalid = InvalidReason::none;
};

}  // namespace detail::normalize
TELCRM_END_NAMESPACE
