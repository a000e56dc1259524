// SPDX-License-Identifier: Apache-2.0
#pragma once
// What each character of a written phone number is: a digit of any script, a separator
// (every space, dash, bracket, bidi or zero-width mark), a letter, or one of the few signs
// that carry meaning (+ * # , ; = @ : < > . ~). Internal to PhoneNormalizer.

#include <telcrm/config.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

TELCRM_BEGIN_NAMESPACE
namespace detail::phone_text {

enum class Glyph : std::uint8_t {
  separator,  // ignored between digits (R-N1); also control bytes and malformed UTF-8
  digit,      // value = 0…9
  letter,     // value = 'A'…'Z' for Latin letters (ASCII or full-width), 0 for other scripts
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
  tilde,  // a separator (8~10), or a wait mark before an extension (R-N3)
};

struct Decoded {
  Glyph glyph;
  std::uint8_t value;  // see Glyph
  std::uint8_t size;   // bytes consumed, 1…4
};

inline constexpr std::array<Glyph, 128> ascii_glyphs = [] {
  std::array<Glyph, 128> table{};
  for (auto& g : table) g = Glyph::separator;
  for (int c = '0'; c <= '9'; ++c) table[static_cast<std::size_t>(c)] = Glyph::digit;
  for (int c = 'A'; c <= 'Z'; ++c) table[static_cast<std::size_t>(c)] = Glyph::letter;
  for (int c = 'a'; c <= 'z'; ++c) table[static_cast<std::size_t>(c)] = Glyph::letter;
  table['+'] = Glyph::plus;
  table['*'] = Glyph::star;
  table['#'] = Glyph::hash;
  table[','] = Glyph::comma;
  table[';'] = Glyph::semicolon;
  table['='] = Glyph::equals;
  table['@'] = Glyph::at;
  table[':'] = Glyph::colon;
  table['<'] = Glyph::less;
  table['>'] = Glyph::greater;
  table['.'] = Glyph::dot;
  table['~'] = Glyph::tilde;
  return table;
}();

/// The code point of the zero of each decimal digit block telcrm reads (Unicode Nd blocks in
/// the Basic Multilingual Plane: Arabic-Indic, Eastern Arabic-Indic (Persian), Devanagari,
/// Bengali… and full-width).
inline constexpr std::array<char32_t, 23> digit_zeros = {
    0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6, 0x0D66,
    0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0xFF10};

/// Classifies a non-ASCII code point.
constexpr Decoded classify(char32_t cp, std::uint8_t size) noexcept {
  if (cp >= 0x0660 && cp < 0x1A00) {
    for (char32_t zero : digit_zeros)
      if (cp >= zero && cp <= zero + 9)
        return {Glyph::digit, static_cast<std::uint8_t>(cp - zero), size};
  }
  if (cp >= 0xFF10 && cp <= 0xFF19)
    return {Glyph::digit, static_cast<std::uint8_t>(cp - 0xFF10), size};
  if (cp >= 0xFF21 && cp <= 0xFF3A)
    return {Glyph::letter, static_cast<std::uint8_t>('A' + (cp - 0xFF21)), size};
  if (cp >= 0xFF41 && cp <= 0xFF5A)
    return {Glyph::letter, static_cast<std::uint8_t>('A' + (cp - 0xFF41)), size};
  switch (cp) {
    case 0x00A0:  // no-break space
    case 0x00AD:  // soft hyphen
    case 0x00B7:  // middle dot
    case 0x061C:  // Arabic letter mark
    case 0x1680:  // Ogham space
    case 0x180E:  // Mongolian vowel separator
    case 0x2212:  // minus sign
    case 0x2053:  // swung dash
    case 0x223C:  // tilde operator
    case 0x2043:  // hyphen bullet
    case 0x3000:  // ideographic space
    case 0x30FC:  // katakana prolonged sound mark, written as a dash
    case 0xFEFF:  // byte order mark / zero-width no-break space
    case 0xFF08:
    case 0xFF09:  // full-width ( )
    case 0xFF0D:  // full-width hyphen
    case 0xFF0F:  // full-width slash
    case 0xFF3B:
    case 0xFF3D:  // full-width [ ]
    case 0xFFFD:  // replacement character
      return {Glyph::separator, 0, size};
    case 0xFF0B: return {Glyph::plus, 0, size};
    case 0xFF0A: return {Glyph::star, 0, size};
    case 0xFF03: return {Glyph::hash, 0, size};
    case 0xFF0C:
    case 0x060C: return {Glyph::comma, 0, size};
    case 0xFF1B: return {Glyph::semicolon, 0, size};
    case 0xFF1D: return {Glyph::equals, 0, size};
    case 0xFF20: return {Glyph::at, 0, size};
    case 0xFF1A: return {Glyph::colon, 0, size};
    case 0xFF0E: return {Glyph::dot, 0, size};
    case 0xFF5E: return {Glyph::tilde, 0, size};  // full-width tilde
    default: break;
  }
  // Spaces, dashes, zero-width characters and bidi controls (embeddings, isolates, marks).
  if ((cp >= 0x2000 && cp <= 0x2015) || (cp >= 0x2028 && cp <= 0x202F) ||
      (cp >= 0x205F && cp <= 0x206F))
    return {Glyph::separator, 0, size};
  return {Glyph::letter, 0, size};
}

/// Decodes the character at `p` (at most `avail` bytes). Malformed UTF-8 counts as a
/// one-byte separator, so any byte string decodes in linear time.
constexpr Decoded decode(const unsigned char* p, std::size_t avail) noexcept {
  const unsigned char b0 = p[0];
  if (b0 < 0x80) {
    Glyph g = ascii_glyphs[b0];
    std::uint8_t value = 0;
    if (g == Glyph::digit) value = static_cast<std::uint8_t>(b0 - '0');
    if (g == Glyph::letter) value = static_cast<std::uint8_t>(b0 & ~0x20U);  // upper case
    return {g, value, 1};
  }
  auto continuation = [&](std::size_t i) { return i < avail && (p[i] & 0xC0U) == 0x80U; };
  if (b0 >= 0xC2 && b0 <= 0xDF && continuation(1)) {
    char32_t cp = (static_cast<char32_t>(b0 & 0x1FU) << 6) | (p[1] & 0x3FU);
    return classify(cp, 2);
  }
  if (b0 >= 0xE0 && b0 <= 0xEF && continuation(1) && continuation(2)) {
    char32_t cp = (static_cast<char32_t>(b0 & 0x0FU) << 12) |
                  (static_cast<char32_t>(p[1] & 0x3FU) << 6) | (p[2] & 0x3FU);
    if (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF)) return {Glyph::separator, 0, 1};
    return classify(cp, 3);
  }
  if (b0 >= 0xF0 && b0 <= 0xF4 && continuation(1) && continuation(2) && continuation(3)) {
    char32_t cp = (static_cast<char32_t>(b0 & 0x07U) << 18) |
                  (static_cast<char32_t>(p[1] & 0x3FU) << 12) |
                  (static_cast<char32_t>(p[2] & 0x3FU) << 6) | (p[3] & 0x3FU);
    if (cp < 0x10000 || cp > 0x10FFFF) return {Glyph::separator, 0, 1};
    return {Glyph::letter, 0, 4};  // emoji, historic scripts: part of a label
  }
  return {Glyph::separator, 0, 1};
}

