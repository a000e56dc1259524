// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file The Telephony port: the commands telcrm gives the host's PBX.

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
/// Thread safety: called from whichever thread delivered the event that led to the command;
/// several calls' commands may arrive at once. Blocking: must not block — queue the command
/// and return; a call must never wait for the CRM side.
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
