// SPDX-License-Identifier: Apache-2.0
// telcrm::postgres: apply() and apply_all() — one transaction for any number of batches.
//
// A transaction goes: BEGIN; the rekey lock (shared); one advisory lock per claimed number and
// per record it updates, in ascending key order; every batch's receipt row, in (call, seq)
// order, as a placeholder ('?'). Then for each batch (a savepoint each when there are
// several): read its receipt (a real one: applied before, R-I1), its claim (lost: R-I2), the
// records it references (FOR KEY SHARE) — then write. Taking every lock in one global order
// before anything else means two nodes' transactions never deadlock on each other; a
// duplicate (call, seq) from another node waits on the receipt row and then replays it.
//
// Round trips: when no batch of a group reads what an earlier one writes, every batch's reads
// go in the first round trip and every write with the COMMIT in the second, without savepoints
// (apply_pipelined; any failure there sends the group down the next path). Otherwise a batch's
// writes are pipelined with the next batch's reads, so N batches cost N + 1 round trips and
// one commit. With apply_linked() a batch may also refer to a record an earlier batch of the
// group creates (GroupRefs); the group ends before it when that batch wrote nothing. Created
// records get their ids from the identity columns inside the INSERT; a local reference (-1)
// names the id through a transaction-local setting ('telcrm.n<k>', pg_detail::LocalNames), so
// no id is taken before the batch is known to apply: a replayed, lost or refused batch leaves
// no gap.
#include "../compiled_lib.hpp"  // first: stops a build without TELCRM_COMPILED_LIB

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "batch.hpp"

TELCRM_BEGIN_NAMESPACE

using pg_detail::Connection;
using pg_detail::int_array;
using pg_detail::Params;
using pg_detail::Pipeline;
using pg_detail::text_array;
using pg_detail::type_code;

using pg_detail::add_reads;
using pg_detail::batch_savepoint;
using pg_detail::lock_keys_of;
using pg_detail::none;
using pg_detail::queue_lost_receipt;
using pg_detail::queue_writes;
using pg_detail::Reads;
using pg_detail::seconds_of;
using pg_detail::Writes;

namespace {

constexpr const char* lock_rekey_shared =
    "SELECT pg_advisory_xact_lock_shared(5787286014313365506)";
constexpr const char* lock_keys =
    "SELECT count(pg_advisory_xact_lock(k)) FROM unnest($1::int8[]) AS k";
constexpr const char* read_key_version = "SELECT value FROM meta WHERE key = 'key_version'";
constexpr const char* hold_receipts =
    "INSERT INTO receipts(call, seq, at, created) SELECT c, s, a, '?' FROM "
    "unnest($1::text[], $2::int8[], $3::int8[]) AS u(c, s, a) ORDER BY c, s "
    "ON CONFLICT DO NOTHING";
constexpr const char* drop_held_receipts =
    "DELETE FROM receipts WHERE created = '?' AND (call, seq) IN "
    "(SELECT * FROM unnest($1::text[], $2::int8[]))";

// How a transaction is opened and closed: its own, or a savepoint inside an open group.
struct Control {
  const char* begin;
  const char* commit;
  const char* rollback;
  const char* release;  // after rollback (savepoints only)
};
constexpr Control own_transaction{"BEGIN", "COMMIT", "ROLLBACK", nullptr};
constexpr Control nested_transaction{"SAVEPOINT telcrm_apply", "RELEASE SAVEPOINT telcrm_apply",
                                     "ROLLBACK TO SAVEPOINT telcrm_apply",
                                     "RELEASE SAVEPOINT telcrm_apply"};
constexpr const char* batch_release = "RELEASE SAVEPOINT telcrm_batch";
constexpr const char* batch_rollback = "ROLLBACK TO SAVEPOINT telcrm_batch";

// Which batch of a group creates each local (negative) id, so a later batch of the group may
// refer to it (CrmStore::resolves_group_references): the SQL finds the id in the
// transaction's setting 'telcrm.n<k>' that the creating batch left (pg_detail::LocalNames).
class GroupRefs {
 public:
  explicit GroupRefs(std::span<const WriteBatch> batches) {
    for (std::size_t i = 0; i < batches.size(); ++i)
      for (const auto& op : batches[i].ops)
        if (auto made = created_by(op); made && made->id < 0) creators_[key(*made)].push_back(i);
  }
  // The earlier batches of the group whose records batch k refers to without naming them.
  [[nodiscard]] std::vector<std::size_t> of(const WriteBatch& b, std::size_t k) const {
    std::vector<std::size_t> out;
    if (creators_.empty()) return out;
    for (const auto& op : b.ops)
      for_each_reference(op, [&](EntityType t, const std::optional<EntityId>& id) {
        if (!id || *id >= 0 || names(b, EntityRef{t, *id})) return;
        auto it = creators_.find(key(EntityRef{t, *id}));
        if (it == creators_.end()) return;
        std::size_t best = none;
        for (std::size_t j : it->second)
          if (j < k) best = j;
        if (best != none) out.push_back(best);
      });
    return out;
  }
  // True when `r` is a record an earlier batch of the group (before k) creates.
  [[nodiscard]] bool earlier(EntityRef r, std::size_t k) const {
    auto it = creators_.find(key(r));
    return it != creators_.end() && !it->second.empty() && it->second.front() < k;
  }

