// SPDX-License-Identifier: Apache-2.0
// The PBX protocol's pure parts, table by table: numbers as SIP delivers them, request
// documents, SIP codes, answers (docs/pbx-protocol.md).

#include <telcrm/pbx/detail/flat_json.hpp>
#include <telcrm/pbx/pbx_protocol.hpp>
#include <telcrm/pbx/sip_identity.hpp>
#include <telcrm/phone/phone_normalizer.hpp>

#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

using namespace telcrm;
using namespace telcrm::pbx;

namespace {

struct CallerRow {
  std::string_view from;
  std::string_view asserted;
  std::string_view privacy;
  std::string_view number;  // what the engine gets
  CallerSource source;
  bool anonymous;
};

std::string normalized(std::string_view text, std::string_view region = "RU") {
  return std::string(PhoneNormalizer().normalize(text, *Region::from_code(region)).e164());
}

}  // namespace

TEST_CASE("R-M1 the caller: P-Asserted-Identity first, else From; numbers as SIP writes them") {
  const std::vector<CallerRow> rows{
      // From only: a sip: URI, a name-addr with a display name and header parameters
      {"sip:+79161234567@carrier.example", "", "", "+79161234567", CallerSource::from, false},
      {R"("Ivan Petrov" <sip:+79161234567@carrier.example;user=phone>;tag=a1)", "", "",
       "+79161234567", CallerSource::from, false},
      {"<sip:89161234567@10.0.0.1:5060>;tag=x", "", "", "89161234567", CallerSource::from, false},
      {"SIP:79161234567@Carrier.Example", "", "", "79161234567", CallerSource::from, false},
      {"sips:+79161234567@carrier.example", "", "", "+79161234567", CallerSource::from, false},
      // the asserted identity wins over From
      {"sip:101@pbx", "<sip:+79161234567@carrier;user=phone>", "", "+79161234567",
       CallerSource::asserted, false},
      {"sip:+79990000000@x", "tel:+7-916-123-45-67", "", "+7-916-123-45-67", CallerSource::asserted,
       false},
      // tel: URIs (RFC 3966), parameters kept for the normaliser
      {"<tel:+79161234567>", "", "", "+79161234567", CallerSource::from, false},
      {"tel:4951234567;phone-context=+7", "", "", "tel:4951234567;phone-context=+7",
       CallerSource::from, false},
      {"sip:4951234567;phone-context=+7@gw;user=phone", "", "", "tel:4951234567;phone-context=+7",
       CallerSource::from, false},
      {"tel:+74951234567;ext=101", "", "", "tel:+74951234567;ext=101", CallerSource::from, false},
      // escapes in the user part
      {"sip:%2B79161234567@carrier", "", "", "+79161234567", CallerSource::from, false},
      // escaped bytes that make no UTF-8 become U+FFFD (the number is journaled as JSON text)
      {"sip:%FF%D0%96@carrier", "", "", "\xEF\xBF\xBD\xD0\x96", CallerSource::from, false},
      // a bare value, as a PBX variable ($fU) holds it
      {"79161234567", "", "", "79161234567", CallerSource::from, false},
      {"101", "", "", "101", CallerSource::from, false},
      // anonymous callers (RFC 3323), in every spelling carriers use
      {R"("Anonymous" <sip:anonymous@anonymous.invalid>;tag=1)", "", "", "anonymous",
       CallerSource::from, true},
      {"sip:Anonymous@carrier", "", "", "anonymous", CallerSource::from, true},
      {"sip:restricted@carrier", "", "", "anonymous", CallerSource::from, true},
      {"sip:unavailable@carrier", "", "", "anonymous", CallerSource::from, true},
      {"sip:+79161234567@anonymous.invalid", "", "", "anonymous", CallerSource::from, true},
      {"<sip:carrier.example>", "", "", "anonymous", CallerSource::from, true},
      {"sip:+79161234567@x", "sip:anonymous@anonymous.invalid", "", "anonymous",
       CallerSource::asserted, true},
      // RFC 3325 Privacy: id — the caller withheld the number the network asserts
      {"sip:anonymous@anonymous.invalid", "sip:+79161234567@carrier", "id", "anonymous",
       CallerSource::none, true},
      {"sip:anonymous@anonymous.invalid", "sip:+79161234567@carrier", "header;id", "anonymous",
       CallerSource::none, true},
      {"sip:+79161234567@x", "", "none", "+79161234567", CallerSource::from, false},
  };
  for (const auto& row : rows) {
    CAPTURE(row.from);
    CAPTURE(row.asserted);
    const Caller c = caller_of(row.from, row.asserted, row.privacy);
    CHECK(c.number == row.number);
    CHECK(c.source == row.source);
    CHECK(c.anonymous == row.anonymous);
  }
}

