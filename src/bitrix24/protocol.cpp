// SPDX-License-Identifier: Apache-2.0
// The Bitrix24 REST wire format: paths, bodies, loose values, typed requests.
#include "../compiled_lib.hpp"  // first: stops a build without TELCRM_COMPILED_LIB

#include <telcrm/bitrix24/protocol.hpp>

#include <telcrm/detail/utf8.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstring>

#include "text.hpp"

TELCRM_BEGIN_NAMESPACE
namespace bitrix24 {

using namespace text_detail;

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
std::string url_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 &&
               hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  // Decoded as a browser does: bytes that are no UTF-8 become U+FFFD, so what the engine
  // writes (and its outbox journals as JSON) is the text it was given.
  return detail::valid_utf8(std::move(out));
}

// Sets `value` at `path` (PHP bracket segments; "" appends) inside `root`.
void put(Json& root, const std::vector<std::string>& path, std::string value) {
  Json* at = &root;
  for (std::size_t i = 0; i < path.size(); ++i) {
    const bool last = i + 1 == path.size();
    const std::string& key = path[i];
    if (key.empty()) {  // `a[]`: append
      if (!at->is_array()) {
        if (!at->is_null() && !(at->is_object() && at->empty())) return;
        *at = Json::array();
      }
      at->push_back(last ? Json(std::move(value)) : Json());
      at = &at->back();
    } else {
      if (at->is_array()) {  // numeric index into an array built by `a[0]` forms
        Json obj = Json::object();
        for (std::size_t k = 0; k < at->size(); ++k) obj[std::to_string(k)] = (*at)[k];
        *at = std::move(obj);
      }
      if (!at->is_object()) *at = Json::object();
      Json& next = (*at)[key];
      if (last) {
        next = std::move(value);
        return;
      }
      at = &next;
    }
  }
}

std::string two(int v) {
  return fmt::format("{:02}", v);
}

}  // namespace