 private:
  static std::int64_t key(EntityRef r) { return r.id * 8 - type_code(r.type); }
  static bool names(const WriteBatch& b, EntityRef r) {
    for (const auto& op : b.ops)
      if (auto made = created_by(op); made && *made == r) return true;
    return false;
  }
  std::unordered_map<std::int64_t, std::vector<std::size_t>> creators_;
};

// A batch of the group written in this transaction (so its local ids are set).
bool written_now(const Result<WriteReceipt>& r) {
  return r && !r->replayed && !r->claimed_by;
}

// What the reads of batch k decided: a receipt known without writing (a replay, a lost
// claim), a refusal, or neither (write it).
struct Decision {
  std::optional<WriteReceipt> fixed;
  std::optional<Error> refused;
};

Decision decide(const Connection& c, const WriteBatch& b, std::size_t k, const Pipeline& p,
                const Reads& reads, const GroupRefs& refs, const PostgresTestHooks& hooks) {
  Decision d;
  const pg_detail::PgResult& receipt = p[reads.receipt];
  if (receipt.rows() > 0 && receipt.text(0, 0) != "?") {  // R-I1: applied before
    auto created = pg_detail::decode_refs(receipt.text(0, 0));
    if (!created) {
      d.refused = Error(Errc::storage_corrupt,
                        fmt::format("{}: receipt {}#{} does not read", c.label(), b.call, b.seq));
    } else {
      WriteReceipt again;
      again.created = std::move(*created);
      again.claimed_by = receipt.opt_text(0, 1);
      again.replayed = true;
      d.fixed = std::move(again);
    }
    return d;
  }
  if (reads.claim != none && p[reads.claim].rows() > 0) {  // R-I2: lost
    auto created = pg_detail::decode_refs(p[reads.claim].text(0, 1));
    if (!created) {
      d.refused = Error(Errc::storage_corrupt, c.label() + ": a claim does not read");
    } else {
      WriteReceipt lost;
      lost.created = std::move(*created);
      lost.claimed_by = std::string(p[reads.claim].text(0, 0));
      d.fixed = std::move(lost);
    }
    return d;
  }
  std::array<std::unordered_set<EntityId>, 5> found;
  for (std::size_t t = 0; t < 5; ++t)
    if (reads.exists[t] != none)
      for (int i = 0; i < p[reads.exists[t]].rows(); ++i)
        found[t].insert(p[reads.exists[t]].int64(i, 0));
  // Records an earlier batch of the group wrote count as existing: the check sees them under
  // stand-in ids above every real one.
  constexpr EntityId stand_in = std::numeric_limits<EntityId>::max() / 2;
  std::optional<WriteBatch> copy;
  if (!refs.of(b, k).empty()) {
    copy = b;
    for (auto& op : copy->ops)
      for_each_reference(op, [&](EntityType t, std::optional<EntityId>& id) {
        if (id && *id < 0 && refs.earlier(EntityRef{t, *id}, k)) {
          bool own = false;
          for (const auto& o : b.ops)
            if (auto made = created_by(o); made && *made == EntityRef{t, *id}) own = true;
          if (!own) id = stand_in - *id;
        }
      });
  }
  auto valid =
      check_batch_references(copy ? *copy : b, [&](EntityType t, EntityId id) -> Result<bool> {
        if (id > stand_in) return true;
        return found[static_cast<std::size_t>(type_code(t) - 1)].count(id) > 0;
      });
  if (valid) {
    std::unordered_set<std::string> recorded;
    if (reads.recordings != none)
      for (int i = 0; i < p[reads.recordings].rows(); ++i)
        recorded.emplace(p[reads.recordings].text(i, 0));
    valid = check_recordings(b, [&](std::string_view call) -> Result<bool> {
      return recorded.count(std::string(call)) > 0;
    });
  }
  if (!valid) d.refused = valid.error();
  if (valid && b.claim && hooks.after_claim_check) hooks.after_claim_check(b);
  return d;
}

// True when every batch's reads may be sent before any batch is written: no batch reads what
// an earlier one of the group writes (the same receipt, the same claimed number, the activity
// a recording is attached to).
bool reads_independent(std::span<const WriteBatch> batches) {
  std::unordered_set<std::string> receipts, numbers, activities;
  for (const auto& b : batches) {
    if (!receipts.insert(fmt::format("{}#{}", b.seq, b.call)).second) return false;
    if (b.claim && !numbers.insert(b.claim->number).second) return false;
    for (const auto& op : b.ops)
      if (const auto* a = std::get_if<AttachRecording>(&op); a && activities.count(a->call))
        return false;
    for (const auto& op : b.ops)
      if (const auto* w = std::get_if<WriteActivity>(&op)) activities.insert(w->activity.call);
  }
  return true;
}

// A transaction's first statements: its begin, the locks in key order, the key version (its
// index is returned) and the placeholder receipts.
std::size_t queue_header(Pipeline& p, const char* begin, const std::vector<std::int64_t>& keys,
                         const std::vector<std::string>& held_calls,
                         const std::vector<std::int64_t>& held_seqs,
                         const std::vector<std::int64_t>& held_ats) {
  p.add(begin);
  p.add(lock_rekey_shared);
  if (!keys.empty()) {
    Params k;
    k.add(int_array(keys));
    p.add(lock_keys, k);
  }
  const std::size_t key_version = p.add(read_key_version);
  Params h;
  h.add(text_array(held_calls)).add(int_array(held_seqs)).add(int_array(held_ats));
  p.add(hold_receipts, h);
  return key_version;
}

// The group in two round trips and one commit: every batch's reads (after the locks and the
// held receipts), then — decided in order — every batch's writes and the COMMIT. No savepoints:
// a statement that fails rolls the whole transaction back and nullopt sends the caller batch
// by batch (which isolates that batch); so does a connection that broke before anything was
// committed. A connection lost with the COMMIT in flight answers storage_unavailable for
// all: the receipts make the engine's retry a replay (R-I1).
std::optional<std::vector<Result<WriteReceipt>>> apply_pipelined(
    PostgresCrmStore::Impl& impl, std::span<const WriteBatch> batches, const GroupRefs& refs,
    const std::vector<std::int64_t>& keys, const std::vector<std::string>& held_calls,
    const std::vector<std::int64_t>& held_seqs, const std::vector<std::int64_t>& held_ats) {
  Connection& c = impl.writer_;
  if (!impl.ensure_writer()) return std::nullopt;
  impl.local_names_.clear();  // a transaction of its own
  auto give_up = [&] {
    if (!c.broken() && PQtransactionStatus(c.get()) != PQTRANS_IDLE)
      (void)c.exec("ROLLBACK", "rolling back");
  };
  const std::size_t n = batches.size();
  Pipeline first(c);
  const std::size_t key_version =
      queue_header(first, "BEGIN", keys, held_calls, held_seqs, held_ats);
  std::vector<Reads> reads;
  reads.reserve(n);
  for (const auto& b : batches) reads.push_back(add_reads(first, b, false));
  if (!first.run("applying batches")) {
    give_up();
    return std::nullopt;
  }
  const auto v = first[key_version].rows() > 0 ? first[key_version].int64(0, 0) : 0;
  bool stale = false;
  Seconds window{300};
  {
    std::lock_guard lock(impl.keys_mutex_);
    stale = v != impl.key_version_;
    window = impl.claim_window_;
  }
  if (stale && !impl.reload_keys_locked()) {
    give_up();
    return std::nullopt;
  }
  const IndexOptions keys_now = impl.keys();

  std::vector<Result<WriteReceipt>> out;
  out.reserve(n);
  std::vector<Writes> writes(n);
  std::vector<bool> written(n, false);  // will be written now: its local ids will be set
  bool drop_held = false;               // a batch leaves its placeholder receipt
  Pipeline second(c);
  for (std::size_t k = 0; k < n; ++k) {
    const WriteBatch& b = batches[k];
    bool waits = false;  // as in the batch-by-batch path: the group ends before it
    for (std::size_t j : refs.of(b, k)) waits = waits || !written[j];
    if (waits) {
      drop_held = true;
      break;
    }
    Decision d = decide(c, b, k, first, reads[k], refs, impl.options_.test_hooks);
    if (d.refused) {
      out.push_back(fail(*d.refused));
      drop_held = true;
    } else if (d.fixed) {
      if (d.fixed->claimed_by && !d.fixed->replayed) queue_lost_receipt(second, b, *d.fixed);
      out.push_back(std::move(*d.fixed));
    } else {
      queue_writes(impl, second, b, keys_now, window, impl.local_names_, writes[k]);
      written[k] = true;
      out.push_back(WriteReceipt{});
    }
  }
  if (drop_held) {
    Params h;
    h.add(text_array(held_calls)).add(int_array(held_seqs));
    second.add(drop_held_receipts, h);
  }
  second.add("COMMIT");
  if (auto ran = second.run("applying batches"); !ran) {
    if (c.broken()) return std::vector<Result<WriteReceipt>>(n, fail(ran.error()));
    give_up();
    return std::nullopt;
  }
  for (std::size_t k = 0; k < out.size(); ++k)
    if (written[k])
      for (std::size_t i = 0; i < writes[k].creates.size(); ++i)
        out[k]->created.push_back({writes[k].types[i], second[writes[k].creates[i]].int64(0, 0)});
  return out;
}

}  // namespace

