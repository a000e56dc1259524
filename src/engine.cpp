// SPDX-License-Identifier: Apache-2.0
// The compiled engine area: the CallEngine.
#include "compiled_lib.hpp"  // first: stops a build without TELCRM_COMPILED_LIB

#include <telcrm/engine/call_engine-inl.hpp>
