// SPDX-License-Identifier: Apache-2.0
// The Bitrix24 REST wire format, table by table (include/telcrm/bitrix24/protocol.hpp).
#include <telcrm/bitrix24/protocol.hpp>

#include <doctest/doctest.h>

#include <limits>

#include <string>
#include <vector>

using namespace telcrm;
using namespace telcrm::bitrix24;

TEST_CASE("paths: /rest/<user>/<secret>/<method>, .json and a trailing slash, any case") {
  struct Row {
    const char* path;
    std::optional<Route> route;
  };
  const std::vector<Row> rows = {
      {"/rest/1/s3cret/telephony.externalcall.register",
       Route{"1", "s3cret", "telephony.externalcall.register"}},
      {"/rest/1/s3cret/telephony.externalCall.attachRecord.json",
       Route{"1", "s3cret", "telephony.externalcall.attachrecord"}},
      {"/rest/1/s3cret/user.get/", Route{"1", "s3cret", "user.get"}},
      {"/rest/1/s3cret/USER.GET.JSON", Route{"1", "s3cret", "user.get"}},
      {"/rest/1/s3cret/", std::nullopt},
      {"/rest/1//user.get", std::nullopt},
      {"/rest/user.get", std::nullopt},
      {"/pbx/call", std::nullopt},
      {"/rest/1/s/a/b", std::nullopt},
      {"/rest/1/s/user get", std::nullopt},
  };
  for (const auto& r : rows) {
    CAPTURE(r.path);
    CHECK(parse_route(r.path) == r.route);
  }
}

TEST_CASE("secrets: equal only when every byte and the length are") {
  CHECK(same_secret("abcdefgh", "abcdefgh"));
  CHECK_FALSE(same_secret("abcdefgx", "abcdefgh"));
  CHECK_FALSE(same_secret("abcdefg", "abcdefgh"));
  CHECK_FALSE(same_secret("abcdefghi", "abcdefgh"));
  CHECK_FALSE(same_secret("", "abcdefgh"));
}

TEST_CASE("form bodies with PHP brackets become nested parameters") {
  const Json p = parse_form(
      "FILTER%5BUF_PHONE_INNER%5D=101&USER_ID[]=1&USER_ID[]=2&fields[ASSIGNED_BY_ID]=3"
      "&PHONE_NUMBER=%2B7+916+123-45-67&empty=&flag");
  CHECK(p["FILTER"]["UF_PHONE_INNER"] == "101");
  CHECK(p["USER_ID"] == Json::array({"1", "2"}));
  CHECK(p["fields"]["ASSIGNED_BY_ID"] == "3");
  CHECK(p["PHONE_NUMBER"] == "+7 916 123-45-67");
  CHECK(p["empty"] == "");
  CHECK(p["flag"] == "");
  CHECK(parse_form("values[0]=a&values[1]=b")["values"]["1"] == "b");
  // Decoded as a browser does: bytes that are no UTF-8 become U+FFFD (the engine journals
  // what it is given as JSON, which cannot hold them); valid UTF-8 is kept.
  const Json odd = parse_form("PHONE_NUMBER=%FF%D0%96%E2%82&NAME=\xC0x&OK=%D0%96");
  CHECK(odd["PHONE_NUMBER"] == "\xEF\xBF\xBD\xD0\x96\xEF\xBF\xBD\xEF\xBF\xBD");
  CHECK(odd["NAME"] == "\xEF\xBF\xBDx");
  CHECK(odd["OK"] == "\xD0\x96");
}

TEST_CASE("parameters: JSON or form by content type; the query fills what the body lacks") {
  auto j = parse_params(R"({"TYPE":2})", "application/json", "bx24_sdk_ver=2.2.0&TYPE=1");
  REQUIRE(j.has_value());
  CHECK((*j)["TYPE"] == 2);
  CHECK((*j)["bx24_sdk_ver"] == "2.2.0");
  auto f = parse_params("TYPE=2", "application/x-www-form-urlencoded", "");
  REQUIRE(f.has_value());
  CHECK((*f)["TYPE"] == "2");
  CHECK_FALSE(parse_params("{", "application/json", "").has_value());
  CHECK_FALSE(parse_params("[1]", "application/json", "").has_value());
  CHECK(parse_params("", "", "").has_value());
}

