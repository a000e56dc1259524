// SPDX-License-Identifier: Apache-2.0
// The compiled routing area: the roster, queue statistics, steps and the routing policy.
#include <telcrm/impl/queue_stats-inl.hpp>
#include <telcrm/impl/roster-inl.hpp>
#include <telcrm/impl/route_step-inl.hpp>
#include <telcrm/impl/routing_policy-inl.hpp>