std::optional<Route> parse_route(std::string_view path) {
  constexpr std::string_view prefix = "/rest/";
  if (path.substr(0, prefix.size()) != prefix) return std::nullopt;
  path.remove_prefix(prefix.size());
  std::vector<std::string_view> parts;
  while (!path.empty()) {
    const auto slash = path.find('/');
    parts.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  if (parts.size() != 3 || parts[0].empty() || parts[1].empty()) return std::nullopt;
  std::string_view method = parts[2];
  if (method.size() > 5 && iequal(method.substr(method.size() - 5), ".json"))
    method.remove_suffix(5);
  if (method.empty() || method.size() > 100) return std::nullopt;
  for (char c : method)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_')) return std::nullopt;
  return Route{std::string(parts[0]), std::string(parts[1]), lower(method)};
}

bool same_secret(std::string_view given, std::string_view expected) noexcept {
  // Every byte of the longer one is looked at; the result is folded without branches.
  const std::size_t n = std::max(given.size(), expected.size());
  unsigned char diff = given.size() == expected.size() ? 0 : 1;
  for (std::size_t i = 0; i < n; ++i) {
    const unsigned char a = i < given.size() ? static_cast<unsigned char>(given[i]) : 0;
    const unsigned char b = i < expected.size() ? static_cast<unsigned char>(expected[i]) : 0;
    diff = static_cast<unsigned char>(diff | (a ^ b));
  }
  return diff == 0;
}

Json parse_form(std::string_view text) {
  Json root = Json::object();
  while (!text.empty()) {
    const auto amp = text.find('&');
    const std::string_view pair = text.substr(0, amp);
    text = amp == std::string_view::npos ? std::string_view() : text.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    const std::string name = url_decode(pair.substr(0, eq));
    std::string value = eq == std::string_view::npos ? "" : url_decode(pair.substr(eq + 1));
    std::vector<std::string> path;
    const auto open = name.find('[');
    path.push_back(name.substr(0, open));
    if (path[0].empty()) continue;
    std::size_t at = open;
    while (at != std::string::npos && at < name.size() && name[at] == '[') {
      const auto close = name.find(']', at);
      if (close == std::string::npos) break;
      path.push_back(name.substr(at + 1, close - at - 1));
      at = close + 1;
      if (path.size() > 8) break;  // nesting is shallow in this API
    }
    put(root, path, std::move(value));
  }
  return root;
}

ApiResult<Json> parse_params(std::string_view body, std::string_view content_type,
                             std::string_view query) {
  Json params = Json::object();
  const std::string type = lower(content_type);
  const auto first = body.find_first_not_of(" \t\r\n");
  const bool json = type.find("json") != std::string::npos ||
                    (type.find("form") == std::string::npos && first != std::string_view::npos &&
                     body[first] == '{');
  if (first != std::string_view::npos) {
    if (json) {
      params = Json::parse(body, nullptr, false);
      if (params.is_discarded())
        return api_fail("the body is not valid JSON", "INVALID_REQUEST", 400);
      if (!params.is_object())
        return api_fail("the body must be a JSON object", "INVALID_REQUEST", 400);
    } else {
      params = parse_form(body);
    }
  }
  const Json from_query = parse_form(query);  // named: items() does not keep it alive
  for (const auto& [key, value] : from_query.items())
    if (!params.contains(key)) params[key] = value;
  return params;
}

const Json* find(const Json& params, std::string_view key) {
  if (!params.is_object()) return nullptr;
  for (auto it = params.begin(); it != params.end(); ++it)
    if (iequal(it.key(), key)) return it->is_null() ? nullptr : &*it;
  return nullptr;
}

std::optional<std::string> text_of(const Json* v) {
  if (v == nullptr) return std::nullopt;
  if (v->is_string()) return v->get<std::string>();
  if (v->is_number_integer()) return std::to_string(v->get<std::int64_t>());
  if (v->is_number_float()) return fmt::format("{}", v->get<double>());
  return std::nullopt;
}

std::optional<std::int64_t> int_of(const Json* v) {
  if (v == nullptr) return std::nullopt;
  if (v->is_number_integer()) return v->get<std::int64_t>();
  if (v->is_number_float()) {
    // Only a whole number within int64's range may be converted: any other is undefined
    // behaviour (`"USER_ID": 1e300`, found by fuzzing); NaN fails the range test too.
    const double d = v->get<double>();
    constexpr double bound = 9223372036854775808.0;  // 2^63
    if (!(d >= -bound && d < bound) || d != std::trunc(d)) return std::nullopt;
    return static_cast<std::int64_t>(d);
  }
  if (!v->is_string()) return std::nullopt;
  const auto& s = v->get_ref<const std::string&>();
  std::int64_t out = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return out;
}

std::optional<bool> flag_of(const Json* v) {
  if (v == nullptr) return std::nullopt;
  if (v->is_boolean()) return v->get<bool>();
  if (auto i = int_of(v)) return *i != 0;
  if (auto s = text_of(v)) {
    if (iequal(*s, "Y") || iequal(*s, "true")) return true;
    if (iequal(*s, "N") || iequal(*s, "false") || s->empty()) return false;
  }
  return std::nullopt;
}

std::vector<std::int64_t> ids_of(const Json* v) {
  std::vector<std::int64_t> out;
  if (v == nullptr) return out;
  if (v->is_array() || v->is_object()) {
    for (const auto& x : *v)
      if (auto i = int_of(&x)) out.push_back(*i);
  } else if (auto i = int_of(v)) {
    out.push_back(*i);
  }
  return out;
}

std::string strip_phone(std::string_view number) {
  std::string out;
  for (char c : number)
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '#' || c == '*' || c == '+' ||
        c == ',' || c == ';')
      out += c;
  return out;
}

std::optional<Timestamp> parse_iso8601(std::string_view t) {
  // YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM|±HHMM)
  auto num = [&](std::size_t at, std::size_t n) -> std::optional<int> {
    if (at + n > t.size()) return std::nullopt;
    int v = 0;
    for (std::size_t i = at; i < at + n; ++i) {
      if (!std::isdigit(static_cast<unsigned char>(t[i]))) return std::nullopt;
      v = v * 10 + (t[i] - '0');
    }
    return v;
  };
  if (t.size() < 20 || t[4] != '-' || t[7] != '-' || (t[10] != 'T' && t[10] != ' ') ||
      t[13] != ':' || t[16] != ':')
    return std::nullopt;
  auto y = num(0, 4), mo = num(5, 2), d = num(8, 2), h = num(11, 2), mi = num(14, 2),
       s = num(17, 2);
  if (!y || !mo || !d || !h || !mi || !s || *h > 23 || *mi > 59 || *s > 60) return std::nullopt;
  std::size_t at = 19;
  if (at < t.size() && t[at] == '.') {
    ++at;
    while (at < t.size() && std::isdigit(static_cast<unsigned char>(t[at]))) ++at;
  }
  if (at >= t.size()) return std::nullopt;  // a zone is required
  int offset = 0;
  if (t[at] == 'Z' || t[at] == 'z') {
    if (at + 1 != t.size()) return std::nullopt;
  } else if (t[at] == '+' || t[at] == '-') {
    auto oh = num(at + 1, 2);
    std::size_t m_at = at + 3;
    if (m_at < t.size() && t[m_at] == ':') ++m_at;
    auto om = num(m_at, 2);
    if (!oh || !om || m_at + 2 != t.size() || *oh > 23 || *om > 59) return std::nullopt;
    offset = (*oh * 60 + *om) * (t[at] == '-' ? -1 : 1);
  } else {
    return std::nullopt;
  }
  const std::chrono::year_month_day ymd{std::chrono::year(*y), std::chrono::month(*mo),
                                        std::chrono::day(*d)};
  if (!ymd.ok()) return std::nullopt;
  const auto local = std::chrono::sys_days(ymd) + std::chrono::hours(*h) +
                     std::chrono::minutes(*mi) + std::chrono::seconds(*s);
  return std::chrono::time_point_cast<Seconds>(local - std::chrono::minutes(offset));
}

