// SPDX-License-Identifier: Apache-2.0
#pragma once
// For a CrmStore that applies a group's batches one by one (inside one transaction or under
// one lock): what CrmStore::apply_linked() needs on top — a batch's references to records an
// earlier batch of the group created, rewritten to the ids they got.

#include <telcrm/config.hpp>
#include <telcrm/ports/crm_store.hpp>

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

TELCRM_BEGIN_NAMESPACE

/// Walks a group of batches for CrmStore::apply_linked(), batch by batch:
///
///     LinkedBatches linked;
///     for (const WriteBatch& batch : batches) {
///       const WriteBatch* ready = linked.prepare(batch);
///       if (!ready) break;                      // the rest waits for the engine
///       Result<WriteReceipt> r = apply_one(*ready);
///       linked.applied(batch, r);
///       ...
///     }
///
/// prepare() hands back the batch itself when it refers to no record of an earlier batch (no
/// copy), else a copy with those references replaced; nullptr when it refers to a record an
/// earlier batch named but did not create (its claim was lost, it was a replay or refused).
/// A store that resolves references as it applies may instead ask waits() and find().
class LinkedBatches {
 public:
  /// `batch` ready to apply, or nullptr when the group must end before it. The pointer is
  /// valid until the next prepare().
  [[nodiscard]] const WriteBatch* prepare(const WriteBatch& batch) {
    if (made_.empty() && missing_.empty()) return &batch;
    bool rewrite = false;
    bool waits = false;
    scan(batch, rewrite, waits);
    if (waits) return nullptr;
    if (!rewrite) return &batch;
    copy_ = batch;
    for (auto& op : copy_.ops)
      for_each_reference(op, [&](EntityType type, std::optional<EntityId>& id) {
        if (!id || *id >= 0) return;
        if (const auto real = find(EntityRef{type, *id})) id = *real;
      });
    return &copy_;
  }

  /// True when `batch` refers to a record an earlier batch named but did not create: the
  /// group ends before it.
  [[nodiscard]] bool waits(const WriteBatch& batch) const {
    if (missing_.empty()) return false;
    bool rewrite = false;
    bool waits = false;
    scan(batch, rewrite, waits);
    return waits;
  }

  /// The id the store gave the record an earlier batch of the group created under the local
  /// id `provisional`; nullopt when none did.
  [[nodiscard]] std::optional<EntityId> find(EntityRef provisional) const {
    for (const auto& [ref, id] : made_)
      if (ref == provisional) return id;
    return std::nullopt;
  }

  /// Notes what `batch` (as given to prepare()) created, from the store's answer: the records
  /// a fresh receipt lists, in operation order; none when it was refused, a replay or lost
  /// its claim — a later batch that refers to them then waits.
  void applied(const WriteBatch& batch, const Result<WriteReceipt>& result) {
    const bool fresh = result && !result->replayed && !result->claimed_by;
    std::size_t next = 0;
    for (const auto& op : batch.ops) {
      const auto made = created_by(op);
      if (!made) continue;
      const std::size_t at = next++;
      if (made->id >= 0) continue;  // no name: nothing can refer to it
      if (fresh && at < result->created.size())
        made_.emplace_back(*made, result->created[at].id);
      else
        missing_.push_back(*made);
    }
  }

 private:
  // Whether `batch` refers to a record of an earlier batch (`rewrite`) or to one an earlier
  // batch did not create (`waits`).
  void scan(const WriteBatch& batch, bool& rewrite, bool& waits) const {
    for (const auto& op : batch.ops)
      for_each_reference(op, [&](EntityType type, const std::optional<EntityId>& id) {
        if (!id || *id >= 0) return;
        const EntityRef ref{type, *id};
        if (find(ref))
          rewrite = true;
        else if (std::find(missing_.begin(), missing_.end(), ref) != missing_.end())
          waits = true;
      });
  }

  // A group holds up to a few dozen batches of a few records each: a scan beats a map.
  std::vector<std::pair<EntityRef, EntityId>> made_;  // provisional -> the store's id
  std::vector<EntityRef> missing_;                    // named by a batch, not created
  WriteBatch copy_;
};

TELCRM_END_NAMESPACE
