// SPDX-License-Identifier: Apache-2.0
#pragma once
// The engine's write pipeline (R-I3): the CRM writes events decide wait here, in order, until
// a flush() applies them. Records a call creates get provisional (negative) ids when they
// are queued; the outbox learns the store's ids as it applies them and rewrites later
// batches' references. With a journal, every batch is kept there from the moment it is
// queued until it is applied — and a batch that created records stays until no waiting
// batch refers to them any more, so a restart can resolve every reference by replaying.
// Included by call_engine-inl.hpp only.

#include <telcrm/config.hpp>
#include <telcrm/ports/crm_store.hpp>
#include <telcrm/ports/observer.hpp>
#include <telcrm/ports/outbox_journal.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

TELCRM_BEGIN_NAMESPACE
namespace detail {

/// What a provisional id became once its batch was applied.
struct Resolution {
  EntityRef real{};     ///< the store's record
  bool lost = false;    ///< R-I2: another call created it; this call did not
  bool failed = false;  ///< the batch was refused for good: there is no record
  Timestamp at{};       ///< when its batch was made
  /// The outbox's tick when it became visible: a call born later, or a batch queued later,
  /// never holds the provisional id (the index had the real one), so it may be forgotten
  /// once every call and queued batch is younger (see forget_old_locked).
  std::uint64_t settled = 0;
};

/// One provisional id's resolution, and the entity kept in the batch that created it.
struct Created {
  EntityRef provisional{};
  Resolution resolution{};
};

// A template only so that it is compiled where the engine is (see engine_base.hpp).
template <class Unused = void>
class BasicOutbox {
 public:
  /// Called with each applied batch and its receipt, and the resolutions it made, before
  /// they become visible to resolve(): the engine refiles the records in its index.
  using Applied = void (*)(void* context, const WriteBatch& batch, const WriteReceipt& receipt,
                           const std::vector<Created>& created);
  /// The tick() of the oldest call in progress (when it began), or UINT64_MAX when none is.
  using OldestLive = std::uint64_t (*)(void* context);

  BasicOutbox(CrmStore& store, OutboxJournal* journal, Observer* observer, std::size_t max_group)
      : store_(store),
        journal_(journal),
        observer_(observer),
        max_group_(std::max<std::size_t>(1, max_group)),
        grouped_refs_(store.resolves_group_references()) {}

  /// Takes up what the journal still holds (a previous run's writes): they go first. New
  /// provisional ids are chosen below every one those batches use.
  Result<void> load_journal() {
    if (!journal_) return {};
    auto waiting = journal_->pending();
    if (!waiting) return fail(waiting.error());
    std::lock_guard lock(mutex_);
    for (auto& batch : *waiting) {
      for (auto& op : batch.ops)
        if (auto made = created_by(op); made && made->id < 0)
          next_provisional_ = std::min(next_provisional_.load(), made->id - 1);
      Entry e;
      e.batch = std::move(batch);
      e.journaled = true;
      register_locked(e);
      queue_.push_back(std::move(e));
    }
    return {};
  }

  /// A new provisional id (unique for this engine's life).
  EntityId next_provisional() noexcept { return next_provisional_.fetch_sub(1); }

  /// The outbox's logical clock: a call takes a tick when it begins, before it reads the
  /// index; resolutions and queued batches take one too. Orders them without a Clock (whose
  /// time a host may set back, and which says nothing of when a call read the index).
  std::uint64_t tick() noexcept { return ticks_.fetch_add(1); }

  /// Queues `batch` (its references to records applied meanwhile are rewritten first) and
  /// keeps it in the journal. Never calls the store.
  void enqueue(WriteBatch batch) {
    std::unique_lock lock(mutex_);
    resolve_locked(batch);
    Entry e;
    e.batch = std::move(batch);
    e.queued = tick();
    if (journal_) {
      auto kept = journal_->append(e.batch);
      e.journaled = kept.has_value();
      if (!kept) report(e.batch.call, kept.error());
      unsynced_ = true;
    }
    register_locked(e);
    queue_.push_back(std::move(e));
    lock.unlock();
    ready_.notify_one();
  }