TEST_CASE("R-N2 R-N5 the numbers SIP delivers read to the same E.164 on an RU line") {
  for (std::string_view from :
       {"sip:+79161234567@carrier;user=phone", "sip:89161234567@gw", "sip:79161234567@gw",
        "tel:+7-916-123-45-67", "tel:9161234567;phone-context=+7",
        "sip:9161234567;phone-context=+7@gw;user=phone", "sip:%2B79161234567@gw"}) {
    CAPTURE(from);
    CHECK(normalized(caller_of(from, "").number) == "+79161234567");
  }
  // An extension in a tel: URI is kept apart (R-N3).
  CHECK(PhoneNormalizer()
            .normalize(caller_of("tel:+74951234567;ext=101", "").number, *Region::from_code("RU"))
            .extension() == "101");
}

TEST_CASE("R-M1 R-L3 an anonymous caller reads as invalid: never searched, never a lead") {
  const auto n = PhoneNormalizer().normalize(anonymous_number, *Region::from_code("RU"));
  CHECK(n.status() == NumberStatus::invalid);
  CHECK_FALSE(n.is_dialable());
}

TEST_CASE("the line: the Request-URI's number, with or without +, in any URI form") {
  struct Row {
    std::string_view uri;
    std::string_view number;
  };
  for (const auto& row : std::vector<Row>{
           {"sip:+74951234567@pbx.example", "+74951234567"},
           {"sip:74951234567@127.0.0.1:5060", "74951234567"},
           {"sip:74951234567@pbx;user=phone", "74951234567"},
           {"tel:+74951234567", "+74951234567"},
           {"74951234567", "74951234567"},
           {"sip:pbx.example", ""},
       }) {
    CAPTURE(row.uri);
    CHECK(dialled_number(row.uri) == row.number);
  }
}

TEST_CASE("R-X2 extensions named by URIs and compared digit by digit") {
  CHECK(extension_of("sip:101@127.0.0.1:5060") == "101");
  CHECK(extension_of("<sip:101@pbx>;tag=1") == "101");
  CHECK(extension_of("101") == "101");
  CHECK(extension_of("101@127.0.0.1") == "101");  // an address of record, as usrloc names it
  CHECK(same_extension("101", "101"));
  CHECK(same_extension("1-01", "101"));
  CHECK_FALSE(same_extension("101", "102"));
  CHECK_FALSE(same_extension("", ""));
  CHECK_FALSE(same_extension("sales", "support"));

  std::vector<Employee> staff(3);
  staff[0].id = 1;
  staff[0].extension = "101";
  staff[1].id = 2;
  staff[1].extension = "102";
  staff[1].active = false;
  staff[2].id = 3;  // no extension
  const ExtensionBook book(staff);
  CHECK(book.employee_of("sip:101@pbx") == EmployeeId{1});
  CHECK(book.employee_of("102") == EmployeeId{2});
  CHECK_FALSE(book.employee_of("103").has_value());
  CHECK(book.extension_of(1) == std::string_view("101"));
  CHECK_FALSE(book.extension_of(3).has_value());
}

