// SPDX-License-Identifier: Apache-2.0
#include "../compiled_lib.hpp"  // first: stops a build without TELCRM_COMPILED_LIB

#include "reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

namespace telcrm::json_detail {

namespace {

// Records where a syntax error is, without exceptions (the library builds without them).
class SyntaxErrorLocator : public nlohmann::json_sax<Json> {
 public:
  std::string message;
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t, const std::string&,
                   const nlohmann::detail::exception& error) override {
    message = error.what();
    return false;
  }
};

// Finds the first key an object repeats: nlohmann keeps the last value silently, so a file
// that says "answers" twice would lose the first list without a word.
class DuplicateKeyFinder : public nlohmann::json_sax<Json> {
 public:
  explicit DuplicateKeyFinder(std::string root) {
    path_.push_back({std::move(root), false, 0, {}});
  }
  std::string found;  // "path: message" of the first duplicate

  bool null() override { return value(); }
  bool boolean(bool) override { return value(); }
  bool number_integer(number_integer_t) override { return value(); }
  bool number_unsigned(number_unsigned_t) override { return value(); }
  bool number_float(number_float_t, const string_t&) override { return value(); }
  bool string(string_t&) override { return value(); }
  bool binary(binary_t&) override { return value(); }
  bool start_object(std::size_t) override {
    path_.push_back({here(), true, 0, {}});
    return true;
  }
  bool key(string_t& k) override {
    Level& level = path_.back();
    if (std::find(level.keys.begin(), level.keys.end(), k) != level.keys.end()) {
      found = level.path + ": duplicate key '" + k + "'";
      return false;
    }
    level.keys.push_back(k);
    return true;
  }
  bool end_object() override { return close(); }
  bool start_array(std::size_t) override {
    path_.push_back({here(), false, 0, {}});
    return true;
  }
  bool end_array() override { return close(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

 private:
  struct Level {
    std::string path;
    bool object;
    std::size_t next_index;         // arrays: the index of the next element
    std::vector<std::string> keys;  // objects: the keys seen
  };
  // The path of the value about to be read.
  std::string here() {
    Level& level = path_.back();
    if (level.object) return Reader::key_path(level.path, level.keys.back());
    if (path_.size() == 1) return level.path;  // the document itself
    return Reader::index_path(level.path, level.next_index++);
  }
  bool value() {
    if (!path_.back().object && path_.size() > 1) ++path_.back().next_index;
    return true;
  }
  bool close() {
    path_.pop_back();
    return value();
  }
  std::vector<Level> path_;
};

std::string describe(const Json& j) {
  switch (j.type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::boolean: return "a boolean";
    case Json::value_t::string: return "a string";
    case Json::value_t::array: return "an array";
    case Json::value_t::object: return "an object";
    default: return "a number";
  }
}

bool parse_int(std::string_view s, int& out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

}  // namespace

Result<Json> parse_document(std::string_view text, std::string_view root, bool prefix) {
  Json doc = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (!doc.is_discarded()) {
    DuplicateKeyFinder duplicates{std::string(root)};
    Json::sax_parse(text.begin(), text.end(), &duplicates);
    if (!duplicates.found.empty()) return fail(Errc::parse_error, duplicates.found);
    return doc;
  }
  SyntaxErrorLocator locator;
  Json::sax_parse(text.begin(), text.end(), &locator);
  std::string message = locator.message;
  // nlohmann prefixes "[json.exception.parse_error.101] parse error at line 1, column 2: …".
  if (auto at = message.find("parse error"); at != std::string::npos) message.erase(0, at);
  Error error(Errc::parse_error, message.empty() ? "invalid JSON" : message);
  return fail(prefix ? error.with_context(root) : error);
}

void Reader::fail(const std::string& path, std::string_view message) {
  if (failed_) return;
  failed_ = true;
  message_ = path.empty() ? std::string(message) : path + ": " + std::string(message);
}

void Reader::read(const Json& j, const std::string& path, bool& out) {
  if (!j.is_boolean()) return fail(path, "expected true or false, got " + describe(j));
  out = j.get<bool>();
}

void Reader::read(const Json& j, const std::string& path, std::int64_t& out) {
  if (j.is_number_integer()) {
    if (j.is_number_unsigned() &&
        j.get<std::uint64_t>() >
            static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
      return fail(path, "integer too large");
    out = j.get<std::int64_t>();
    return;
  }
  if (j.is_number_float()) {
    double d = j.get<double>();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.0e15) {
      out = static_cast<std::int64_t>(d);
      return;
    }
    return fail(path, "expected an integer, got " + fmt::format("{}", d));
  }
  fail(path, "expected an integer, got " + describe(j));
}

void Reader::read(const Json& j, const std::string& path, int& out) {
  std::int64_t wide = 0;
  read(j, path, wide);
  if (!ok()) return;
  if (wide < std::numeric_limits<int>::min() || wide > std::numeric_limits<int>::max())
    return fail(path, "integer out of range");
  out = static_cast<int>(wide);
}

void Reader::read(const Json& j, const std::string& path, Seconds& out) {
  std::int64_t n = 0;
  read(j, path, n);
  if (ok()) out = Seconds(n);
}

void Reader::read(const Json& j, const std::string& path, CallStatus& out) {
  std::int64_t n = 0;
  read(j, path, n);
  if (!ok()) return;
  if (n < 100 || n > 699)
    return fail(path, "must be a SIP status code, 100 to 699, got " + std::to_string(n));
  out = static_cast<CallStatus>(n);
}

void Reader::read(const Json& j, const std::string& path, double& out) {
  if (!j.is_number()) return fail(path, "expected a number, got " + describe(j));
  out = j.get<double>();
}

void Reader::read(const Json& j, const std::string& path, std::string& out) {
  if (!j.is_string()) return fail(path, "expected a string, got " + describe(j));
  out = j.get_ref<const std::string&>();
}

void Reader::read(const Json& j, const std::string& path, Region& out) {
  if (!j.is_string())
    return fail(path, "expected a region code such as \"RU\", got " + describe(j));
  const auto& code = j.get_ref<const std::string&>();
  auto region = Region::from_code(code);
  if (!region)
    return fail(path, "unknown region '" + code + "' (expected an ISO 3166 code such as \"DE\")");
  out = *region;
}

// ISO 8601 in UTC: 2026-11-24T10:00:00Z; an explicit offset (+03:00) is converted to UTC.
void Reader::read(const Json& j, const std::string& path, Timestamp& out) {
  const char* expected = "expected a UTC time such as \"2026-11-24T10:00:00Z\"";
  if (!j.is_string()) return fail(path, std::string(expected) + ", got " + describe(j));
  std::string_view s = j.get_ref<const std::string&>();
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  auto field = [&](std::size_t pos, std::size_t len, int& v) {
    return s.size() >= pos + len && parse_int(s.substr(pos, len), v);
  };
  bool shape = s.size() >= 20 && s[4] == '-' && s[7] == '-' && (s[10] == 'T' || s[10] == ' ') &&
               s[13] == ':' && s[16] == ':' && field(0, 4, year) && field(5, 2, month) &&
               field(8, 2, day) && field(11, 2, hour) && field(14, 2, minute) &&
               field(17, 2, second);
  std::string_view zone = shape ? s.substr(19) : std::string_view{};
  int offset_minutes = 0;
  if (shape && zone != "Z") {
    int oh = 0, om = 0;
    shape = zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':' &&
            parse_int(zone.substr(1, 2), oh) && parse_int(zone.substr(4, 2), om) && oh < 24 &&
            om < 60;
    offset_minutes = (zone[0] == '-' ? -1 : 1) * (oh * 60 + om);
  }
  using namespace std::chrono;
  year_month_day ymd{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                     std::chrono::day(static_cast<unsigned>(day))};
  if (!shape || !ymd.ok() || hour > 23 || minute > 59 || second > 59) return fail(path, expected);
  out = sys_days(ymd) + hours(hour) + minutes(minute) + seconds(second) - minutes(offset_minutes);
}

ObjectReader::ObjectReader(Reader& reader, const Json& j, std::string path)
    : reader_(reader), path_(std::move(path)) {
  if (!reader_.ok()) return;
  if (!j.is_object()) {
    reader_.fail(path_, "expected an object, got " + describe(j));
    return;
  }
  object_ = &j;
}

const Json* ObjectReader::find(std::string_view key) {
  known_.push_back(key);
  if (object_ == nullptr) return nullptr;
  auto it = object_->find(key);
  return it == object_->end() ? nullptr : &*it;
}

void ObjectReader::finish() {
  if (object_ == nullptr || !reader_.ok()) return;
  for (const auto& [key, value] : object_->items()) {
    if (std::find(known_.begin(), known_.end(), std::string_view(key)) == known_.end())
      return reader_.fail(Reader::key_path(path_, key), "unknown key");
  }
}

std::string format_timestamp(Timestamp t) {
  using namespace std::chrono;
  auto day = floor<days>(t);
  year_month_day ymd(day);
  hh_mm_ss hms(t - day);
  const int year = static_cast<int>(ymd.year());
  if (year >= 0 && year <= 9999) {  // every write batch has two or three: no format string
    char text[] = "0000-00-00T00:00:00Z";
    auto two = [&](std::size_t at, long long v) {
      text[at] = static_cast<char>('0' + v / 10);
      text[at + 1] = static_cast<char>('0' + v % 10);
    };
    two(0, year / 100);
    two(2, year % 100);
    two(5, static_cast<unsigned>(ymd.month()));
    two(8, static_cast<unsigned>(ymd.day()));
    two(11, hms.hours().count());
    two(14, hms.minutes().count());
    two(17, hms.seconds().count());
    return std::string(text, sizeof text - 1);
  }
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                     hms.hours().count(), hms.minutes().count(), hms.seconds().count());
}

}  // namespace telcrm::json_detail
