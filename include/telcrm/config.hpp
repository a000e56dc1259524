// SPDX-License-Identifier: Apache-2.0
#pragma once
// Build configuration shared by every public header: header-only vs compiled mode, the
// Result backend and the inline ABI namespace that encodes the version and the backend.

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
// consumer compiled differently gets a clear #error instead of a link failure. Header-only,
// the backend is chosen by a macro and never by the language level: a C++23 host and a C++20
// host that include the same headers get the same ABI unless one of them asks.
#if !defined(TELCRM_RESULT_BACKEND)
#if defined(TELCRM_USE_TL_EXPECTED)
#define TELCRM_RESULT_BACKEND 1
#elif defined(TELCRM_USE_STD_EXPECTED)
#define TELCRM_RESULT_BACKEND 2
#else
#define TELCRM_RESULT_BACKEND 3
#endif
#endif

#if TELCRM_RESULT_BACKEND == 1
#define TELCRM_DETAIL_BACKEND_TAG _tl
#elif TELCRM_RESULT_BACKEND == 2
#if !defined(__cpp_lib_expected) || __cpp_lib_expected < 202202L
#error "telcrm: the std::expected backend needs C++23 (std::expected); compile with -std=c++23"
#endif
#define TELCRM_DETAIL_BACKEND_TAG _std
#elif TELCRM_RESULT_BACKEND == 3
#define TELCRM_DETAIL_BACKEND_TAG _own
#else
#error "TELCRM_RESULT_BACKEND must be 1 (tl::expected), 2 (std::expected) or 3 (built-in)"
#endif

/// The inline namespace every declaration lives in, e.g. v0_1_own: the version and the
/// backend, the two choices that change layout, so mismatched builds fail to link.
#define TELCRM_ABI_NAMESPACE \
  TELCRM_DETAIL_ABI_TAG(TELCRM_VERSION_MAJOR, TELCRM_VERSION_MINOR, TELCRM_DETAIL_BACKEND_TAG)

#define TELCRM_BEGIN_NAMESPACE \
  namespace telcrm {           \
  inline namespace TELCRM_ABI_NAMESPACE {
#define TELCRM_END_NAMESPACE \
  }                          \
  }
