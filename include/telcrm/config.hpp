// SPDX-License-Identifier: Apache-2.0
#pragma once
// Build configuration shared by every public header: header-only vs compiled mode, the
// Result backend and the inline ABI namespace that encodes both choices that change layout.

#include <telcrm/version.hpp>
#include <version>

// Header-only unless the compiled library is in use (spdlog's switch): the CMake target
// telcrm::telcrm defines TELCRM_COMPILED_LIB for its users; copying include/ needs nothing.
#if defined(TELCRM_COMPILED_LIB)
#define TELCRM_INLINE
#else
#define TELCRM_HEADER_ONLY 1
#define TELCRM_INLINE inline
#endif

// Result<T> backend: 1 = tl::expected, 2 = std::expected (C++23), 3 = telcrm's own.
// The compiled target pins the backend it was built with (TELCRM_RESULT_BACKEND) so a
// consumer compiled differently gets a clear #error instead of a link failure.
#if !defined(TELCRM_RESULT_BACKEND)
#if defined(TELCRM_USE_TL_EXPECTED)
#define TELCRM_RESULT_BACKEND 1
#elif defined(__cpp_lib_expected) && __cpp_lib_expected >= 202202L
#define TELCRM_RESULT_BACKEND 2
#else
#define TELCRM_RESULT_BACKEND 3
#endif
#endif

#if TELCRM_RESULT_BACKEND == 1
#define TELCRM_ABI_NAMESPACE v1_tl
#elif TELCRM_RESULT_BACKEND == 2
#if !defined(__cpp_lib_expected) || __cpp_lib_expected < 202202L
#error "telcrm was built with std::expected: compile with C++23 (or link telcrm::header_only)"
#endif
#define TELCRM_ABI_NAMESPACE v1_std
#elif TELCRM_RESULT_BACKEND == 3
#define TELCRM_ABI_NAMESPACE v1_own
#else
#error "TELCRM_RESULT_BACKEND must be 1 (tl::expected), 2 (std::expected) or 3 (built-in)"
#endif

#define TELCRM_BEGIN_NAMESPACE \
  namespace telcrm {           \
  inline namespace TELCRM_ABI_NAMESPACE {
#define TELCRM_END_NAMESPACE \
  }                          \
  }
