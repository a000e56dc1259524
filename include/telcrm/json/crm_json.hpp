// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// The CRM snapshot and the employee list as JSON, in exactly the shapes of the scenario
/// format (`crm` and `settings.employees`). Part of the telcrm::json component.

#include <telcrm/config.hpp>
#include <telcrm/crm/employee.hpp>
#include <telcrm/crm/snapshot.hpp>
#include <telcrm/result.hpp>

#include <string>
#include <string_view>
#include <vector>

TELCRM_BEGIN_NAMESPACE

/// Reads a CRM snapshot. Unknown keys and bad values are errors (Errc::parse_error) whose
/// message starts with the JSON path below `root`: `crm.contacts[3].phones[0]: expected a
/// string`. Missing fields take the scenario format's defaults. Lists are sorted by id.
[[nodiscard]] Result<CrmSnapshot> crm_from_json(std::string_view text,
                                                std::string_view root = "crm");
/// Writes a snapshot as pretty-printed JSON; crm_from_json(crm_to_json(s)) == s.
[[nodiscard]] std::string crm_to_json(const CrmSnapshot& snapshot);

/// Reads a JSON array of employees (`settings.employees`).
[[nodiscard]] Result<std::vector<Employee>> employees_from_json(
    std::string_view text, std::string_view root = "employees");
/// Writes employees as a pretty-printed JSON array.
[[nodiscard]] std::string employees_to_json(const std::vector<Employee>& employees);

TELCRM_END_NAMESPACE
