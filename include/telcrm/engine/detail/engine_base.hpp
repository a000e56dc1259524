// SPDX-License-Identifier: Apache-2.0
#pragma once
// What CallEngine's functions call: the engine's operations as virtual functions. The
// implementation (EngineImpl, call_engine-inl.hpp) is a template that only
// CallEngine::create() names, so a header-only translation unit that never creates an engine
// compiles none of it — a call through this interface does not instantiate it. Included by
// call_engine-inl.hpp only.

#include <telcrm/config.hpp>
#include <telcrm/crm/exception_list.hpp>
#include <telcrm/engine/call_engine.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

TELCRM_BEGIN_NAMESPACE
namespace detail {

// One function per CallEngine function of the same name (see call_engine.hpp).
class EngineBase {
 public:
  EngineBase() = default;
  EngineBase(const EngineBase&) = delete;
  EngineBase& operator=(const EngineBase&) = delete;
  virtual ~EngineBase() = default;

  virtual Result<CallProgress> start_call(const CallStart& event) = 0;
  virtual Result<CallProgress> rang(const Rang& event) = 0;
  virtual Result<CallProgress> step_ended(const StepEnded& event) = 0;
  virtual Result<CallProgress> answered(const Answered& event) = 0;
  virtual Result<CallProgress> caller_hung_up(const CallerHungUp& event) = 0;
  virtual Result<CallProgress> transferred(const Transferred& event) = 0;
  virtual Result<CallProgress> during_call(const DuringCallAction& event) = 0;
  virtual Result<CallResult> end_call(const CallEnd& event) = 0;
  virtual Result<CallResult> close_interrupted(CallStart start, std::string reason) = 0;
  virtual Result<void> attach_recording(std::string_view call, std::string recording) = 0;

  virtual std::size_t flush() = 0;
  virtual Result<void> refresh() = 0;
  virtual std::vector<CallResult> reap(Timestamp now) = 0;
  virtual bool wait_for_writes(std::chrono::milliseconds timeout) = 0;

  virtual std::optional<CallResult> result(std::string_view call) const = 0;
  virtual std::optional<CallResult> peek(std::string_view call) const = 0;
  virtual bool ready() const noexcept = 0;

  virtual Result<void> update_settings(IntegrationSettings settings) = 0;
  virtual ExceptionList exceptions() const = 0;
  virtual void update_exceptions(ExceptionList exceptions) = 0;
  virtual Result<void> reload_crm() = 0;
  virtual EngineStats stats() const = 0;
  virtual QueueStats queue_stats() const = 0;
};

}  // namespace detail
TELCRM_END_NAMESPACE