TEST_CASE("R-R3 R-Q4 SIP failure codes as step outcomes") {
  struct Row {
    int code;
    StepOutcome outcome;
  };
  for (const auto& row : std::vector<Row>{{408, StepOutcome::no_answer},
                                          {480, StepOutcome::no_answer},
                                          {486, StepOutcome::busy},
                                          {600, StepOutcome::busy},
                                          {603, StepOutcome::rejected},
                                          {404, StepOutcome::no_answer},
                                          {487, StepOutcome::no_answer},
                                          {503, StepOutcome::no_answer},
                                          {302, StepOutcome::no_answer}}) {
    CAPTURE(row.code);
    auto o = outcome_of(row.code);
    REQUIRE(o.has_value());
    CHECK(*o == row.outcome);
  }
  for (int bad : {0, 180, 200, 299, 700}) {
    CAPTURE(bad);
    auto o = outcome_of(bad);
    REQUIRE_FALSE(o.has_value());
    CHECK(o.error().code() == Errc::out_of_range);
  }
}

TEST_CASE("R-R5 R-Q4 a hang-up step's reply follows the last step's outcome") {
  CHECK(hang_up_reply(std::nullopt) == HangUpReply{480, "Temporarily Unavailable"});
  CHECK(hang_up_reply(StepOutcome::no_answer) == HangUpReply{480, "Temporarily Unavailable"});
  CHECK(hang_up_reply(StepOutcome::busy) == HangUpReply{486, "Busy Here"});
  CHECK(hang_up_reply(StepOutcome::rejected) == HangUpReply{603, "Decline"});
}

TEST_CASE("endpoints by path; engine errors as HTTP statuses") {
  CHECK(endpoint_of("/pbx/call") == Endpoint::call);
  CHECK(endpoint_of("/pbx/failed") == Endpoint::failed);
  CHECK(endpoint_of("/pbx/presence") == Endpoint::presence);
  CHECK_FALSE(endpoint_of("/pbx/").has_value());
  CHECK_FALSE(endpoint_of("/pbx/call/1").has_value());
  CHECK_FALSE(endpoint_of("/health").has_value());
  CHECK(http_status_of(Errc::parse_error) == 400);
  CHECK(http_status_of(Errc::not_found) == 404);
  CHECK(http_status_of(Errc::invalid_state) == 409);
  CHECK(http_status_of(Errc::storage_unavailable) == 503);
  CHECK(http_status_of(Errc::internal) == 500);
}

