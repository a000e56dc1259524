// SPDX-License-Identifier: Apache-2.0
#pragma once
// replay() made safe to interrupt, for any store with write groups, has_call(), has_data(),
// import() and save_settings() — SqliteCrmStore and PostgresCrmStore share it (their public
// replay_resumable() functions are thin wrappers). Private to the compiled libraries.

#include <telcrm/ports/crm_store.hpp>
#include <telcrm/result.hpp>
#include <telcrm/sim/replay.hpp>
#include <telcrm/sim/scenario.hpp>

#include <algorithm>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>
#include <variant>

TELCRM_BEGIN_NAMESPACE
namespace resumable_detail {

using Progress = std::function<void(std::size_t done, std::size_t total)>;

// The store as replay() sees it: every read goes straight through; the batches of one call
// are applied inside one write group, committed with the call's last batch (the one with its
// history record, R-A1) — or when the next call's first batch arrives.
template <class Store>
class CallGroups final : public CrmStore {
 public:
  CallGroups(Store& store, std::size_t calls, const Progress& progress)
      : store_(store), calls_(calls), progress_(progress) {}

  Result<void> scan(CrmVisitor& visitor) const override { return store_.scan(visitor); }
  Result<std::optional<Contact>> find_contact(EntityId id) const override {
    return store_.find_contact(id);
  }
  Result<std::optional<Company>> find_company(EntityId id) const override {
    return store_.find_company(id);
  }
  Result<std::optional<Lead>> find_lead(EntityId id) const override { return store_.find_lead(id); }
  Result<std::optional<Deal>> find_deal(EntityId id) const override { return store_.find_deal(id); }
  const CrmChangeFeed* change_feed() const noexcept override { return store_.change_feed(); }
  const CrmInspection* inspection() const noexcept override { return store_.inspection(); }

  Result<WriteReceipt> apply(const WriteBatch& batch) override {
    if (failure_) return fail(*failure_);  // write nothing more once the storage failed
    if (store_.in_group() && batch.call != call_) end_group();
    if (!store_.in_group()) {
      if (auto ok = store_.begin_group(); !ok) {
        remember(ok.error());
        return fail(ok.error());
      }
      call_ = batch.call;
    }
    auto receipt = store_.apply(batch);
    if (!receipt) remember(receipt.error());
    const bool last = std::any_of(batch.ops.begin(), batch.ops.end(), [](const WriteOp& op) {
      return std::holds_alternative<RecordCall>(op);
    });
    if (last) {
      end_group();
      if (completed_.insert(batch.call).second && progress_) progress_(completed_.size(), calls_);
    }
    return receipt;
  }

  // Commits the open group, if any; a failed commit is remembered.
  void end_group() {
    if (!store_.in_group()) return;
    if (auto ok = store_.commit_group(); !ok) remember(ok.error());
  }

  // The first storage failure: the replay cannot be trusted to have stored its calls.
  [[nodiscard]] const std::optional<Error>& failure() const { return failure_; }

 private:
  void remember(const Error& e) {
    // A batch the engine can never apply (invalid_argument, conflict) is the engine's to
    // report, as with any store; the storage itself failing ends the replay.
    if (e.code() == Errc::invalid_argument || e.code() == Errc::conflict) return;
    if (!failure_) failure_ = e;
  }

  Store& store_;
  std::size_t calls_;
  const Progress& progress_;
  std::string call_;
  std::unordered_set<std::string> completed_;
  std::optional<Error> failure_;
};

inline std::size_t records_of(const CrmSnapshot& crm) {
  return crm.contacts.size() + crm.companies.size() + crm.leads.size() + crm.deals.size() +
         crm.invoices.size() + crm.activities.size() + crm.missed_calls.size() + crm.history.size();
}

// What replay_resumable() reports, whatever the store.
struct Outcome {
  ReplayOutput output{};
  std::size_t imported = 0;
  std::size_t skipped = 0;
};

template <class Store>
Result<Outcome> run(const Scenario& scenario, Store& store, const ReplayOptions& replay_options,
                    const Progress& import_progress, const Progress& call_progress) {
  // The scenario is checked whole first, in memory: a fault the engine finds halfway must not
  // leave the earlier calls written.
  ReplayOptions dry_options = replay_options;
  dry_options.on_call = [](const CallResult&) {};  // checked only: no result kept
  if (auto dry = replay(scenario, dry_options); !dry) return fail(dry.error());
  Outcome out;
  if (auto ok = store.save_settings(scenario.settings, scenario.employees); !ok)
    return fail(ok.error());
  auto any = store.has_data();
  if (!any) return fail(any.error());
  if (!*any) {
    auto imported = store.import(scenario.crm, import_progress);
    // Another process sharing the database may have imported it a moment ago: use that.
    if (!imported && imported.error().code() != Errc::already_exists) return fail(imported.error());
    if (imported) out.imported = records_of(scenario.crm);
  }

  // The calls not yet complete, in order (a repeated call id stays a repeat, R-I1).
  Scenario rest;
  rest.name = scenario.name;
  rest.settings = scenario.settings;
  rest.employees = scenario.employees;
  std::unordered_set<std::string> distinct;
  for (const auto& call : scenario.calls) {
    auto done = store.has_call(call.id);
    if (!done) return fail(done.error());
    if (*done) {
      ++out.skipped;
      continue;
    }
    distinct.insert(call.id);
    rest.calls.push_back(call);
  }

  CallGroups<Store> groups(store, distinct.size(), call_progress);
  auto replayed = replay(rest, groups, replay_options);
  if (!replayed || groups.failure()) {
    store.rollback_group();  // the call in progress: all of its writes or none
    return fail(replayed ? *groups.failure() : replayed.error());
  }
  groups.end_group();
  if (groups.failure()) return fail(*groups.failure());
  out.output = std::move(*replayed);
  return out;
}

}  // namespace resumable_detail
TELCRM_END_NAMESPACE
