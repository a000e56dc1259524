// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// PresenceDirectory: the host's Directory with the PBX's word on who can take a call
/// laid over it (R-R2, R-Q3): an extension that registered is online, one whose registration
/// ended is offline, one on a call is busy. It also keeps the base directory in memory, so a
/// call never waits for the store that holds the employees.

#include <telcrm/config.hpp>
#include <telcrm/crm/employee.hpp>
#include <telcrm/pbx/pbx_protocol.hpp>
#include <telcrm/ports/directory.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

TELCRM_BEGIN_NAMESPACE
namespace pbx {

/// A Directory over `base` whose presence follows the PBX.
///
/// **Presence.** For an employee the PBX has spoken about: offline while their phone is not
/// registered; otherwise busy while they are on a call (reported busy, or a call telcrm
/// routed to them is running); otherwise online. Employees the PBX never mentioned keep the
/// base's presence. Everything else (names, phones, activity, working day) is the base's.
///
/// **Memory only.** employees(), find_employee() and version() answer from memory; refresh()
/// reads the base (call it once before use, then from a background thread: the base may be
/// a database that blocks). version() changes whenever the base's version or an effective
/// presence changes, so the engine reads employees() again only then.
///
/// Thread safety: every method may be called from any thread.
class PresenceDirectory final : public Directory {
 public:
  /// Presence over `base`, which must outlive it.
  explicit PresenceDirectory(const Directory& base) : base_(base) {}

  /// Reads the base's version, and its employees when the version moved. Errors are the
  /// base's; the directory then keeps what it had.
  [[nodiscard]] Result<void> refresh();

  // TELCRM_INLINE: see CapturingTelephony (no vtable emitted by every header-only includer).
  [[nodiscard]] TELCRM_INLINE Result<std::vector<Employee>> employees() const override;
  [[nodiscard]] TELCRM_INLINE Result<std::optional<Employee>> find_employee(
      EmployeeId id) const override;
  [[nodiscard]] TELCRM_INLINE Result<std::uint64_t> version() const override;

  /// Applies what the PBX reports for an extension; the employee it belongs to, or nullopt
  /// when no employee has that extension.
  std::optional<EmployeeId> report(std::string_view extension, PresenceEvent event);
  /// `employee` is on call `call` (telcrm routed it to them): busy until call_ended().
  void call_started(EmployeeId employee, std::string_view call);
  /// Call `call` is over for everyone on it.
  void call_ended(std::string_view call);

  /// The employees' extensions as of now (replaced whole when they change).
  [[nodiscard]] std::shared_ptr<const ExtensionBook> extensions() const;

 private:
  struct Overlay {
    std::optional<bool> registered{};
    bool busy = false;              // reported busy by the PBX
    std::set<std::string> calls{};  // calls telcrm routed to them, still running
  };
  // Rebuilds the merged list and bumps the version when it changed. Holds mutex_.
  void rebuild_locked();

  const Directory& base_;
  mutable std::shared_mutex mutex_;
  std::optional<std::uint64_t> base_version_{};
  std::vector<Employee> base_employees_{};
  std::vector<Employee> merged_{};
  std::map<EmployeeId, Overlay> overlay_{};
  std::shared_ptr<const ExtensionBook> book_ = std::make_shared<const ExtensionBook>();
  std::uint64_t version_ = 1;
};

}  // namespace pbx
TELCRM_END_NAMESPACE

#ifdef TELCRM_HEADER_ONLY
#include <telcrm/pbx/presence_directory-inl.hpp>
#endif
