// SPDX-License-Identifier: Apache-2.0
// The compiled routing area: the roster, queue statistics, steps and the routing policy.
#include "compiled_lib.hpp"  // first: stops a build without TELCRM_COMPILED_LIB

#include <telcrm/routing/queue_stats-inl.hpp>
#include <telcrm/routing/roster-inl.hpp>
#include <telcrm/routing/route_step-inl.hpp>
#include <telcrm/routing/routing_policy-inl.hpp>