  /// Applies queued batches in order, in groups of up to max_group, until the queue is
  /// empty or the store refuses one for now. Returns how many still wait.
  std::size_t flush(Applied applied, OldestLive oldest_live, void* context) {
    std::lock_guard flushing(flush_mutex_);
    bool prune = false;
    bool sync = false;
    for (;;) {
      // The group's batches, in buffers kept from one flush to the next (flush_mutex_):
      // a flush allocates nothing of its own once they have grown.
      std::vector<WriteBatch>& batches = taken_;
      const bool drained = take_group();
      bool refused = false;  // the store refuses writes for now: the rest waits
      if (!batches.empty()) {
        apply_taken();
        std::vector<Result<WriteReceipt>>& results = results_;
        // A store that resolves references within a group may apply a prefix only (see
        // CrmStore::apply_linked): the rest waits for the next group.
        const bool cut = grouped_refs_ && !results.empty() && results.size() < batches.size();
        std::size_t done = 0;
        for (; done < batches.size() && !refused; ++done) {
          if (cut && done == results.size()) break;
          Result<WriteReceipt>* r = done < results.size() ? &results[done] : nullptr;
          if (r && *r) {
            settle(batches[done], &**r, applied, context);
          } else {
            const Error error = r ? r->error() : Error(Errc::storage_unavailable, "no result");
            store_errors_.fetch_add(1, std::memory_order_relaxed);
            if (error.code() == Errc::storage_unavailable) {
              report(batches[done].call, error);
              refused = true;
              break;
            }
            dropped_.fetch_add(1, std::memory_order_relaxed);
            report(batches[done].call, error);  // can never be applied: reported, dropped
            settle(batches[done], nullptr, applied, context);
          }
        }
        results.clear();
        if (!forget_.empty()) {  // the group's applied batches leave the journal in one call
          std::lock_guard lock(mutex_);
          if (auto gone = journal_->remove_all(forget_); !gone)
            report(forget_.front().call, gone.error());
          forget_.clear();
        }
        if (refused || done < batches.size()) {  // the rest goes back to the front, in order
          std::lock_guard lock(mutex_);
          for (std::size_t i = batches.size(); i-- > done;) {
            Entry e;
            e.batch = std::move(batches[i]);
            e.journaled = taken_meta_[i].journaled;
            e.queued = taken_meta_[i].queued;
            queue_.push_front(std::move(e));
          }
          in_flight_ = 0;
          batches.clear();
          if (!refused) continue;
        }
        batches.clear();
        if (!drained && !refused) continue;
      }
      // The queue was empty when this group was taken (or the store refused): one lock to
      // see that it still is and to end, instead of taking an empty group first.
      std::lock_guard lock(mutex_);
      in_flight_ = 0;
      if (!refused && !queue_.empty()) continue;  // queued while the group was applied
      sync = journal_ && std::exchange(unsynced_, false);
      prune = resolved_.size() >= prune_at_;
      if (!sync && !prune) return queue_.size();  // the usual end: one lock, not three
      break;
    }
    // Outside mutex_: events queue their writes under it, and must not wait for the disk.
    // A batch queued meanwhile sets unsynced_ again and is synced by the next flush.
    if (sync)
      if (auto synced = journal_->sync(); !synced) report({}, synced.error());
    // Asked outside mutex_: events hold their call's lock while they queue writes.
    const std::uint64_t live = prune && oldest_live ? oldest_live(context) : 0;
    std::lock_guard lock(mutex_);
    if (prune) forget_old_locked(live);
    return queue_.size();
  }

  /// Waits until a batch is queued or `timeout` passes; true when batches wait.
  bool wait(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    ready_.wait_for(lock, timeout, [&] { return !queue_.empty(); });
    return !queue_.empty();
  }

  /// Runs `f(EntityRef)` with `ref` resolved (see resolve()) while no batch is being refiled:
  /// what `f` writes to the index under a provisional id cannot fall between a batch's
  /// refiling and its resolution.
  template <class F>
  decltype(auto) with_resolved(EntityRef ref, F&& f) const {
    std::lock_guard refiling(refile_mutex_);
    return f(resolve(ref));
  }

  /// Runs `f(resolve)` while no batch is being refiled; `resolve(EntityRef)` as resolve().
  template <class F>
  decltype(auto) refiling(F&& f) const {
    std::lock_guard refiling(refile_mutex_);
    return f([this](EntityRef ref) { return resolve(ref); });
  }

  /// Runs `f()` while no flush applies anything (a flush waits meanwhile).
  template <class F>
  decltype(auto) with_flush_paused(F&& f) {
    std::lock_guard flushing(flush_mutex_);
    return f();
  }

  /// Calls `f(const WriteOp&)` for every create operation of the batches still queued, in
  /// order: the records they will make (e.g. to file them again after an index rebuild).
  template <class F>
  void for_each_queued_create(F&& f) const {
    std::lock_guard lock(mutex_);
    for (const auto& e : queue_)
      for (const auto& op : e.batch.ops)
        if (created_by(op)) f(op);
  }

