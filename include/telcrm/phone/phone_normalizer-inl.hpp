// SPDX-License-Identifier: Apache-2.0
#pragma once
// PhoneNormalizer: reading a number as written (R-N1 … R-N5, R-N7).
//
// Two stages, both linear in the input and free of heap memory:
//  1. read: split the text into tokens (digit runs, words, meaningful signs), find where the
//     number is (after a label, inside a tel:/sip: URI or <…>), cut off the extension at its
//     marker, and collect the digits — once as written and once with vanity letters mapped —
//     and what the text says about them (a phone-context, a pause mark, a stray * or #);
//  2. resolve: decide the country the digits name (+, exit code, the region's own country
//     code, or the default region) with the region table, and how usable the number is.

#include <telcrm/phone/detail/phone_text.hpp>
#include <telcrm/phone/phone_normalizer.hpp>
#include <telcrm/phone/phone_number-inl.hpp>
#include <telcrm/phone/region-inl.hpp>

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

inline bool has_digits_ahead(const Text& text, std::size_t i, std::size_t end) noexcept {
  i = text.skip_spaces(i, end);
  return text.is(i, Kind::digits) && i < end;
}

/// True when an extension's digits follow a marker at i - 1 ("ext. 101", "доб.: 101").
inline bool has_extension_ahead(const Text& text, std::size_t i, std::size_t end) noexcept {
  while (i < end) {
    Kind k = text.tokens[i].kind;
    if (k == Kind::digits) return true;
    if (k != Kind::space && k != Kind::dot && k != Kind::colon && k != Kind::equals) return false;
    ++i;
  }
  return false;
}

/// Collects the extension's digits from token i on: digit runs with separators between them.
inline std::size_t collect_extension(const Text& text, std::size_t i, std::size_t end,
                                     Reading& out) noexcept {
  std::size_t count = 0;
  while (i < end) {
    Kind k = text.tokens[i].kind;
    if (k == Kind::digits) {
      out.extension.append(text.digits_of(text.tokens[i]));
      count += text.tokens[i].count;
    } else if (k != Kind::space && !(count == 0 && (k == Kind::dot || k == Kind::colon ||
                                                    k == Kind::equals || k == Kind::hash))) {
      break;
    }
    ++i;
  }
  return count;
}

/// Spreadsheet damage: "7.91612E+10" (digits lost) and "79161234567.0" (a float's fraction).
/// Returns the token that ends the number (`end` when nothing was found).
inline std::size_t spreadsheet_end(const Text& text, std::size_t start, std::size_t end,
                                   Reading& out) noexcept {
  std::size_t i = start;
  while (i < end && text.tokens[i].kind == Kind::plus) ++i;
  if (!text.is(i, Kind::digits) || i >= end) return end;
  const Token& whole = text.tokens[i];
  const bool sep = text.is(i + 1, Kind::dot) || text.is(i + 1, Kind::comma);
  if (!sep || !text.glued(i, i + 1) || !text.is(i + 2, Kind::digits) || !text.glued(i + 1, i + 2))
    return end;
  const Token& fraction = text.tokens[i + 2];
  std::size_t after = i + 3;
  // Scientific notation: mantissa, fraction, E, optional +, exponent, then nothing.
  if (whole.count <= 3 && text.is(after, Kind::word) && text.glued(i + 2, after) &&
      (text.word_is(after, "e"))) {
    std::size_t j = after + 1;
    if (text.is(j, Kind::plus)) ++j;
    if (text.is(j, Kind::digits) && text.tokens[j].count <= 3 &&
        text.skip_spaces(j + 1, end) >= end) {
      out.invalid = InvalidReason::digits_lost;
      return end;
    }
  }
  // A whole number shown as a float: at least 7 digits, then only zeros after the point.
  if (whole.count >= 7 && fraction.count <= 4 && text.skip_spaces(after, end) >= end) {
    for (char c : text.digits_of(fraction))
      if (c != '0') return end;
    return i + 1;
  }
  return end;
}

/// URI parameters after the number, from the `;` at i to `end` (RFC 3966: ";ext=101",
/// ";isub=…", ";phone-context=+7-495"): reads them all. False when no parameter follows.
inline bool read_parameters(const Text& text, std::size_t i, std::size_t end,
                            Reading& out) noexcept {
  bool any = false;
  while (i < end && text.tokens[i].kind == Kind::semicolon) {
    const std::size_t name = text.skip_spaces(i + 1, end);
    if (name >= end || text.tokens[name].kind != Kind::word) break;
    if (phone_text::is_extension_word(text.bytes(text.tokens[name]))) {
      if (!has_extension_ahead(text, name + 1, end)) break;
      collect_extension(text, name + 1, end, out);
    } else {
      const bool context = text.word_is(name, "phone") && text.is(name + 1, Kind::space) &&
                           text.bytes(text.tokens[name + 1]) == "-" &&
                           text.word_is(name + 2, "context");
      const std::size_t eq = text.skip_spaces(name + (context ? 3 : 1), end);
      if (eq >= end || text.tokens[eq].kind != Kind::equals) break;
      // The prefix of a global number ("+7", "+7-495") gives the country (and maybe the
      // area); a domain name gives nothing.
      std::size_t v = text.skip_spaces(eq + 1, end);
      if (context && v < end && text.tokens[v].kind == Kind::plus) {
        DigitSpan digits;
        digits.base = text.digits;
        for (++v; v < end; ++v) {
          const Kind k = text.tokens[v].kind;
          if (k == Kind::digits) {
            digits.add(text.tokens[v]);
          } else if (k != Kind::space && k != Kind::dot) {
            break;
          }
        }
        out.context = digits;
      }
    }
    any = true;
    i = name + 1;
    while (i < end && text.tokens[i].kind != Kind::semicolon) ++i;
  }
  return any;
}

