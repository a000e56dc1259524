// SPDX-License-Identifier: Apache-2.0
// describe(): the words for queue distributions (R-Q2), no-answer rules (R-Q4), what follows
// an unanswered responsible (R-R3) and the off-hours action (R-R5).
#include <telcrm/settings/settings.hpp>

#include <doctest/doctest.h>

#include "describe_check.hpp"

using namespace telcrm;

static_assert(describe(Distribution::fewest_calls) == "fewest calls first");

TEST_CASE("describe() of the settings' choices: words of their own for each value") {
  telcrm_test::check_words(Distribution::evenly, Distribution::ring_progressively);
  telcrm_test::check_words(NoAnswerRule::voicemail, NoAnswerRule::wait);
  telcrm_test::check_words(ResponsibleFallback::queue, ResponsibleFallback::voicemail);
  telcrm_test::check_words(OffHoursAction::voicemail, OffHoursAction::hang_up);
  CHECK(describe(Distribution::strictly) == "strictly in order");
  CHECK(describe(NoAnswerRule::next_queue) == "the next queue");
  CHECK(describe(ResponsibleFallback::forward_to_phone) == "their own phone");
}
