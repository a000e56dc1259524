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
  /// What the employee creates.
  enum class Kind : std::uint8_t { create_deal, create_invoice };
  Kind kind = Kind::create_deal;  ///< what is done
  std::string title{};            ///< create_deal
  double amount = 0;              ///< create_invoice
  /// Equal when every member is.
  friend bool operator==(const ScenarioAction&, const ScenarioAction&) = default;
};

/// A call and how the people in it behave.
struct ScenarioCall {
  std::string id{};                                   ///< the call id
  CallDirection direction = CallDirection::incoming;  ///< the call's direction
  std::string line{};                                 ///< the line's number
  std::string from{};                                 ///< incoming / callback: the caller
  std::string to{};                                   ///< outgoing: the dialled number
  std::optional<EmployeeId> employee{};               ///< outgoing: who dials
  std::optional<EntityRef> crm_entity{};  ///< the call was started from this CRM card (R-M1)
  Timestamp at{};                         ///< when the call begins
  std::vector<std::pair<EmployeeId, Presence>> presence{};  ///< overrides for this call
  std::vector<EmployeeId> answers{};                        ///< employees who pick up when rung
  std::vector<std::string> phone_answers{};                 ///< external numbers that pick up
  Seconds caller_hangs_up_after{300};                       ///< the caller gives up after this long
  std::optional<EmployeeId> transfer_to{};    ///< the employee who answered transfers to them
  Seconds duration{0};                        ///< talk time once answered
  std::optional<CallStatus> status{};         ///< overrides the derived code (R-A5)
  std::optional<std::string> recording{};     ///< the recording's reference
  std::optional<std::string> voicemail{};     ///< the message left, if voicemail answers
  std::optional<std::string> comment{};       ///< the employee's comment
  std::vector<ScenarioAction> during_call{};  ///< R-A7
  /// Equal when every member is.
  friend bool operator==(const ScenarioCall&, const ScenarioCall&) = default;
};

/// A whole scenario.
struct Scenario {
  std::string name{};                 ///< shown by `telcrm demo`
  IntegrationSettings settings{};     ///< the integration settings
  std::vector<Employee> employees{};  ///< the scenario's `settings.employees`: the directory
  CrmSnapshot crm{};                  ///< the CRM before the first call
  std::vector<ScenarioCall> calls{};  ///< in order
};

TELCRM_END_NAMESPACE