TEST_CASE("request documents: fields, integers written as text, strictness with paths") {
  SUBCASE("a new call") {
    auto r = parse_new_call(
        R"({"call":"c1","from":"sip:+79161234567@gw","asserted":"","to":"sip:74951234567@pbx"})");
    REQUIRE_MESSAGE(r.has_value(), r.error().message());
    CHECK(r->call == "c1");
    CHECK(r->to == "sip:74951234567@pbx");
    CHECK(r->line.empty());
  }
  SUBCASE("a failure with the code as a number or as text") {
    auto a = parse_step_failed(R"({"call":"c1","step":2,"code":486})");
    REQUIRE(a.has_value());
    CHECK(a->step == 2);
    CHECK(a->code == 486);
    auto b = parse_step_failed(R"({"call":"c1","step":"2","code":"408"})");
    REQUIRE(b.has_value());
    CHECK(b->code == 408);
  }
  SUBCASE("the end with the locations of R-A4; empty header values count as absent") {
    auto r = parse_call_ended(
        R"({"call":"c1","duration":35,"recording":"https://rec/1.wav","voicemail":""})");
    REQUIRE(r.has_value());
    CHECK(r->duration == std::int64_t{35});
    CHECK(r->recording == std::string("https://rec/1.wav"));
    CHECK_FALSE(r->voicemail.has_value());
  }
  SUBCASE("an answer with an empty recording header names no recording") {
    auto r = parse_step_answered(R"({"call":"c1","step":"1","by":"101","recording":""})");
    REQUIRE(r.has_value());
    CHECK(r->step == 1);
    CHECK_FALSE(r->recording.has_value());
  }
  SUBCASE("presence") {
    auto r = parse_presence(R"({"extension":"sip:101@pbx","state":"offline"})");
    REQUIRE(r.has_value());
    CHECK(r->extension == "101");
    CHECK(r->state == PresenceEvent::offline);
    auto n = parse_presence(R"({"extension":101,"state":"busy"})");
    REQUIRE(n.has_value());
    CHECK(n->extension == "101");
  }
  struct Bad {
    std::string_view body;
    std::string_view message;  // the start of the error
  };
  for (const auto& bad : std::vector<Bad>{
           {R"({"call":"c1","step":1,"code":"busy"})", "$.code: expected an integer"},
           {R"({"call":"c1","step":1,"code":200})", "$.code: a failure is a SIP code"},
           {R"({"call":"c1","step":1})", "$.code: required"},
           {R"({"call":"c1","code":486})", "$.step: required"},
           {R"({"call":"c1","step":-1,"code":486})", "$.step: must not be negative"},
           {R"({"call":"","step":0,"code":486})", "$.call: must not be empty"},
           {R"({"call":1,"step":0,"code":486})", "$.call: expected a string, got a number"},
           {R"({"call":"c1","step":0,"code":486,"cdoe":1})", "$.cdoe: unknown key"},
           {R"({"call":"c1","step":0,"code":4x})", "$.code: expected ',' or '}'"},
           {R"({"call":"c1","step":0,"code":})", "$.code: expected a value"},
           {R"({"call":"c1","step":{"a":1},"code":486})", "$.step: expected a string, a number"},
           {R"({"call":"c1","step":0,"step":1,"code":486})", "$.step: the key appears twice"},
           {R"(["c1"])", "$: expected a JSON object"},
           {R"({"call":"c1","step":0,"code":486} x)", "$: unexpected text after the object"},
           {R"({"call":"c1)", "$.call: unterminated string"},
           // RFC 8259 text is UTF-8: bytes that are not are refused where they come in.
           {"{\"call\":\"c\xFF"
            "1\",\"step\":0,\"code\":486}",
            "$.call: not valid UTF-8"},
           {"{\"call\":\"c1\xC0\xAF\",\"step\":0,\"code\":486}", "$.call: not valid UTF-8"},
           {"{\"call\":\"\xED\xA0\x80\",\"step\":0,\"code\":486}", "$.call: not valid UTF-8"},
           {"{\"call\":\"c1\xE2\x82\",\"step\":0,\"code\":486}", "$.call: not valid UTF-8"},
           {"{\"c\xF5\x80\x80\x80\":1}", "$: not valid UTF-8"},
           {"", "$: expected a JSON object"},
       }) {
    CAPTURE(bad.body);
    auto r = parse_step_failed(bad.body);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == Errc::parse_error);
    CHECK(r.error().message().substr(0, bad.message.size()) == bad.message);
  }
  // Valid UTF-8 of every length passes through as it is.
  auto cyrillic = parse_new_call(
      "{\"call\":\"\xD0\x96\xE2\x82\xAC\xF0\x9F\x98\x80\",\"from\":\"sip:1@x\",\"to\":\"sip:2@"
      "y\"}");
  REQUIRE_MESSAGE(cyrillic.has_value(), cyrillic.error().message());
  CHECK(cyrillic->call == "\xD0\x96\xE2\x82\xAC\xF0\x9F\x98\x80");
  auto p = parse_presence(R"({"extension":"101","state":"away"})");
  REQUIRE_FALSE(p.has_value());
  CHECK(p.error().message() ==
        R"($.state: expected one of online, offline, busy, idle, got "away")");
  auto n = parse_new_call(R"({"call":"c1","from":"sip:1@x"})");
  REQUIRE_FALSE(n.has_value());
  CHECK(n.error().message().substr(0, 7) == "$.to: r");
}

