// SPDX-License-Identifier: Apache-2.0
#pragma once
// CrmIndex's parallel rebuild and its facts in and out (for index snapshots). Included by
// crm_index-inl.hpp.

#include <telcrm/crm/crm_index.hpp>

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <thread>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

TELCRM_BEGIN_NAMESPACE

namespace detail {

// Records as the scan streamed them, a chunk at a time, and the keys a worker read from their
// phones (one list per record, in the same order; a deal's is empty).
struct ScanChunk {
  std::vector<std::variant<Contact, Company, Lead, Deal>> records;
  std::vector<std::vector<PhoneKey>> keys;
};

// The work of a parallel rebuild: the scan hands chunks in, workers read their phones, the
// merge takes them out in scan order.
class RebuildWork final : public CrmVisitor {
 public:
  static constexpr std::size_t chunk_size = 4096;

  RebuildWork(const IndexOptions& options, const PhoneNormalizer& normalizer)
      : options_(options), normalizer_(normalizer), current_(std::make_unique<ScanChunk>()) {}

  void visit(const Contact& c) override { add(c); }
  void visit(const Company& c) override { add(c); }
  void visit(const Lead& l) override { add(l); }
  void visit(const Deal& d) override { add(d); }

  // The scan is over (or failed): the last chunk goes in; workers finish what is queued.
  void close() {
    hand_over();
    std::lock_guard lock(mutex_);
    closed_ = true;
    wake_.notify_all();
  }

  // A worker: reads the phones of queued chunks until the scan is closed and none is left.
  void work() {
    for (;;) {
      ScanChunk* chunk = nullptr;
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [&] { return next_ < queued_ || closed_; });
        if (next_ == queued_) return;  // closed, nothing left
        chunk = chunks_[next_++].get();
      }
      read_phones(*chunk);
    }
  }

  // After every worker returned: the chunks in scan order.
  std::vector<std::unique_ptr<ScanChunk>>& chunks() { return chunks_; }

 private:
  template <class R>
  void add(const R& r) {
    current_->records.emplace_back(r);
    if (current_->records.size() == chunk_size) hand_over();
  }
  void hand_over() {
    if (current_->records.empty()) return;
    std::lock_guard lock(mutex_);
    chunks_.push_back(std::exchange(current_, std::make_unique<ScanChunk>()));
    ++queued_;
    wake_.notify_one();
  }
  void read_phones(ScanChunk& chunk) const {
    chunk.keys.resize(chunk.records.size());
    for (std::size_t i = 0; i < chunk.records.size(); ++i) {
      std::visit(
          [&](const auto& r) {
            if constexpr (!std::is_same_v<std::decay_t<decltype(r)>, Deal>) {
              chunk.keys[i].reserve(r.phones.size());
              for (const auto& p : r.phones)
                CrmIndex::append_keys(p, options_, normalizer_, chunk.keys[i]);
            }
          },
          chunk.records[i]);
    }
  }

  const IndexOptions& options_;
  const PhoneNormalizer& normalizer_;
  std::unique_ptr<ScanChunk> current_;  // the scan's thread only
  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<std::unique_ptr<ScanChunk>> chunks_;  // guarded by mutex_ until the end
  std::size_t queued_ = 0;
  std::size_t next_ = 0;
  bool closed_ = false;
};

}  // namespace detail

TELCRM_INLINE Result<void> CrmIndex::rebuild(const Scan& scan, unsigned threads) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  if (threads == 1) {
    Loader loaded = loader();
    if (auto scanned = scan(loaded); !scanned) return fail(scanned.error());
    rebuild(std::move(loaded));
    return {};
  }
  detail::RebuildWork work(options_, normalizer_);
  // threads - 1 workers beside the scan; once the scan is done its thread works too.
  std::vector<std::thread> workers;
  workers.reserve(threads - 1);
  for (unsigned i = 0; i + 1 < threads; ++i) workers.emplace_back([&work] { work.work(); });
  auto scanned = scan(work);
  work.close();
  work.work();
  for (auto& t : workers) t.join();
  if (!scanned) return fail(scanned.error());

  detail::FactsCollector collector(options_, normalizer_);
  for (auto& chunk : work.chunks()) {
    for (std::size_t i = 0; i < chunk->records.size(); ++i)
      std::visit([&](const auto& r) { collector.take(r, std::move(chunk->keys[i])); },
                 chunk->records[i]);
    chunk.reset();  // its records are no longer needed
  }
  rebuild(collector.finish());
  return {};
}

TELCRM_INLINE void CrmIndex::rebuild(std::vector<EntityFacts> facts) {
  std::size_t raw = 0;
  for (const auto& f : facts)
    for (const auto& k : f.phones) raw += k.kind == KeyKind::raw ? 1 : 0;
  auto base = Base::build(std::move(facts));
  std::lock_guard lock(write_mutex_);
  unnormalised_ = raw;
  publish_locked(std::move(base));
  dirty_ = true;
  commit_locked();
}

TELCRM_INLINE std::vector<EntityFacts> CrmIndex::export_facts() {
  std::lock_guard lock(write_mutex_);
  fold_locked();  // the pending updates into the base: one list of facts
  const Base& base = *current_->base;
  std::vector<EntityFacts> out;
  out.reserve(base.records.size());
  for (std::uint32_t i = 0; i < base.records.size(); ++i) out.push_back(base.facts(i).to_facts());
  return out;
}

TELCRM_END_NAMESPACE