inline void read_number(const Text& text, std::size_t start, std::size_t hi, Reading& out) noexcept;

/// Stage 1: finds the number in the text and collects its digits and extension.
inline void read(const Text& text, Reading& out) noexcept {
  out.plain.base = text.digits;
  std::size_t lo = 0;
  std::size_t hi = text.size;
  // A tel: or sip: URI: the number is its user part ("Name" <sip:+7916…@host;user=phone>).
  bool uri = false;
  for (std::size_t i = 0; text.has(Kind::colon) && i + 1 < text.size; ++i) {
    if (text.tokens[i].kind != Kind::word || text.tokens[i + 1].kind != Kind::colon) continue;
    const bool sip = text.word_is(i, "sip") || text.word_is(i, "sips");
    if (!sip && !text.word_is(i, "tel")) continue;
    lo = i + 2;
    for (std::size_t j = lo; j < text.size; ++j) {
      Kind k = text.tokens[j].kind;
      if (k == Kind::greater || (sip && k == Kind::at)) {
        hi = j;
        break;
      }
    }
    uri = true;
    break;
  }
  // Otherwise a number in angle brackets, after a display name that may hold digits.
  if (!uri && text.has(Kind::less)) {
    for (std::size_t i = 0; i < text.size; ++i) {
      if (text.tokens[i].kind != Kind::less) continue;
      bool digit = false;
      for (std::size_t j = i + 1; j < text.size; ++j) {
        Kind k = text.tokens[j].kind;
        if (k == Kind::digits) digit = true;
        if (k == Kind::greater) {
          if (digit) {
            lo = i + 1;
            hi = j;
          }
          break;
        }
      }
      break;
    }
  }

  // Labels come first ("Tel.:", "моб.", a name): the number starts at its first digit or +.
  std::size_t start = lo;
  while (start < hi) {
    Kind k = text.tokens[start].kind;
    if (k == Kind::digits || k == Kind::plus) break;
    if ((k == Kind::star || k == Kind::hash) && has_digits_ahead(text, start + 1, hi)) break;
    ++start;
  }
  if (start >= hi) {
    out.invalid = InvalidReason::no_digits;
    for (std::size_t i = 0; i < text.size; ++i)
      if (text.tokens[i].kind != Kind::space) return;
    out.invalid = InvalidReason::empty;
    return;
  }

  // A service code (*100#, #31#, *#06#) is kept whole, with its stars and hashes. A single
  // sign before the digits may be a slip before a number instead (R-N5): normalize_text
  // reads the rest as a number too, from slip_token.
  if (text.tokens[start].kind == Kind::star || text.tokens[start].kind == Kind::hash) {
    out.service_code = true;
    std::size_t signs = 0;
    for (std::size_t i = start; i < hi; ++i) {
      const Token& t = text.tokens[i];
      if (t.kind == Kind::digits) {
        out.code.append(text.digits_of(t));
        out.plain.add(t);
      } else if (t.kind == Kind::star) {
        out.code.push('*');
        ++signs;
      } else if (t.kind == Kind::hash) {
        out.code.push('#');
        ++signs;
      } else if (t.kind != Kind::space) {
        break;
      }
    }
    // A sign skipped as a label just before ("**8 916…") makes two.
    std::size_t before = start;
    while (before > lo && text.tokens[before - 1].kind == Kind::space) --before;
    if (before > lo &&
        (text.tokens[before - 1].kind == Kind::star || text.tokens[before - 1].kind == Kind::hash))
      ++signs;
    if (signs == 1) {
      out.slip_token = text.skip_spaces(start + 1, hi);
      out.slip_end = hi;
    }
    return;
  }
  read_number(text, start, hi, out);
}

