// SPDX-License-Identifier: Apache-2.0
// Settings as JSON: the scenario format's `settings` shape, strict, with paths; round trips.
#include <telcrm/json/settings_json.hpp>
#include <telcrm/settings/validate.hpp>

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "shared_scenarios.hpp"

using namespace telcrm;

namespace {

const char* full = R"({
  "crm_mode": "simple",
  "default_region": "RU",
  "repeat_sales": true,
  "simple_mode": { "create": ["deal", "company", "contact"], "pipeline": 3 },
  "match_suffix_digits": 10,
  "exceptions": { "phones": ["01 23 45 67 89"], "emails": ["Spam@Example.com"] },
  "employees": [
    { "id": 1, "name": "Anna", "phones": { "mobile": "8 903 111-22-33" }, "extension": "201" },
    { "id": 2, "name": "Boris", "presence": "busy", "workday": "open" }
  ],
  "queues": [
    { "id": "sales", "members": [2, 1], "distribution": "ring_progressively", "rings": 4,
      "no_answer": "forward_to_number", "forward_number": "+7 916 000-00-01" },
    { "id": "night", "members": [1], "no_answer": "next_queue", "next_queue": "sales" }
  ],
  "lines": [
    { "number": "+74951234567", "region": "KZ", "crm_lookup": false,
      "route_to_responsible": false, "responsible_ring_seconds": 20,
      "responsible_no_answer": "forward_to_phone", "only_working_employees": true,
      "queue": "sales", "unknown_caller": "offer", "create_for": "incoming",
      "source": "ADVERTISING", "lead_title": "{direction}: {number}",
      "change_responsible_on_transfer": false, "record_calls": false,
      "work_hours": { "utc_offset": "+03:00", "days": ["mon", "sat"], "from": "08:30",
                      "to": "24:00", "holidays": ["01.01", "9.5"], "off_hours": "forward_to_number",
                      "forward_number": "+79160000002" } },
    { "number": "+74951234568", "queue": "night", "work_hours": null }
  ]
})";

}  // namespace

namespace {
// Settings and employees as one comparable value (the directory's employees by id).
struct Read {
  IntegrationSettings settings;
  std::vector<Employee> employees;
  friend bool operator==(const Read&, const Read&) = default;
};
Result<Read> read_settings(std::string_view text) {
  auto loaded = settings_from_json(text);
  if (!loaded) return fail(loaded.error());
  auto staff = loaded->directory->employees();
  if (!staff) return fail(staff.error());
  return Read{std::move(loaded->settings), std::move(*staff)};
}
std::string write_settings(const Read& r) {
  return settings_to_json(r.settings, r.employees);
}
}  // namespace

TEST_CASE("Settings read with every field, and read → write → read is the identity") {
  auto read = read_settings(full);
  REQUIRE(read.has_value());
  const IntegrationSettings* s = &read->settings;
  CHECK(s->crm_mode == CrmMode::simple);
  CHECK(s->default_region.code() == "RU");
  CHECK(s->repeat_sales);
  CHECK(s->simple_mode.create_contact);
  CHECK(s->simple_mode.create_company);
  CHECK(s->simple_mode.pipeline == 3);
  CHECK(s->match_suffix_digits == 10);
  CHECK(s->exceptions.emails == std::vector<std::string>{"Spam@Example.com"});
  REQUIRE(read->employees.size() == 2);
  CHECK(read->employees[1].presence == Presence::busy);
  const QueueSettings& sales = s->queues[0];
  CHECK(sales.members == std::vector<EmployeeId>{2, 1});
  CHECK(sales.distribution == Distribution::ring_progressively);
  CHECK(sales.rings == 4);
  CHECK(sales.no_answer == NoAnswerRule::forward_to_number);
  CHECK(sales.forward_number == "+7 916 000-00-01");
  CHECK(s->queues[1].next_queue == "sales");
  const LineSettings& line = s->lines[0];
  CHECK(line.region == Region::from_code("KZ"));
  CHECK_FALSE(line.crm_lookup);
  CHECK(line.responsible_ring_time == Seconds(20));
  CHECK(line.responsible_no_answer == ResponsibleFallback::forward_to_phone);
  CHECK(line.unknown_caller == UnknownCallerAction::offer);
  CHECK(line.create_for == CreateFor::incoming);
  CHECK(line.lead_title == "{direction}: {number}");
  REQUIRE(line.work_hours.has_value());
  const WorkHours& w = *line.work_hours;
  CHECK(w.utc_offset == std::chrono::minutes(180));
  CHECK(w.days == std::array<bool, 7>{true, false, false, false, false, true, false});
  CHECK(w.from == std::chrono::minutes(510));
  CHECK(w.to == std::chrono::minutes(1440));
  CHECK(w.holidays == std::vector<MonthDay>{{1, 1}, {9, 5}});
  CHECK(w.off_hours == OffHoursAction::forward_to_number);
  CHECK_FALSE(s->lines[1].work_hours.has_value());
  CHECK(validate(*s, read->employees).empty());

  const std::string written = write_settings(*read);
  auto again = read_settings(written);
  REQUIRE(again.has_value());
  CHECK(*again == *read);
  CHECK(write_settings(*again) == written);
}