// --- apply -------------------------------------------------------------------------------------

std::vector<Result<WriteReceipt>> PostgresCrmStore::Impl::apply_locked(
    std::span<const WriteBatch> batches, bool linked) {
  const std::size_t n = batches.size();
  std::vector<Result<WriteReceipt>> out;
  if (n == 0) return out;
  auto all = [&](const Error& e) {
    out.assign(n, fail(e));
    return out;
  };
  Connection& c = writer_;
  const bool nested = group_open_;
  const Control& tx = nested ? nested_transaction : own_transaction;
  const bool savepoints = n > 1;

  // The locks and receipt rows of every batch, each key once.
  const std::vector<std::int64_t> keys = lock_keys_of(batches, options_.test_hooks);
  std::vector<std::string> held_calls;
  std::vector<std::int64_t> held_seqs, held_ats;
  {
    std::unordered_set<std::string> seen;
    for (const auto& b : batches)
      if (seen.insert(fmt::format("{}#{}", b.seq, b.call)).second) {
        held_calls.push_back(b.call);
        held_seqs.push_back(b.seq);
        held_ats.push_back(seconds_of(b.at));
      }
  }

  const GroupRefs refs(linked ? batches : std::span<const WriteBatch>());
  std::optional<std::vector<Result<WriteReceipt>>> pipelined;
  if (n > 1 && !nested && reads_independent(batches))
    pipelined = apply_pipelined(*this, batches, refs, keys, held_calls, held_seqs, held_ats);
  if (pipelined) out = std::move(*pipelined);

  for (int attempt = 0; !pipelined; ++attempt) {
    if (auto ok = ensure_writer(); !ok) return all(ok.error());
    if (!nested) local_names_.clear();  // a transaction of its own (else the group's)
    out.clear();
    out.reserve(n);
    bool any_failed = false;  // a batch refused: its placeholder receipt must go
    IndexOptions keys_now = this->keys();
    Seconds window_now{300};
    {
      std::lock_guard lock(keys_mutex_);
      window_now = claim_window_;
    }

    // Ends the transaction after an error the whole of it cannot survive.
    auto abandon = [&] {
      if (c.broken()) {
        if (group_open_) {
          group_open_ = false;
          group_lost_ = Error(Errc::storage_unavailable,
                              c.label() + ": the write group was lost with the connection");
        }
        return;
      }
      if (PQtransactionStatus(c.get()) == PQTRANS_IDLE) return;
      (void)c.exec(tx.rollback, "rolling back");
      if (tx.release) (void)c.exec(tx.release, "rolling back");
    };

    Pipeline first(c);
    const std::size_t key_version =
        queue_header(first, tx.begin, keys, held_calls, held_seqs, held_ats);

    // Each pipeline holds, in order: statements that must not fail (the header, or undoing
    // a refused batch) up to `prefix_end`; the writes of the batch before (`writes`); then
    // the reads of batch k (`reads`) or, after the last batch, the tail from `tail_first`.
    std::optional<Pipeline> current;
    Pipeline* p = &first;
    std::size_t prefix_end = first.size();
    Reads reads = add_reads(first, batches[0], savepoints);
    Writes writes;
    std::size_t tail_first = none;
    bool retry = false;
    std::optional<Error> stop;  // a batch the store cannot apply now: it and the rest wait
    bool cut = false;           // batch k waits for the engine (see GroupRefs): commit before it
    std::size_t k = 0;          // the batch whose reads are in `p`

    auto queue_tail = [&](Pipeline& into) {
      tail_first = into.size();
      if (any_failed) {
        Params h;
        h.add(text_array(held_calls)).add(int_array(held_seqs));
        into.add(drop_held_receipts, h);
      }
      into.add(tx.commit);
    };
    // Undoes batch k's savepoint after its reads or writes failed.
    auto undo_batch = [&] {
      (void)c.exec(batch_rollback, "undoing a batch");
      (void)c.exec(batch_release, "undoing a batch");
      any_failed = true;
    };
    auto fresh = [&]() -> Pipeline& {
      current.emplace(c);
      p = &*current;
      prefix_end = 0;
      tail_first = none;
      return *p;
    };

    while (true) {
      auto ran = p->run("applying batches");
      const std::size_t failed = ran ? p->size() : p->failed();
      if (!ran) {
        const Error e = ran.error();
        if (c.broken() || failed >= p->size() || failed < prefix_end) {
          abandon();
          // The connection went before COMMIT was sent: nothing was committed, so the whole
          // transaction is repeated once on a new connection (after a server restart, say).
          if (c.broken() && tail_first == none && !nested && attempt == 0) {
            retry = true;
            break;
          }
          return all(e);
        }
        if (pg_detail::retryable(p->sqlstate())) {
          abandon();
          retry = true;
          break;
        }
      }
      if (p == &first) {
        // Another node re-keyed the phones: take its options before writing any phone.
        const auto v = first[key_version].rows() > 0 ? first[key_version].int64(0, 0) : 0;
        bool stale = false;
        {
          std::lock_guard lock(keys_mutex_);
          stale = v != key_version_;
        }
        if (stale) {
          if (auto ok = reload_keys_locked(); !ok) {
            abandon();
            return all(ok.error());
          }
          keys_now = this->keys();
        }
      }
      bool writes_failed = false;
      if (writes.batch != none) {
        if (!ran && failed < writes.last) {  // the batch before failed: undo it alone
          const Error e = ran.error();
          if (!savepoints) {
            abandon();
            return all(e);
          }
          undo_batch();
          writes_failed = true;
          if (e.code() == Errc::storage_unavailable) {
            stop = e;
            break;
          }
          out.push_back(fail(e));
        } else if (writes.fixed) {
          out.push_back(std::move(*writes.fixed));
        } else {
          WriteReceipt r;
          for (std::size_t i = 0; i < writes.creates.size(); ++i)
            r.created.push_back({writes.types[i], (*p)[writes.creates[i]].int64(0, 0)});
          out.push_back(std::move(r));
        }
        writes = Writes{};
      }
      if (tail_first != none) {
        if (ran) break;  // committed
        if (!writes_failed) {
          abandon();
          return all(ran.error());
        }
        // The tail was skipped after the failed batch: run it again.
        Pipeline& t = fresh();
        queue_tail(t);
        continue;
      }
      if (writes_failed) {  // the reads of batch k were skipped too: queue them again
        reads = add_reads(fresh(), batches[k], savepoints);
        continue;
      }
      if (!ran) {  // a read of batch k failed (a lock or statement timeout, say)
        const Error e = ran.error();
        if (!savepoints) {
          abandon();
          return all(e);
        }
        undo_batch();
        if (e.code() == Errc::storage_unavailable) {
          stop = e;
          break;
        }
        out.push_back(fail(e));
        ++k;
        Pipeline& next = fresh();
        if (k < n)
          reads = add_reads(next, batches[k], savepoints);
        else
          queue_tail(next);
        continue;
      }

      // Decide batch k from its reads, then queue its writes and the next batch's reads.
      const WriteBatch& b = batches[k];
      // It refers to records an earlier batch of the group was to create, which that batch
      // did not write (a replay, a lost claim, a refusal): the group ends before it, and the
      // engine rewrites its references before it comes again.
      bool depends_on_unwritten = false;
      for (std::size_t j : refs.of(b, k))
        depends_on_unwritten = depends_on_unwritten || !written_now(out[j]);
      if (depends_on_unwritten) {
        cut = true;
        break;
      }
      Decision decided = decide(c, b, k, *p, reads, refs, options_.test_hooks);
      std::optional<WriteReceipt> fixed = std::move(decided.fixed);
      std::optional<Error> refused = std::move(decided.refused);

      Pipeline& next = fresh();
      if (refused) {
        any_failed = true;
        out.push_back(fail(*refused));
        if (savepoints) {  // its reads took row locks: undo them with its savepoint
          next.add(batch_rollback);
          next.add(batch_release);
        }
        prefix_end = next.size();
      } else {
        writes.batch = k;
        writes.first = next.size();
        if (fixed && fixed->claimed_by && !fixed->replayed) {
          queue_lost_receipt(next, b, *fixed);
        } else if (!fixed) {
          queue_writes(*this, next, b, keys_now, window_now, local_names_, writes);
        }
        if (savepoints) next.add(batch_release);
        writes.last = next.size();
        writes.fixed = std::move(fixed);
      }
      ++k;
      if (k < n)
        reads = add_reads(next, batches[k], savepoints);
      else
        queue_tail(next);
    }
    if (retry) {
      if (attempt + 1 >= options_.max_retries)
        return all(Error(Errc::storage_unavailable,
                         fmt::format("{}: applying batches: still conflicting with other "
                                     "writers after {} attempts",
                                     c.label(), attempt + 1)));
      std::this_thread::sleep_for(std::chrono::milliseconds(1 + 3 * attempt));
      continue;
    }
    if (stop || cut) {
      // Batches before the one that cannot be applied now are kept; it and the rest wait
      // (with an error after `stop`; not sent back at all after a `cut`).
      Pipeline tail(c);
      if (cut) {  // its reads took row locks in its savepoint
        tail.add(batch_rollback);
        tail.add(batch_release);
      }
      Params h;
      h.add(text_array(held_calls)).add(int_array(held_seqs));
      tail.add(drop_held_receipts, h);
      tail.add(tx.commit);
      if (auto ok = tail.run("committing"); !ok) {
        abandon();
        return all(ok.error());
      }
      if (stop)
        while (out.size() < n) out.push_back(fail(*stop));
    }
    break;
  }
  // Committed: note the newest batch time, tell this process's other store objects, and
  // prune what aged out.
  bool changed = false;
  for (std::size_t i = 0; i < n && i < out.size(); ++i)
    if (out[i]) {
      newest_at_ = std::max(newest_at_, seconds_of(batches[i].at));
      changed = changed || (!out[i]->replayed && !out[i]->claimed_by);
    }
  if (changed && !group_open_) wrote(true, false, false);
  if (!group_open_) (void)prune_locked(false);
  return out;
}

