// SPDX-License-Identifier: Apache-2.0
#pragma once
// telcrm's own minimal expected<T, E>, used only when neither tl::expected nor C++23
// std::expected is available (e.g. Clang 14 with libstdc++ 12). It implements the subset of
// the std::expected interface telcrm and its users rely on, with the same names and meaning,
// so code written against Result<T> compiles unchanged on every backend.

#include <cstddef>
#include <cstdlib>
#include <memory>
#include <type_traits>
#include <utility>

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

  constexpr expected() requires std::is_default_constructible_v<T> : val_(), has_(true) {}
  template <class U = T>
  requires(!std::is_same_v<std::remove_cvref_t<U>, expected> &&
           !std::is_same_v<std::remove_cvref_t<U>, std::in_place_t> &&
           !std::is_same_v<std::remove_cvref_t<U>, unexpected<E>> &&
           std::is_constructible_v<T, U>) constexpr expected(U&& v)
      : val_(std::forward<U>(v)), has_(true) {}
  template <class G>
  requires std::is_constructible_v<E, const G&>
  constexpr expected(const unexpected<G>& u) : err_(u.error()), has_(false) {}
  template <class G>
  requires std::is_constructible_v<E, G>
  constexpr expected(unexpected<G>&& u) : err_(std::move(u).error()), has_(false) {}
  template <class... A>
  constexpr explicit expected(std::in_place_t, A&&... a)
      : val_(std::forward<A>(a)...), has_(true) {}
  template <class... A>
  constexpr explicit expected(unexpect_t, A&&... a) : err_(std::forward<A>(a)...), has_(false) {}

  // A hand-made union rather than std::variant<T, E>: the same behaviour (copyable and
  // movable as T and E are, the move noexcept when theirs are), at a fraction of the
  // instantiation cost, which every Result<T> of a header-only build pays.
  constexpr expected(const expected& other) requires(
      std::is_copy_constructible_v<T>&& std::is_copy_constructible_v<E>)
      : has_(other.has_) {
    if (has_)
      std::construct_at(std::addressof(val_), other.val_);
    else
      std::construct_at(std::addressof(err_), other.err_);
  }
  constexpr expected(expected&& other) noexcept(
      std::is_nothrow_move_constructible_v<T>&& std::is_nothrow_move_constructible_v<
          E>) requires(std::is_move_constructible_v<T>&& std::is_move_constructible_v<E>)
      : has_(other.has_) {
    if (has_)
      std::construct_at(std::addressof(val_), std::move(other.val_));
    else
      std::construct_at(std::addressof(err_), std::move(other.err_));
  }
  constexpr expected& operator=(const expected& other) requires(
      std::is_copy_constructible_v<T>&& std::is_copy_assignable_v<T>&&
          std::is_copy_constructible_v<E>&& std::is_copy_assignable_v<E>) {
    if (this == &other) return *this;
    if (has_ && other.has_) {
      val_ = other.val_;
    } else if (!has_ && !other.has_) {
      err_ = other.err_;
    } else {
      expected copy(other);  // first the copy that may fail, then the switch
      destroy();
      construct_from(std::move(copy));
    }
    return *this;
  }
  constexpr expected& operator=(expected&& other) noexcept(
      std::is_nothrow_move_constructible_v<T>&& std::is_nothrow_move_assignable_v<T>&&
          std::is_nothrow_move_constructible_v<E>&& std::is_nothrow_move_assignable_v<
              E>) requires(std::is_move_constructible_v<T>&& std::is_move_assignable_v<T>&&
                               std::is_move_constructible_v<E>&& std::is_move_assignable_v<E>) {
    if (has_ && other.has_) {
      val_ = std::move(other.val_);
    } else if (!has_ && !other.has_) {
      err_ = std::move(other.err_);
    } else {
      destroy();
      construct_from(std::move(other));
    }
    return *this;
  }
  constexpr ~expected() { destroy(); }

  constexpr bool has_value() const noexcept { return has_; }
  constexpr explicit operator bool() const noexcept { return has_value(); }

  constexpr T& value() & { return check(), val_; }
  constexpr const T& value() const& { return check(), val_; }
  constexpr T&& value() && { return check(), std::move(val_); }
  constexpr T& operator*() & noexcept { return held_value(), val_; }
  constexpr const T& operator*() const& noexcept { return held_value(), val_; }
  constexpr T&& operator*() && noexcept { return held_value(), std::move(val_); }
  constexpr T* operator->() noexcept { return held_value(), std::addressof(val_); }
  constexpr const T* operator->() const noexcept { return held_value(), std::addressof(val_); }

  constexpr E& error() & noexcept { return held_error(), err_; }
  constexpr const E& error() const& noexcept { return held_error(), err_; }
  constexpr E&& error() && noexcept { return held_error(), std::move(err_); }

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

  // As std::variant<T, E> compared them: the same side, and equal there.
  friend constexpr bool operator==(const expected& a, const expected& b) {
    if (a.has_ != b.has_) return false;
    return a.has_ ? bool(a.val_ == b.val_) : bool(a.err_ == b.err_);
  }

 private:
  constexpr void check() const {
    if (!has_value()) expected_access_failed();
  }
  // The side the accessor's precondition says is there.
  constexpr void held_value() const noexcept {
    if (!has_) expected_precondition_broken();
  }
  constexpr void held_error() const noexcept {
    if (has_) expected_precondition_broken();
  }
  constexpr void destroy() noexcept {
    if (has_)
      std::destroy_at(std::addressof(val_));
    else
      std::destroy_at(std::addressof(err_));
  }
  // Into a destroyed *this: the side `other` holds.
  constexpr void construct_from(expected&& other) {
    has_ = other.has_;
    if (has_)
      std::construct_at(std::addressof(val_), std::move(other.val_));
    else
      std::construct_at(std::addressof(err_), std::move(other.err_));
  }

  union {
    T val_;
    E err_;
  };
  bool has_;
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