/// The code point at `p` (at most `avail` bytes) and its size in bytes; malformed UTF-8 gives
/// U+FFFD with size 1, as decode() reads it.
constexpr char32_t code_point(const unsigned char* p, std::size_t avail,
                              std::size_t& size) noexcept {
  size = 1;
  const unsigned char b0 = p[0];
  if (b0 < 0x80) return b0;
  auto continuation = [&](std::size_t i) { return i < avail && (p[i] & 0xC0U) == 0x80U; };
  char32_t cp = 0xFFFD;
  std::size_t n = 1;
  if (b0 >= 0xC2 && b0 <= 0xDF && continuation(1)) {
    cp = (static_cast<char32_t>(b0 & 0x1FU) << 6) | (p[1] & 0x3FU);
    n = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF && continuation(1) && continuation(2)) {
    cp = (static_cast<char32_t>(b0 & 0x0FU) << 12) | (static_cast<char32_t>(p[1] & 0x3FU) << 6) |
         (p[2] & 0x3FU);
    n = 3;
    if (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF)) return 0xFFFD;
  } else {
    return 0xFFFD;  // 4-byte characters are never padding
  }
  size = n;
  return cp;
}

/// Whitespace and filler that pads a field (R-N5): blanks, tabs, line ends, dashes, dots and
/// underscores, ASCII or their Unicode forms (no-break and other spaces, zero-width space,
/// dashes, minus, ellipsis, full-width hyphen, full stop and low line).
constexpr bool is_padding(char32_t cp) noexcept {
  switch (cp) {
    case ' ':
    case '\t':
    case '\n':
    case '\r':
    case '\v':
    case '\f':
    case '-':
    case '.':
    case '_':
    case 0x00A0:
    case 0x2026:
    case 0x202F:
    case 0x205F:
    case 0x2212:
    case 0x3000:
    case 0xFEFF:
    case 0xFF0D:
    case 0xFF0E:
    case 0xFF3F: return true;
    default: return (cp >= 0x2000 && cp <= 0x200B) || (cp >= 0x2010 && cp <= 0x2015);
  }
}

