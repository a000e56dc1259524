// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// The library's version, for `#if` tests and for logs.
// The version, in one place: CMakeLists.txt reads the three numbers below for project(VERSION),
// and everything else (the string, the ABI tag) is derived from them here.

/// Changes break the API or the ABI (before 1.0, so may the minor).
#define TELCRM_VERSION_MAJOR 0
/// Changes add to the API.
#define TELCRM_VERSION_MINOR 2
/// Changes fix without adding.
#define TELCRM_VERSION_PATCH 0

/// MAJOR * 10000 + MINOR * 100 + PATCH, for `#if` comparisons.
#define TELCRM_VERSION \
  (TELCRM_VERSION_MAJOR * 10000 + TELCRM_VERSION_MINOR * 100 + TELCRM_VERSION_PATCH)

/// \cond TELCRM_DETAIL
#define TELCRM_DETAIL_STR2(x) #x
#define TELCRM_DETAIL_STR(x) TELCRM_DETAIL_STR2(x)
/// \endcond
/// "MAJOR.MINOR.PATCH".
#define TELCRM_VERSION_STRING             \
  TELCRM_DETAIL_STR(TELCRM_VERSION_MAJOR) \
  "." TELCRM_DETAIL_STR(TELCRM_VERSION_MINOR) "." TELCRM_DETAIL_STR(TELCRM_VERSION_PATCH)

// The version part of the inline ABI namespace: v<major>_<minor>. Before 1.0 a minor release
// may change the ABI (the package's version file accepts only the same minor), so 0.1 and 0.2
// builds must not link together. config.hpp appends the Result backend: v0_1_own.
/// \cond TELCRM_DETAIL
#define TELCRM_DETAIL_CAT5(a, b, c, d, e) a##b##c##d##e
#define TELCRM_DETAIL_ABI_TAG(major, minor, backend) TELCRM_DETAIL_CAT5(v, major, _, minor, backend)
/// \endcond