std::string format_iso8601(Timestamp at) {
  const auto days = std::chrono::floor<std::chrono::days>(at);
  const std::chrono::year_month_day ymd{days};
  const std::chrono::hh_mm_ss hms{at - days};
  return fmt::format("{:04}-{}-{}T{}:{}:{}+00:00", static_cast<int>(ymd.year()),
                     two(static_cast<int>(static_cast<unsigned>(ymd.month()))),
                     two(static_cast<int>(static_cast<unsigned>(ymd.day()))),
                     two(static_cast<int>(hms.hours().count())),
                     two(static_cast<int>(hms.minutes().count())),
                     two(static_cast<int>(hms.seconds().count())));
}

std::optional<int> status_code_of(const Json* v) {
  auto text = text_of(v);
  if (!text) return std::nullopt;
  int code = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), code);
  if (ec != std::errc() || end == text->data()) return std::nullopt;
  if (end != text->data() + text->size() && *end != '-') return std::nullopt;  // "603-S"
  if (code < 100 || code > 699) return std::nullopt;
  return code;
}

std::optional<std::string> decode_base64(std::string_view text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || c == '-') return 62;
    if (c == '/' || c == '_') return 63;
    return -1;
  };
  std::string out;
  out.reserve(text.size() / 4 * 3);
  std::uint32_t acc = 0;
  int bits = 0;
  bool padding = false;
  for (char c : text) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    if (c == '=') {
      padding = true;
      continue;
    }
    if (padding) return std::nullopt;  // data after padding
    const int v = value(c);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return out;
}

bool is_recording_name(std::string_view name) noexcept {
  if (name.size() < 5) return false;
  const std::string_view ext = name.substr(name.size() - 4);
  return iequal(ext, ".wav") || iequal(ext, ".mp3");
}

std::string_view type_name(EntityType type) noexcept {
  switch (type) {
    case EntityType::contact: return "CONTACT";
    case EntityType::company: return "COMPANY";
    case EntityType::lead: return "LEAD";
    case EntityType::deal: return "DEAL";
    case EntityType::invoice: return "INVOICE";
  }
  return "";
}

std::optional<EntityType> type_of(std::string_view name) noexcept {
  if (iequal(name, "CONTACT")) return EntityType::contact;
  if (iequal(name, "COMPANY")) return EntityType::company;
  if (iequal(name, "LEAD")) return EntityType::lead;
  if (iequal(name, "DEAL")) return EntityType::deal;
  return std::nullopt;
}

namespace {

ApiResult<UserRef> user_of(const Json& p) {
  UserRef u;
  u.id = int_of(find(p, "USER_ID"));
  if (auto inner = text_of(find(p, "USER_PHONE_INNER")); inner && !inner->empty()) u.inner = inner;
  if (!u.id && !u.inner) return api_fail(text::user_not_set);
  return u;
}

}  // namespace

