// SPDX-License-Identifier: Apache-2.0
// validate(): every error with its path; lint(): warnings; the text forms of times.
#include <telcrm/settings/validate.hpp>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <functional>
#include <string>
#include <vector>

using namespace telcrm;

namespace {

Region region(std::string_view code) {
  auto r = Region::from_code(code);
  REQUIRE(r.has_value());
  return *r;
}

Employee employee(EmployeeId id) {
  Employee e;
  e.id = id;
  e.name = "E" + std::to_string(id);
  return e;
}

// Settings and the employees the directory would hold.
struct Staffed : IntegrationSettings {
  std::vector<Employee> employees;
};
std::vector<SettingsProblem> validate(const Staffed& s, std::string_view root = "settings") {
  return telcrm::validate(s, s.employees, root);
}
std::vector<SettingsProblem> lint(const Staffed& s) {
  return telcrm::lint(s, s.employees);
}
Result<void> check_settings(const Staffed& s) {
  return telcrm::check_settings(s, s.employees);
}

// Valid and free of warnings.
Staffed good() {
  Staffed s;
  s.default_region = region("RU");
  s.employees = {employee(1), employee(2), employee(3)};
  QueueSettings sales;
  sales.id = "sales";
  sales.members = {1, 2};
  QueueSettings support;
  support.id = "support";
  support.members = {3};
  s.queues = {sales, support};
  LineSettings a;
  a.number = "+74951234567";
  a.queue = "sales";
  LineSettings b;
  b.number = "+74951234568";
  b.queue = "support";
  s.lines = {a, b};
  return s;
}

std::vector<std::string> texts(const std::vector<SettingsProblem>& problems) {
  std::vector<std::string> out;
  for (const auto& p : problems) out.push_back(format_as(p));
  return out;
}

struct Row {
  const char* name;
  std::function<void(Staffed&)> change;
  std::vector<std::string> problems;
};

}  // namespace

TEST_CASE("validate: good settings have no errors and no warnings") {
  CHECK(validate(good()).empty());
  CHECK(lint(good()).empty());
  CHECK(check_settings(good()).has_value());
}