  /// The resolution of a provisional id, once its batch was applied.
  std::optional<Resolution> resolution(EntityId provisional) const {
    std::lock_guard lock(mutex_);
    auto it = resolved_.find(provisional);
    if (it == resolved_.end()) return std::nullopt;
    return it->second;
  }
  /// Runs `f(find)` under one lock, `find(EntityId)` giving a provisional id's resolution
  /// (valid during `f`) or nullptr: for a caller that resolves many ids at once. `f` must not
  /// call the outbox.
  template <class F>
  decltype(auto) with_resolutions(F&& f) const {
    std::lock_guard lock(mutex_);
    return f([this](EntityId provisional) -> const Resolution* {
      auto it = resolved_.find(provisional);
      return it == resolved_.end() ? nullptr : &it->second;
    });
  }
  /// `ref` with a provisional id replaced by the store's, when known.
  EntityRef resolve(EntityRef ref) const {
    if (ref.id >= 0) return ref;
    auto r = resolution(ref.id);
    return r && !r->failed ? r->real : ref;
  }

  std::size_t pending() const {
    std::lock_guard lock(mutex_);
    return queue_.size() + in_flight_;
  }
  std::size_t store_errors() const noexcept { return store_errors_.load(); }
  std::size_t dropped() const noexcept { return dropped_.load(); }
  std::size_t observer_errors() const noexcept { return observer_errors_.load(); }

 private:
  struct Entry {
    WriteBatch batch;
    bool journaled = false;
    std::uint64_t queued = 0;  // tick() when queued (0: taken up from the journal)
  };
  struct Creator {  // a journaled batch that created records
    bool applied = false;
    std::size_t dependents = 0;
  };
  using Key = std::pair<std::string, std::uint32_t>;

  void report(std::string_view call, const Error& error) {
    if (observer_)
      if (!observer_->on_store_error(call, error)) observer_errors_.fetch_add(1);
  }

  // Notes what a queued batch creates (for later batches' references) and which journaled
  // creators it depends on.
  void register_locked(Entry& e) {
    if (!journal_ || !e.journaled) return;
    Key key{e.batch.call, e.batch.seq};
    bool creates = false;
    for (auto& op : e.batch.ops) {
      for_each_reference(op, [&](EntityType, std::optional<EntityId>& id) {
        if (!id || *id >= 0) return;
        auto creator = creator_of_.find(*id);
        if (creator == creator_of_.end() || creator->second == key) return;
        auto c = creators_.find(creator->second);
        if (c == creators_.end()) return;
        auto& deps = depends_[key];
        if (std::find(deps.begin(), deps.end(), creator->second) == deps.end()) {
          ++c->second.dependents;
          deps.push_back(creator->second);
        }
      });
      if (auto made = created_by(op); made && made->id < 0) {
        creator_of_[made->id] = key;
        ids_of_creator_[key].push_back(made->id);
        creates = true;
      }
    }
    if (creates) creators_.emplace(key, Creator{});
  }

  // Rewrites references to records applied meanwhile to the store's ids. References to a
  // record that was never created (its batch was refused) are dropped, and so are
  // reassignments of records another call created (R-I2: not this call's to hand over).
  void resolve_locked(WriteBatch& batch) const {
    // Most batches name no provisional id resolved since: they are left as they are, without
    // a copy (every batch passes here when queued, and again when taken if a resolution
    // settled meanwhile).
    if (resolved_.empty()) return;
    bool stale = false;
    for (const auto& op : batch.ops)
      for_each_reference(op, [&](EntityType, const std::optional<EntityId>& id) {
        stale = stale || (id && *id < 0 && resolved_.contains(*id));
      });
    if (!stale) return;
    auto own = [&](EntityRef ref) {  // a name this batch gives (a handful of ops: no copy)
      return std::any_of(batch.ops.begin(), batch.ops.end(), [&](const WriteOp& op) {
        auto made = created_by(op);
        return made && *made == ref;
      });
    };
    auto find = [&](EntityType type, EntityId id) -> const Resolution* {
      if (id >= 0) return nullptr;
      auto it = resolved_.find(id);
      if (it == resolved_.end() || own({type, id})) return nullptr;
      return &it->second;
    };
    std::size_t kept = 0;  // the operations kept are moved to the front, in order
    for (std::size_t i = 0; i < batch.ops.size(); ++i) {
      WriteOp& op = batch.ops[i];
      bool drop = false;
      if (auto* r = std::get_if<Reassign>(&op)) {
        if (const Resolution* res = find(r->entity.type, r->entity.id))
          drop = res->failed || res->lost;
      } else if (auto* inv = std::get_if<CreateInvoice>(&op)) {
        if (const Resolution* res = find(inv->invoice.entity.type, inv->invoice.entity.id))
          drop = res->failed;
      }
      if (drop) continue;
      if (auto* a = std::get_if<WriteActivity>(&op))
        std::erase_if(a->activity.bindings, [&](const EntityRef& b) {
          const Resolution* res = find(b.type, b.id);
          return res != nullptr && res->failed;
        });
      for_each_reference(op, [&](EntityType type, std::optional<EntityId>& id) {
        if (!id) return;
        if (const Resolution* res = find(type, *id))
          id = res->failed ? std::nullopt : std::optional<EntityId>(res->real.id);
      });
      if (kept != i) batch.ops[kept] = std::move(op);
      ++kept;
    }
    batch.ops.erase(batch.ops.begin() + static_cast<std::ptrdiff_t>(kept), batch.ops.end());
  }

