// SPDX-License-Identifier: Apache-2.0
// Access rights: levels over roles (R-P1) and settings changes guarded by them (R-P2).
#include <telcrm/settings/access.hpp>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <thread>

using namespace telcrm;

namespace {

// Roles: "operator" sees own calls and calls CRM clients; "supervisor" sees the department,
// hears own records and calls clients and employees; "integrator" changes settings.
AccessRights rights() {
  std::vector<Role> roles{
      {"operator",
       {AccessLevel::own, AccessLevel::none, CallAccess::crm_clients, SettingsAccess::none}},
      {"supervisor",
       {AccessLevel::department, AccessLevel::own, CallAccess::clients_and_employees,
        SettingsAccess::none}},
      {"integrator", {AccessLevel::none, AccessLevel::none, CallAccess::none, SettingsAccess::all}},
  };
  std::vector<EmployeeAccess> employees{
      {1, true, {}, 10},  // administrator
      {2, false, {"operator"}, 10},
      {3, false, {"operator", "supervisor"}, 10},  // highest of both
      {4, false, {"integrator"}, 20},
      {5, false, {}, 20},  // no role at all
      {6, false, {"operator"}, 20},
  };
  auto r = AccessRights::create(std::move(roles), std::move(employees));
  REQUIRE(r.has_value());
  return std::move(*r);
}

MatchResult match_of(CrmState state) {
  MatchResult m;
  m.crm = state;
  return m;
}

IntegrationSettings settings() {
  IntegrationSettings s;
  s.default_region = *Region::from_code("RU");
  QueueSettings q;
  q.id = "sales";
  q.members = {1};
  s.queues.push_back(q);
  LineSettings l;
  l.number = "+74951234567";
  l.queue = "sales";
  s.lines.push_back(l);
  return s;
}

}  // namespace

TEST_CASE("R-P1 administrators have everything; others the highest level over their roles") {
  const AccessRights r = rights();
  struct Row {
    EmployeeId employee;
    Permissions expected;
  };
  const Row rows[] = {
      {1, Permissions::everything()},
      {2, {AccessLevel::own, AccessLevel::none, CallAccess::crm_clients, SettingsAccess::none}},
      {3,
       {AccessLevel::department, AccessLevel::own, CallAccess::clients_and_employees,
        SettingsAccess::none}},
      {4, {AccessLevel::none, AccessLevel::none, CallAccess::none, SettingsAccess::all}},
      {5, {}},
      {99, {}},  // unknown users have nothing
  };
  for (const auto& row : rows) {
    CAPTURE(row.employee);
    CHECK(r.permissions_of(row.employee) == row.expected);
    CHECK(r.can_change_settings(row.employee) == (row.expected.settings == SettingsAccess::all));
  }
  CHECK(r.is_administrator(1));
  CHECK_FALSE(r.is_administrator(3));
  CHECK(fmt::format("{} {} {}", AccessLevel::department, CallAccess::clients_and_employees,
                    SettingsAccess::all) == "department clients_and_employees all");
}

TEST_CASE("R-P1 call details and records by level: own, department, all") {
  const AccessRights r = rights();
  struct Row {
    EmployeeId viewer;
    std::optional<EmployeeId> call_employee;
    bool details;
    bool records;
  };
  const Row rows[] = {
      {1, 6, true, true},             // administrator: all
      {1, std::nullopt, true, true},  // even calls nobody had
      {2, 2, true, false},            // operator: own details, no records
      {2, 3, false, false},
      {3, 2, true, false},  // supervisor: department details, own records
      {3, 3, true, true},
      {3, 6, false, false},  // another department
      {3, std::nullopt, false, false},
      {5, 5, false, false},  // no role
  };
  for (const auto& row : rows) {
    CAPTURE(row.viewer);
    CAPTURE(row.call_employee.value_or(0));
    CHECK(r.can_view_call(row.viewer, row.call_employee) == row.details);
    CHECK(r.can_listen_to_record(row.viewer, row.call_employee) == row.records);
  }
}