ApiResult<RegisterRequest> parse_register(const Json& p) {
  RegisterRequest r;
  auto user = user_of(p);
  if (!user) return ApiUnexpected(user.error());
  r.user = *user;
  r.number = strip_phone(text_of(find(p, "PHONE_NUMBER")).value_or(""));
  if (r.number.empty()) return api_fail(text::bad_number);
  auto type = int_of(find(p, "TYPE"));
  if (!type || *type < 1 || *type > 5) return api_fail(text::unknown_type);
  r.type = static_cast<int>(*type);
  if (const Json* date = find(p, "CALL_START_DATE")) {
    auto text = text_of(date);
    auto at = text ? parse_iso8601(*text) : std::nullopt;
    if (!at) return api_fail(text::bad_date);
    r.start = at;
  }
  r.crm_create = flag_of(find(p, "CRM_CREATE")).value_or(flag_of(find(p, "CRM")).value_or(false));
  if (auto s = text_of(find(p, "CRM_SOURCE")); s && !s->empty()) r.source = s;
  auto etype = text_of(find(p, "CRM_ENTITY_TYPE"));
  auto eid = int_of(find(p, "CRM_ENTITY_ID"));
  if (etype && eid && *eid > 0) {
    auto t = type_of(*etype);
    if (t && *t != EntityType::deal) r.entity = EntityRef{*t, *eid};
  }
  r.show = flag_of(find(p, "SHOW")).value_or(true);
  r.line = text_of(find(p, "LINE_NUMBER")).value_or("");
  r.external_id = text_of(find(p, "EXTERNAL_CALL_ID")).value_or("");
  return r;
}

ApiResult<FinishRequest> parse_finish(const Json& p) {
  FinishRequest r;
  const Json* id = find(p, "CALL_ID");
  if (id == nullptr || !id->is_string())
    return api_fail(text::call_id_not_string, "INVALID_ARGUMENT");
  r.call_id = id->get<std::string>();
  auto user = user_of(p);
  if (!user) return ApiUnexpected(user.error());
  r.user = *user;
  r.duration = std::max<std::int64_t>(0, int_of(find(p, "DURATION")).value_or(0));
  r.status_text = text_of(find(p, "STATUS_CODE")).value_or("");
  r.status = status_code_of(find(p, "STATUS_CODE"));
  r.failed_reason = text_of(find(p, "FAILED_REASON")).value_or("");
  if (auto url = text_of(find(p, "RECORD_URL")); url && !url->empty()) r.record_url = url;
  if (auto vote = int_of(find(p, "VOTE")); vote && *vote >= 1 && *vote <= 5)
    r.vote = static_cast<int>(*vote);
  if (const Json* cost = find(p, "COST")) {
    if (cost->is_number())
      r.cost = cost->get<double>();
    else if (auto t = text_of(cost))
      r.cost = std::strtod(t->c_str(), nullptr);
  }
  r.currency = text_of(find(p, "COST_CURRENCY")).value_or("");
  return r;
}

ApiResult<AttachRecordRequest> parse_attach_record(const Json& p) {
  AttachRecordRequest r;
  const Json* id = find(p, "CALL_ID");
  if (id == nullptr || !id->is_string())
    return api_fail(text::call_id_not_string, "INVALID_ARGUMENT");
  r.call_id = id->get<std::string>();
  r.filename = text_of(find(p, "FILENAME")).value_or("");
  if (auto url = text_of(find(p, "RECORD_URL")); url && !url->empty()) r.record_url = url;
  if (auto content = text_of(find(p, "FILE_CONTENT"))) {
    auto bytes = decode_base64(*content);
    if (!bytes) return api_fail("FILE_CONTENT is not valid base64", "INVALID_ARGUMENT");
    r.content = std::move(bytes);
  }
  if (!r.content && !r.record_url)
    return api_fail("FILENAME with FILE_CONTENT, or RECORD_URL, should be set", "INVALID_ARGUMENT");
  if (r.content && r.filename.empty())
    return api_fail("FILENAME should be set", "INVALID_ARGUMENT");
  return r;
}

ApiResult<CardRequest> parse_card(const Json& p) {
  CardRequest r;
  const Json* id = find(p, "CALL_ID");
  if (id == nullptr || !id->is_string())
    return api_fail(text::call_id_not_string, "INVALID_ARGUMENT");
  r.call_id = id->get<std::string>();
  r.users = ids_of(find(p, "USER_ID"));
  return r;
}

UserQuery parse_user_query(const Json& p) {
  UserQuery q;
  const Json* filter = find(p, "FILTER");
  if (filter != nullptr && filter->is_object()) {
    if (auto inner = text_of(find(*filter, "UF_PHONE_INNER"))) q.inner = inner;
    q.id = int_of(find(*filter, "ID"));
    if (auto type = text_of(find(*filter, "USER_TYPE"))) q.user_type = lower(*type);
    q.active = flag_of(find(*filter, "ACTIVE"));
  }
  if (auto sort = text_of(find(p, "SORT")); sort && !sort->empty()) q.sort = upper(*sort);
  if (auto order = text_of(find(p, "ORDER"))) q.descending = iequal(*order, "DESC");
  if (auto start = int_of(find(p, "START")); start && *start > 0)
    q.start = static_cast<std::size_t>(*start);
  return q;
}

}  // namespace bitrix24
TELCRM_END_NAMESPACE
