// SPDX-License-Identifier: Apache-2.0
// The CRM snapshot and employees as JSON: the scenario format's shapes, strict, with paths.
#include <telcrm/json/crm_json.hpp>

#include <doctest/doctest.h>

using namespace telcrm;

TEST_CASE("A CRM snapshot reads with defaults and writes back to the same value") {
  const char* text = R"({
    "contacts":  [ { "id": 5, "name": "Ivan Petrov", "phones": ["8 (916) 123-45-67"], "responsible": 2 } ],
    "companies": [ { "id": 3, "title": "Acme", "phones": ["+7 (812) 555-01-02"], "responsible": 1 } ],
    "leads":     [ { "id": 50, "title": "Old", "status": "junk", "modified": "2026-11-20T12:00:00Z" } ],
    "deals":     [ { "id": 70, "title": "Renewal", "contact": 5, "pipeline": 2 } ]
  })";
  auto crm = crm_from_json(text);
  REQUIRE(crm.has_value());
  REQUIRE(crm->contacts.size() == 1);
  CHECK(crm->contacts[0].phones == std::vector<std::string>{"8 (916) 123-45-67"});
  CHECK(crm->contacts[0].company == std::nullopt);
  CHECK(crm->leads[0].status == LeadStatus::junk);
  CHECK(crm->leads[0].modified.has_value());
  CHECK(crm->deals[0].stage == DealStage::in_progress);
  CHECK(crm->deals[0].pipeline == 2);
  auto again = crm_from_json(crm_to_json(*crm));
  REQUIRE(again.has_value());
  CHECK(*again == *crm);
}

TEST_CASE("CRM snapshot errors name the JSON path") {
  struct Row {
    const char* text;
    const char* message;
  };
  const Row rows[] = {
      {R"({"contacts": [{"id": 1, "name": "a", "phones": [7]}]})",
       "crm.contacts[0].phones[0]: expected a string, got a number"},
      {R"({"contacts": [{"id": 1, "name": "a"}, {"id": 2, "name": "b", "phone": []}]})",
       "crm.contacts[1].phone: unknown key"},
      {R"({"leads": [{"id": 1, "title": "t", "status": "open"}]})",
       "crm.leads[0].status: expected one of in_progress, converted, junk"},
      {R"({"deals": [{"title": "t"}]})", "crm.deals[0]: missing required key 'id'"},
      {R"({"deals": [{"id": 1, "title": "t", "modified": "yesterday"}]})",
       "crm.deals[0].modified: expected a UTC time such as \"2026-11-24T10:00:00Z\""},
      {R"({"contacts": [{"id": 1, "name": "a"}, {"id": 1, "name": "b"}]})",
       "crm.contacts[1]: duplicate id 1"},
      {R"({"contacts": [)", "crm: parse error at line 1, column 15"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.text);
    auto r = crm_from_json(row.text);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == Errc::parse_error);
    CHECK(r.error().message().rfind(row.message, 0) == 0);
  }
}

TEST_CASE("Employees read in the settings.employees shape") {
  auto staff = employees_from_json(R"([
    { "id": 1, "name": "Chloé", "phones": { "mobile": "06 11 22 33 44" }, "extension": "201" },
    { "id": 2, "name": "Hugo", "active": false, "presence": "busy", "workday": "paused" },
    { "id": 3, "name": "Léa", "workday": null }
  ])");
  REQUIRE(staff.has_value());
  CHECK((*staff)[0].phones.mobile == "06 11 22 33 44");
  CHECK((*staff)[0].extension == "201");
  CHECK_FALSE((*staff)[1].active);
  CHECK((*staff)[1].presence == Presence::busy);
  CHECK((*staff)[1].workday == Workday::paused);
  CHECK((*staff)[2].workday == Workday::untracked);
  auto again = employees_from_json(employees_to_json(*staff));
  REQUIRE(again.has_value());
  CHECK(*again == *staff);

  auto bad = employees_from_json(R"([{ "id": 1, "name": "x", "workday": "lunch" }])");
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().message() ==
        "employees[0].workday: expected one of open, closed, paused, null");
}