/// Reads the number that starts at token `start` (its first digit or +), up to `hi`.
inline void read_number(const Text& text, std::size_t start, std::size_t hi,
                        Reading& out) noexcept {
  hi = spreadsheet_end(text, start, hi, out);
  if (out.invalid != InvalidReason::none) {
    for (std::size_t i = start; i < hi; ++i)
      if (text.tokens[i].kind == Kind::digits) out.plain.add(text.tokens[i]);
    return;
  }

  // Latin letters anywhere in the number: with them, marker-like words may be vanity letters.
  std::size_t span_letters = 0;
  for (std::size_t i = start; text.has(Kind::word) && i < hi; ++i)
    if (text.tokens[i].kind == Kind::word) span_letters += text.tokens[i].count;
  // The vanity reading is needed only when there are letters to read.
  const bool vanity = span_letters != 0;

  // A pause mark (~) followed only by an extension's digits (and perhaps #) up to the end is
  // found once, from the end, so that reading stays linear (R-N3).
  std::size_t pause_token = hi;
  std::size_t pause_digits_token = hi;
  if (text.has(Kind::tilde)) {
    std::size_t j = hi;
    while (j > start && text.tokens[j - 1].kind == Kind::space) --j;
    if (j > start && text.tokens[j - 1].kind == Kind::hash) --j;
    while (j > start && text.tokens[j - 1].kind == Kind::space) --j;
    if (j > start && text.tokens[j - 1].kind == Kind::digits &&
        text.tokens[j - 1].count <= max_pause_extension) {
      const std::size_t digits = --j;
      while (j > start &&
             (text.tokens[j - 1].kind == Kind::space || text.tokens[j - 1].kind == Kind::tilde))
        --j;
      for (std::size_t k = j; k < digits; ++k) {
        if (text.tokens[k].kind == Kind::tilde) {
          pause_token = k;
          pause_digits_token = digits;
          break;
        }
      }
    }
  }

  std::size_t total_digits = 0;
  for (std::size_t i = start; i < hi; ++i) {
    const Token& t = text.tokens[i];
    switch (t.kind) {
      case Kind::plus:
        if (total_digits != 0) return;  // a second number
        out.plus = true;
        break;
      case Kind::digits:
        total_digits += t.count;
        out.plain.add(t);
        if (vanity) out.vanity.append(text.digits_of(t));
        break;
      case Kind::word: {
        if (total_digits == 0) break;  // "+ tel 7…": still the label
        // Extension markers are removed before letters are read as keypad digits (R-N3). A
        // marker with no digits after it is not one: the X of 1-800-FLOW-BOX.
        // Among vanity letters a marker-like word is a marker only when it stands apart and
        // its digits end the number: in (201) 5X1-HC0A, 2DW-0K0L and 21A-X0PN it is letters.
        // One-letter markers (x, and the dialler pauses p and w) there also need a whole
        // number before them.
        const bool one_letter = t.end - t.begin == 1;
        const bool vanity_context = span_letters > t.count;
        const bool whole_number_before = (vanity ? out.vanity.size : total_digits) >= 7;
        const bool glued_left = text.glued(i - 1, i) && text.tokens[i - 1].kind != Kind::space;
        const bool letters_follow =
            text.is(i + 1, Kind::digits) && text.is(i + 2, Kind::word) && text.glued(i + 1, i + 2);
        const bool apart = !vanity_context ||
                           (!glued_left && !letters_follow && (!one_letter || whole_number_before));
        if (apart && has_extension_ahead(text, i + 1, hi) &&
            phone_text::is_extension_word(text.bytes(t))) {
          collect_extension(text, i + 1, hi, out);
          return;
        }
        // Dialler pauses glued between digits: +74951234567p101, …w101.
        const bool pause = (text.word_is(i, "p") || text.word_is(i, "w")) && whole_number_before &&
                           !vanity_context && text.is(i - 1, Kind::digits) &&
                           text.glued(i - 1, i) && text.is(i + 1, Kind::digits) &&
                           text.glued(i, i + 1);
        if (pause) {
          collect_extension(text, i + 1, hi, out);
          return;
        }
        if (!t.latin) return;  // a trailing label in another script: "… моб."
        for (std::size_t k = 0; k < t.count; ++k)
          out.vanity.push(
              phone_text::keypad_digit(static_cast<std::uint8_t>(text.letters[t.first + k])));
        out.latin_letters += t.count;
        // Vanity letters are written in capitals; a word in lower case or a label may be
        // a label after a complete number (normalize_text decides).
        for (const char c : text.bytes(t))
          if (c >= 'a' && c <= 'z') out.lower_letters = true;
        if (t.count >= 3 && phone_text::is_label_word(text.bytes(t))) out.label_word = true;
        break;
      }
      case Kind::hash:
        if (total_digits != 0) {
          if (has_digits_ahead(text, i + 1, hi)) collect_extension(text, i + 1, hi, out);
          return;
        }
        break;
      case Kind::comma:
      case Kind::semicolon: {
        if (total_digits == 0) break;
        // tel: URIs write ";ext=101" and ";phone-context=+7"; dialling strings write ",101"
        // or ",,101" (pauses) and ";101" (wait).
        if (t.kind == Kind::semicolon && read_parameters(text, i, hi, out)) return;
        std::size_t j = text.skip_spaces(i + 1, hi);
        while (j < hi && (text.tokens[j].kind == Kind::comma || text.tokens[j].kind == Kind::space))
          ++j;
        if (j < hi && text.tokens[j].kind == Kind::digits) {
          Reading probe;
          if (collect_extension(text, j, hi, probe) <= max_pause_extension)
            collect_extension(text, j, hi, out);
        }
        return;
      }
      case Kind::tilde:
        if (i == pause_token && total_digits != 0) {
          out.pause_digits = out.plain.size();
          out.pause_extension.append(text.digits_of(text.tokens[pause_digits_token]));
        }
        break;
      case Kind::star:
      case Kind::dot:
      case Kind::space: break;
      case Kind::equals:
      case Kind::at:
      case Kind::colon:
      case Kind::less:
      case Kind::greater:
        if (total_digits != 0) return;
        break;
    }
    if (total_digits > max_number_digits) {
      out.too_many_digits = true;
      return;
    }
  }
}