TEST_CASE("R-P1 making calls: none, CRM clients only, clients and employees, any number") {
  const AccessRights r = rights();
  struct Row {
    EmployeeId employee;
    CrmState dialled;
    bool allowed;
  };
  const Row rows[] = {
      {2, CrmState::matched, true},   {2, CrmState::unknown, false},
      {2, CrmState::employee, false}, {2, CrmState::excepted, false},
      {2, CrmState::disabled, false}, {3, CrmState::employee, true},
      {3, CrmState::matched, true},   {3, CrmState::unknown, false},
      {1, CrmState::unknown, true},   {4, CrmState::matched, false},
      {5, CrmState::matched, false},
  };
  for (const auto& row : rows) {
    CAPTURE(row.employee);
    CAPTURE(row.dialled);
    CHECK(r.can_call(row.employee, match_of(row.dialled)) == row.allowed);
  }
}

TEST_CASE("R-P1 access rights reject duplicate roles and users and unknown roles") {
  auto dup_role = AccessRights::create({{"a", {}}, {"a", {}}}, {});
  REQUIRE_FALSE(dup_role.has_value());
  CHECK(dup_role.error().code() == Errc::invalid_argument);
  auto dup_user = AccessRights::create({}, {{1, false, {}, {}}, {1, true, {}, {}}});
  REQUIRE_FALSE(dup_user.has_value());
  CHECK(dup_user.error().code() == Errc::invalid_argument);
  auto unknown = AccessRights::create({{"a", {}}}, {{1, false, {"b"}, {}}});
  REQUIRE_FALSE(unknown.has_value());
  CHECK(unknown.error().code() == Errc::not_found);
  CHECK(unknown.error().message() == "access rights: employee 1: role 'b' does not exist");
  const AccessRights none;
  CHECK(none.permissions_of(1) == Permissions{});
}

TEST_CASE("R-P2 changing settings needs the settings right; without it nothing changes") {
  SettingsService service(settings(), rights());
  const auto before = service.current();
  IntegrationSettings next = settings();
  next.lines[0].route_to_responsible = false;

  struct Row {
    EmployeeId employee;
    bool allowed;
  };
  for (const Row row : {Row{2, false}, Row{3, false}, Row{5, false}, Row{99, false}}) {
    CAPTURE(row.employee);
    auto r = service.replace(row.employee, next);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == Errc::permission_denied);
    LineSettings line = next.lines[0];
    auto l = service.update_line(row.employee, line);
    REQUIRE_FALSE(l.has_value());
    CHECK(l.error().code() == Errc::permission_denied);
    CHECK(service.current() == before);  // the very same snapshot
    CHECK(service.version() == 0);
  }

  REQUIRE(service.replace(4, next).has_value());  // an integrator
  CHECK_FALSE(service.current()->lines[0].route_to_responsible);
  CHECK(service.version() == 1);
  CHECK(*before == settings());  // an old snapshot never changes under its reader

  LineSettings line = service.current()->lines[0];
  line.responsible_ring_time = Seconds(20);
  REQUIRE(service.update_line(1, line).has_value());  // the administrator
  CHECK(service.current()->lines[0].responsible_ring_time == Seconds(20));
  CHECK(service.version() == 2);
}

TEST_CASE("R-P2 invalid settings and unknown lines change nothing either") {
  SettingsService service(settings(), rights());
  IntegrationSettings bad = settings();
  bad.queues[0].rings = 12;
  auto r = service.replace(1, bad);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code() == Errc::invalid_argument);
  CHECK(r.error().message() == "settings.queues[0].rings: must be 2 to 7 rings, got 12");
  LineSettings line = settings().lines[0];
  line.queue = "nowhere";
  CHECK(service.update_line(1, line).error().code() == Errc::invalid_argument);
  line.number = "+70000000000";
  CHECK(service.update_line(1, line).error().code() == Errc::not_found);
  CHECK(*service.current() == settings());
  CHECK(service.version() == 0);
}

TEST_CASE("R-P2 concurrent readers and writers see whole snapshots") {
  SettingsService service(settings(), rights());
  std::thread writer([&] {
    for (int i = 0; i < 200; ++i) {
      LineSettings line = service.current()->lines[0];
      line.responsible_ring_time = Seconds(10 + i % 50);
      REQUIRE(service.update_line(1, line).has_value());
    }
  });
  for (int i = 0; i < 2000; ++i) {
    const auto snapshot = service.current();
    CHECK(snapshot->lines.size() == 1);
    CHECK(snapshot->lines[0].responsible_ring_time >= Seconds(10));
  }
  writer.join();
  CHECK(service.version() == 200);
}
