// SPDX-License-Identifier: Apache-2.0
#pragma once
// A small CRM to match against: builds an index, an exception list and employees from values.

#include <telcrm/crm/crm_index.hpp>
#include <telcrm/crm/crm_matcher.hpp>
#include <telcrm/crm/employee_index.hpp>
#include <telcrm/crm/exception_list.hpp>

#include <memory>
#include <string>
#include <vector>

namespace telcrm_test {

inline telcrm::Region region(const char* code) {
  return *telcrm::Region::from_code(code);
}

inline telcrm::Timestamp at(int day, int hour = 12) {
  using namespace std::chrono;
  return sys_days(year(2026) / November / day) + hours(hour);
}

struct World {
  explicit World(const char* default_region = "RU", int suffix_digits = 0)
      : home(region(default_region)),
        index(telcrm::IndexOptions{home, suffix_digits}),
        exceptions(home) {}

  telcrm::Region home;
  telcrm::CrmSnapshot crm;
  std::vector<telcrm::Employee> staff;
  telcrm::CrmIndex index;
  telcrm::ExceptionList exceptions;
  telcrm::EmployeeIndex employees;
  telcrm::CrmMatcher matcher;

  telcrm::Contact& contact(telcrm::EntityId id, std::vector<std::string> phones,
                           std::optional<telcrm::EmployeeId> responsible = std::nullopt,
                           std::optional<telcrm::EntityId> company = std::nullopt) {
    crm.contacts.push_back(
        {id, "Contact " + std::to_string(id), std::move(phones), {}, responsible, company});
    return crm.contacts.back();
  }
  telcrm::Company& company(telcrm::EntityId id, std::vector<std::string> phones,
                           std::optional<telcrm::EmployeeId> responsible = std::nullopt) {
    crm.companies.push_back(
        {id, "Company " + std::to_string(id), std::move(phones), {}, responsible});
    return crm.companies.back();
  }
  telcrm::Lead& lead(telcrm::EntityId id, std::vector<std::string> phones,
                     telcrm::LeadStatus status = telcrm::LeadStatus::in_progress,
                     std::optional<telcrm::Timestamp> modified = std::nullopt) {
    telcrm::Lead l;
    l.id = id;
    l.title = "Lead " + std::to_string(id);
    l.phones = std::move(phones);
    l.status = status;
    l.modified = modified;
    crm.leads.push_back(l);
    return crm.leads.back();
  }
  telcrm::Deal& deal(telcrm::EntityId id, std::optional<telcrm::EntityId> contact,
                     std::optional<telcrm::EntityId> company,
                     std::optional<telcrm::Timestamp> modified = std::nullopt,
                     telcrm::DealStage stage = telcrm::DealStage::in_progress) {
    telcrm::Deal d;
    d.id = id;
    d.title = "Deal " + std::to_string(id);
    d.contact = contact;
    d.company = company;
    d.modified = modified;
    d.stage = stage;
    crm.deals.push_back(d);
    return crm.deals.back();
  }
  telcrm::Employee& employee(telcrm::EmployeeId id, bool active = true) {
    telcrm::Employee e;
    e.id = id;
    e.name = "Employee " + std::to_string(id);
    e.active = active;
    staff.push_back(e);
    return staff.back();
  }

  /// Builds the index and the employee index from what was added.
  World& build() {
    index.rebuild(crm);
    employees = telcrm::EmployeeIndex(staff, home);
    return *this;
  }

  telcrm::MatchResult match(std::string_view number, const char* line_region = nullptr,
                            std::optional<telcrm::EntityRef> card = std::nullopt) {
    telcrm::MatchRequest request{number, line_region ? region(line_region) : home, true, card};
    return matcher.match(request, index.snapshot(), exceptions, employees);
  }
};

inline telcrm::EntityRef contact_ref(telcrm::EntityId id) {
  return {telcrm::EntityType::contact, id};
}
inline telcrm::EntityRef company_ref(telcrm::EntityId id) {
  return {telcrm::EntityType::company, id};
}
inline telcrm::EntityRef lead_ref(telcrm::EntityId id) {
  return {telcrm::EntityType::lead, id};
}
inline telcrm::EntityRef deal_ref(telcrm::EntityId id) {
  return {telcrm::EntityType::deal, id};
}

}  // namespace telcrm_test