TEST_CASE("loose values as clients send them: null is absent, ints as strings, flags") {
  const Json p = Json::parse(
      R"({"USER_ID":null,"user_phone_inner":"101","TYPE":"2","SHOW":"0","CRM_CREATE":1,)"
      R"("A":"Y","B":"N","C":true,"D":"x"})");
  CHECK(find(p, "USER_ID") == nullptr);
  CHECK(text_of(find(p, "USER_PHONE_INNER")) == "101");
  CHECK(int_of(find(p, "TYPE")) == 2);
  CHECK(flag_of(find(p, "SHOW")) == false);
  CHECK(flag_of(find(p, "CRM_CREATE")) == true);
  CHECK(flag_of(find(p, "A")) == true);
  CHECK(flag_of(find(p, "B")) == false);
  CHECK(flag_of(find(p, "C")) == true);
  CHECK(flag_of(find(p, "D")) == std::nullopt);
  CHECK(ids_of(&p["TYPE"]) == std::vector<std::int64_t>{2});
  const Json list = Json::parse(R"([1,"2"])");
  CHECK(ids_of(&list) == std::vector<std::int64_t>{1, 2});
}

TEST_CASE("a number as a float is an id only when whole and within int64 (fuzz finding)") {
  // 1e300 used to be converted to int64: undefined behaviour, flagged by UBSan.
  const Json p = Json::parse(
      R"({"A":2.0,"B":2.5,"C":1e300,"D":-1e300,"E":9223372036854775808.0,"F":-9223372036854775808.0})");
  CHECK(int_of(find(p, "A")) == 2);
  CHECK(int_of(find(p, "B")) == std::nullopt);
  CHECK(int_of(find(p, "C")) == std::nullopt);
  CHECK(int_of(find(p, "D")) == std::nullopt);
  CHECK(int_of(find(p, "E")) == std::nullopt);
  CHECK(int_of(find(p, "F")) == std::numeric_limits<std::int64_t>::min());
  CHECK(flag_of(find(p, "C")) == std::nullopt);
  CHECK(ids_of(&p) == std::vector<std::int64_t>{2, std::numeric_limits<std::int64_t>::min()});
  auto r =
      parse_register(Json::parse(R"({"USER_ID":1e300,"PHONE_NUMBER":"+79031112233","TYPE":2})"));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().description == text::user_not_set);
}

TEST_CASE("STATUS_CODE: int or string, 603-S is 603, unknown codes accepted as absent") {
  struct Row {
    Json value;
    std::optional<int> code;
  };
  const std::vector<Row> rows = {{Json(200), 200},
                                 {Json("304"), 304},
                                 {Json("603-S"), 603},
                                 {Json(486), 486},
                                 {Json("OTHER"), std::nullopt},
                                 {Json(99), std::nullopt},
                                 {Json("505"), 505}};
  for (const auto& r : rows) {
    CAPTURE(r.value.dump());
    CHECK(status_code_of(&r.value) == r.code);
  }
}

TEST_CASE("register: the errors real clients key on, verbatim") {
  struct Row {
    const char* body;
    std::string_view error;  // empty: accepted
  };
  const std::vector<Row> rows = {
      {R"({"PHONE_NUMBER":"+79161234567","TYPE":2})", text::user_not_set},
      {R"({"USER_ID":null,"PHONE_NUMBER":"+79161234567","TYPE":2})", text::user_not_set},
      {R"({"USER_ID":1,"PHONE_NUMBER":"abc","TYPE":2})", text::bad_number},
      {R"({"USER_ID":1,"PHONE_NUMBER":"+79161234567","TYPE":7})", text::unknown_type},
      {R"({"USER_ID":1,"PHONE_NUMBER":"+79161234567"})", text::unknown_type},
      {R"({"USER_ID":1,"PHONE_NUMBER":"1","TYPE":2,"CALL_START_DATE":"yesterday"})",
       text::bad_date},
      {R"({"USER_PHONE_INNER":"101","PHONE_NUMBER":"+7 916 123-45-67","TYPE":"2"})", ""},
  };
  for (const auto& r : rows) {
    CAPTURE(r.body);
    auto parsed = parse_register(Json::parse(r.body));
    if (r.error.empty()) {
      REQUIRE(parsed.has_value());
      CHECK(parsed->number == "+79161234567");
      CHECK(parsed->user.inner == "101");
      CHECK(parsed->type == 2);
    } else {
      REQUIRE_FALSE(parsed.has_value());
      CHECK(parsed.error().description == r.error);
      CHECK(parsed.error().code == "ERROR_CORE");
    }
  }
}

