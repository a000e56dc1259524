// SPDX-License-Identifier: Apache-2.0
#pragma once
// The engine's state of one call in progress, and the registry of calls: those in progress
// and the last finished ones' results (R-I1). Included by call_engine-inl.hpp only.

#include <telcrm/config.hpp>
#include <telcrm/crm/employee_index.hpp>
#include <telcrm/crm/exception_list.hpp>
#include <telcrm/engine/call_engine.hpp>
#include <telcrm/leads/creation_plan.hpp>
#include <telcrm/leads/mode_strategy.hpp>
#include <telcrm/routing/roster.hpp>
#include <telcrm/routing/routing_policy.hpp>

#include <algorithm>
#include <array>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

TELCRM_BEGIN_NAMESPACE
namespace detail {

// What one settings version needs at run time (R-S3: a call keeps the version it began with).
struct EngineConfig {
  IntegrationSettings settings;
  RoutingPolicy policy;
  ModeStrategy mode;
  std::vector<Region> line_regions;  // by line index
};

// What the directory said at one version: employees' numbers and their routing state.
struct People {
  std::uint64_t version = 0;
  EmployeeIndex employees;
  Roster roster;
};

// One call in progress. Its mutex serialises the call's events.
struct Call {
  std::mutex mutex;
  std::uint64_t born = 0;  // Outbox::tick() when it began; set before it is registered
  std::string id;
  std::shared_ptr<const EngineConfig> config;
  std::shared_ptr<const People> people;
  std::shared_ptr<const ExceptionList> exceptions;
  const LineSettings* line = nullptr;
  CallMode mode = CallMode::route;
  Timestamp at{};
  RouteCall route_call;
  RouteState route_state;
  bool routing_ended = false;
  CallResult result;
  CreationPlan plan;
  bool creation_done = false;
  std::vector<EntityRef> bound;        // R-I2: another call's records this call binds to
  std::optional<EmployeeId> holder;    // who has the call now (answer, transfers)
  std::optional<EmployeeId> answerer;  // who answered (queue statistics)
  Timestamp answered_at{};
  std::optional<EmployeeId> voicemail_for;
  std::vector<std::string> comments;
  std::set<std::size_t> actions_done;
  std::uint32_t next_seq = 1;
  Timestamp last_event{};
  bool finished = false;
};

inline CallProgress progress_of(const Call& c) {
  CallProgress p;
  p.call = c.id;
  p.crm = c.result.match.crm;
  p.primary = c.result.match.primary;
  p.responsible = c.result.match.responsible;
  p.steps = c.result.route.size();
  if (!c.result.route.empty()) p.current = c.result.route.back();
  p.routing_ended = c.routing_ended;
  p.ended = c.finished;
  return p;
}

inline CallProgress progress_of(const CallResult& r) {
  CallProgress p;
  p.call = r.call;
  p.crm = r.match.crm;
  p.primary = r.match.primary;
  p.responsible = r.match.responsible;
  p.steps = r.route.size();
  if (!r.route.empty()) p.current = r.route.back();
  p.routing_ended = true;
  p.ended = true;
  return p;
}

// The calls in progress, and the results of the last `remembered` finished calls (R-I1).
// One mutex for both: a call's start and its end each take it once.
// A template only so that it is compiled where the engine is (see engine_base.hpp).
template <class Unused = void>
class BasicCallRegistry {
 public:
  // The index of remembered results gets its buckets at once (8 bytes a result, beside the
  // ~1 KB each result takes): growing, it rehashed every entry under the lock. Up to a
  // million: a larger setting grows as before rather than asking for it all at the start.
  explicit BasicCallRegistry(std::size_t remembered) : remembered_(remembered) {
    finished_.reserve(std::min<std::size_t>(remembered, std::size_t{1} << 20));
  }

  std::shared_ptr<Call> find_active(std::string_view id) const {
    std::lock_guard lock(mutex_);
    auto it = calls_.find(id);
    return it == calls_.end() ? nullptr : it->second;
  }