TEST_CASE("Settings read with the documented defaults") {
  auto s = read_settings(R"({
    "default_region": "DE",
    "employees": [ { "id": 1, "name": "Jonas" } ],
    "queues": [ { "id": "support", "members": [1] } ],
    "lines": [ { "number": "+49301234500", "queue": "support" } ] })");
  REQUIRE(s.has_value());
  Read expected;
  auto& settings = expected.settings;
  settings.default_region = *Region::from_code("DE");
  Employee jonas;
  jonas.id = 1;
  jonas.name = "Jonas";
  expected.employees = {jonas};
  QueueSettings support;
  support.id = "support";
  support.members = {1};
  settings.queues = {support};
  LineSettings line;
  line.number = "+49301234500";
  line.queue = "support";
  settings.lines = {line};
  CHECK(*s == expected);
  CHECK(s->settings.queues[0].rings == 3);
  CHECK(s->settings.lines[0].responsible_ring_time == Seconds(30));
  CHECK(s->settings.lines[0].source == "CALL");
  auto again = read_settings(write_settings(*s));
  REQUIRE(again.has_value());
  CHECK(*again == *s);
}

TEST_CASE("Settings JSON errors name the JSON path") {
  struct Row {
    const char* text;
    const char* message;
  };
  const Row rows[] = {
      {R"({"queues": []})", "settings: missing required key 'default_region'"},
      {R"({"default_region": "XX"})",
       "settings.default_region: unknown region 'XX' (expected an ISO 3166 code such as \"DE\")"},
      {R"({"default_region": "RU", "queues": [{"id": "q", "members": [], "rings": "3"}]})",
       "settings.queues[0].rings: expected an integer, got a string"},
      {R"({"default_region": "RU", "queues": [{"id": "q", "members": [], "ring": 3}]})",
       "settings.queues[0].ring: unknown key"},
      {R"({"default_region": "RU", "queues": [{"id": "q"}]})",
       "settings.queues[0]: missing required key 'members'"},
      {R"({"default_region": "RU", "queues": [{"id": "q", "members": [], "distribution": "round"}]})",
       "settings.queues[0].distribution: expected one of evenly, strictly, all, random, "
       "fewest_calls, longest_idle, ring_progressively"},
      {R"({"default_region": "RU", "queues": [{"id": "q", "members": [], "no_answer": "retry"}]})",
       "settings.queues[0].no_answer: expected one of voicemail, forward_to_phone, "
       "forward_to_number, next_queue, hang_up, wait"},
      {R"({"default_region": "RU", "lines": [{"number": "1"}]})",
       "settings.lines[0]: missing required key 'queue'"},
      {R"({"default_region": "RU", "lines": [{"number": "1", "queue": "q", "region": "ZZ"}]})",
       "settings.lines[0].region: unknown region 'ZZ' (expected an ISO 3166 code such as \"DE\")"},
      {R"({"default_region": "RU", "lines": [{"number": "1", "queue": "q", "responsible_no_answer": "mobile"}]})",
       "settings.lines[0].responsible_no_answer: expected one of queue, forward_to_phone, "
       "voicemail"},
      {R"({"default_region": "RU", "lines": [{"number": "1", "queue": "q", "work_hours": {"from": "9h"}}]})",
       "settings.lines[0].work_hours.from: expected a time of day such as \"09:00\""},
      {R"({"default_region": "RU", "lines": [{"number": "1", "queue": "q", "work_hours": {"utc_offset": "+3"}}]})",
       "settings.lines[0].work_hours.utc_offset: expected a UTC offset such as \"+03:00\" or "
       "\"-05:30\""},
      {R"({"default_region": "RU", "lines": [{"number": "1", "queue": "q", "work_hours": {"days": ["mon", "monday"]}}]})",
       "settings.lines[0].work_hours.days[1]: expected one of mon, tue, wed, thu, fri, sat, sun"},
      {R"({"default_region": "RU", "lines": [{"number": "1", "queue": "q", "work_hours": {"days": ["mon", "mon"]}}]})",
       "settings.lines[0].work_hours.days[1]: 'mon' is listed twice"},
      {R"({"default_region": "RU", "lines": [{"number": "1", "queue": "q", "work_hours": {"holidays": ["1 May"]}}]})",
       "settings.lines[0].work_hours.holidays[0]: expected a day.month such as \"09.05\""},
      {R"({"default_region": "RU", "lines": [{"number": "1", "queue": "q", "work_hours": {"off_hours": "ivr"}}]})",
       "settings.lines[0].work_hours.off_hours: expected one of voicemail, forward_to_number, "
       "hang_up"},
      {R"({"default_region": "RU", "simple_mode": {"create": ["contact"]}})",
       "settings.simple_mode.create: must include \"deal\" (and a contact, a company or both)"},
      {R"({"default_region": "RU", "simple_mode": {"create": ["deal", "lead"]}})",
       "settings.simple_mode.create[1]: expected one of deal, contact, company"},
      {R"({"default_region": "RU", "employees": [{"id": 1, "name": "a"}, {"id": 1, "name": "b"}]})",
       "settings.employees[1]: duplicate id 1"},
      {R"({"default_region": "RU", "exceptions": {"phones": [1]}})",
       "settings.exceptions.phones[0]: expected a string, got a number"},
      {R"({"default_region": "RU", "crm_mode": "crm"})",
       "settings.crm_mode: expected one of classic, simple"},
      {R"({"default_region": "RU",)", "settings: parse error at line 1, column 25"},
  };
  for (const auto& row : rows) {
    const std::string text = row.text;
    CAPTURE(text);
    auto r = settings_from_json(text);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == Errc::parse_error);
    const std::string message = r.error().message();
    CAPTURE(message);
    CHECK(message.rfind(row.message, 0) == 0);
  }
  auto rooted = settings_from_json(R"({"default_region": 7})", "$.settings");
  REQUIRE_FALSE(rooted.has_value());
  CHECK(rooted.error().message().rfind("$.settings.default_region: ", 0) == 0);
}

