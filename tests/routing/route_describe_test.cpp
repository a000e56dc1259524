// SPDX-License-Identifier: Apache-2.0
// describe(): every routing step's reason in words (R-R6: a host can explain any decision).
#include <telcrm/routing/route_step.hpp>

#include <doctest/doctest.h>

#include "describe_check.hpp"

using namespace telcrm;

static_assert(describe(RouteWhy::off_hours) == "outside working hours");

TEST_CASE("R-R6 describe(RouteWhy): words of their own for each reason") {
  telcrm_test::check_words(RouteWhy::responsible, RouteWhy::queue_cycle);
  CHECK(describe(RouteWhy::responsible_busy) == "the responsible was busy");
  // The queue's id is the reason's, not the words'.
  CHECK(describe(RouteReason::for_queue("sales").why) == "the queue's distribution");
}