// --- pruning ----------------------------------------------------------------------------------

Result<void> PostgresCrmStore::Impl::prune_locked(bool force) {
  if (newest_at_ == std::numeric_limits<std::int64_t>::min()) return {};
  const std::int64_t retention = options_.receipt_retention.count();
  const std::int64_t step = std::max<std::int64_t>(1, retention / 16);
  if (!force && pruned_at_ != std::numeric_limits<std::int64_t>::min() &&
      newest_at_ - pruned_at_ < step)
    return {};
  if (pruned_at_ == std::numeric_limits<std::int64_t>::min() && !force) {
    pruned_at_ = newest_at_;  // the first batch after open: start counting from it
    return {};
  }
  Seconds window{300};
  {
    std::lock_guard lock(keys_mutex_);
    window = claim_window_;
  }
  if (auto ok = ensure_writer(); !ok) return ok;
  // One node prunes at a time (the others skip); each round deletes a bounded number of rows.
  Pipeline p(writer_);
  Params r, c;
  r.add(newest_at_ - retention);
  c.add(newest_at_ - retention - window.count());
  p.add("BEGIN");
  p.add(
      "WITH go AS (SELECT pg_try_advisory_xact_lock(5787286014313365505) AS ok) "
      "DELETE FROM receipts WHERE ctid IN (SELECT ctid FROM receipts WHERE at < $1::bigint "
      "AND created <> '?' AND (SELECT ok FROM go) LIMIT 20000)",
      r);
  p.add(
      "WITH go AS (SELECT pg_try_advisory_xact_lock(5787286014313365505) AS ok) "
      "DELETE FROM claims WHERE ctid IN (SELECT ctid FROM claims WHERE at < $1::bigint "
      "AND (SELECT ok FROM go) LIMIT 20000)",
      c);
  p.add("COMMIT");
  auto ok = p.run("pruning receipts and claims");
  if (!ok) {
    if (!writer_.broken() && PQtransactionStatus(writer_.get()) != PQTRANS_IDLE)
      (void)writer_.exec("ROLLBACK", "rolling back");
    return ok;
  }
  pruned_at_ = newest_at_;
  return {};
}