TEST_CASE("register: CRM_CREATE and its alias CRM, the entity given, the line") {
  auto r = parse_register(Json::parse(
      R"({"USER_ID":"3","PHONE_NUMBER":"8 (916) 123","TYPE":1,"CRM":"1","CRM_SOURCE":"WEB",)"
      R"("CRM_ENTITY_TYPE":"contact","CRM_ENTITY_ID":"5","SHOW":0,"LINE_NUMBER":"74951234567",)"
      R"("EXTERNAL_CALL_ID":"x-1","CALL_START_DATE":"2026-12-06T10:00:00+03:00"})"));
  REQUIRE(r.has_value());
  CHECK(r->user.id == 3);
  CHECK(r->number == "8916123");
  CHECK(r->crm_create);
  CHECK(r->source == "WEB");
  CHECK(r->entity == EntityRef{EntityType::contact, 5});
  CHECK_FALSE(r->show);
  CHECK(r->line == "74951234567");
  CHECK(r->external_id == "x-1");
  CHECK(r->start == parse_iso8601("2026-12-06T07:00:00Z"));
}

TEST_CASE("finish and attachRecord: CALL_ID must be a string; the content is base64") {
  auto f = parse_finish(Json::parse(R"({"CALL_ID":5,"USER_ID":1})"));
  REQUIRE_FALSE(f.has_value());
  CHECK(f.error().description == text::call_id_not_string);
  f = parse_finish(Json::parse(
      R"({"CALL_ID":"c","USER_ID":null,"USER_PHONE_INNER":"101","DURATION":"35","STATUS_CODE":"603-S"})"));
  REQUIRE(f.has_value());
  CHECK(f->duration == 35);
  CHECK(f->status == 603);
  CHECK(f->status_text == "603-S");
  auto a = parse_attach_record(
      Json::parse(R"({"CALL_ID":"c","FILENAME":"r.mp3","FILE_CONTENT":"aGVsbG8="})"));
  REQUIRE(a.has_value());
  CHECK(a->content == "hello");
  CHECK_FALSE(parse_attach_record(Json::parse(R"({"CALL_ID":"c","FILENAME":"r.mp3"})")));
  CHECK(decode_base64("aGVsbG8") == "hello");
  CHECK(decode_base64("a$") == std::nullopt);
  CHECK(is_recording_name("call.WAV"));
  CHECK(is_recording_name("call.mp3"));
  CHECK_FALSE(is_recording_name("call.ogg"));
  CHECK_FALSE(is_recording_name(".mp3"));
}

TEST_CASE("documents: result with time (the SDK needs it), total and next; errors") {
  const Json ok = Json::parse(format_result(Json::array({1}), {100.0, 100.5}, 120, 50));
  CHECK(ok["result"] == Json::array({1}));
  CHECK(ok["total"] == 120);
  CHECK(ok["next"] == 50);
  CHECK(ok["time"]["operating"] == 0);
  CHECK(ok["time"].contains("operating_reset_at"));
  CHECK(ok["time"]["date_start"] == "1970-01-01T00:01:40+00:00");
  const Json err = Json::parse(format_error({400, "ERROR_CORE", "Unknown TYPE"}));
  CHECK(err == Json{{"error", "ERROR_CORE"}, {"error_description", "Unknown TYPE"}});
}

TEST_CASE("crm.*.get and user.get give numbers as strings (Go clients decode them so)") {
  Contact c{.id = 5, .name = "Ivan", .phones = {"+79161234567"}, .responsible = 3};
  const Json cj = contact_json(c);
  CHECK(cj["ID"] == "5");
  CHECK(cj["ASSIGNED_BY_ID"] == "3");
  CHECK(cj["PHONE"][0]["VALUE"] == "+79161234567");
  Lead l{.id = 7, .title = "Call", .responsible = std::nullopt};
  CHECK(lead_json(l)["ASSIGNED_BY_ID"].is_null());
  CHECK(lead_json(l)["ID"] == "7");
  Employee e{.id = 1, .name = "Anna Ivanova"};
  e.extension = "101";
  const Json u = user_json(e);
  CHECK(u["ID"] == "1");
  CHECK(u["UF_PHONE_INNER"] == "101");
  CHECK(u["NAME"] == "Anna");
  CHECK(u["LAST_NAME"] == "Ivanova");
}