TEST_CASE("validate reports every error with its path") {
  const Row rows[] = {
      {"no default region",
       [](auto& s) { s.default_region = Region(); },
       {"settings.default_region: required: an ISO 3166 region code such as \"RU\""}},
      {"suffix digits",
       [](auto& s) { s.match_suffix_digits = 5; },
       {"settings.match_suffix_digits: must be 0 (off) or 7 to 15, got 5"}},
      {"simple mode creates nothing beside the deal",
       [](auto& s) { s.simple_mode.create_contact = false; },
       {"settings.simple_mode.create: must create a contact, a company or both with the deal"}},
      {"negative pipeline",
       [](auto& s) { s.simple_mode.pipeline = -1; },
       {"settings.simple_mode.pipeline: must be 0 or more, got -1"}},
      {"duplicate employee",
       [](auto& s) { s.employees.push_back(employee(2)); },
       {"settings.employees[3].id: duplicate employee id 2"}},
      {"duplicate and empty queue ids",
       [](auto& s) {
         s.queues[1].id = "sales";
         s.queues.push_back(s.queues[0]);
         s.queues.back().id = "";
       },
       {"settings.queues[1].id: duplicate queue id 'sales'",
        "settings.queues[2].id: must not be empty",
        "settings.lines[1].queue: queue 'support' does not exist"}},
      {"unknown and repeated members",
       [](auto& s) {
         s.queues[0].members = {1, 7, 1};
       },
       {"settings.queues[0].members[1]: unknown employee 7",
        "settings.queues[0].members[2]: employee 1 is listed twice"}},
      {"rings below 2",
       [](auto& s) { s.queues[0].rings = 1; },
       {"settings.queues[0].rings: must be 2 to 7 rings, got 1"}},
      {"rings above 7",
       [](auto& s) { s.queues[1].rings = 8; },
       {"settings.queues[1].rings: must be 2 to 7 rings, got 8"}},
      {"forward_to_number with an undialable number",
       [](auto& s) {
         s.queues[0].no_answer = NoAnswerRule::forward_to_number;
         s.queues[0].forward_number = "call me";
       },
       {"settings.queues[0].forward_number: 'call me' is not a dialable number (invalid: no "
        "digits)"}},
      {"next_queue missing",
       [](auto& s) { s.queues[0].no_answer = NoAnswerRule::next_queue; },
       {"settings.queues[0].next_queue: required when the rule is no_answer next_queue"}},
      {"next_queue unknown",
       [](auto& s) {
         s.queues[0].no_answer = NoAnswerRule::next_queue;
         s.queues[0].next_queue = "nowhere";
       },
       {"settings.queues[0].next_queue: queue 'nowhere' does not exist"}},
      {"line errors",
       [](auto& s) {
         s.lines[1].number = s.lines[0].number;
         s.lines[0].queue = "";
         s.lines[0].responsible_ring_time = Seconds(0);
         s.lines[0].source = "";
         s.lines[0].lead_title = "";
         s.lines[0].region = Region();
       },
       {"settings.lines[0].region: unknown region",
        "settings.lines[0].responsible_ring_seconds: must be 1 to 600 seconds, got 0",
        "settings.lines[0].queue: required: the queue that takes the line's calls",
        "settings.lines[0].source: must not be empty",
        "settings.lines[0].lead_title: must not be empty",
        "settings.lines[1].number: duplicate line '+74951234567'"}},
      {"a line whose number is not a number",
       [](auto& s) { s.lines[1].number = "sales line"; },
       {"settings.lines[1].number: 'sales line' is not a phone number (invalid)"}},
      {"work hours",
       [](auto& s) {
         WorkHours w;
         w.utc_offset = std::chrono::minutes(15 * 60);
         w.from = std::chrono::minutes(25 * 60);
         w.to = std::chrono::minutes(-1);
         w.off_hours = OffHoursAction::forward_to_number;
         s.lines[0].work_hours = w;
       },
       {"settings.lines[0].work_hours.utc_offset: must be between -12:00 and +14:00, got +15:00",
        "settings.lines[0].work_hours.from: 25:00 is not a time of day (00:00 to 24:00)",
        "settings.lines[0].work_hours.to: -00:01 is not a time of day (00:00 to 24:00)",
        "settings.lines[0].work_hours.forward_number: required when the rule is off_hours "
        "forward_to_number"}},
  };
  for (const auto& row : rows) {
    CAPTURE(row.name);
    auto s = good();
    row.change(s);
    const auto problems = validate(s);
    CHECK(texts(problems) == row.problems);
    for (const auto& p : problems) CHECK(p.severity == Severity::error);
    auto checked = check_settings(s);
    REQUIRE_FALSE(checked.has_value());
    CHECK(checked.error().code() == Errc::invalid_argument);
    CHECK(checked.error().message().rfind(row.problems.front(), 0) == 0);
  }
}

TEST_CASE("R-Q4 forward_to_number without a number is valid: the rule hangs up") {
  auto s = good();
  s.queues[0].no_answer = NoAnswerRule::forward_to_number;
  CHECK(validate(s).empty());
  s.queues[0].forward_number = "";
  CHECK(validate(s).empty());
  CHECK(check_settings(s).has_value());
}

TEST_CASE("validate: the root of paths and the summary of check_settings") {
  auto s = good();
  s.queues[0].rings = 9;
  s.queues[1].rings = 1;
  const auto problems = validate(s, "$.settings");
  REQUIRE(problems.size() == 2);
  CHECK(problems[0].path == "$.settings.queues[0].rings");
  CHECK(fmt::format("{}", problems[0]) ==
        "$.settings.queues[0].rings: must be 2 to 7 rings, got 9");
  CHECK(check_settings(s).error().message() ==
        "settings.queues[0].rings: must be 2 to 7 rings, got 9 (and 1 more problem)");
  CHECK(fmt::format("{}", Severity::warning) == "warning");
}