// Bits of each byte for the common case: 1 digit, 2 anything unexpected, 4 plus, 8 dot,
// 16 a label's letter or colon; separators (space - ( ) / ' tab) have none.
inline constexpr std::array<std::uint8_t, 256> simple_bits = [] {
  std::array<std::uint8_t, 256> table{};
  for (auto& bits : table) bits = 2;
  for (int c = '0'; c <= '9'; ++c) table[static_cast<std::size_t>(c)] = 1;
  for (char c : {' ', '-', '(', ')', '/', '\'', '\t'}) table[static_cast<unsigned char>(c)] = 0;
  for (int c = 'A'; c <= 'Z'; ++c) table[static_cast<std::size_t>(c)] = 16;
  for (int c = 'a'; c <= 'z'; ++c) table[static_cast<std::size_t>(c)] = 16;
  table[':'] = 16;
  table['+'] = 4;
  table['.'] = 8;
  return table;
}();

/// The common case, read without tokens: digits (of any script), a leading + and plain
/// separators (space - ( ) / . ' tab, and the Unicode spaces, dashes and invisible marks),
/// after an optional label of letters and colons ("Tel.: ", "моб. ", "tel:"). Anything else
/// — or a trailing ".0", which may be a spreadsheet float — returns false and the full
/// reader runs; for what it accepts, both give the same (a test checks it).
/// ASCII bytes are handled without any branch that depends on the input: numbers arrive in
/// every shape, and mispredicted branches would cost more than the work itself.
/// `digits` must hold input.size() bytes.
inline bool read_simple(std::string_view input, char* digits, std::size_t& count,
                        bool& plus) noexcept {
  std::size_t n = 0;
  unsigned all = 0;      // every bit seen
  std::size_t late = 0;  // non-zero when a + follows a digit, or a letter the number's start
  const auto* bytes = reinterpret_cast<const unsigned char*>(input.data());
  for (std::size_t i = 0; i < input.size();) {
    unsigned char c = bytes[i];
    unsigned bits;
    if (c < 0x80) {
      bits = simple_bits[c];
      ++i;
    } else {
      const phone_text::Decoded ch = phone_text::decode(bytes + i, input.size() - i);
      i += ch.size;
      switch (ch.glyph) {
        case Glyph::digit:
          bits = 1;
          c = static_cast<unsigned char>('0' + ch.value);
          break;
        case Glyph::separator: bits = 0; break;
        case Glyph::letter:
        case Glyph::colon: bits = 16; break;
        case Glyph::plus: bits = 4; break;
        default: return false;  // full-width # * , ; … and the dot: the full reader's
      }
    }
    const std::size_t started = n | (all & 4U);
    digits[n] = static_cast<char>(c);
    late |= (bits & 4U) * n | (bits & 16U) * started;
    n += bits & 1U;
    all |= bits;
    if ((all & 2U) != 0) return false;
  }
  if (late != 0 || n == 0 || n > max_number_digits) return false;
  if ((all & 8U) != 0) {  // "79161234567.0": maybe a spreadsheet float, for the full reader
    std::size_t end = input.size();
    while (end > 0 && input[end - 1] == '0') --end;
    if (end < input.size() && end > 0 && input[end - 1] == '.') return false;
  }
  count = n;
  plus = (all & 4U) != 0;
  return true;
}

// --- stage 2: resolve the country --------------------------------------------------------

/// A number resolved to a country. The national significant number is a view into the
/// digits being read, or into `rewritten` when it had to be rewritten (AR's mobile token);
/// copies keep pointing at their own buffer.
struct Resolution {
  NumberStatus status = NumberStatus::invalid;
  InvalidReason reason = InvalidReason::none;
  CountrySource source = CountrySource::none;
  std::uint16_t country_code = 0;
  std::int8_t valid = -1;  // nsn matches a pattern: 1 yes, 0 no, -1 not known yet
  std::string_view nsn;
  Digits<max_number_digits + 8> rewritten;

  Resolution() = default;
  Resolution(const Resolution& other) noexcept { *this = other; }
  Resolution& operator=(const Resolution& other) noexcept {
    if (this == &other) return *this;
    status = other.status;
    reason = other.reason;
    source = other.source;
    country_code = other.country_code;
    valid = other.valid;
    nsn = other.nsn;
    if (other.nsn.data() == other.rewritten.data) {
      rewritten = other.rewritten;
      nsn = rewritten.view();
    }
    return *this;
  }
  ~Resolution() = default;
};

// Prefixes here are a few digits: a plain loop beats a call to memcmp.
inline bool starts_with(std::string_view s, std::string_view prefix) noexcept {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (s[i] != prefix[i]) return false;
  return true;
}

