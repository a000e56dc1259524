// SPDX-License-Identifier: Apache-2.0
// describe(): why a call created what it did, or nothing (R-L, R-S), and what it offers.
#include <telcrm/leads/creation_plan.hpp>

#include <doctest/doctest.h>

#include "describe_check.hpp"

using namespace telcrm;

static_assert(describe(OfferAction::create_lead) == "create a lead");
static_assert(describe(CreationReason::has_open_deal) ==
              "the client has an open deal: nothing new");

TEST_CASE("describe(CreationReason) and describe(OfferAction): words of their own for each value") {
  telcrm_test::check_words(CreationReason::unknown_caller, CreationReason::index_not_loaded);
  telcrm_test::check_words(OfferAction::create_lead, OfferAction::create_deal);
  CHECK(describe(CreationReason::index_not_loaded) ==
        "the CRM was not loaded yet: nothing is created until it is");
}
