// SPDX-License-Identifier: Apache-2.0
#pragma once
// PhoneNormalizer, stage 1: where the number is in the text, its extension, its digits as
// written and with vanity letters mapped (R-N1 … R-N4), and the fast path for plain numbers.

#include <telcrm/phone/detail/normalize_text.hpp>

TELCRM_BEGIN_NAMESPACE
namespace detail::normalize {

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

}  // namespace detail::normalize
TELCRM_END_NAMESPACE
