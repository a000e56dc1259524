// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// QueueStats: what the queue strategies remember between calls (R-Q2) — when each
/// employee was last offered a queue call, how many calls each answered per UTC date, and
/// when their last answered call ended.

#include <telcrm/config.hpp>
#include <telcrm/crm/entity.hpp>
#include <telcrm/time.hpp>

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

TELCRM_BEGIN_NAMESPACE

/// The statistics update of a queue ring step: `users` were offered the call in `queue` at
/// `at` (the call's start plus the seconds of the earlier steps, R-Q2). A view: it refers to
/// the RouteDecision it came from.
struct QueueOffer {
  std::string_view queue{};                 ///< the queue's id
  std::span<const EmployeeId> employees{};  ///< who was offered the call
  Timestamp at{};                           ///< when
};

/// The queue statistics: an explicit value the RoutingPolicy reads and the engine updates.
///
/// Everything is kept per employee: `evenly` rings "the member offered a call least
/// recently" (R-Q2), whichever queue offered it, so an employee in two queues is not offered
/// twice as often; answers count however the call reached the employee (R-Q2). Not
/// synchronised: the owner serialises changes; a const QueueStats may be read concurrently.
class QueueStats {
 public:
  /// When each employee was last offered a queue call.
  using OfferTimes = std::unordered_map<EmployeeId, Timestamp>;

  /// Records that `employee` was offered a queue call at `at`. Keeps the latest time.
  void record_offer(EmployeeId employee, Timestamp at);
  /// Records every offer of a queue ring step (its queue is informational).
  void apply(const QueueOffer& offer);
  /// Takes back an offer the PBX never made (its command failed): each employee's last offer
  /// time goes back to `before` (as last_offer() said before apply()), unless a later offer
  /// replaced it meanwhile.
  void undo(const QueueOffer& offer, std::span<const std::optional<Timestamp>> before);
  /// Records an answered call: it counts on the UTC date of `answered_at` (for
  /// `fewest_calls`), and `call_end` is when the employee became idle (for `longest_idle`;
  /// the latest end is kept). Every answered call counts, however it was routed.
  void record_answer(EmployeeId employee, Timestamp answered_at, Timestamp call_end);

  /// When `employee` was last offered a queue call; nullopt when never.
  [[nodiscard]] std::optional<Timestamp> last_offer(EmployeeId employee) const;
  /// Every employee's last offer time.
  [[nodiscard]] const OfferTimes& offer_times() const noexcept { return offers_; }
  /// How many calls `employee` answered on the UTC date `date`.
  [[nodiscard]] int answered_on(EmployeeId employee, std::chrono::sys_days date) const;
  /// When `employee`'s last answered call ended; nullopt when they never answered one.
  [[nodiscard]] std::optional<Timestamp> last_call_end(EmployeeId employee) const;

  /// Drops the answer counts of dates before `date` (they no longer influence routing).
  void forget_answers_before(std::chrono::sys_days date);

  /// Equal when every member is.
  friend bool operator==(const QueueStats&, const QueueStats&) = default;

 private:
  struct Answers {
    std::vector<std::pair<std::chrono::sys_days, int>> per_day;  // sorted by date
    std::optional<Timestamp> last_end;
    /// Equal when every member is.
    friend bool operator==(const Answers&, const Answers&) = default;
  };
  OfferTimes offers_;
  std::unordered_map<EmployeeId, Answers> answers_;
};

TELCRM_END_NAMESPACE

#ifdef TELCRM_HEADER_ONLY
#include <telcrm/routing/queue_stats-inl.hpp>
#endif