  // What add() found: nothing (`call` is registered), the call in progress under that id, or
  // a finished call's result.
  struct Added {
    std::shared_ptr<Call> active;
    std::optional<CallResult> finished;
  };
  // Registers `call` under `id` unless a call of that id is in progress or remembered.
  Added add(std::string_view id, std::shared_ptr<Call> call) {
    std::lock_guard lock(mutex_);
    auto [at, inserted] = calls_.try_emplace(std::string(id), std::move(call));
    if (!inserted) return {at->second, std::nullopt};
    if (auto it = finished_.find(id); it != finished_.end()) {  // rare: undone
      calls_.erase(at);
      return {nullptr, ring_[it->second]};
    }
    return {};
  }
  void remove(std::string_view id) {
    std::lock_guard lock(mutex_);
    if (auto it = calls_.find(id); it != calls_.end()) calls_.erase(it);
  }
  std::vector<std::shared_ptr<Call>> active() const {
    std::lock_guard lock(mutex_);
    std::vector<std::shared_ptr<Call>> out;
    out.reserve(calls_.size());
    for (const auto& [id, call] : calls_) out.push_back(call);
    return out;
  }
  std::size_t active_count() const {
    std::lock_guard lock(mutex_);
    return calls_.size();
  }

  // Runs `f(const CallResult&)` on a remembered result: nullopt when the call is not one.
  template <class F>
  auto with_finished(std::string_view id, F&& f) const
      -> std::optional<std::invoke_result_t<F, const CallResult&>> {
    std::lock_guard lock(mutex_);
    auto it = finished_.find(id);
    if (it == finished_.end()) return std::nullopt;
    return f(ring_[it->second]);
  }
  std::size_t finished_count() const {
    std::lock_guard lock(mutex_);
    return finished_.size();
  }

  // Remembers a finished call's result, then forgets the call (at once: an event for it
  // finds one or the other).
  void retire(const Call& call) {
    std::lock_guard lock(mutex_);
    remember_locked(call.result);
    if (auto it = calls_.find(call.id); it != calls_.end()) calls_.erase(it);
  }

 private:
  // A slot of the ring is overwritten by copy assignment, which reuses the strings and
  // vectors of the result it forgets: remembering costs no allocation once it is full. The
  // ring is a deque so that it grows without moving what it holds: a vector moved every
  // remembered result (~1 KB each) to new memory at each doubling, under the lock every
  // call's start and end take (a 0.1–0.2 s stall at 64k calls on a 2-core VM).
  void remember_locked(const CallResult& result) {
    if (remembered_ == 0) return;
    if (ring_.size() < remembered_) {
      ring_.push_back(result);
      finished_.emplace(result.call, ring_.size() - 1);
      return;
    }
    const std::size_t slot = next_;
    next_ = (next_ + 1) % ring_.size();
    auto node = finished_.extract(ring_[slot].call);  // reused for the new call
    ring_[slot] = result;
    if (node.empty()) {
      finished_.emplace(result.call, slot);
    } else {
      node.key() = result.call;
      node.mapped() = slot;
      finished_.insert(std::move(node));
    }
  }

  // Call ids are looked up by string_view, without making a string of them. Not noexcept on
  // purpose: a standard library may then keep each key's hash in its node (libstdc++ does),
  // so walking a bucket compares stored hashes instead of hashing every key it passes.
  struct IdHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view id) const { return std::hash<std::string_view>{}(id); }
  };
  template <class V>
  using ById = std::unordered_map<std::string, V, IdHash, std::equal_to<>>;

  std::size_t remembered_;
  mutable std::mutex mutex_;
  ById<std::shared_ptr<Call>> calls_;
  std::deque<CallResult> ring_;
  std::size_t next_ = 0;  // the slot overwritten next
  ById<std::size_t> finished_;
};

}  // namespace detail
TELCRM_END_NAMESPACE