TEST_CASE("lint reports warnings with paths") {
  const Row rows[] = {
      {"R-Q4 forward_to_number with no number",
       [](auto& s) { s.queues[0].no_answer = NoAnswerRule::forward_to_number; },
       {"settings.queues[0].forward_number: empty: the forward_to_number rule hangs up when "
        "nobody answers (R-Q4)"}},
      {"a next_queue cycle",
       [](auto& s) {
         s.queues[0].no_answer = NoAnswerRule::next_queue;
         s.queues[0].next_queue = "support";
         s.queues[1].no_answer = NoAnswerRule::next_queue;
         s.queues[1].next_queue = "sales";
       },
       {"settings.queues[0].next_queue: the next_queue chain sales → support → sales comes back "
        "to 'sales': a call that gets there hangs up (queue_cycle)"}},
      {"a queue that names itself",
       [](auto& s) {
         s.queues[1].no_answer = NoAnswerRule::next_queue;
         s.queues[1].next_queue = "support";
       },
       {"settings.queues[1].next_queue: the next_queue chain support → support comes back to "
        "'support': a call that gets there hangs up (queue_cycle)"}},
      {"members all inactive; wait on it",
       [](auto& s) {
         s.employees[2].active = false;
         s.queues[1].no_answer = NoAnswerRule::wait;
       },
       {"settings.queues[1].members: every member is inactive: its calls go straight to its "
        "no-answer rule (R-Q5)",
        "settings.queues[1].no_answer: 'wait' on a queue that can be empty (no member is active, "
        "online and free of the working-day check): with nobody reachable the caller is hung up "
        "(R-Q5)"}},
      {"no members",
       [](auto& s) { s.queues[1].members.clear(); },
       {"settings.queues[1].members: the queue has no members: its calls go straight to its "
        "no-answer rule (R-Q5)"}},
      {"wait where the working day can empty the queue",
       [](auto& s) {
         s.employees[2].workday = Workday::open;
         s.lines[1].only_working_employees = true;
         s.queues[1].no_answer = NoAnswerRule::wait;
       },
       {"settings.queues[1].no_answer: 'wait' on a queue that can be empty (no member is active, "
        "online and free of the working-day check): with nobody reachable the caller is hung up "
        "(R-Q5)"}},
      {"ignored fields and an unused queue",
       [](auto& s) {
         s.queues[0].forward_number = "+79160000001";
         s.queues[0].next_queue = "support";
         s.lines.pop_back();
       },
       {"settings.queues[0].forward_number: ignored: the no_answer rule is voicemail",
        "settings.queues[0].next_queue: ignored: the no_answer rule is voicemail",
        "settings.queues[1]: queue 'support' is not used by any line"}},
      {"work hours",
       [](auto& s) {
         WorkHours w;
         w.days.fill(false);
         w.from = std::chrono::hours(18);
         w.to = std::chrono::hours(9);
         w.holidays = {{31, 2}, {1, 1}, {1, 1}, {1, 13}};
         w.forward_number = "+79160000001";
         s.lines[0].work_hours = w;
       },
       {"settings.lines[0].work_hours.days: no working day: every call is off hours",
        "settings.lines[0].work_hours: from 18:00 is not before to 09:00: no time is within "
        "working hours, so every call is off hours",
        "settings.lines[0].work_hours.holidays[0]: 31.02 is not a date (day.month)",
        "settings.lines[0].work_hours.holidays[2]: 01.01 is listed twice",
        "settings.lines[0].work_hours.holidays[3]: 01.13 is not a date (day.month)",
        "settings.lines[0].work_hours.forward_number: ignored: the off_hours action is voicemail"}},
      {"phones, e-mails and titles",
       [](auto& s) {
         s.exceptions.phones = {"+7 916 123-45-67", "12"};
         s.exceptions.emails = {"spam@example.com", "spam.example.com"};
         s.employees[0].phones.mobile = "n/a";
         s.lines[0].lead_title = "{number} from {city}";
         s.lines[1].lead_title = "{number";
       },
       {"settings.exceptions.phones[1]: '12' does not normalise against RU (short): it is "
        "compared by its digits only",
        "settings.employees[0].phones.mobile: 'n/a' does not normalise against RU (invalid: no "
        "digits): calls are never forwarded to it",
        "settings.exceptions.emails[1]: 'spam.example.com' is not an e-mail address",
        "settings.lines[0].lead_title: unknown placeholder {city} (known: {number}, {direction})",
        "settings.lines[1].lead_title: an unclosed '{'"}},
  };
  for (const auto& row : rows) {
    CAPTURE(row.name);
    auto s = good();
    row.change(s);
    const auto warnings = lint(s);
    CHECK(texts(warnings) == row.problems);
    for (const auto& w : warnings) CHECK(w.severity == Severity::warning);
  }
}