// --- the public methods ------------------------------------------------------------------------

Result<WriteReceipt> PostgresCrmStore::apply(const WriteBatch& batch) {
  std::lock_guard lock(impl_->write_mutex_);
  auto out = impl_->apply_locked(std::span<const WriteBatch>(&batch, 1));
  return std::move(out.front());
}

std::vector<Result<WriteReceipt>> PostgresCrmStore::apply_all(std::span<const WriteBatch> batches) {
  std::lock_guard lock(impl_->write_mutex_);
  if (impl_->group_open_) {  // inside a group each batch is its own savepoint already
    std::vector<Result<WriteReceipt>> out;
    for (const auto& b : batches) {
      auto one = impl_->apply_locked(std::span<const WriteBatch>(&b, 1));
      out.push_back(std::move(one.front()));
    }
    return out;
  }
  return impl_->apply_locked(batches);
}

std::vector<Result<WriteReceipt>> PostgresCrmStore::apply_linked(
    std::span<const WriteBatch> batches) {
  std::lock_guard lock(impl_->write_mutex_);
  if (impl_->group_open_) {  // one by one, up to the first batch that refers to an earlier one
    const GroupRefs refs(batches);
    std::vector<Result<WriteReceipt>> out;
    for (std::size_t k = 0; k < batches.size() && refs.of(batches[k], k).empty(); ++k) {
      auto one = impl_->apply_locked(batches.subspan(k, 1));
      out.push_back(std::move(one.front()));
    }
    return out;
  }
  return impl_->apply_locked(batches, true);
}