/// Calls `f` with each prefix of `region` in the split lists `Lists` (ExitCodes,
/// NationalPrefixes), longest first, stopping when it returns true.
template <class Lists, class F>
inline bool any_prefix(const RegionData& region, F&& f) noexcept {
  const auto index = static_cast<std::size_t>(&region - region_table::regions);
  const PrefixList list = Lists::data.lists[index];
  for (std::size_t k = 0; k < list.count; ++k)
    if (f(Lists::data.pool[list.first + k])) return true;
  return false;
}

/// is_valid_national for one country, remembering its last answers: one number's digits are
/// asked about several times (whole, without the prefix, at the end), always as views into
/// the same buffer, so the address and length identify them.
class Validity {
 public:
  explicit Validity(const CountryData& country) noexcept : country_(country) {}
  [[nodiscard]] const CountryData& country() const noexcept { return country_; }
  bool operator()(std::string_view nsn) noexcept {
    for (std::size_t i = 0; i < used_; ++i)
      if (data_[i] == nsn.data() && size_[i] == nsn.size()) return value_[i];
    const bool valid = is_valid_national(country_, nsn);
    const std::size_t slot = used_ < 4 ? used_++ : (next_++ & 3U);
    data_[slot] = nsn.data();
    size_[slot] = nsn.size();
    value_[slot] = valid;
    return valid;
  }

 private:
  const CountryData& country_;
  const char* data_[4] = {};
  std::size_t size_[4] = {};
  bool value_[4] = {};
  std::size_t used_ = 0;
  std::size_t next_ = 0;
};

/// libphonenumber's rule for a national prefix: the rest must still be able to be a number.
inline bool length_allows_strip(const CountryData& country, std::size_t n) noexcept {
  return is_possible_length(country, n) || n > max_possible_length(country);
}

/// Removes a national prefix of `region` from `nsn` when the rest reads better: not when the
/// whole is a valid number and the rest is not, and (with `check_length`) only when the rest
/// has a possible length — the `(0)` rule of R-N2. Longer prefixes than the trunk prefix
/// (carrier selection codes such as BR's 0 21, MX's 044) need a valid rest, since they
/// also look like the start of an area code.
inline std::string_view strip_prefix_once(const RegionData& region, Validity& valid,
                                          std::string_view nsn, bool check_length) noexcept {
  std::string_view result = nsn;
  bool whole_valid = false;
  bool whole_known = false;
  any_prefix<NationalPrefixes>(region, [&](std::string_view prefix) {
    if (!starts_with(nsn, prefix) || nsn.size() == prefix.size()) return false;
    std::string_view rest = nsn.substr(prefix.size());
    if (!whole_known) {
      whole_valid = valid(nsn);
      whole_known = true;
    }
    const bool rest_valid = valid(rest);
    if (whole_valid && !rest_valid) return false;
    const bool trunk =
        prefix.size() == region.trunk_prefix.size() && starts_with(prefix, region.trunk_prefix);
    if (!trunk && !rest_valid) return false;
    if (check_length && !rest_valid && !length_allows_strip(valid.country(), rest.size()))
      return false;
    result = rest;
    return true;
  });
  return result;
}

/// strip_prefix_once until nothing more goes (with the length check), so that the result
/// reads the same when it is normalised again from its E.164 form ("+86 0 0 89…").
inline std::string_view strip_national_prefix(const RegionData& region, Validity& valid,
                                              std::string_view nsn, bool check_length) noexcept {
  std::string_view result = strip_prefix_once(region, valid, nsn, check_length);
  while (check_length && result.size() != nsn.size()) {
    nsn = result;
    result = strip_prefix_once(region, valid, nsn, true);
  }
  return result;
}

/// Fills `out.nsn` from `nsn`, rewriting an AR-style national mobile (area 15 subscriber →
/// 9 area subscriber) when only the rewritten form is valid.
inline void set_national(const RegionData& region, Validity& valid, std::string_view nsn,
                         Resolution& out) noexcept {
  const std::string_view infix = region.mobile_infix;
  if (!infix.empty() && nsn.size() > infix.size() + 2 && !valid(nsn)) {
    for (std::size_t k = 1; k + infix.size() < nsn.size(); ++k) {
      if (nsn.substr(k, infix.size()) != infix) continue;
      Digits<max_number_digits + 8>& candidate = out.rewritten;
      candidate.size = 0;
      candidate.append(region.mobile_token);
      candidate.append(nsn.substr(0, k));
      candidate.append(nsn.substr(k + infix.size()));
      if (valid(candidate.view())) {
        out.nsn = candidate.view();
        out.valid = 1;
        return;
      }
    }
  }
  out.nsn = nsn;
  out.valid = valid(nsn) ? 1 : 0;
}

