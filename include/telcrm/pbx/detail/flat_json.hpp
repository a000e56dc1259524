// SPDX-License-Identifier: Apache-2.0
#pragma once
// Flat JSON for the PBX protocol: one object of strings, integers, booleans and nulls in
// (what Kamailio's jansson_set builds), one object out (read there with jansson_get).
//
// Why not nlohmann_json: the core library is header-only capable and dependency-free apart
// from fmt, and the protocol's documents are flat by design (failure_route reads them field
// by field). A strict reader of that shape is a page of code; every problem is reported with
// the JSON path of the value, as the rest of telcrm does (`$.code: expected an integer`).

#include <telcrm/config.hpp>
#include <telcrm/detail/inline_list.hpp>
#include <telcrm/detail/utf8.hpp>
#include <telcrm/result.hpp>

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

TELCRM_BEGIN_NAMESPACE
namespace pbx::flat_json {

/// One value of a flat object. Nested objects and arrays are refused by the reader.
struct Value {
  enum class Kind : std::uint8_t { null, boolean, integer, number, string };
  Kind kind = Kind::null;
  bool boolean = false;
  std::int64_t integer = 0;
  std::string text{};  ///< the string, or a number's spelling
};

struct Field {
  std::string key;
  Value value;
};

/// A parsed flat object: its fields in document order.
struct Object {
  std::vector<Field> fields;
  [[nodiscard]] const Value* find(std::string_view key) const noexcept {
    for (const auto& f : fields)
      if (f.key == key) return &f.value;
    return nullptr;
  }
};

/// `$.key` — the path of a field, as every error names it.
inline std::string path_of(std::string_view key) {
  std::string out("$.");
  out.append(key);
  return out;
}

namespace parser_detail {

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Result<Object> object() {
    Object out;
    out.fields.reserve(8);  // a request has a handful of fields: one allocation
    skip_space();
    if (!consume('{')) return error(nullptr, "expected a JSON object");
    skip_space();
    if (consume('}')) return finish(std::move(out));
    for (;;) {
      skip_space();
      std::string key;
      const std::string* last = out.fields.empty() ? nullptr : &out.fields.back().key;
      if (peek() != '"') return error(last, "expected a key in double quotes");
      if (auto ok = string(key, nullptr); !ok) return fail(ok.error());
      for (const auto& f : out.fields)
        if (f.key == key) return error(&key, "the key appears twice");
      skip_space();
      if (!consume(':')) return error(&key, "expected ':' after the key");
      skip_space();
      Value v;
      if (auto ok = value(v, &key); !ok) return fail(ok.error());
      out.fields.push_back(Field{std::move(key), std::move(v)});
      skip_space();
      if (consume(',')) continue;
      if (consume('}')) return finish(std::move(out));
      return error(&out.fields.back().key, "expected ',' or '}' after the value");
    }
  }