Result<void> PostgresCrmStore::prune() {
  std::lock_guard lock(impl_->write_mutex_);
  return impl_->prune_locked(true);
}

Result<void> PostgresCrmStore::begin_group() {
  std::lock_guard lock(impl_->write_mutex_);
  if (impl_->group_open_)
    return fail(Errc::invalid_state, impl_->writer_.label() + ": a write group is open");
  impl_->group_lost_.reset();
  if (auto ok = impl_->ensure_writer(); !ok) return ok;
  if (auto ok = impl_->writer_.exec("BEGIN", "beginning a write group"); !ok)
    return fail(ok.error());
  impl_->local_names_.clear();
  impl_->group_open_ = true;
  return {};
}

Result<void> PostgresCrmStore::commit_group() {
  std::lock_guard lock(impl_->write_mutex_);
  if (!impl_->group_open_) {
    if (impl_->group_lost_) return fail(*std::exchange(impl_->group_lost_, std::nullopt));
    return fail(Errc::invalid_state, impl_->writer_.label() + ": no write group is open");
  }
  impl_->group_open_ = false;
  if (auto ok = impl_->writer_.exec("COMMIT", "committing the write group"); !ok) {
    if (!impl_->writer_.broken() && PQtransactionStatus(impl_->writer_.get()) != PQTRANS_IDLE)
      (void)impl_->writer_.exec("ROLLBACK", "rolling back");
    return fail(ok.error());
  }
  impl_->wrote(true, false, false);
  (void)impl_->prune_locked(false);
  return {};
}

void PostgresCrmStore::rollback_group() noexcept {
  std::lock_guard lock(impl_->write_mutex_);
  if (!impl_->group_open_) return;
  impl_->group_open_ = false;
  if (!impl_->writer_.broken() && PQtransactionStatus(impl_->writer_.get()) != PQTRANS_IDLE)
    (void)impl_->writer_.exec("ROLLBACK", "rolling back the write group");
}

bool PostgresCrmStore::in_group() const {
  std::lock_guard lock(impl_->write_mutex_);
  return impl_->group_open_;
}

TELCRM_END_NAMESPACE
