// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// Errors as values: telcrm::Error, telcrm::Errc and telcrm::Result<T>.

#include <telcrm/config.hpp>
#include <telcrm/detail/enum_format.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#if TELCRM_RESULT_BACKEND == 1
#include <tl/expected.hpp>
#elif TELCRM_RESULT_BACKEND == 2
#include <expected>
#else
#include <telcrm/detail/expected.hpp>
#endif

TELCRM_BEGIN_NAMESPACE

/// What went wrong, as a stable code: the numeric values never change between versions, so a
/// host may store or compare them. The message of an Error says where and why.
enum class Errc : std::uint16_t {
  invalid_argument = 1,     ///< a value outside what the function accepts
  parse_error = 2,          ///< malformed input text (JSON, time, number list…)
  not_found = 3,            ///< a referenced id, file or entity does not exist
  already_exists = 4,       ///< creating something whose id is taken
  conflict = 5,             ///< a concurrent change won; retry or bind to the winner
  permission_denied = 6,    ///< the acting user lacks the right (R-P2)
  storage_unavailable = 7,  ///< the store cannot be reached or is locked; retryable
  storage_corrupt = 8,      ///< the store's data is unreadable or not ours
  unsupported_version = 9,  ///< data written by a newer telcrm (schema, file format)
  io_error = 10,            ///< the operating system refused a read or write
  invalid_state = 11,       ///< an event that does not fit the call's state
  out_of_range = 12,        ///< a number outside its allowed range
  internal = 13,            ///< a bug in telcrm; please report it
};

/// The lower-case name of an Errc, e.g. "permission_denied".
constexpr std::string_view format_as(Errc code) noexcept {
  switch (code) {
    case Errc::invalid_argument: return "invalid_argument";
    case Errc::parse_error: return "parse_error";
    case Errc::not_found: return "not_found";
    case Errc::already_exists: return "already_exists";
    case Errc::conflict: return "conflict";
    case Errc::permission_denied: return "permission_denied";
    case Errc::storage_unavailable: return "storage_unavailable";
    case Errc::storage_corrupt: return "storage_corrupt";
    case Errc::unsupported_version: return "unsupported_version";
    case Errc::io_error: return "io_error";
    case Errc::invalid_state: return "invalid_state";
    case Errc::out_of_range: return "out_of_range";
    case Errc::internal: return "internal";
  }
  return "unknown";
}

/// An error value: a stable code plus a message with context, e.g.
/// `line +74951234567: queue 'sales' does not exist`.
class Error {
 public:
  Error() = default;
  /// An error of kind `code`, saying `message` (with its context: what, where).
  Error(Errc code, std::string message) : code_(code), message_(std::move(message)) {}

  /// The kind of error: stable, for programs to decide on.
  [[nodiscard]] Errc code() const noexcept { return code_; }
  /// What went wrong and where, for people.
  [[nodiscard]] const std::string& message() const noexcept { return message_; }

  /// The same error with `context` prepended: `context: message`.
  [[nodiscard]] Error with_context(std::string_view context) const& {
    return Error(code_, std::string(context) + ": " + message_);
  }

  /// Equal when every member is.
  friend bool operator==(const Error&, const Error&) = default;

 private:
  Errc code_ = Errc::internal;
  std::string message_;
};

/// `code: message`, for logs.
inline std::string format_as(const Error& error) {
  return std::string(format_as(error.code())) + ": " + error.message();
}

#if TELCRM_RESULT_BACKEND == 1
/// A value or the Error saying why there is none (the build's expected type).
template <class T>
using Result = tl::expected<T, Error>;
/// The error side of a Result, as fail() builds it.
using Unexpected = tl::unexpected<Error>;
#elif TELCRM_RESULT_BACKEND == 2
/// A value or the Error saying why there is none (the build's expected type).
template <class T>
using Result = std::expected<T, Error>;
/// The error side of a Result, as fail() builds it.
using Unexpected = std::unexpected<Error>;
#else
// Its own namespace name: a `detail` inside the (inline) ABI namespace would make a name
// under telcrm::detail ambiguous.
/// A value or the Error saying why there is none (the build's expected type).
template <class T>
using Result = ::telcrm::expected_shim::expected<T, Error>;
/// The error side of a Result, as fail() builds it.
using Unexpected = ::telcrm::expected_shim::unexpected<Error>;
#endif

/// Builds the error side of any Result: `return fail(Errc::not_found, "queue 'x'");`.
[[nodiscard]] inline Unexpected fail(Errc code, std::string message) {
  return Unexpected(Error(code, std::move(message)));
}
/// Passes an existing error on: `if (!r) return fail(r.error());`.
[[nodiscard]] inline Unexpected fail(Error error) {
  return Unexpected(std::move(error));
}

/// The name of the Result backend this build uses: "tl::expected", "std::expected" or
/// "telcrm::expected_shim::expected".
constexpr std::string_view result_backend() noexcept {
#if TELCRM_RESULT_BACKEND == 1
  return "tl::expected";
#elif TELCRM_RESULT_BACKEND == 2
  return "std::expected";
#else
  return "telcrm::expected_shim::expected";
#endif
}

TELCRM_END_NAMESPACE

#if FMT_VERSION < 100000
template <>
struct fmt::formatter<telcrm::Error, char> : telcrm::TELCRM_ABI_NAMESPACE::detail::text_formatter {
  template <class Context>
  auto format(const telcrm::Error& error, Context& ctx) const {
    return write(format_as(error), ctx);
  }
};
#endif