TEST_CASE("user.get: filter, sort and order as asterlink sends them") {
  std::vector<Employee> staff(4);
  for (int i = 0; i < 4; ++i) staff[i].id = i + 1;
  staff[0].extension = "101";
  staff[1].extension = "103";
  staff[2].extension = "102";
  auto q = parse_user_query(Json::parse(
      R"({"sort":"UF_PHONE_INNER","order":"DESC","filter":{"USER_TYPE":"employee"},"start":0})"));
  auto users = select_users(staff, q);
  REQUIRE(users.size() == 4);
  CHECK(users[0].id == 2);
  CHECK(users[1].id == 3);
  CHECK(users[2].id == 1);
  CHECK(users[3].id == 4);  // no inner number: last, where asterlink stops
  q = parse_user_query(parse_form("FILTER[UF_PHONE_INNER]=102"));
  users = select_users(staff, q);
  REQUIRE(users.size() == 1);
  CHECK(users[0].id == 3);
  q = parse_user_query(Json::parse(R"({"FILTER":{"USER_TYPE":"extranet"}})"));
  CHECK(select_users(staff, q).empty());
}

TEST_CASE("R-X2 an active employee's inner number is an internal call") {
  std::vector<Employee> staff(2);
  staff[0] = {.id = 1, .name = "A"};
  staff[0].extension = "101";
  staff[1] = {.id = 2, .name = "B", .active = false};
  staff[1].extension = "102";
  CHECK(is_internal("101", staff));
  CHECK_FALSE(is_internal("102", staff));  // deactivated
  CHECK_FALSE(is_internal("+79161234567", staff));
}

TEST_CASE("call ids: externalCall.<32 hex>.<unix time>") {
  const auto id = make_call_id(0xABCULL, 1, Timestamp(Seconds(1700000000)));
  CHECK(id == "externalCall.0000000000000abc0000000000000001.1700000000");
}

TEST_CASE("RECORD_URL addresses: loopback, private, link-local and the like are refused") {
  struct Row {
    const char* address;
    bool public_;
  };
  const std::vector<Row> rows = {
      {"127.0.0.1", false},
      {"10.1.2.3", false},
      {"172.16.0.1", false},
      {"172.31.255.255", false},
      {"172.32.0.1", true},
      {"192.168.1.1", false},
      {"169.254.169.254", false},
      {"100.64.0.1", false},
      {"0.0.0.0", false},
      {"224.0.0.1", false},
      {"255.255.255.255", false},
      {"8.8.8.8", true},
      {"93.184.216.34", true},
      {"::1", false},
      {"::", false},
      {"fe80::1", false},
      {"fd00::1", false},
      {"::ffff:127.0.0.1", false},
      {"::ffff:8.8.8.8", true},
      {"2001:4860:4860::8888", true},
      {"localhost", false},
      {"", false},
  };
  for (const auto& r : rows) {
    CAPTURE(r.address);
    CHECK(is_public_address(r.address) == r.public_);
  }
}

TEST_CASE("URLs and redirects: http(s) only, no credentials, relative locations") {
  auto u = parse_url("https://Example.com:8443/rec/a.mp3?x=1#f");
  REQUIRE(u.has_value());
  CHECK(*u == Url{"https", "example.com", 8443, "/rec/a.mp3?x=1"});
  CHECK(parse_url("http://[::1]/a")->host == "::1");
  CHECK_FALSE(parse_url("ftp://example.com/a").has_value());
  CHECK_FALSE(parse_url("file:///etc/passwd").has_value());
  CHECK_FALSE(parse_url("http://user:pw@example.com/").has_value());
  CHECK(resolve_location(*u, "/b.mp3")->target == "/b.mp3");
  CHECK(resolve_location(*u, "c.mp3")->target == "/rec/c.mp3");
  CHECK(resolve_location(*u, "http://127.0.0.1/x")->host == "127.0.0.1");
}

TEST_CASE("ISO-8601 with a zone, as CALL_START_DATE must be") {
  CHECK(parse_iso8601("2026-12-06T10:00:00+03:00") == parse_iso8601("2026-12-06T07:00:00Z"));
  CHECK(parse_iso8601("2026-12-06T10:00:00.123+0300").has_value());
  CHECK_FALSE(parse_iso8601("2026-12-06T10:00:00").has_value());
  CHECK_FALSE(parse_iso8601("2026-13-06T10:00:00Z").has_value());
  CHECK(format_iso8601(*parse_iso8601("2026-12-06T07:00:00Z")) == "2026-12-06T07:00:00+00:00");
}
