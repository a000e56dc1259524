// SPDX-License-Identifier: Apache-2.0
#pragma once
// telcrm's own minimal expected<T, E>, used only when neither tl::expected nor C++23
// std::expected is available (e.g. Clang 14 with libstdc++ 12). It implements the subset of
// the std::expected interface telcrm and its users rely on, with the same names and meaning,
// so code written against Result<T> compiles unchanged on every backend.

#include <cstddef>
#include <cstdlib>
#include <type_traits>
#include <utility>
#include <variant>

namespace telcrm::expected_shim {

template <class E>
class unexpected {
 public:
  constexpr explicit unexpected(E e) : error_(std::move(e)) {}
  constexpr const E& error() const& noexcept { return error_; }
  constexpr E& error() & noexcept { return error_; }
  constexpr E&& error() && noexcept { return std::move(error_); }
  friend constexpr bool operator==(const unexpected& a, const unexpected& b) {
    return a.error_ == b.error_;
  }

 private:
  E error_;
};

template <class E>
unexpected(E) -> unexpected<E>;

struct unexpect_t {
  explicit unexpect_t() = default;
};
inline constexpr unexpect_t unexpect{};

[[noreturn]] inline void expected_access_failed() noexcept {
  std::abort();
}

// Reached only when a caller breaks a precondition (operator* without a value, error()
// without an error: undefined for std::expected too). Debug builds stop; optimised builds
// tell the compiler the path does not exist, so it neither tests for it nor warns about it.
[[noreturn]] inline void expected_precondition_broken() noexcept {
#if defined(NDEBUG) && (defined(__GNUC__) || defined(__clang__))
  __builtin_unreachable();
#else
  std::abort();
#endif
}

template <class T, class E>
class expected {
 public:
  using value_type = T;
  using error_type = E;
  using unexpected_type = unexpected<E>;
  template <class U>
  using rebind = expected<U, E>;

  constexpr expected() requires std::is_default_constructible_v<T> : v_(std::in_place_index<0>) {}
  template <class U = T>
  requires(!std::is_same_v<std::remove_cvref_t<U>, expected> &&
           !std::is_same_v<std::remove_cvref_t<U>, std::in_place_t> &&
           !std::is_same_v<std::remove_cvref_t<U>, unexpected<E>> &&
           std::is_constructible_v<T, U>) constexpr expected(U&& v)
      : v_(std::in_place_index<0>, std::forward<U>(v)) {}
  template <class G>
  requires std::is_constructible_v<E, const G&>
  constexpr expected(const unexpected<G>& u) : v_(std::in_place_index<1>, u.error()) {}
  template <class G>
  requires std::is_constructible_v<E, G>
  constexpr expected(unexpected<G>&& u) : v_(std::in_place_index<1>, std::move(u).error()) {}
  template <class... A>
  constexpr explicit expected(std::in_place_t, A&&... a)
      : v_(std::in_place_index<0>, std::forward<A>(a)...) {}
  template <class... A>
  constexpr explicit expected(unexpect_t, A&&... a)
      : v_(std::in_place_index<1>, std::forward<A>(a)...) {}

  constexpr bool has_value() const noexcept { return v_.index() == 0; }
  constexpr explicit operator bool() const noexcept { return has_value(); }

  constexpr T& value() & { return check(), *held<0>(v_); }
  constexpr const T& value() const& { return check(), *held<0>(v_); }
  constexpr T&& value() && { return check(), std::move(*held<0>(v_)); }
  constexpr T& operator*() & noexcept { return *held<0>(v_); }
  constexpr const T& operator*() const& noexcept { return *held<0>(v_); }
  constexpr T&& operator*() && noexcept { return std::move(*held<0>(v_)); }
  constexpr T* operator->() noexcept { return held<0>(v_); }
  constexpr const T* operator->() const noexcept { return held<0>(v_); }

  constexpr E& error() & noexcept { return *held<1>(v_); }
  constexpr const E& error() const& noexcept { return *held<1>(v_); }
  constexpr E&& error() && noexcept { return std::move(*held<1>(v_)); }