inline void classify(const CountryData& country, Resolution& out) noexcept {
  out.country_code = country.country_code;
  const std::size_t n = out.nsn.size();
  // At most 19 E.164 digits, so that the key (an integer) is exact: the table's longest is
  // +81 with 17 digits.
  const std::size_t max_here = 19 - country_code_digits(country.country_code);
  if (n < min_nsn || n > max_nsn || n > max_here) {
    out.status = NumberStatus::invalid;
    out.reason = n < min_nsn ? InvalidReason::too_short : InvalidReason::too_long;
  } else if (out.valid > 0 || (out.valid < 0 && is_valid_national(country, out.nsn))) {
    out.status = NumberStatus::valid;
  } else if (is_possible_length(country, n)) {
    out.status = NumberStatus::possible;  // metadata lag must never block a match (R-N5)
  } else {
    out.status = NumberStatus::invalid;
    out.reason =
        n < max_possible_length(country) ? InvalidReason::too_short : InvalidReason::too_long;
  }
  if (out.status == NumberStatus::invalid) out.source = CountrySource::none;
}

/// The region whose national prefixes apply to a number of calling code `cc`: the default
/// region when it has that code (KZ for +7 on a KZ line), else the code's main region.
inline const RegionData* region_for(const CountryData& country,
                                    const RegionData* default_region) noexcept {
  if (default_region != nullptr && default_region->country_code == country.country_code)
    return default_region;
  return region_data(country.main_region);
}

/// Reads `digits` as <country code><national number>. False when no calling code fits.
inline bool resolve_international(std::string_view digits, const RegionData* default_region,
                                  CountrySource source, Resolution& out) noexcept {
  // Calling codes are prefix-free: of the first one, two and three digits at most one is
  // assigned. All three are looked up, so the choice needs no branch on the data. A digit
  // at least must follow the code.
  if (digits.size() < 2 || digits[0] == '0') return false;
  const unsigned d0 = static_cast<unsigned>(digits[0] - '0');
  const unsigned d1 = static_cast<unsigned>(digits[1] - '0');
  const unsigned d2 = digits.size() > 3 ? static_cast<unsigned>(digits[2] - '0') : 0;
  const std::uint16_t row1 = country_rows[d0];
  const std::uint16_t row2 = digits.size() > 2 ? country_rows[d0 * 10 + d1] : no_country;
  const std::uint16_t row3 = digits.size() > 3 ? country_rows[d0 * 100 + d1 * 10 + d2] : no_country;
  const std::uint16_t row = row1 != no_country ? row1 : row2 != no_country ? row2 : row3;
  if (row == no_country) return false;
  const std::size_t cc_len = row1 != no_country ? 1 : row2 != no_country ? 2 : 3;
  const CountryData* country = &region_table::countries[row];
  const RegionData* region = region_for(*country, default_region);
  std::string_view nsn = digits.substr(cc_len);
  if (region != nullptr) {
    Validity valid(*country);
    nsn = strip_national_prefix(*region, valid, nsn, true);
    set_national(*region, valid, nsn, out);
  } else {
    out.nsn = nsn;
    out.valid = -1;
  }
  out.source = source;
  classify(*country, out);
  return true;
}

/// Tries the exit codes of `region` at the start of `digits`. Returns true when one matched
/// and a calling code followed; sets `matched` when an exit code matched at all.
inline bool resolve_exit_code(std::string_view digits, const RegionData& region,
                              CountrySource source, Resolution& out, bool& matched) noexcept {
  bool resolved = false;
  any_prefix<ExitCodes>(region, [&](std::string_view exit) {
    // Country codes never start with 0, and something must follow (libphonenumber's rule).
    if (!starts_with(digits, exit) || digits.size() <= exit.size() + 2 ||
        digits[exit.size()] == '0')
      return false;
    matched = true;
    resolved = resolve_international(digits.substr(exit.size()), &region, source, out);
    return true;
  });
  return resolved;
}

