// SPDX-License-Identifier: Apache-2.0
// describe(): the words for a call's status code (R-A5), for whether the CRM took part, and
// for how a client was found (R-N6, R-N7, R-M1).
#include <telcrm/crm/activity.hpp>
#include <telcrm/crm/match_result.hpp>

#include <doctest/doctest.h>

#include "describe_check.hpp"

using namespace telcrm;

static_assert(describe(MatchHow::suffix) == "the last digits");
static_assert(describe(CrmState::unknown) == "not in the CRM");
static_assert(describe(CallStatus::busy) == "busy");

TEST_CASE("describe(MatchHow) and describe(CrmState): words of their own for each value") {
  telcrm_test::check_words(MatchHow::e164, MatchHow::card);
  telcrm_test::check_words(CrmState::matched, CrmState::disabled);
  CHECK(describe(MatchHow::national) == "a national form stored without country code");
  CHECK(describe(CrmState::excepted) == "on the exception list, so telephony only");
}

TEST_CASE("R-A5 describe(CallStatus): the named codes in words, every other code is 'other'") {
  CHECK(describe(CallStatus::answered) == "answered");
  CHECK(describe(CallStatus::invalid_number) == "invalid number");
  CHECK(describe(CallStatus::declined) == "declined");
  CHECK(describe(CallStatus{487}) == "other");
}
