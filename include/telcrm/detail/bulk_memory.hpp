// SPDX-License-Identifier: Apache-2.0
#pragma once
// Room for the large arrays a full index rebuild or an index snapshot load fills at once
// (hundreds of megabytes at 10M stored numbers). Filling fresh memory costs a page fault per
// 4 KiB page, which on a virtual machine is a trap to the hypervisor: it was half the CPU
// time of a rebuild. Asking for transparent huge pages on such an array (where the system
// allows it on request) makes that one fault per 2 MiB.

#include <telcrm/config.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#endif

TELCRM_BEGIN_NAMESPACE
namespace detail {

/// Asks for huge pages on the whole 2 MiB pages inside [p, p + bytes); a hint only, so a
/// refusal is ignored. Small ranges are left alone.
inline void advise_huge_pages(const void* p, std::size_t bytes) noexcept {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  constexpr std::uintptr_t huge = std::uintptr_t{1} << 21;
  if (bytes < 2 * huge) return;
  const auto at = reinterpret_cast<std::uintptr_t>(p);
  const std::uintptr_t begin = (at + huge - 1) & ~(huge - 1);
  const std::uintptr_t end = (at + bytes) & ~(huge - 1);
  if (end > begin) (void)::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
#else
  (void)p;
  (void)bytes;
#endif
}

/// `v.reserve(n)` for an array about to be filled, with huge pages asked for its new room.
template <class T>
void reserve_bulk(std::vector<T>& v, std::size_t n) {
  if (n <= v.capacity()) return;
  // The new room is advised before anything is moved into it (reserve() would copy first).
  std::vector<T> room;
  room.reserve(n);
  advise_huge_pages(room.data(), room.capacity() * sizeof(T));
  // One by one into the reserved room (no reallocation): insert() of a move-iterator range
  // would cost every header-only includer a range-insert instantiation per element type.
  for (T& x : v) room.push_back(std::move(x));
  v.swap(room);
}

/// Room for one more element: the capacity doubles (as push_back would), with huge pages.
template <class T>
void grow_bulk(std::vector<T>& v, std::size_t more = 1) {
  if (v.size() + more > v.capacity())
    reserve_bulk(v, std::max<std::size_t>(2 * v.capacity(), v.size() + more));
}

/// `v.assign(n, value)` with huge pages asked for before the memory is first touched.
template <class T>
void assign_bulk(std::vector<T>& v, std::size_t n, const T& value) {
  v.clear();
  reserve_bulk(v, n);
  v.assign(n, value);
}

}  // namespace detail
TELCRM_END_NAMESPACE