/// R-N2: the country of a number written with `plus` or not, against `region` (may be null).
inline void resolve(std::string_view digits, bool plus, const RegionData* region,
                    Resolution& out) noexcept {
  if (plus) {
    if (resolve_international(digits, region, CountrySource::plus_sign, out)) return;
    // Unambiguous slips: "+0049…", "++7", "+011 1…": an exit code written after the plus.
    bool matched = false;
    if (region != nullptr &&
        resolve_exit_code(digits, *region, CountrySource::plus_sign, out, matched))
      return;
    if (starts_with(digits, "00") &&
        resolve_international(digits.substr(2), region, CountrySource::plus_sign, out))
      return;
    out = Resolution{};
    out.reason = InvalidReason::unknown_country_code;
    return;
  }
  if (region == nullptr || region->country_code == 0) {
    out = Resolution{};
    if (digits.size() <= max_short_code) {
      out.status = NumberStatus::short_code;
    } else {
      out.reason = InvalidReason::unknown_region;
    }
    return;
  }
  const CountryData* country = country_for_code(region->country_code);
  if (country == nullptr) {
    out.reason = InvalidReason::unknown_region;
    return;
  }

  bool exit_matched = false;
  if (resolve_exit_code(digits, *region, CountrySource::exit_code, out, exit_matched)) return;
  Validity valid(*country);

  // Digits that begin with the region's own country code (79161234567 on an RU line) are
  // international when the rest is a valid national number and the whole is not, or when
  // the whole is too long. Lengths alone decide too (the rest has a possible length and
  // the whole has none), so that a number the validity table does not know is still read.
  // Where the trunk prefix is the country code (NANP's 1), the national reading below gives
  // the same number.
  const std::size_t cc_len = country_code_digits(region->country_code);
  unsigned leading = 0;
  for (std::size_t i = 0; i < cc_len && i < digits.size(); ++i)
    leading = leading * 10 + static_cast<unsigned>(digits[i] - '0');
  // The trunk prefix is the country code only in NANP ("1").
  const bool trunk_is_code = region->country_code == 1 && region->trunk_prefix == "1";
  if (!trunk_is_code && digits.size() > cc_len && leading == region->country_code &&
      digits[0] != '0') {
    std::string_view rest = strip_national_prefix(*region, valid, digits.substr(cc_len), false);
    const bool whole_valid = valid(digits);
    const bool by_pattern = !whole_valid && valid(rest);
    const bool by_length = !whole_valid && !is_possible_length(*country, digits.size()) &&
                           is_possible_length(*country, rest.size());
    if (by_pattern || by_length || digits.size() > max_possible_length(*country)) {
      rest = strip_national_prefix(*region, valid, rest, true);
      set_national(*region, valid, rest, out);
      out.source = CountrySource::leading_country_code;
      classify(*country, out);
      return;
    }
  }

  // A national form, with or without the trunk prefix.
  set_national(*region, valid, strip_national_prefix(*region, valid, digits, true), out);
  out.source = CountrySource::default_region;
  classify(*country, out);
  if (out.status == NumberStatus::valid) return;
  // A leading 0 where the plan has no trunk prefix (any more: PL dropped it in 2005) is an
  // old habit; it is dropped when that leaves a valid number.
  if (region->trunk_prefix.empty() && digits.size() > 1 && digits[0] == '0' &&
      valid(digits.substr(1))) {
    set_national(*region, valid, digits.substr(1), out);
    out.source = CountrySource::default_region;
    classify(*country, out);
    return;
  }
  if (digits.size() <= max_short_code) {
    out = Resolution{};
    out.status = NumberStatus::short_code;
    return;
  }
  // "00" is the exit code most of the world uses: accepted when it yields a valid number.
  if (!exit_matched && starts_with(digits, "00")) {
    Resolution abroad;
    if (resolve_international(digits.substr(2), region, CountrySource::exit_code, abroad) &&
        abroad.status == NumberStatus::valid) {
      out = abroad;
      return;
    }
  }
  if (exit_matched && out.status == NumberStatus::invalid) {
    out = Resolution{};
    out.reason = InvalidReason::unknown_country_code;
  }
}

/// Fills the resolved parts of `parts` from `r`.
inline void set_resolved(const Resolution& r, PhoneNumber::Parts& parts) noexcept {
  parts.status = r.status;
  parts.reason = r.status == NumberStatus::invalid ? r.reason : InvalidReason::none;
  parts.source = r.status == NumberStatus::short_code ? CountrySource::none : r.source;
  parts.country_code = r.status == NumberStatus::short_code ? std::uint16_t{0} : r.country_code;
  parts.national_number = r.nsn;
}

/// Stage 2 for what read() found: the country and status of the number, its extension, and
/// whether its letters are vanity letters.
inline PhoneNumber finish(const Reading& reading, Region default_region, const RegionData* region,
                          const NormalizerOptions& options) noexcept {
  PhoneNumber::Parts parts;
  parts.region = default_region;
  parts.extension = reading.extension.view();
  parts.digits = reading.plain.view();

  if (reading.invalid != InvalidReason::none) {
    parts.reason = reading.invalid;
    return PhoneNumber::from_parts(parts);
  }
  if (reading.service_code) {
    parts.digits = reading.code.view();
    if (reading.plain.size() == 0) {
      parts.reason = InvalidReason::no_digits;
    } else {
      parts.status = NumberStatus::short_code;
    }
    return PhoneNumber::from_parts(parts);
  }
  if (reading.plain.size() == 0) {
    parts.reason = InvalidReason::no_digits;
    return PhoneNumber::from_parts(parts);
  }
  if (reading.too_many_digits) {
    parts.reason = InvalidReason::too_long;
    return PhoneNumber::from_parts(parts);
  }

  // A tel: URI's ;phone-context=+CC gives the country (R-N5, RFC 3966): its digits come
  // first, as after a +.
  std::string_view digits = reading.plain.view();
  std::string_view vanity = reading.vanity.view();
  bool plus = reading.plus;
  std::size_t pause = reading.pause_digits;
  Digits<2 * max_number_digits> joined;
  Digits<2 * max_number_digits> joined_vanity;
  if (!plus && reading.context.size() != 0) {
    joined.append(reading.context.view());
    joined.append(digits);
    digits = joined.view();
    if (!vanity.empty()) {
      joined_vanity.append(reading.context.view());
      joined_vanity.append(vanity);
      vanity = joined_vanity.view();
    }
    if (pause != 0) pause += reading.context.size();
    plus = true;
    parts.digits = digits;
  }

  // A pause mark after a complete number: the digits after it are the extension (R-N3).
  if (pause != 0) {
    Resolution before;
    resolve(digits.substr(0, pause), plus, region, before);
    if (before.status == NumberStatus::valid) {
      set_resolved(before, parts);
      parts.digits = digits.substr(0, pause);
      parts.extension = reading.pause_extension.view();
      return PhoneNumber::from_parts(parts);
    }
  }

  Resolution plain;
  resolve(digits, plus, region, plain);
  // Vanity letters (1-800-FLOWERS) count when they make a valid number (R-N4): when the digits
  // alone are not one, or when the letters are written in capitals and are no label
  // (`0351/915 ROO`: in plans with numbers of many lengths the digits alone can be valid too).
  // A word in lower case or a label after a complete number ("+7 916 123-45-67 Ivan",
  // "… mobil", "… (old)") is a label.
  const bool capitals = !reading.lower_letters && !reading.label_word;
  if ((plain.status != NumberStatus::valid || capitals) && options.min_vanity_letters > 0 &&
      reading.latin_letters >= static_cast<std::size_t>(options.min_vanity_letters)) {
    Resolution keypad;
    resolve(vanity, plus, region, keypad);
    if (keypad.status == NumberStatus::valid) {
      set_resolved(keypad, parts);
      parts.digits = vanity;
      return PhoneNumber::from_parts(parts);
    }
  }
  set_resolved(plain, parts);
  return PhoneNumber::from_parts(parts);
}

