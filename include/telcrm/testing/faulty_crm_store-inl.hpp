// SPDX-License-Identifier: Apache-2.0
#pragma once
// FaultyCrmStore's definitions (compiled into telcrm::testing, or inline header-only).

#include <telcrm/testing/faulty_crm_store.hpp>

#include <thread>
#include <utility>

TELCRM_BEGIN_NAMESPACE

TELCRM_INLINE FaultyCrmStore::FaultyCrmStore(CrmStore& inner, FaultSchedule schedule)
    : inner_(inner), schedule_(schedule), state_(schedule.seed) {}

// splitmix64: the same numbers on every platform (std's distributions are not portable).
TELCRM_INLINE double FaultyCrmStore::uniform() const {
  std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) * 0x1.0p-53;
}

TELCRM_INLINE bool FaultyCrmStore::draw_read() const {
  std::lock_guard lock(mutex_);
  if (outage_left_ > 0 || uniform() < schedule_.read_fail) {
    ++counts_.read_failures;
    return true;
  }
  return false;
}

TELCRM_INLINE FaultyCrmStore::Fault FaultyCrmStore::draw_write() {
  // Under mutex_.
  ++counts_.write_calls;
  if (outage_left_ > 0) {
    --outage_left_;
    ++counts_.outage_calls;
    return Fault::outage;
  }
  const double u = uniform();
  double edge = schedule_.fail;
  if (u < edge) return ++counts_.failed, Fault::fail;
  if (u < (edge += schedule_.delay)) return ++counts_.delayed, Fault::delay;
  if (u < (edge += schedule_.timeout)) return ++counts_.timed_out, Fault::timeout;
  if (u < (edge += schedule_.lost_reply)) return ++counts_.lost_replies, Fault::lost_reply;
  if (u < (edge += schedule_.outage) && schedule_.outage_length > 0) {
    ++counts_.outages;
    ++counts_.outage_calls;
    outage_left_ = schedule_.outage_length - 1;
    return Fault::outage;
  }
  return Fault::none;
}

namespace fault_detail {
inline Error unavailable(std::string_view what) {
  return Error(Errc::storage_unavailable, std::string("injected fault: ") + std::string(what));
}
}  // namespace fault_detail

TELCRM_INLINE Result<void> FaultyCrmStore::scan(CrmVisitor& visitor) const {
  if (draw_read()) return fail(fault_detail::unavailable("scan failed"));
  return inner_.scan(visitor);
}
TELCRM_INLINE Result<std::optional<Contact>> FaultyCrmStore::find_contact(EntityId id) const {
  if (draw_read()) return fail(fault_detail::unavailable("read failed"));
  return inner_.find_contact(id);
}
TELCRM_INLINE Result<std::optional<Company>> FaultyCrmStore::find_company(EntityId id) const {
  if (draw_read()) return fail(fault_detail::unavailable("read failed"));
  return inner_.find_company(id);
}
TELCRM_INLINE Result<std::optional<Lead>> FaultyCrmStore::find_lead(EntityId id) const {
  if (draw_read()) return fail(fault_detail::unavailable("read failed"));
  return inner_.find_lead(id);
}
TELCRM_INLINE Result<std::optional<Deal>> FaultyCrmStore::find_deal(EntityId id) const {
  if (draw_read()) return fail(fault_detail::unavailable("read failed"));
  return inner_.find_deal(id);
}

TELCRM_INLINE Result<WriteReceipt> FaultyCrmStore::apply(const WriteBatch& batch) {
  auto results = apply_all(std::span<const WriteBatch>(&batch, 1));
  return std::move(results.front());
}

TELCRM_INLINE std::vector<Result<WriteReceipt>> FaultyCrmStore::apply_all(
    std::span<const WriteBatch> batches) {
  return apply_with_faults(batches, false);
}

TELCRM_INLINE std::vector<Result<WriteReceipt>> FaultyCrmStore::apply_linked(
    std::span<const WriteBatch> batches) {
  return apply_with_faults(batches, true);
}

TELCRM_INLINE bool FaultyCrmStore::resolves_group_references() const noexcept {
  return inner_.resolves_group_references();
}

TELCRM_INLINE std::vector<Result<WriteReceipt>> FaultyCrmStore::apply_with_faults(
    std::span<const WriteBatch> batches, bool linked) {
  auto forward = [&](std::span<const WriteBatch> some) {
    return linked ? inner_.apply_linked(some) : inner_.apply_all(some);
  };
  Fault fault;
  std::size_t cut = 0;  // fail: the batch the fault hits
  bool timeout_applies = false;
  std::chrono::microseconds wait{0};
  {
    std::lock_guard lock(mutex_);
    fault = draw_write();
    counts_.batches += batches.size();
    if (fault == Fault::fail && !batches.empty())
      cut = static_cast<std::size_t>(uniform() * static_cast<double>(batches.size()));
    if (fault == Fault::timeout) {
      timeout_applies = uniform() < 0.5;
      if (timeout_applies) ++counts_.timed_out_applied;
    }
    wait = fault == Fault::delay     ? schedule_.delay_for
           : fault == Fault::timeout ? schedule_.timeout_for
                                     : std::chrono::microseconds{0};
  }
  if (wait.count() > 0) std::this_thread::sleep_for(wait);
  auto refuse_from = [&](std::vector<Result<WriteReceipt>> out, std::size_t from,
                         std::string_view what) {
    out.resize(from);
    while (out.size() < batches.size()) out.push_back(fail(fault_detail::unavailable(what)));
    return out;
  };
  switch (fault) {
    case Fault::none:
    case Fault::delay: return forward(batches);
    case Fault::outage: return refuse_from({}, 0, "the store is down");
    case Fault::fail: {
      auto before = cut > 0 ? forward(batches.first(cut)) : std::vector<Result<WriteReceipt>>{};
      if (before.size() < cut) return before;  // a linked group ended before the fault
      return refuse_from(std::move(before), cut, "write failed");
    }
    case Fault::timeout:
      if (timeout_applies) (void)forward(batches);
      return refuse_from({}, 0, "timed out");
    case Fault::lost_reply: (void)forward(batches); return refuse_from({}, 0, "the reply was lost");
  }
  return forward(batches);
}

TELCRM_INLINE const CrmChangeFeed* FaultyCrmStore::change_feed() const noexcept {
  return inner_.change_feed();
}
TELCRM_INLINE const CrmInspection* FaultyCrmStore::inspection() const noexcept {
  return inner_.inspection();
}

TELCRM_INLINE void FaultyCrmStore::heal() {
  std::lock_guard lock(mutex_);
  schedule_ = FaultSchedule{.seed = schedule_.seed};
  outage_left_ = 0;
}
TELCRM_INLINE void FaultyCrmStore::set_schedule(FaultSchedule schedule) {
  std::lock_guard lock(mutex_);
  schedule_ = schedule;
  state_ = schedule.seed;
  outage_left_ = 0;
}
TELCRM_INLINE FaultCounts FaultyCrmStore::counts() const {
  std::lock_guard lock(mutex_);
  return counts_;
}

TELCRM_END_NAMESPACE
