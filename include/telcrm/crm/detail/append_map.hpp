// SPDX-License-Identifier: Apache-2.0
#pragma once
// AppendOnlyMultiMap: the write-ahead part of CrmIndex. One writer (serialised by the index)
// appends versioned entries; any number of readers look up concurrently without locks and
// without ever waiting for the writer.
//
// How: entries are written once into fixed chunks and then published by an atomic store
// (release) of their index into the head of their hash chain; readers load heads with acquire
// and follow `next` links, which point only to entries published earlier. Each entry carries
// the sequence number of the update that wrote it; a reader ignores entries newer than the
// sequence it started from, so it sees every update entirely or not at all.

#include <telcrm/config.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

TELCRM_BEGIN_NAMESPACE
namespace detail {

template <class Key, class Value, class Hash>
class AppendOnlyMultiMap {
 public:
  /// A map that is full() after `capacity` entries and accepts up to twice as many, so an
  /// update begun before it was overfull() (one and a half times) has half a capacity left
  /// to complete in.
  explicit AppendOnlyMultiMap(std::size_t capacity)
      : capacity_(capacity),
        buckets_(bucket_count_for(capacity)),
        heads_(zeroed(buckets_)),
        chunks_((2 * capacity + chunk_size) / chunk_size + 1) {}

  [[nodiscard]] bool full() const noexcept { return size_ >= capacity_; }
  /// Half-way through the room beyond full(): where a writer stops waiting for a fold off
  /// its thread and folds itself, leaving half a capacity for the update it is in.
  [[nodiscard]] bool overfull() const noexcept { return size_ >= capacity_ + capacity_ / 2; }
  /// The entries it holds before it is full().
  [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }
  /// Entries appended so far (writer thread only).
  [[nodiscard]] std::size_t size() const noexcept { return size_; }

  /// Appends an entry. Writer only; precondition: size() < 2 × capacity.
  void append(const Key& key, Value value, std::uint64_t seq) {
    if (size_ / chunk_size >= chunks_.size()) std::abort();  // broken precondition, not input
    const auto index = static_cast<std::uint32_t>(size_++);
    auto& chunk = chunks_[index / chunk_size];
    // Raw memory: each node is made when appended. Filling a chunk when it is allocated
    // touched ~40 KB of fresh pages at once, in whichever call appended first to it.
    if (!chunk) chunk.reset(static_cast<Node*>(std::malloc(chunk_size * sizeof(Node))));
    if (!chunk) std::abort();  // no memory, as `new` would
    std::atomic_ref<std::uint32_t> head(heads_[bucket(key)]);
    ::new (&chunk[index % chunk_size])
        Node{key, std::move(value), seq, head.load(std::memory_order_relaxed)};
    head.store(index + 1, std::memory_order_release);
    appended_.store(index + 1, std::memory_order_release);
  }

  /// Calls `f(value, seq)` for the entries of `key` with seq ≤ max_seq, newest first; stops
  /// early when `f` returns false.
  template <class F>
  void for_each(const Key& key, std::uint64_t max_seq, F&& f) const {
    // An empty map (a freshly built index) answers without touching the bucket array, whose
    // random slot would cost a cache miss on every lookup.
    if (appended_.load(std::memory_order_acquire) == 0) return;
    for (std::uint32_t link =
             std::atomic_ref<std::uint32_t>(heads_[bucket(key)]).load(std::memory_order_acquire);
         link != none;) {
      const Node& node = chunks_[(link - 1) / chunk_size][(link - 1) % chunk_size];
      if (node.seq <= max_seq && node.key == key && !f(node.value, node.seq)) return;
      link = node.next;
    }
  }

  /// Calls `f(key, value, seq)` for every entry in append order (writer thread only).
  template <class F>
  void for_each_entry(F&& f) const {
    for_each_entry(0, size_, f);
  }
  /// The same for the entries [first, last). Another thread may do this while the writer
  /// appends, when `last` was size() at a moment ordered before (e.g. read under the lock
  /// that serialises writers): those entries are never written again.
  template <class F>
  void for_each_entry(std::size_t first, std::size_t last, F&& f) const {
    for (std::size_t i = first; i < last; ++i) {
      const Node& node = chunks_[i / chunk_size][i % chunk_size];
      f(node.key, node.value, node.seq);
    }
  }

 private:
  static constexpr std::size_t chunk_size = 1024;
  // Links are an entry's index + 1, so that 0 ends a chain and the bucket array starts as
  // zeroed memory: the system hands it over untouched, instead of a fill of tens of
  // megabytes each time an index is installed or folded (a tenth of a snapshot load).
  static constexpr std::uint32_t none = 0;
  struct Node {
    Key key{};
    Value value{};
    std::uint64_t seq = 0;
    std::uint32_t next = none;
  };
  // Nodes are never destroyed one by one: a chunk is freed as raw memory (from malloc, so
  // aligned for any type that is not over-aligned).
  static_assert(std::is_trivially_destructible_v<Key> && std::is_trivially_destructible_v<Value>);
  static_assert(alignof(Node) <= alignof(std::max_align_t));
  struct Free {
    void operator()(void* p) const noexcept { std::free(p); }
  };
  // A zeroed array of `n` links (aborts when there is no memory, as `new` would).
  static std::unique_ptr<std::uint32_t[], Free> zeroed(std::size_t n) {
    auto* p = static_cast<std::uint32_t*>(std::calloc(n, sizeof(std::uint32_t)));
    if (p == nullptr) std::abort();
    return std::unique_ptr<std::uint32_t[], Free>(p);
  }
  static std::size_t bucket_count_for(std::size_t capacity) {
    std::size_t n = 16;
    while (n < capacity) n *= 2;  // chains of one entry on average when full
    return n;
  }
  [[nodiscard]] std::size_t bucket(const Key& key) const noexcept {
    return Hash{}(key) & (buckets_ - 1);
  }

  std::size_t capacity_;
  std::size_t size_ = 0;
  std::atomic<std::uint32_t> appended_{0};  // size_, for readers
  std::size_t buckets_;
  std::unique_ptr<std::uint32_t[], Free> heads_;  // read and written through std::atomic_ref
  std::vector<std::unique_ptr<Node[], Free>> chunks_;
};

}  // namespace detail
TELCRM_END_NAMESPACE