TEST_CASE("lint is safe on invalid settings") {
  auto s = good();
  s.default_region = Region();
  s.queues[0].no_answer = NoAnswerRule::next_queue;
  s.queues[0].next_queue = "nowhere";
  s.queues[0].members = {99};
  s.lines[0].queue = "nowhere";
  CHECK_FALSE(validate(s).empty());
  const auto warnings = lint(s);
  CHECK(texts(warnings) ==
        std::vector<std::string>{
            "settings.queues[0].members: every member is inactive: its calls go straight to "
            "its no-answer rule (R-Q5)",
            "settings.queues[0]: queue 'sales' is not used by any line"});
}

TEST_CASE("Settings text forms: times, UTC offsets and holidays read and write back") {
  using std::chrono::minutes;
  CHECK(parse_time_of_day("09:00") == minutes(540));
  CHECK(parse_time_of_day("9:05") == minutes(545));
  CHECK(parse_time_of_day("24:00") == minutes(1440));
  CHECK(parse_time_of_day("25:00") == minutes(1500));  // read; validate() rejects it
  for (const char* bad : {"", "9", "09:0", "09:60", "a9:00", "09-00", "123:00", "09:00:00"})
    CHECK_FALSE(parse_time_of_day(bad).has_value());
  CHECK(format_time_of_day(minutes(545)) == "09:05");
  CHECK(format_time_of_day(minutes(1440)) == "24:00");
  CHECK(parse_utc_offset("+03:00") == minutes(180));
  CHECK(parse_utc_offset("-05:30") == minutes(-330));
  for (const char* bad : {"03:00", "+3:00", "+03:0", "+03:60", "Z", "+0300"})
    CHECK_FALSE(parse_utc_offset(bad).has_value());
  CHECK(format_utc_offset(minutes(-330)) == "-05:30");
  CHECK(format_utc_offset(minutes(0)) == "+00:00");
  CHECK(parse_month_day("09.05") == MonthDay{9, 5});
  CHECK(parse_month_day("1.1") == MonthDay{1, 1});
  for (const char* bad : {"", "9", "09.", ".05", "09-05", "009.05", "09.005", "1.1.2026"})
    CHECK_FALSE(parse_month_day(bad).has_value());
  CHECK(format_month_day(MonthDay{9, 5}) == "09.05");
  CHECK(is_valid_date(MonthDay{29, 2}));
  CHECK_FALSE(is_valid_date(MonthDay{30, 2}));
  CHECK_FALSE(is_valid_date(MonthDay{31, 4}));
  CHECK_FALSE(is_valid_date(MonthDay{0, 1}));
  CHECK_FALSE(is_valid_date(MonthDay{1, 0}));
}
