// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// The library's version, for `#if` tests and for logs.

#define TELCRM_VERSION_MAJOR 0  ///< changes break the API or the ABI
#define TELCRM_VERSION_MINOR 1  ///< changes add to the API
#define TELCRM_VERSION_PATCH 0  ///< changes fix without adding
/// MAJOR * 10000 + MINOR * 100 + PATCH, for `#if` comparisons.
#define TELCRM_VERSION \
  (TELCRM_VERSION_MAJOR * 10000 + TELCRM_VERSION_MINOR * 100 + TELCRM_VERSION_PATCH)
/// "MAJOR.MINOR.PATCH".
#define TELCRM_VERSION_STRING "0.1.0"