  // Takes the next group into taken_ (and taken_meta_): the head of the queue, up to
  // max_group batches, ending before a batch that refers to a record created by an earlier
  // batch of the same group (its id is known only once that one is applied) — unless the
  // store resolves such references itself (then a group holds the creations of many calls:
  // one commit for all of them).
  bool take_group() {
    std::lock_guard lock(mutex_);
    taken_.clear();
    taken_meta_.clear();
    taken_made_.clear();  // provisional ids the group's batches create
    while (!queue_.empty() && taken_.size() < max_group_) {
      Entry& e = queue_.front();
      // Resolved when queued; again only if a resolution settled since (or it came from the
      // journal, queued = 0).
      if (last_settled_ > e.queued) resolve_locked(e.batch);
      bool waits = false;
      if (!taken_made_.empty())
        for (auto& op : e.batch.ops)
          for_each_reference(op, [&](EntityType, std::optional<EntityId>& id) {
            waits = waits ||
                    (id && *id < 0 &&
                     std::find(taken_made_.begin(), taken_made_.end(), *id) != taken_made_.end());
          });
      if (waits && !taken_.empty() && !grouped_refs_) break;
      for (const auto& op : e.batch.ops)
        if (auto m = created_by(op); m && m->id < 0) taken_made_.push_back(m->id);
      taken_meta_.push_back({e.journaled, e.queued});
      taken_.push_back(std::move(e.batch));
      queue_.pop_front();
    }
    in_flight_ = taken_.size();
    return queue_.empty();
  }

  // Applies taken_ into results_: one batch alone through apply_consuming(), which is what
  // apply_all() and apply_linked() do with one (and saves the store a vector per group); a
  // store that resolves references within a group gets apply_linked_consuming(), which may
  // leave a batch for later. Consuming: the store may keep what an applied batch holds, since
  // settle() reads only its identity and ids, and a batch that was not applied is as given.
  void apply_taken() {
    if (taken_.size() == 1) {
      results_.push_back(store_.apply_consuming(taken_.front()));
      return;
    }
    results_ = grouped_refs_ ? store_.apply_linked_consuming(taken_) : store_.apply_all(taken_);
  }

  // A batch is done: applied (`receipt`) or refused for good (nullptr). Records what its
  // provisional ids became — after the engine refiled them in its index, under refile_mutex_
  // so that no event writes a provisional id in between — and releases journal entries.
  void settle(const WriteBatch& batch, const WriteReceipt* receipt, Applied applied,
              void* context) {
    std::vector<Created>& created = settled_;  // reused: settle runs under flush_mutex_
    created.clear();
    std::array<std::size_t, 5> nth{};  // creates of each type so far
    std::size_t next = 0;
    for (const auto& op : batch.ops) {
      auto made = created_by(op);
      if (!made) continue;
      const std::size_t type_index = static_cast<std::size_t>(made->type);
      Created c;
      c.provisional = *made;
      c.resolution.at = batch.at;
      std::optional<EntityRef> real;
      if (receipt && receipt->claimed_by) {
        // A lost claim lists the winner's records: the n-th of a type stands for ours.
        c.resolution.lost = true;
        std::size_t k = nth[type_index];
        for (const auto& w : receipt->created)
          if (w.type == made->type && k-- == 0) {
            real = w;
            break;
          }
      } else if (receipt && next < receipt->created.size()) {
        real = receipt->created[next];
      }
      ++next;
      ++nth[type_index];
      if (real)
        c.resolution.real = *real;
      else
        c.resolution.failed = true;
      if (made->id < 0) created.push_back(c);
    }
    if (created.empty() && !journal_) return;  // nothing to refile or release: no lock
    std::lock_guard refiling(refile_mutex_);
    if (receipt && applied && !created.empty()) applied(context, batch, *receipt, created);
    std::lock_guard lock(mutex_);
    for (auto& c : created) {
      c.resolution.settled = tick();  // under mutex_: a batch queued before it is older
      last_settled_ = c.resolution.settled;
      resolved_[c.provisional.id] = c.resolution;
    }
    if (!journal_) return;
    const Key key{batch.call, batch.seq};
    // Its own creator entry: removed from the journal once nothing refers to it.
    bool remove_now = true;
    if (auto c = creators_.find(key); c != creators_.end()) {
      c->second.applied = true;
      if (c->second.dependents > 0)
        remove_now = false;
      else
        creators_.erase(c);
    }
    if (remove_now) forget_in_journal(key);
    // The creators it depended on may go now.
    auto deps = depends_.find(key);
    if (deps == depends_.end()) return;
    for (const auto& creator : deps->second) {
      auto c = creators_.find(creator);
      if (c == creators_.end()) continue;
      if (--c->second.dependents == 0 && c->second.applied) {
        creators_.erase(c);
        forget_in_journal(creator);
      }
    }
    depends_.erase(deps);
  }

