// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// CapturingTelephony: the Telephony port of a host that answers its PBX's requests
/// (an HTTP answer, a reply on a socket): the engine issues a step synchronously inside the
/// event, on the thread that delivered it, and this port hands the command to that thread's
/// open Capture, which turns it into the answer.

#include <telcrm/config.hpp>
#include <telcrm/ports/telephony.hpp>
#include <telcrm/routing/route_step.hpp>

#include <optional>
#include <string>
#include <vector>

TELCRM_BEGIN_NAMESPACE
namespace pbx {

/// One command the engine gave.
struct Command {
  std::string call{};                    ///< the call it is for
  StepKind kind = StepKind::ring;        ///< what to do
  std::vector<EmployeeId> employees{};   ///< ring
  std::string number{};                  ///< forward
  std::optional<EmployeeId> employee{};  ///< voicemail
  Seconds seconds{0};                    ///< ring, forward
  /// Equal when every field is.
  friend bool operator==(const Command&, const Command&) = default;
};

/// The Telephony port that captures. A command for which no Capture is open on the calling
/// thread is refused (Errc::invalid_state): the engine then leaves the step un-issued, and a
/// repeat of the event issues it again — so a step is never lost between threads.
///
/// Thread safety: any number of threads, each with its own Capture.
class CapturingTelephony final : public Telephony {
 public:
  /// Captures the commands the engine gives on this thread while it lives (one event: at
  /// most one command). Captures do not nest.
  class Capture {
   public:
    /// Opens a capture of `owner`'s commands on this thread.
    explicit Capture(const CapturingTelephony& owner);
    ~Capture();
    Capture(const Capture&) = delete;
    Capture& operator=(const Capture&) = delete;
    /// The command given since the capture opened, if any.
    [[nodiscard]] const std::optional<Command>& command() const noexcept { return command_; }

   private:
    friend class CapturingTelephony;
    const CapturingTelephony* owner_;
    Capture* previous_;
    std::optional<Command> command_{};
  };

  // TELCRM_INLINE on the declarations: header-only, a virtual first declared non-inline is
  // the key function, so every includer would emit the vtable and all it reaches.
  [[nodiscard]] TELCRM_INLINE Result<void> ring(std::string_view call,
                                                std::span<const EmployeeId> employees,
                                                Seconds seconds) override;
  [[nodiscard]] TELCRM_INLINE Result<void> forward(std::string_view call, std::string_view number,
                                                   Seconds seconds) override;
  [[nodiscard]] TELCRM_INLINE Result<void> voicemail(std::string_view call,
                                                     EmployeeId employee) override;
  [[nodiscard]] TELCRM_INLINE Result<void> hang_up(std::string_view call) override;

 private:
  Result<void> take(Command command) const;
};

}  // namespace pbx
TELCRM_END_NAMESPACE

#ifdef TELCRM_HEADER_ONLY
#include <telcrm/pbx/capturing_telephony-inl.hpp>
#endif
