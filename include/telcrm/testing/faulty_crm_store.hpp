// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// FaultyCrmStore (target telcrm::testing): a CrmStore wrapper that, on a seeded schedule,
/// fails, delays, times out, or applies a write and then reports that it failed (the reply
/// was lost) — so a host can soak its own store under the faults a network and a database
/// really produce (see fault_soak.hpp), and check that no call's writes are lost or doubled.
///
/// ```cpp
/// telcrm::FaultSchedule faults;
/// faults.seed = 42;
/// faults.fail = 0.1;        // 10 % of store calls fail, nothing applied
/// faults.lost_reply = 0.05; // 5 % are applied, then reported as failed
/// telcrm::FaultyCrmStore store(host_store, faults);
/// // … an engine over `store`; later:
/// store.heal();             // no fault from now on
/// ```

#include <telcrm/config.hpp>
#include <telcrm/ports/crm_store.hpp>
#include <telcrm/result.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <span>
#include <vector>

TELCRM_BEGIN_NAMESPACE

/// When and how a FaultyCrmStore fails. Each write call (apply(), apply_all(),
/// apply_linked()) draws one
/// fault from a generator seeded with `seed`: the probabilities are checked in the order of
/// the members below, and the rest of the time the call goes through untouched. The same
/// seed and the same sequence of calls give the same faults.
struct FaultSchedule {
  std::uint64_t seed = 1;  ///< the generator's seed
  /// Errc::storage_unavailable before anything is applied. In apply_all() and apply_linked(),
  /// the fault hits a batch drawn at random: the batches before it are applied and reported
  /// as usual.
  double fail = 0;
  /// The call waits `delay_for`, then goes through.
  double delay = 0;
  /// The call waits `timeout_for`, then reports Errc::storage_unavailable ("timed out");
  /// whether the store applied it is drawn at random (a timeout cannot tell).
  double timeout = 0;
  /// The nasty case: the store applies and commits the call, then it reports
  /// Errc::storage_unavailable — the reply was lost.
  double lost_reply = 0;
  /// An outage begins: this call and the next `outage_length - 1` write calls fail, nothing
  /// applied (a database restarting, a network partition).
  double outage = 0;
  std::size_t outage_length = 50;  ///< write calls an outage lasts
  /// scan() and find_*() fail with Errc::storage_unavailable.
  double read_fail = 0;
  std::chrono::microseconds delay_for{200};    ///< how long a delay waits
  std::chrono::microseconds timeout_for{500};  ///< how long a timeout waits
};

/// What a FaultyCrmStore did so far.
struct FaultCounts {
  std::size_t write_calls = 0;        ///< apply(), apply_all() and apply_linked() calls
  std::size_t batches = 0;            ///< batches handed to those calls
  std::size_t failed = 0;             ///< `fail` faults
  std::size_t delayed = 0;            ///< `delay` faults
  std::size_t timed_out = 0;          ///< `timeout` faults
  std::size_t timed_out_applied = 0;  ///< … of which the store applied the call
  std::size_t lost_replies = 0;       ///< `lost_reply` faults
  std::size_t outages = 0;            ///< outages begun
  std::size_t outage_calls = 0;       ///< write calls refused during outages
  std::size_t read_failures = 0;      ///< `read_fail` faults
  /// Equal when every member is.
  friend bool operator==(const FaultCounts&, const FaultCounts&) = default;
};

/// A CrmStore that forwards to `inner` and injects the faults of its FaultSchedule.
/// change_feed() and inspection() are the inner store's, without faults. Thread-safe.
// The overriders are declared TELCRM_INLINE as well as defined so (see memory_crm_store.hpp).
class FaultyCrmStore final : public CrmStore {
 public:
  /// Wraps `inner`, which must outlive it.
  TELCRM_INLINE FaultyCrmStore(CrmStore& inner, FaultSchedule schedule);

  [[nodiscard]] TELCRM_INLINE Result<void> scan(CrmVisitor& visitor) const override;
  [[nodiscard]] TELCRM_INLINE Result<std::optional<Contact>> find_contact(
      EntityId id) const override;
  [[nodiscard]] TELCRM_INLINE Result<std::optional<Company>> find_company(
      EntityId id) const override;
  [[nodiscard]] TELCRM_INLINE Result<std::optional<Lead>> find_lead(EntityId id) const override;
  [[nodiscard]] TELCRM_INLINE Result<std::optional<Deal>> find_deal(EntityId id) const override;
  [[nodiscard]] TELCRM_INLINE Result<WriteReceipt> apply(const WriteBatch& batch) override;
  [[nodiscard]] TELCRM_INLINE std::vector<Result<WriteReceipt>> apply_all(
      std::span<const WriteBatch> batches) override;
  /// The inner store's apply_linked(), with the faults of apply_all().
  [[nodiscard]] TELCRM_INLINE std::vector<Result<WriteReceipt>> apply_linked(
      std::span<const WriteBatch> batches) override;
  /// The inner store's answer: the engine groups as it would without the faults.
  [[nodiscard]] TELCRM_INLINE bool resolves_group_references() const noexcept override;
  [[nodiscard]] TELCRM_INLINE const CrmChangeFeed* change_feed() const noexcept override;
  [[nodiscard]] TELCRM_INLINE const CrmInspection* inspection() const noexcept override;

  /// No fault from now on (an outage in progress ends too).
  TELCRM_INLINE void heal();
  /// A new schedule from now on (its seed restarts the generator).
  TELCRM_INLINE void set_schedule(FaultSchedule schedule);
  /// What happened so far.
  [[nodiscard]] TELCRM_INLINE FaultCounts counts() const;

 private:
  enum class Fault : std::uint8_t { none, fail, delay, timeout, lost_reply, outage };
  // apply_all() (or apply_linked(), `linked`) of the inner store, with a drawn fault.
  TELCRM_INLINE std::vector<Result<WriteReceipt>> apply_with_faults(
      std::span<const WriteBatch> batches, bool linked);
  TELCRM_INLINE Fault draw_write();
  TELCRM_INLINE bool draw_read() const;
  TELCRM_INLINE double uniform() const;  // [0, 1), under mutex_

  CrmStore& inner_;
  mutable std::mutex mutex_;
  FaultSchedule schedule_;
  mutable std::uint64_t state_;
  std::size_t outage_left_ = 0;
  mutable FaultCounts counts_{};
};

TELCRM_END_NAMESPACE

#ifdef TELCRM_HEADER_ONLY
#include <telcrm/testing/faulty_crm_store-inl.hpp>
#endif
