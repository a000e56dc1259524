// SPDX-License-Identifier: Apache-2.0
// The compiled conformance kit (telcrm::testing).
#include "../compiled_lib.hpp"  // first: stops a build without TELCRM_COMPILED_LIB

#include <telcrm/testing/conformance-inl.hpp>
