// SPDX-License-Identifier: Apache-2.0
// The Bitrix24 REST wire format: paths, bodies, loose values, typed requests, documents.
#include "../compiled_lib.hpp"  // first: stops a build without TELCRM_COMPILED_LIB

#include <telcrm/bitrix24/protocol.hpp>

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cstring>

TELCRM_BEGIN_NAMESPACE
namespace bitrix24 {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}
std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}
bool iequal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

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
    } else if (s[i] == '%' && i + 2 < s.size() &&
               hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
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
    const double d = v->get<double>();
    if (d == static_cast<double>(static_cast<std::int64_t>(d))) return static_cast<std::int64_t>(d);
    return std::nullopt;
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
  r.crm_create =
      flag_of(find(p, "CRM_CREATE")).value_or(flag_of(find(p, "CRM")).value_or(false));
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
    if (cost->is_number()) r.cost = cost->get<double>();
    else if (auto t = text_of(cost)) r.cost = std::strtod(t->c_str(), nullptr);
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
    return api_fail("FILENAME with FILE_CONTENT, or RECORD_URL, should be set",
                    "INVALID_ARGUMENT");
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

std::string format_result(const Json& result, const Timing& timing,
                          std::optional<std::size_t> total, std::optional<std::size_t> next) {
  Json doc = Json::object();
  doc["result"] = result;
  if (next) doc["next"] = *next;
  if (total) doc["total"] = *total;
  const auto at = [](double s) {
    return format_iso8601(Timestamp(Seconds(static_cast<std::int64_t>(s))));
  };
  const double duration = std::max(0.0, timing.finish - timing.start);
  doc["time"] = Json{{"start", timing.start},
                     {"finish", timing.finish},
                     {"duration", duration},
                     {"processing", duration},
                     {"date_start", at(timing.start)},
                     {"date_finish", at(timing.finish)},
                     {"operating_reset_at", static_cast<std::int64_t>(timing.finish) + 600},
                     {"operating", 0}};
  return doc.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string format_error(const ApiError& error) {
  return Json{{"error", error.code}, {"error_description", error.description}}.dump(
      -1, ' ', false, Json::error_handler_t::replace);
}

namespace {
Json id_text(std::optional<std::int64_t> v) {
  return v ? Json(std::to_string(*v)) : Json(nullptr);
}
Json phones_json(const std::vector<std::string>& phones) {
  Json out = Json::array();
  std::size_t n = 0;
  for (const auto& p : phones)
    out.push_back(
        {{"ID", std::to_string(++n)}, {"VALUE_TYPE", "WORK"}, {"VALUE", p}, {"TYPE_ID", "PHONE"}});
  return out;
}
}  // namespace

Json user_json(const Employee& e) {
  std::string first = e.name, last;
  if (auto space = e.name.rfind(' '); space != std::string::npos) {
    first = e.name.substr(0, space);
    last = e.name.substr(space + 1);
  }
  return Json{{"ID", std::to_string(e.id)},
              {"ACTIVE", e.active},
              {"NAME", first},
              {"LAST_NAME", last},
              {"UF_PHONE_INNER", e.extension ? Json(*e.extension) : Json(nullptr)},
              {"WORK_PHONE", e.phones.work.value_or("")},
              {"PERSONAL_PHONE", e.phones.personal.value_or("")},
              {"PERSONAL_MOBILE", e.phones.mobile.value_or("")},
              {"USER_TYPE", "employee"}};
}

Json contact_json(const Contact& c) {
  return Json{{"ID", std::to_string(c.id)},
              {"NAME", c.name},
              {"ASSIGNED_BY_ID", id_text(c.responsible)},
              {"COMPANY_ID", id_text(c.company)},
              {"LEAD_ID", nullptr},
              {"HAS_PHONE", c.phones.empty() ? "N" : "Y"},
              {"PHONE", phones_json(c.phones)}};
}

Json lead_json(const Lead& l) {
  const char* status = l.status == LeadStatus::in_progress ? "NEW"
                       : l.status == LeadStatus::converted ? "CONVERTED"
                                                           : "JUNK";
  return Json{{"ID", std::to_string(l.id)},
              {"TITLE", l.title},
              {"NAME", l.title},
              {"ASSIGNED_BY_ID", id_text(l.responsible)},
              {"STATUS_ID", status},
              {"SOURCE_ID", l.source ? Json(*l.source) : Json(nullptr)},
              {"CONTACT_ID", id_text(l.contact)},
              {"COMPANY_ID", id_text(l.company)},
              {"IS_RETURN_CUSTOMER", l.repeat ? "Y" : "N"},
              {"HAS_PHONE", l.phones.empty() ? "N" : "Y"},
              {"PHONE", phones_json(l.phones)}};
}

Json deal_json(const Deal& d) {
  const char* stage = d.stage == DealStage::in_progress ? "NEW"
                      : d.stage == DealStage::won       ? "WON"
                                                        : "LOSE";
  return Json{{"ID", std::to_string(d.id)},
              {"TITLE", d.title},
              {"ASSIGNED_BY_ID", id_text(d.responsible)},
              {"STAGE_ID", stage},
              {"CLOSED", d.stage == DealStage::in_progress ? "N" : "Y"},
              {"SOURCE_ID", d.source ? Json(*d.source) : Json(nullptr)},
              {"CONTACT_ID", id_text(d.contact)},
              {"COMPANY_ID", id_text(d.company)},
              {"LEAD_ID", nullptr},
              {"IS_RETURN_CUSTOMER", d.repeat ? "Y" : "N"}};
}

Json company_json(const Company& c) {
  return Json{{"ID", std::to_string(c.id)},
              {"TITLE", c.title},
              {"ASSIGNED_BY_ID", id_text(c.responsible)},
              {"HAS_PHONE", c.phones.empty() ? "N" : "Y"},
              {"PHONE", phones_json(c.phones)}};
}

std::vector<Employee> select_users(std::vector<Employee> employees, const UserQuery& q) {
  std::erase_if(employees, [&](const Employee& e) {
    if (q.inner && e.extension.value_or("") != *q.inner) return true;
    if (q.id && e.id != *q.id) return true;
    if (q.user_type && *q.user_type != "employee") return true;
    if (q.active && e.active != *q.active) return true;
    return false;
  });
  auto key = [&](const Employee& e) -> std::string {
    if (q.sort == "UF_PHONE_INNER") return e.extension.value_or("");
    if (q.sort == "NAME" || q.sort == "LAST_NAME") return e.name;
    return fmt::format("{:020}", e.id);
  };
  std::stable_sort(employees.begin(), employees.end(), [&](const Employee& a, const Employee& b) {
    const auto ka = key(a), kb = key(b);
    if (ka != kb) return q.descending ? ka > kb : ka < kb;
    return a.id < b.id;
  });
  return employees;
}

std::string make_call_id(std::uint64_t high, std::uint64_t low, Timestamp at) {
  return fmt::format("externalCall.{:016x}{:016x}.{}", high, low,
                     at.time_since_epoch().count());
}

bool is_internal(std::string_view number, const std::vector<Employee>& employees) {
  if (number.empty()) return false;
  return std::any_of(employees.begin(), employees.end(), [&](const Employee& e) {
    return e.active && e.extension && !e.extension->empty() && *e.extension == number;
  });
}

bool is_public_address(std::string_view address) {
  const std::string text(address);
  std::array<unsigned char, 16> b{};
  if (inet_pton(AF_INET, text.c_str(), b.data()) == 1) {
    const unsigned a0 = b[0], a1 = b[1];
    if (a0 == 0 || a0 == 10 || a0 == 127) return false;           // this network, private, loop
    if (a0 == 100 && (a1 & 0xC0) == 64) return false;              // 100.64/10 shared (CGNAT)
    if (a0 == 169 && a1 == 254) return false;                      // link-local
    if (a0 == 172 && (a1 & 0xF0) == 16) return false;              // 172.16/12
    if (a0 == 192 && a1 == 168) return false;                      // 192.168/16
    if (a0 == 192 && a1 == 0 && b[2] == 0) return false;           // 192.0.0/24 protocol
    if (a0 == 198 && (a1 == 18 || a1 == 19)) return false;         // 198.18/15 benchmarking
    if (a0 >= 224) return false;                                   // multicast, reserved, bcast
    return true;
  }
  if (inet_pton(AF_INET6, text.c_str(), b.data()) == 1) {
    const bool zero10 = std::all_of(b.begin(), b.begin() + 10, [](unsigned char c) { return c == 0; });
    if (zero10 && b[10] == 0xFF && b[11] == 0xFF)  // ::ffff:a.b.c.d
      return is_public_address(fmt::format("{}.{}.{}.{}", b[12], b[13], b[14], b[15]));
    if (std::all_of(b.begin(), b.begin() + 15, [](unsigned char c) { return c == 0; }))
      return false;                                 // :: and ::1
    if ((b[0] & 0xFE) == 0xFC) return false;        // fc00::/7 unique local
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
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port < 1 ||
        port > 65535)
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
