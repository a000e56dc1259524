// SPDX-License-Identifier: Apache-2.0
#pragma once
// PhoneTable: an immutable, multi-valued hash table from a 64-bit number key to 32-bit
// postings, built once and then only read (the base of CrmIndex).
//
// Why this layout: the index must hold millions of numbers in ≤ 16 bytes each and answer in
// one or two cache misses. Open addressing with linear probing over 12-byte slots (key split
// in two 32-bit halves so the array packs without padding) at a load factor of at most 0.8
// gives 15 bytes per number. Entries are placed Robin Hood style, so every run of occupied
// slots is sorted by home slot: a lookup stops at the first entry whose home lies after its
// own, which keeps a miss (half of all calls are unknown numbers) to about three slots instead
// of the whole run. The array does not wrap around: the last run spills into a short tail.
// Several entities may share a number: each has its own slot, next to each other. Key 0 marks
// an empty slot (0 is never a number key).

#include <telcrm/config.hpp>
#include <telcrm/detail/bulk_memory.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <utility>
#include <vector>

TELCRM_BEGIN_NAMESPACE
namespace detail {

class PhoneTable {
 public:
  struct Entry {
    std::uint64_t key = 0;
    std::uint32_t posting = 0;
  };

  PhoneTable() = default;

  /// Builds the table from entries (duplicate keys allowed; key 0 is skipped). Entries with
  /// the same home slot keep their order.
  explicit PhoneTable(std::span<const Entry> entries) {
    std::size_t n = 0;
    for (const auto& e : entries) n += e.key != 0 ? 1 : 0;
    // ≥ 1.25 home slots per entry (load ≤ 0.8), at least 8 so tiny tables still have empty
    // slots; the tail past the home slots only ever holds the last run's overflow.
    homes_ = n + n / 4 + 8;
    size_ = n;
    // Sorted by home slot first (a stable radix sort), the entries are laid down in one
    // sequential pass: each at its home or just after the previous one. That is the layout
    // Robin Hood insertion reaches, without a cache miss per entry on a large table.
    std::vector<Entry> sorted;
    reserve_bulk(sorted, n);
    for (const auto& e : entries)
      if (e.key != 0) sorted.push_back(e);
    radix_sort_by_home(sorted);
    reserve_bulk(slots_, homes_ + 64);
    slots_.resize(homes_);
    std::size_t next = 0;
    for (const auto& e : sorted) {
      const std::size_t i = std::max(next, home(e.key));
      if (i >= slots_.size()) slots_.resize(i + 1);
      slots_[i] = Slot::make(e.key, e.posting);
      next = i + 1;
    }
  }

  /// Calls `f(posting)` for every posting stored under `key`.
  template <class F>
  void for_each(std::uint64_t key, F&& f) const {
    if (slots_.empty() || key == 0) return;
    const std::size_t h = home(key);
    for (std::size_t i = h; i < slots_.size() && !slots_[i].empty(); ++i) {
      const std::uint64_t k = slots_[i].key();
      if (k == key)
        f(slots_[i].posting);
      else if (home(k) > h)
        return;  // the run has passed this key's home: it is not stored
    }
  }

  /// Calls `f(key, posting)` for every entry, in table order.
  template <class F>
  void for_each_entry(F&& f) const {
    for (const auto& s : slots_)
      if (!s.empty()) f(s.key(), s.posting);
  }

  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  /// Bytes of the slot array (what the index costs per stored number, times size()).
  [[nodiscard]] std::size_t memory_bytes() const noexcept { return slots_.size() * sizeof(Slot); }

  // Index snapshot files keep a table as it is in memory: its slot array and home count.
  static constexpr std::size_t slot_bytes = 12;
  [[nodiscard]] std::size_t slot_count() const noexcept { return slots_.size(); }
  [[nodiscard]] std::size_t home_count() const noexcept { return homes_; }
  [[nodiscard]] const void* slot_data() const noexcept { return slots_.data(); }
  /// Reading a table back from slot_data() bytes (a file): begin_slot_bytes(slots, homes),
  /// then add_slot_bytes() for each block of slots in order. Each slot is checked as it comes
  /// for what a lookup relies on: its home slot within the array, each entry at or after its
  /// home, every posting passing `valid`. False at the first that is not (the table is then
  /// unusable).
  [[nodiscard]] bool begin_slot_bytes(std::size_t slots, std::size_t homes) {
    slots_.clear();
    size_ = 0;
    homes_ = homes;
    if (homes == 0 || homes > slots || homes > 0xFFFFFFFFu) return false;
    reserve_bulk(slots_, slots);
    return true;
  }
  template <class Valid>
  [[nodiscard]] bool add_slot_bytes(const char* p, std::size_t n, Valid&& valid) {
    for (; n > 0; --n, p += slot_bytes) {
      Slot s;
      std::memcpy(&s, p, slot_bytes);
      const std::size_t i = slots_.size();
      slots_.push_back(s);
      if (s.empty()) continue;
      if (home(s.key()) > i || !valid(s.posting)) return false;
      ++size_;
    }
    return true;
  }

 private:
  struct Slot {
    std::uint32_t key_lo = 0;
    std::uint32_t key_hi = 0;
    std::uint32_t posting = 0;
    static Slot make(std::uint64_t key, std::uint32_t posting) {
      return Slot{static_cast<std::uint32_t>(key), static_cast<std::uint32_t>(key >> 32), posting};
    }
    [[nodiscard]] std::uint64_t key() const noexcept {
      return (std::uint64_t{key_hi} << 32) | key_lo;
    }
    [[nodiscard]] bool empty() const noexcept { return (key_lo | key_hi) == 0; }
  };
  static_assert(sizeof(Slot) == 12);

  // Fibonacci hashing, then a multiply-shift range reduction (no power-of-two sizes, so the
  // load factor stays close to 0.8 whatever the count).
  [[nodiscard]] std::size_t home(std::uint64_t key) const noexcept {
    std::uint64_t h = (key ^ (key >> 29)) * 0x9E3779B97F4A7C15ULL;
    return static_cast<std::size_t>(((h >> 32) * homes_) >> 32);
  }

  // Stable LSD radix sort by home slot, 11 bits a pass (2 passes below 4M home slots).
  void radix_sort_by_home(std::vector<Entry>& entries) const {
    constexpr unsigned bits = 11;
    constexpr std::size_t buckets = std::size_t{1} << bits;
    std::vector<Entry> other;
    reserve_bulk(other, entries.size());
    other.resize(entries.size());
    for (unsigned shift = 0; (homes_ - 1) >> shift != 0; shift += bits) {
      std::vector<std::size_t> start(buckets + 1, 0);
      for (const auto& e : entries) ++start[((home(e.key) >> shift) & (buckets - 1)) + 1];
      for (std::size_t b = 1; b <= buckets; ++b) start[b] += start[b - 1];
      for (const auto& e : entries) other[start[(home(e.key) >> shift) & (buckets - 1)]++] = e;
      entries.swap(other);
    }
  }

  std::vector<Slot> slots_;
  std::size_t homes_ = 0;  // slots a key can hash to; slots_ may be a little longer
  std::size_t size_ = 0;
};

}  // namespace detail
TELCRM_END_NAMESPACE
