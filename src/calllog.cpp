// SPDX-License-Identifier: Apache-2.0
// The compiled definitions of the calllog area.
#include "compiled_lib.hpp"  // first: stops a build without TELCRM_COMPILED_LIB

#include <telcrm/calllog/call_log-inl.hpp>
