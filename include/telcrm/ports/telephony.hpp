// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// The Telephony port: the commands telcrm gives the host's PBX.

#include <telcrm/config.hpp>
#include <telcrm/crm/entity.hpp>
#include <telcrm/result.hpp>
#include <telcrm/time.hpp>

#include <span>
#include <string_view>

TELCRM_BEGIN_NAMESPACE

/// What the engine asks the PBX to do with a call. The PBX answers with events (see
/// CallEngine): who answered, that nobody did, that the caller hung up, that the call ended.
///
/// **Order.** An event that leads to a command hands it here before anything else happens
/// for the CRM: no CrmStore call comes between an event and its command, and the event
/// returns once the command is issued.
///
/// **Errors.** An error means the PBX did not take the command. The engine then leaves the
/// step un-issued: it is not recorded in the call's route, nothing is created in the CRM for
/// it, no queue member is counted as offered the call (R-Q2), and the event returns the
/// error. Delivering the same event again retries the command (R-I1 answers repeats only
/// for events that succeeded). A command the PBX took but could not carry out (the phone
/// is unreachable) is not an error here: report it with the next event (StepEnded).
///
/// Thread safety: called from whichever thread delivered the event that led to the command;
/// several calls' commands may arrive at once. Blocking: must not block — queue the command
/// and return.
class Telephony {
 public:
  virtual ~Telephony() = default;
  /// Rings `employees` at once for `seconds`; the first to answer takes the call.
  [[nodiscard]] virtual Result<void> ring(std::string_view call,
                                          std::span<const EmployeeId> employees,
                                          Seconds seconds) = 0;
  /// Forwards the call to an external number (E.164) for `seconds`.
  [[nodiscard]] virtual Result<void> forward(std::string_view call, std::string_view number,
                                             Seconds seconds) = 0;
  /// Sends the caller to `employee`'s voicemail.
  [[nodiscard]] virtual Result<void> voicemail(std::string_view call, EmployeeId employee) = 0;
  /// Ends the call.
  [[nodiscard]] virtual Result<void> hang_up(std::string_view call) = 0;
};

TELCRM_END_NAMESPACE
