// SPDX-License-Identifier: Apache-2.0
#pragma once
// InlineList: an append-only list whose first N items live inside it. A batch rarely names
// more than a lead, a contact, a company and a deal, so noting its local names this way
// allocates nothing (LocalRefs, check_batch_references).

#include <telcrm/config.hpp>

#include <array>
#include <cstddef>
#include <vector>

TELCRM_BEGIN_NAMESPACE
namespace detail {

template <class T, std::size_t N>
class InlineList {
 public:
  void push_back(const T& item) {
    if (size_ < N)
      first_[size_] = item;
    else
      more_.push_back(item);
    ++size_;
  }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] const T& operator[](std::size_t i) const noexcept {
    return i < N ? first_[i] : more_[i - N];
  }
  [[nodiscard]] bool contains(const T& item) const noexcept {
    for (std::size_t i = 0; i < size_; ++i)
      if ((*this)[i] == item) return true;
    return false;
  }

 private:
  std::array<T, N> first_{};
  std::vector<T> more_;
  std::size_t size_ = 0;
};

}  // namespace detail
TELCRM_END_NAMESPACE
