// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// SimulatedPbx: a PBX whose people follow a scenario's script — who answers, which
/// phones pick up, when the caller gives up. Shipped for `telcrm replay` and hosts' tests.

#include <telcrm/config.hpp>
#include <telcrm/engine/call_engine.hpp>
#include <telcrm/phone/phone_normalizer.hpp>
#include <telcrm/ports/telephony.hpp>
#include <telcrm/sim/scenario.hpp>

#include <mutex>
#include <string>
#include <vector>

TELCRM_BEGIN_NAMESPACE

// The overriders are declared TELCRM_INLINE as well as defined so: header-only, a virtual
// function declared without `inline` becomes the class's key function, and every file that
// includes this header would emit the vtable and compile every overrider it points to.
/// The telephony side of a simulation. As a Telephony port it only records the commands it
/// is given; play() then answers them the way the scenario call says (scenario-format.md,
/// "Simulation"): a ring is answered by the first of its users who is in `answers`, a forward
/// when its number is in `phone_answers`, and the caller hangs up after
/// `caller_hangs_up_after` seconds. Thread-safe as a port; play() one call at a time per call.
class SimulatedPbx final : public Telephony {
 public:
  /// `default_region` reads the scenario's `phone_answers` (R-N2).
  explicit SimulatedPbx(Region default_region) : default_region_(default_region) {}

  [[nodiscard]] TELCRM_INLINE Result<void> ring(std::string_view call,
                                                std::span<const EmployeeId> employees,
                                                Seconds seconds) override;
  [[nodiscard]] TELCRM_INLINE Result<void> forward(std::string_view call, std::string_view number,
                                                   Seconds seconds) override;
  [[nodiscard]] TELCRM_INLINE Result<void> voicemail(std::string_view call,
                                                     EmployeeId employee) override;
  [[nodiscard]] TELCRM_INLINE Result<void> hang_up(std::string_view call) override;

  /// Plays `call` through `engine` from its start to its end. As the host of the simulation
  /// it flushes the engine's writes after each event (CallEngine::flush()), so a replay is
  /// deterministic: the CRM is written in the order the events happened.
  [[nodiscard]] Result<CallResult> play(CallEngine& engine, const ScenarioCall& call);

  /// A generated day (`telcrm demo --db`) tries transfers on calls it cannot know will be
  /// answered: with this set, a `transfer_to` on a call no employee answered is not made
  /// instead of failing the replay (a written scenario gets the error).
  void skip_unanswered_transfers(bool skip) noexcept { skip_unanswered_transfers_ = skip; }

  /// Every command received, as text ("ring c1 [2] 30s"), in order.
  [[nodiscard]] std::vector<std::string> commands() const;
  /// false: commands() stays empty — a replay does not read it, and a long one's memory would
  /// grow with every command. True by default.
  void keep_commands(bool keep) noexcept { keep_commands_ = keep; }

 private:
  Region default_region_;
  PhoneNormalizer normalizer_;
  mutable std::mutex mutex_;
  std::vector<std::string> commands_;
  bool skip_unanswered_transfers_ = false;
  bool keep_commands_ = true;
};

TELCRM_END_NAMESPACE

#ifdef TELCRM_HEADER_ONLY
#include <telcrm/sim/simulated_pbx-inl.hpp>
#endif
