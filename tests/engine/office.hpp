// SPDX-License-Identifier: Apache-2.0
#pragma once
// A small typed builder for engine tests: an office (settings, employees, a CRM) and calls,
// written in C++ instead of JSON strings, so a test reads like the rule it checks.

#include <telcrm/crm/snapshot.hpp>
#include <telcrm/engine/call_events.hpp>
#include <telcrm/settings/settings.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace telcrm_test {

/// 2026-11-24 (a Tuesday) at hh:mm UTC.
inline telcrm::Timestamp tuesday(int hour, int minute = 0) {
  using namespace std::chrono;
  return sys_days(year(2026) / 11 / 24) + hours(hour) + minutes(minute);
}

/// An office: settings, the employees the directory holds, and the CRM.
struct Office {
  telcrm::IntegrationSettings settings;
  std::vector<telcrm::Employee> employees;
  telcrm::CrmSnapshot crm;

  static constexpr const char* line = "+74950000000";

  /// RU; employees 1 Anna, 2 Boris, 3 Vera; queue "q" of 1 and 2 (strictly, 2 rings = 10 s);
  /// one line on "q" whose responsible rings 20 s.
  static Office moscow() {
    Office o;
    o.settings.default_region = *telcrm::Region::from_code("RU");
    o.employees = {
        {.id = 1, .name = "Anna"}, {.id = 2, .name = "Boris"}, {.id = 3, .name = "Vera"}};
    o.settings.queues = {
        {.id = "q", .members = {1, 2}, .distribution = telcrm::Distribution::strictly, .rings = 2}};
    telcrm::LineSettings l;
    l.number = line;
    l.queue = "q";
    l.responsible_ring_time = telcrm::Seconds(20);
    o.settings.lines = {l};
    return o;
  }

  Office& simple_mode() {
    settings.crm_mode = telcrm::CrmMode::simple;
    return *this;
  }
  Office& queue(std::function<void(telcrm::QueueSettings&)> change) {
    change(settings.queues.front());
    return *this;
  }
  Office& line_settings(std::function<void(telcrm::LineSettings&)> change) {
    change(settings.lines.front());
    return *this;
  }
  Office& employee(telcrm::EmployeeId id, std::function<void(telcrm::Employee&)> change) {
    for (auto& e : employees)
      if (e.id == id) change(e);
    return *this;
  }
  /// A contact with one phone, whose responsible is `responsible`.
  Office& contact(telcrm::EntityId id, std::string phone, telcrm::EmployeeId responsible) {
    crm.contacts.push_back({.id = id,
                            .name = "Client " + std::to_string(id),
                            .phones = {std::move(phone)},
                            .responsible = responsible});
    return *this;
  }
};

/// An incoming call to the office's line.
inline telcrm::CallStart incoming(std::string id, std::string from,
                                  telcrm::Timestamp at = tuesday(10)) {
  return telcrm::CallStart{.call = std::move(id),
                           .direction = telcrm::CallDirection::incoming,
                           .line = Office::line,
                           .number = std::move(from),
                           .at = at};
}

}  // namespace telcrm_test