TEST_CASE("Settings: the settings of the shared scenarios read, validate and round-trip") {
  namespace fs = std::filesystem;
  const auto shared = telcrm_test::shared_scenarios(TELCRM_SHARED_SCENARIOS);
  REQUIRE_MESSAGE(shared.problem.empty(), shared.problem);
  if (!shared.dir) return;  // told they are absent
  const fs::path& dir = *shared.dir;
  int read = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.find(".expect.") != std::string::npos || entry.path().extension() != ".json") continue;
    CAPTURE(name);
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    // The scenario's settings object: from `"settings":` to the matching brace.
    const std::string doc = text.str();
    const auto key = doc.find("\"settings\"");
    REQUIRE(key != std::string::npos);
    const auto open = doc.find('{', key);
    int depth = 0;
    std::size_t close = open;
    for (; close < doc.size(); ++close) {
      if (doc[close] == '{') ++depth;
      if (doc[close] == '}' && --depth == 0) break;
    }
    auto s = read_settings(std::string_view(doc).substr(open, close - open + 1));
    REQUIRE(s.has_value());
    CHECK(validate(s->settings, s->employees).empty());
    auto again = read_settings(write_settings(*s));
    REQUIRE(again.has_value());
    CHECK(*again == *s);
    ++read;
  }
  CHECK(read >= 7);
}