/// Lower-cases ASCII and the Cyrillic capitals of Russian and Ukrainian in place (UTF-8,
/// same length), so that marker words compare case-insensitively.
constexpr void fold_case(char* text, std::size_t size) noexcept {
  for (std::size_t i = 0; i < size; ++i) {
    auto b = static_cast<unsigned char>(text[i]);
    if (b >= 'A' && b <= 'Z') {
      text[i] = static_cast<char>(b + 32);
    } else if (b == 0xD0 && i + 1 < size) {
      auto c = static_cast<unsigned char>(text[i + 1]);
      if (c >= 0x90 && c <= 0x9F) {  // А…П → а…п
        text[i + 1] = static_cast<char>(c + 0x20);
        ++i;
      } else if (c >= 0xA0 && c <= 0xAF) {  // Р…Я → р…я
        text[i] = static_cast<char>(0xD1);
        text[i + 1] = static_cast<char>(c - 0x20);
        ++i;
      } else if (c >= 0x80 && c <= 0x8F) {  // Ѐ…Џ (Ё Є І Ї) → ѐ…џ
        text[i] = static_cast<char>(0xD1);
        text[i + 1] = static_cast<char>(c + 0x10);
        ++i;
      }
    }
  }
}

/// Words that introduce an extension when they follow the number (R-N3), lower case.
inline constexpr std::array<std::string_view, 34> extension_words = {
    "x",          "ext",        "extn",       "extension", "extensión", "extensão",   "ramal",
    "anexo",      "poste",      "durchwahl",  "dw",        "app",       "apparat",    "wew",
    "wewn",       "int",        "interno",    "toestel",   "tst",       "dahili",     "linka",
    "klapka",     "доб",        "добавочный", "вн",        "внутр",     "внутренний", "дод",
    "додатковий", "внутрішній", "内線",       "內線",      "分機",      "分机"};

/// True when `word` (UTF-8, any case) is an extension marker.
constexpr bool is_extension_word(std::string_view word) noexcept {
  char folded[32] = {};
  if (word.size() > sizeof folded) return false;
  for (std::size_t i = 0; i < word.size(); ++i) folded[i] = word[i];
  fold_case(folded, word.size());
  std::string_view key(folded, word.size());
  for (std::string_view marker : extension_words)
    if (marker == key) return true;
  return false;
}

/// Words written after a number that label it (lower case): never read as vanity letters when
/// the digits before them are a valid number (R-N4), even in capitals (`030 1234567 MOBIL`).
inline constexpr std::array<std::string_view, 28> label_words = {
    "mob",     "mobil", "mobile", "mobiel",   "cell",     "tel",      "fax",
    "home",    "work",  "office", "handy",    "privat",   "private",  "main",
    "direct",  "old",   "new",    "fix",      "fixe",     "portable", "movil",
    "celular", "casa",  "buero",  "zentrale", "whatsapp", "viber",    "sms"};

/// True when `word` (ASCII, any case) is one of label_words.
constexpr bool is_label_word(std::string_view word) noexcept {
  if (word.size() < 3 || word.size() > 8) return false;
  char folded[8] = {};
  for (std::size_t i = 0; i < word.size(); ++i) {
    char c = word[i];
    folded[i] = c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
  }
  const std::string_view key(folded, word.size());
  for (std::string_view label : label_words)
    if (label == key) return true;
  return false;
}

/// The telephone keypad digit of a Latin letter ('A'…'Z'), for vanity numbers (R-N4).
constexpr char keypad_digit(std::uint8_t upper) noexcept {
  constexpr std::string_view keys = "22233344455566677778889999";
  return upper >= 'A' && upper <= 'Z' ? keys[upper - 'A'] : '0';
}

}  // namespace detail::phone_text
TELCRM_END_NAMESPACE
