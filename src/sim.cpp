// SPDX-License-Identifier: Apache-2.0
// The compiled simulation: the simulated PBX and replay().
#include <telcrm/impl/replay-inl.hpp>
#include <telcrm/impl/simulated_pbx-inl.hpp>