 private:
  Result<Object> finish(Object out) {
    skip_space();
    if (pos_ != text_.size()) return error(nullptr, "unexpected text after the object");
    return out;
  }
  // `key`: the field the problem is in (its path `$.key`), or nullptr for the document (`$`).
  // The path is built only here: a document without problems makes no path strings.
  [[nodiscard]] Unexpected error(const std::string* key, std::string_view what) const {
    std::string m = key != nullptr ? path_of(*key) : std::string("$");
    m += ": ";
    m.append(what);
    m += " (at byte ";
    m += std::to_string(pos_);
    m += ')';
    return fail(Errc::parse_error, std::move(m));
  }
  [[nodiscard]] char peek() const noexcept { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  bool consume(char c) noexcept {
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  void skip_space() noexcept {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r'))
      ++pos_;
  }
  bool literal(std::string_view word) noexcept {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  Result<void> value(Value& v, const std::string* path) {
    const char c = peek();
    if (c == '"') {
      v.kind = Value::Kind::string;
      return string(v.text, path);
    }
    if (c == '{' || c == '[')
      return error(path, "expected a string, a number, true, false or null (the document is flat)");
    if (literal("true")) {
      v.kind = Value::Kind::boolean;
      v.boolean = true;
      return {};
    }
    if (literal("false")) {
      v.kind = Value::Kind::boolean;
      return {};
    }
    if (literal("null")) {
      v.kind = Value::Kind::null;
      return {};
    }
    if (c == '-' || (c >= '0' && c <= '9')) return number(v, path);
    return error(path, "expected a value");
  }

  // RFC 8259 numbers; integers that fit std::int64_t are kept exactly.
  Result<void> number(Value& v, const std::string* path) {
    const std::size_t start = pos_;
    bool integral = true;
    consume('-');
    if (consume('0')) {
    } else if (peek() >= '1' && peek() <= '9') {
      while (peek() >= '0' && peek() <= '9') ++pos_;
    } else {
      return error(path, "invalid number");
    }
    if (consume('.')) {
      integral = false;
      if (!(peek() >= '0' && peek() <= '9')) return error(path, "invalid number");
      while (peek() >= '0' && peek() <= '9') ++pos_;
    }
    if (peek() == 'e' || peek() == 'E') {
      integral = false;
      ++pos_;
      if (!consume('+')) consume('-');
      if (!(peek() >= '0' && peek() <= '9')) return error(path, "invalid number");
      while (peek() >= '0' && peek() <= '9') ++pos_;
    }
    v.text.assign(text_.substr(start, pos_ - start));
    v.kind = Value::Kind::number;
    if (integral) {
      std::int64_t n = 0;
      auto [end, ec] = std::from_chars(v.text.data(), v.text.data() + v.text.size(), n);
      if (ec == std::errc() && end == v.text.data() + v.text.size()) {
        v.kind = Value::Kind::integer;
        v.integer = n;
      }
    }
    return {};
  }

  static void put_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  bool hex4(std::uint32_t& out) noexcept {
    if (pos_ + 4 > text_.size()) return false;
    out = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = text_[pos_++];
      out <<= 4;
      if (c >= '0' && c <= '9')
        out |= static_cast<std::uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f')
        out |= static_cast<std::uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        out |= static_cast<std::uint32_t>(c - 'A' + 10);
      else
        return false;
    }
    return true;
  }

  Result<void> string(std::string& out, const std::string* path) {
    ++pos_;  // the opening quote
    out.clear();
    for (;;) {
      // The run up to the next quote, backslash or control character, copied at once. UTF-8
      // is checked (RFC 8259 text is UTF-8; a byte string that is not would abort a JSON
      // writer downstream, or be silently altered by one).
      const std::size_t run = pos_;
      pos_ = ::telcrm::detail::json_text_run(text_, pos_);
      if (pos_ < text_.size() && static_cast<unsigned char>(text_[pos_]) >= 0x80)
        return error(path, "not valid UTF-8");
      out.append(text_.data() + run, pos_ - run);
      if (pos_ >= text_.size()) return error(path, "unterminated string");
      const char c = text_[pos_++];
      if (c == '"') return {};
      if (static_cast<unsigned char>(c) < 0x20) return error(path, "control character in a string");
      if (pos_ >= text_.size()) return error(path, "unterminated string");
      switch (text_[pos_++]) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          std::uint32_t cp = 0;
          if (!hex4(cp)) return error(path, "invalid \\u escape");
          if (cp >= 0xD800 && cp < 0xDC00) {  // a surrogate pair makes one code point
            std::uint32_t low = 0;
            if (!consume('\\') || !consume('u') || !hex4(low) || low < 0xDC00 || low > 0xDFFF)
              return error(path, "invalid surrogate pair");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          } else if (cp >= 0xDC00 && cp < 0xE000) {
            return error(path, "invalid surrogate pair");
          }
          put_utf8(out, cp);
          break;
        }
        default: return error(path, "invalid escape");
      }
    }
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace parser_detail

/// Parses one flat JSON object. Errors (Errc::parse_error) name the JSON path and the byte:
/// `$.code: invalid number (at byte 17)`.
inline Result<Object> parse(std::string_view text) {
  return parser_detail::Parser(text).object();
}

/// Reads the fields of an Object by name, remembers the first problem, and refuses keys
/// nobody asked for (a typo in a PBX config must not silently lose a value):
///   Fields f(object); f.required("call", out.call); f.optional("code", out.code);
///   if (auto ok = f.finish(); !ok) …
class Fields {
 public:
  explicit Fields(const Object& object) : object_(object) {}

  void required(std::string_view key, std::string& out) { read(key, out, true); }
  void required(std::string_view key, std::int64_t& out) { read(key, out, true); }
  void optional(std::string_view key, std::string& out) { read(key, out, false); }
  void optional(std::string_view key, std::int64_t& out) { read(key, out, false); }
  void optional(std::string_view key, bool& out) { read(key, out, false); }
  template <class T>
  void optional(std::string_view key, std::optional<T>& out) {
    T value{};
    if (read(key, value, false)) out = std::move(value);
  }
  /// A key that may hold a string or an integer (a SIP code or an extension written either
  /// way), read as its text.
  void optional_text(std::string_view key, std::optional<std::string>& out) {
    const Value* v = take(key);
    if (v == nullptr || v->kind == Value::Kind::null || failed_) return;
    if (v->kind == Value::Kind::string || v->kind == Value::Kind::integer) {
      out = v->kind == Value::Kind::string ? v->text : std::to_string(v->integer);
      return;
    }
    problem(key, "expected a string or an integer");
  }

  /// The first problem, else a problem for the first key that was not read.
  [[nodiscard]] Result<void> finish() const {
    if (failed_) return fail(Errc::parse_error, message_);
    for (const auto& f : object_.fields) {
      bool known = false;
      for (std::size_t i = 0; i < known_.size(); ++i) known = known || known_[i] == f.key;
      if (!known) return fail(Errc::parse_error, path_of(f.key) + ": unknown key");
    }
    return {};
  }

 private:
  const Value* take(std::string_view key) {
    known_.push_back(key);
    return object_.find(key);
  }
  void problem(std::string_view key, std::string_view what) {
    if (failed_) return;
    failed_ = true;
    message_ = path_of(key) + ": " + std::string(what);
  }
  static std::string_view kind_name(Value::Kind k) noexcept {
    switch (k) {
      case Value::Kind::null: return "null";
      case Value::Kind::boolean: return "a boolean";
      case Value::Kind::integer:
      case Value::Kind::number: return "a number";
      case Value::Kind::string: return "a string";
    }
    return "a value";
  }
  // Returns true when a value was read into `out`; null counts as absent.
  template <class T>
  bool read(std::string_view key, T& out, bool required) {
    const Value* v = take(key);
    if (failed_) return false;
    if (v == nullptr || v->kind == Value::Kind::null) {
      if (required) problem(key, "required");
      return false;
    }
    if constexpr (std::is_same_v<T, std::string>) {
      if (v->kind != Value::Kind::string)
        return problem(key, "expected a string, got " + std::string(kind_name(v->kind))), false;
      out = v->text;
    } else if constexpr (std::is_same_v<T, bool>) {
      if (v->kind != Value::Kind::boolean)
        return problem(key, "expected true or false, got " + std::string(kind_name(v->kind))),
               false;
      out = v->boolean;
    } else {
      if (v->kind != Value::Kind::integer)
        return problem(key, "expected an integer, got " + std::string(kind_name(v->kind))), false;
      out = v->integer;
    }
    return true;
  }

  const Object& object_;
  ::telcrm::detail::InlineList<std::string_view, 12> known_;  // the keys read: no allocation
  bool failed_ = false;
  std::string message_;
};

/// Appends `text` as a JSON string. Bytes that are not UTF-8 become U+FFFD, so the answer
/// always parses (jansson refuses invalid UTF-8).
inline void append_string(std::string& out, std::string_view text) {
  out += '"';
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t run = ::telcrm::detail::json_text_run(text, i);  // most text is one run
    out.append(text.data() + i, run - i);
    i = run;
    if (i == text.size()) break;
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      constexpr char hex[] = "0123456789abcdef";
      out += "\\u00";
      out += hex[c >> 4];
      out += hex[c & 0xF];
    } else {
      out += "\\ufffd";  // a byte that starts no UTF-8 sequence
    }
    ++i;
  }
  out += '"';
}

/// Builds one flat JSON object: `Writer w; w.field("action", "ring"); … w.finish()`.
class Writer {
 public:
  Writer& field(std::string_view key, std::string_view value) {
    name(key);
    append_string(out_, value);
    return *this;
  }
  Writer& field(std::string_view key, const char* value) {
    return field(key, std::string_view(value));
  }
  Writer& field(std::string_view key, std::int64_t value) {
    name(key);
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
    out_.append(digits, static_cast<std::size_t>(end - digits));
    return *this;
  }
  Writer& field(std::string_view key, bool value) {
    name(key);
    out_ += value ? "true" : "false";
    return *this;
  }
  Writer& null(std::string_view key) {
    name(key);
    out_ += "null";
    return *this;
  }
  /// An array of strings (the one non-flat value an answer holds: a step's targets).
  Writer& field(std::string_view key, std::span<const std::string> values) {
    name(key);
    out_ += '[';
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (i > 0) out_ += ',';
      append_string(out_, values[i]);
    }
    out_ += ']';
    return *this;
  }
  [[nodiscard]] std::string finish() {
    out_ += out_.empty() ? "{}" : "}";
    return std::move(out_);
  }

 private:
  void name(std::string_view key) {
    if (out_.empty()) out_.reserve(256);  // an answer's size: it grows at most once more
    out_ += out_.empty() ? '{' : ',';
    append_string(out_, key);
    out_ += ':';
  }
  std::string out_;
};

}  // namespace pbx::flat_json
TELCRM_END_NAMESPACE
