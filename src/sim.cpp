// SPDX-License-Identifier: Apache-2.0
// The compiled simulation: the simulated PBX and replay().
#include "compiled_lib.hpp"  // first: stops a build without TELCRM_COMPILED_LIB

#include <telcrm/sim/replay-inl.hpp>
#include <telcrm/sim/simulated_pbx-inl.hpp>