  template <class U>
  constexpr T value_or(U&& fallback) const& {
    return has_value() ? **this : static_cast<T>(std::forward<U>(fallback));
  }
  template <class U>
  constexpr T value_or(U&& fallback) && {
    return has_value() ? std::move(**this) : static_cast<T>(std::forward<U>(fallback));
  }

  template <class F>
  constexpr auto and_then(F&& f) const& {
    using R = std::remove_cvref_t<std::invoke_result_t<F, const T&>>;
    return has_value() ? std::forward<F>(f)(**this) : R(unexpect, error());
  }
  template <class F>
  constexpr auto and_then(F&& f) && {
    using R = std::remove_cvref_t<std::invoke_result_t<F, T&&>>;
    return has_value() ? std::forward<F>(f)(std::move(**this)) : R(unexpect, std::move(error()));
  }
  template <class F>
  constexpr auto transform(F&& f) const& {
    using U = std::remove_cv_t<std::invoke_result_t<F, const T&>>;
    if constexpr (std::is_void_v<U>) {
      if (!has_value()) return expected<void, E>(unexpect, error());
      std::forward<F>(f)(**this);
      return expected<void, E>();
    } else {
      return has_value() ? expected<U, E>(std::forward<F>(f)(**this))
                         : expected<U, E>(unexpect, error());
    }
  }
  template <class F>
  constexpr auto transform_error(F&& f) const& {
    using G = std::remove_cv_t<std::invoke_result_t<F, const E&>>;
    return has_value() ? expected<T, G>(**this)
                       : expected<T, G>(unexpect, std::forward<F>(f)(error()));
  }
  template <class F>
  constexpr expected or_else(F&& f) const& {
    return has_value() ? *this : std::forward<F>(f)(error());
  }

  friend constexpr bool operator==(const expected& a, const expected& b) { return a.v_ == b.v_; }

 private:
  constexpr void check() const {
    if (!has_value()) expected_access_failed();
  }
  // The alternative I, which the accessor's precondition says is there: never null.
  template <std::size_t I, class V>
  static constexpr auto* held(V& v) noexcept {
    auto* p = std::get_if<I>(&v);
    if (p == nullptr) expected_precondition_broken();
    return p;
  }
  std::variant<T, E> v_;
};

template <class E>
class expected<void, E> {
 public:
  using value_type = void;
  using error_type = E;
  using unexpected_type = unexpected<E>;

  constexpr expected() noexcept = default;
  template <class G>
  requires std::is_constructible_v<E, const G&>
  constexpr expected(const unexpected<G>& u) : err_(u.error()), has_error_(true) {}
  template <class G>
  requires std::is_constructible_v<E, G>
  constexpr expected(unexpected<G>&& u) : err_(std::move(u).error()), has_error_(true) {}
  template <class... A>
  constexpr explicit expected(unexpect_t, A&&... a)
      : err_(std::forward<A>(a)...), has_error_(true) {}

  constexpr bool has_value() const noexcept { return !has_error_; }
  constexpr explicit operator bool() const noexcept { return has_value(); }
  constexpr void value() const {
    if (has_error_) expected_access_failed();
  }
  constexpr void operator*() const noexcept {}
  constexpr E& error() & noexcept { return err_; }
  constexpr const E& error() const& noexcept { return err_; }
  constexpr E&& error() && noexcept { return std::move(err_); }

  template <class F>
  constexpr auto and_then(F&& f) const& {
    using R = std::remove_cvref_t<std::invoke_result_t<F>>;
    return has_value() ? std::forward<F>(f)() : R(unexpect, error());
  }
  template <class F>
  constexpr auto transform(F&& f) const& {
    using U = std::remove_cv_t<std::invoke_result_t<F>>;
    if constexpr (std::is_void_v<U>) {
      if (!has_value()) return expected<void, E>(unexpect, error());
      std::forward<F>(f)();
      return expected<void, E>();
    } else {
      return has_value() ? expected<U, E>(std::forward<F>(f)()) : expected<U, E>(unexpect, error());
    }
  }

  friend constexpr bool operator==(const expected& a, const expected& b) {
    return a.has_error_ == b.has_error_ && (!a.has_error_ || a.err_ == b.err_);
  }

 private:
  E err_{};
  bool has_error_ = false;
};

}  // namespace telcrm::expected_shim
