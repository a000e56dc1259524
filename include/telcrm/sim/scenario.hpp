// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// Scenario: settings, a CRM and calls with what the simulated people do — the input of
/// `telcrm replay` (scenario-format.md).

#include <telcrm/config.hpp>
#include <telcrm/crm/activity.hpp>
#include <telcrm/crm/employee.hpp>
#include <telcrm/crm/snapshot.hpp>
#include <telcrm/settings/settings.hpp>
#include <telcrm/time.hpp>

#include <optional>
#include <string>
#include <utility>
#include <vector>

TELCRM_BEGIN_NAMESPACE

/// Something the employee does during the call (R-A7).
struct ScenarioAction {
  enum class Kind : std::uint8_t { create_deal, create_invoice };
  Kind kind = Kind::create_deal;
  std::string title{};  ///< create_deal
  double amount = 0;    ///< create_invoice
  friend bool operator==(const ScenarioAction&, const ScenarioAction&) = default;
};

/// A call and how the people in it behave.
struct ScenarioCall {
  std::string id{};
  CallDirection direction = CallDirection::incoming;
  std::string line{};
  std::string from{};                    ///< incoming / callback: the caller
  std::string to{};                      ///< outgoing: the dialled number
  std::optional<EmployeeId> employee{};  ///< outgoing: who dials
  std::optional<EntityRef> crm_entity{};
  Timestamp at{};
  std::vector<std::pair<EmployeeId, Presence>> presence{};  ///< overrides for this call
  std::vector<EmployeeId> answers{};                        ///< employees who pick up when rung
  std::vector<std::string> phone_answers{};                 ///< external numbers that pick up
  Seconds caller_hangs_up_after{300};
  std::optional<EmployeeId> transfer_to{};
  Seconds duration{0};
  std::optional<CallStatus> status{};
  std::optional<std::string> recording{};
  std::optional<std::string> voicemail{};
  std::optional<std::string> comment{};
  std::vector<ScenarioAction> during_call{};
  friend bool operator==(const ScenarioCall&, const ScenarioCall&) = default;
};

/// A whole scenario.
struct Scenario {
  std::string name{};
  IntegrationSettings settings{};
  std::vector<Employee> employees{};  ///< the scenario's `settings.employees`: the directory
  CrmSnapshot crm{};
  std::vector<ScenarioCall> calls{};
};

TELCRM_END_NAMESPACE