  // Under mutex_, which events take to queue their writes: it must not cost more as the
  // outbox grows (a store that is down for minutes), so the batch's own ids are looked up
  // rather than every provisional id scanned.
  void forget_in_journal(const Key& key) {
    forget_.push_back({key.first, key.second});  // the journal hears of it once per group
    unsynced_ = true;
    auto ids = ids_of_creator_.find(key);
    if (ids == ids_of_creator_.end()) return;
    for (EntityId id : ids->second)
      if (auto c = creator_of_.find(id); c != creator_of_.end() && c->second == key)
        creator_of_.erase(c);
    ids_of_creator_.erase(ids);
  }

  // A resolution is forgotten once nothing can hold its provisional id any more: every call
  // in progress began after it was settled (the index gave them the store's id), and so was
  // every queued batch (resolved when queued). Not by age: a call lives until the host ends
  // or reaps it, however late that is, and a write of its with a forgotten provisional id
  // would be refused for good. A pass reads them all, so one runs only when their number has
  // doubled since the last (amortised constant time per resolution).
  void forget_old_locked(std::uint64_t oldest_live) {
    std::uint64_t horizon = oldest_live;
    for (const auto& e : queue_) horizon = std::min(horizon, e.queued);
    if (in_flight_ > 0) horizon = 0;  // a group being applied may be pushed back
    std::erase_if(resolved_, [&](const auto& kv) { return kv.second.settled < horizon; });
    prune_at_ = std::max<std::size_t>(1024, 2 * resolved_.size());
  }

  CrmStore& store_;
  OutboxJournal* journal_;
  Observer* observer_;
  std::size_t max_group_;
  bool grouped_refs_;  // the store resolves references between a group's batches

  mutable std::mutex refile_mutex_;  // taken before mutex_ (see settle, with_resolved)
  mutable std::mutex mutex_;         // the queue, resolutions, journal bookkeeping
  std::mutex flush_mutex_;           // one flush at a time
  // The flush's buffers (under flush_mutex_): the group taken, what it creates, what a batch
  // settled; kept so that their room is reused.
  struct Taken {
    bool journaled = false;
    std::uint64_t queued = 0;
  };
  std::vector<WriteBatch> taken_;
  std::vector<Result<WriteReceipt>> results_;  // what the store answered for taken_
  std::vector<Taken> taken_meta_;
  std::vector<EntityId> taken_made_;
  std::vector<Created> settled_;
  std::vector<JournalKey> forget_;  // under mutex_: the batches the journal may forget
  std::condition_variable ready_;
  std::deque<Entry> queue_;
  std::size_t in_flight_ = 0;
  bool unsynced_ = false;
  std::unordered_map<EntityId, Resolution> resolved_;
  std::uint64_t last_settled_ = 0;  // the newest resolution's tick (under mutex_)
  std::size_t prune_at_ = 1024;
  // Journal bookkeeping (only with a journal).
  std::map<Key, Creator> creators_;
  std::unordered_map<EntityId, Key> creator_of_;
  std::map<Key, std::vector<EntityId>> ids_of_creator_;  // the inverse of creator_of_
  std::map<Key, std::vector<Key>> depends_;

  std::atomic<EntityId> next_provisional_{-1};
  std::atomic<std::uint64_t> ticks_{1};
  std::atomic<std::size_t> store_errors_{0};
  std::atomic<std::size_t> dropped_{0};
  std::atomic<std::size_t> observer_errors_{0};
};

}  // namespace detail
TELCRM_END_NAMESPACE
