// SPDX-License-Identifier: Apache-2.0
#pragma once
// ChunkedLog: an append-only sequence in chunks of 256 elements. Growing never moves what it
// holds (pointers to elements stay valid) and costs one allocation per chunk — std::deque
// allocates per 512 bytes, which is per element for records, and std::vector moves everything
// it holds when it grows.

#include <telcrm/config.hpp>

#include <cstddef>
#include <utility>
#include <vector>

TELCRM_BEGIN_NAMESPACE
namespace detail {

template <class T>
class ChunkedLog {
 public:
  static constexpr std::size_t chunk = 256;
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] bool empty() const noexcept { return size_ == 0; }
  [[nodiscard]] const T& operator[](std::size_t i) const { return chunks_[i / chunk][i % chunk]; }
  [[nodiscard]] T& operator[](std::size_t i) { return chunks_[i / chunk][i % chunk]; }
  [[nodiscard]] const T& front() const { return chunks_.front().front(); }
  [[nodiscard]] const T& back() const { return chunks_.back().back(); }
  [[nodiscard]] T& back() { return chunks_.back().back(); }
  void push_back(T value) {
    if (size_ % chunk == 0) chunks_.emplace_back().reserve(chunk);
    chunks_.back().push_back(std::move(value));
    ++size_;
  }
  template <class F>
  void for_each(F&& f) const {
    for (const auto& c : chunks_)
      for (const auto& v : c) f(v);
  }
  template <class F>
  void for_each(F&& f) {
    for (auto& c : chunks_)
      for (auto& v : c) f(v);
  }
  [[nodiscard]] std::vector<T> to_vector() const {
    std::vector<T> out;
    out.reserve(size_);
    for_each([&](const T& v) { out.push_back(v); });
    return out;
  }

 private:
  std::vector<std::vector<T>> chunks_;
  std::size_t size_ = 0;
};

}  // namespace detail
TELCRM_END_NAMESPACE