/// The full reader: tokens, labels, URIs, extensions, vanity letters (stage 1), then
/// resolve (stage 2). PhoneNormalizer::normalize takes a shortcut for plain inputs.
inline PhoneNumber normalize_text(std::string_view input, Region default_region,
                                  const NormalizerOptions& options) noexcept {
  const RegionData* region = region_data(default_region.index());
  const Text text(input);
  Reading reading;
  read(text, reading);
  // A single * or # typed before a complete number is a slip (R-N5): the number is read
  // without it. Otherwise it begins a service code (*100#), which stays short.
  if (reading.service_code && reading.slip_token != 0) {
    Reading number;
    number.plain.base = text.digits;
    read_number(text, reading.slip_token, reading.slip_end, number);
    const PhoneNumber slip = finish(number, default_region, region, options);
    if (slip.status() == NumberStatus::valid) return slip;
  }
  return finish(reading, default_region, region, options);
}

/// The input without whitespace and filler at both ends (R-N5: fixed-width fields, lines
/// of underscores or dashes), in time linear in what is dropped.
inline std::string_view trim_padding(std::string_view input) noexcept {
  const auto* bytes = reinterpret_cast<const unsigned char*>(input.data());
  std::size_t begin = 0;
  std::size_t end = input.size();
  // Fixed-width fields repeat one filler byte: runs of eight are skipped at once.
  auto run_of = [&](std::size_t at) {
    std::uint64_t word = 0;
    std::memcpy(&word, bytes + at, sizeof word);
    return bytes[at] < 0x80 && phone_text::is_padding(bytes[at]) &&
           word == bytes[at] * 0x0101010101010101ULL;
  };
  while (end - begin >= 8 && run_of(begin)) begin += 8;
  while (end - begin >= 8 && run_of(end - 8)) end -= 8;
  while (begin < end) {
    std::size_t size = 1;
    if (!phone_text::is_padding(phone_text::code_point(bytes + begin, end - begin, size))) break;
    begin += size;
  }
  while (end > begin) {
    std::size_t first = end - 1;  // where the last character begins
    while (first > begin && end - first < 3 && (bytes[first] & 0xC0U) == 0x80U) --first;
    std::size_t size = 1;
    const char32_t cp = phone_text::code_point(bytes + first, end - first, size);
    if (size != end - first || !phone_text::is_padding(cp)) break;
    end = first;
  }
  return input.substr(begin, end - begin);
}

}  // namespace detail::normalize

TELCRM_INLINE PhoneNumber PhoneNormalizer::normalize(std::string_view input,
                                                     Region default_region) const noexcept {
  namespace n = detail::normalize;
  PhoneNumber::Parts parts;
  parts.region = default_region;
  if (input.size() > n::max_input) {
    // Over-long counts after whitespace and filler at both ends are dropped (R-N5): a number
    // padded to a fixed width is still read; a number in a long note is not.
    input = n::trim_padding(input);
    if (input.size() > n::max_input) {
      parts.reason = InvalidReason::input_too_long;
      return PhoneNumber::from_parts(parts);
    }
  }
  const detail::RegionData* region = detail::region_data(default_region.index());

  // Most numbers are digits and plain separators: no tokens needed.
  {
    char simple[n::max_input];
    std::size_t count = 0;
    bool plus = false;
    if (n::read_simple(input, simple, count, plus)) {
      const std::string_view digits(simple, count);
      n::Resolution r;
      n::resolve(digits, plus, region, r);
      n::set_resolved(r, parts);
      parts.digits = digits;
      return PhoneNumber::from_parts(parts);
    }
  }
  return n::normalize_text(input, default_region, options_);
}

TELCRM_END_NAMESPACE