TEST_CASE("flat JSON: escapes and Unicode in, valid UTF-8 out") {
  auto o =
      pbx::flat_json::parse(R"({"a":"x\"y\\z\n\u0416\ud83d\ude00","b":true,"c":null,"d":-12})");
  REQUIRE_MESSAGE(o.has_value(), o.error().message());
  CHECK(o->find("a")->text == "x\"y\\z\n\xD0\x96\xF0\x9F\x98\x80");
  CHECK(o->find("b")->boolean);
  CHECK(o->find("c")->kind == pbx::flat_json::Value::Kind::null);
  CHECK(o->find("d")->integer == -12);
  std::string out;
  pbx::flat_json::append_string(out, "a\"\x01\xD0\x96\xFF");
  CHECK(out == "\"a\\\"\\u0001\xD0\x96\\ufffd\"");
  CHECK(format_error("$.code: bad") == R"({"error":"$.code: bad","path":"$.code"})");
  CHECK(format_error("call c1: not started") == R"({"error":"call c1: not started"})");
}

TEST_CASE("R-R6 answers: targets are extensions, ring time in ms, the step named in a header") {
  std::vector<Employee> staff(3);
  staff[0].id = 1;
  staff[0].extension = "101";
  staff[1].id = 2;
  staff[1].extension = "102";
  staff[2].id = 3;  // no extension: cannot be rung through SIP
  const ExtensionBook book(staff);

  RouteEntry ring;
  ring.kind = RouteEntry::Kind::ring;
  ring.employees = {2, 3, 1};
  ring.seconds = Seconds(15);
  ring.why = "queue:sales";
  auto a = answer_for("c1", 1, ring, book);
  CHECK(a.targets == std::vector<std::string>{"102", "101"});
  CHECK(a.employees == std::vector<EmployeeId>{2, 1});
  CHECK(a.unreachable == std::vector<EmployeeId>{3});
  CHECK(format_answer(a) ==
        R"({"call":"c1","step":1,"action":"ring","targets":["102","101"],"count":2,)"
        R"("ring_ms":15000,"why":"queue:sales","header":"1;why=queue:sales"})");

  RouteEntry forward;
  forward.kind = RouteEntry::Kind::forward;
  forward.number = "+79031112233";
  forward.employee = 2;
  forward.seconds = Seconds(20);
  forward.why = "responsible_no_answer";
  CHECK(format_answer(answer_for("c1", 2, forward, book)) ==
        R"({"call":"c1","step":2,"action":"forward","number":"+79031112233","ring_ms":20000,)"
        R"("employee":2,"why":"responsible_no_answer","header":"2;why=responsible_no_answer"})");

  RouteEntry voicemail;
  voicemail.kind = RouteEntry::Kind::voicemail;
  voicemail.employee = 1;
  voicemail.why = "off_hours";
  CHECK(format_answer(answer_for("c1", 0, voicemail, book)) ==
        R"({"call":"c1","step":0,"action":"voicemail","mailbox":"101","employee":1,)"
        R"("why":"off_hours","header":"0;why=off_hours"})");
  voicemail.employee = 3;
  CHECK(answer_for("c1", 0, voicemail, book).mailbox == "3");

  RouteEntry hang_up;
  hang_up.kind = RouteEntry::Kind::hang_up;
  hang_up.why = "no_answer_rule";
  CHECK(format_answer(answer_for("c1", 4, hang_up, book, StepOutcome::busy)) ==
        R"({"call":"c1","step":4,"action":"hang_up","code":486,"reason":"Busy Here",)"
        R"("why":"no_answer_rule","header":"4;why=no_answer_rule"})");
}
