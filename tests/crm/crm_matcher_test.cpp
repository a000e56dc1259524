// SPDX-License-Identifier: Apache-2.0
// CrmMatcher: the tier cascade (R-N6, R-N7), finding and ranking the client (R-M1 … R-M5)
// and what never enters the CRM (R-X1, R-X2).
#include <doctest/doctest.h>
#include <fmt/format.h>

#include "crm/crm_fixture.hpp"

using namespace telcrm;
using namespace telcrm_test;

TEST_CASE("R-N6 tier 1: a number matches whatever way either side wrote it") {
  World w("RU");
  w.contact(5, {"8 (916) 123-45-67"}, 2);
  w.employee(2);
  w.build();
  for (const char* caller : {"+7 916 123 45 67", "79161234567", "8-916-123-45-67",
                             "tel:+79161234567", "+7 (916) 123-45-67 доб. 55"}) {
    CAPTURE(caller);
    auto r = w.match(caller);
    CHECK(r.crm == CrmState::matched);
    REQUIRE(r.primary.has_value());
    CHECK(*r.primary == contact_ref(5));
    CHECK(r.how == MatchHow::e164);
  }
}

TEST_CASE("R-N6 tier 2: a national form typed by a colleague matches a foreign caller") {
  // The default region is RU; a Berlin line receives +49 30 1234567 and a German colleague
  // typed 030 1234567 into the CRM.
  World w("RU");
  w.contact(7, {"030 1234567"});
  w.contact(8, {"30 1234567"});      // without the trunk prefix: also the national number
  w.contact(9, {"+7 030 1234567"});  // written with a country: no national form
  w.build();
  auto r = w.match("+49 30 1234567", "DE");
  CHECK(r.crm == CrmState::matched);
  CHECK(r.how == MatchHow::national);
  REQUIRE(r.candidates.size() == 2);
  CHECK(r.candidates[0] == MatchCandidate{contact_ref(7), MatchHow::national});
  CHECK(r.candidates[1] == MatchCandidate{contact_ref(8), MatchHow::national});
}

TEST_CASE("R-N6 tier 1 wins over tier 2: the first tier that finds anything decides") {
  World w("RU");
  w.contact(1, {"+49 30 1234567"});
  w.contact(2, {"030 1234567"});
  w.build();
  auto r = w.match("+49301234567", "DE");
  CHECK(r.how == MatchHow::e164);
  REQUIRE(r.candidates.size() == 1);
  CHECK(r.candidates[0].ref == contact_ref(1));
}

TEST_CASE("R-N6 tier 3: the suffix tier is off by default and matches the last N digits when on") {
  World off("RU");
  off.contact(3, {"+1 212 555 1234"});
  off.build();
  CHECK(off.match("+44 20 555 1234").crm == CrmState::unknown);

  World on("RU", 7);
  on.contact(3, {"+1 212 555 1234"});
  on.build();
  auto r = on.match("+44 20 555 1234");
  CHECK(r.crm == CrmState::matched);
  CHECK(r.how == MatchHow::suffix);
  CHECK(*r.primary == contact_ref(3));
}

TEST_CASE("R-N7 a stored phone that does not normalise stays findable by its digits") {
  // Twelve digits are no Russian number, but a caller on a German line sends the very same
  // digits (49 30 12345678 written without its +).
  World w("RU");
  w.contact(4, {"4930 1234 5678"});
  w.contact(5, {"+7 916 123 45 67"});
  w.build();
  CHECK(w.index.stats().unnormalised_phones == 1);
  CHECK(w.index.stats().phones == 2);
  auto r = w.match("493012345678", "DE");
  CHECK(r.number.e164() == "+493012345678");
  CHECK(r.crm == CrmState::matched);
  REQUIRE(r.primary.has_value());
  CHECK(*r.primary == contact_ref(4));
  CHECK(r.how == MatchHow::raw);
}

TEST_CASE("R-N7 extensions on stored numbers play no part in matching") {
  World w("RU");
  w.contact(1, {"+7 495 123-45-67 доб. 101"});
  w.company(2, {"+7 495 765 43 21 #12"});
  w.build();
  CHECK(*w.match("+74951234567").primary == contact_ref(1));
  CHECK(*w.match("84957654321").primary == company_ref(2));
}

TEST_CASE("R-M1 invalid and short numbers are not searched; a card call binds without a search") {
  World w("RU");
  w.contact(1, {"112"});
  w.contact(2, {"+79161234567"});
  w.build();
  CHECK(w.match("112").crm == CrmState::unknown);
  CHECK(w.match("").crm == CrmState::unknown);
  CHECK(w.match("hello").crm == CrmState::unknown);

  auto card = w.match("+79031112233", nullptr, contact_ref(2));
  CHECK(card.crm == CrmState::matched);
  CHECK(*card.primary == contact_ref(2));
  CHECK(card.how == MatchHow::card);
}

TEST_CASE("R-M2 a contact beats a company; leads count only when neither matched") {
  World w("RU");
  w.company(3, {"+7 812 555 01 02"}, 1);
  w.contact(5, {"8 812 555 01 02"}, 2);
  w.lead(50, {"+78125550102"});
  w.employee(1);
  w.employee(2);
  w.build();
  auto r = w.match("+78125550102");
  CHECK(*r.primary == contact_ref(5));
  CHECK(r.responsible == 2);
  REQUIRE(r.candidates.size() == 3);
  CHECK(r.candidates[0].ref == contact_ref(5));
  CHECK(r.candidates[1].ref == company_ref(3));
  CHECK(r.candidates[2].ref == lead_ref(50));
}

TEST_CASE("R-M2 a converted or junk lead is ignored: the caller counts as unknown") {
  World w("RU");
  w.lead(50, {"+79161234567"}, LeadStatus::converted);
  w.lead(51, {"+79161234567"}, LeadStatus::junk);
  w.lead(52, {"+79031112233"}, LeadStatus::in_progress);
  w.build();
  auto r = w.match("+79161234567");
  CHECK(r.crm == CrmState::unknown);
  CHECK_FALSE(r.primary.has_value());
  CHECK(*w.match("+79031112233").primary == lead_ref(52));
}

TEST_CASE("R-M3 contacts sharing a number: the one with an open deal wins") {
  World w("RU");
  w.contact(10, {"+79161234567"});
  w.contact(11, {"+79161234567"});
  w.contact(12, {"+79161234567"});
  w.deal(70, 12, std::nullopt, at(20));
  w.deal(71, 10, std::nullopt, at(21), DealStage::won);  // closed: does not count
  w.build();
  auto r = w.match("+79161234567");
  CHECK(*r.primary == contact_ref(12));
  REQUIRE(r.candidates.size() == 3);
  CHECK(r.candidates[1].ref == contact_ref(10));
  CHECK(r.candidates[2].ref == contact_ref(11));
}

TEST_CASE("R-M3 ranking table: most recent open deal, then lowest id; missing time is oldest") {
  struct Row {
    const char* name;
    std::optional<Timestamp> deal_a;  // open deal of contact 1
    std::optional<Timestamp> deal_b;  // open deal of contact 2
    bool a_has_deal;
    bool b_has_deal;
    EntityId expected;
  };
  const Row rows[] = {
      {"no deals: lowest id", std::nullopt, std::nullopt, false, false, 1},
      {"only b has a deal", std::nullopt, at(1), false, true, 2},
      {"b's deal is more recent", at(1), at(2), true, true, 2},
      {"a's deal is more recent", at(3), at(2), true, true, 1},
      {"equal times: lowest id", at(2), at(2), true, true, 1},
      {"missing time is the oldest", std::nullopt, at(1), true, true, 2},
      {"both missing: lowest id", std::nullopt, std::nullopt, true, true, 1},
  };
  for (const auto& row : rows) {
    CAPTURE(row.name);
    World w("RU");
    w.contact(1, {"+79161234567"});
    w.contact(2, {"+79161234567"});
    if (row.a_has_deal) w.deal(70, 1, std::nullopt, row.deal_a);
    if (row.b_has_deal) w.deal(71, 2, std::nullopt, row.deal_b);
    w.build();
    CHECK(w.match("+79161234567").primary->id == row.expected);
  }
}

TEST_CASE("R-M3 several open leads: the most recently modified wins") {
  World w("RU");
  w.lead(50, {"+79161234567"}, LeadStatus::in_progress, at(10));
  w.lead(51, {"+79161234567"}, LeadStatus::in_progress, at(12));
  w.lead(52, {"+79161234567"}, LeadStatus::in_progress, std::nullopt);
  w.build();
  auto r = w.match("+79161234567");
  CHECK(*r.primary == lead_ref(51));
  REQUIRE(r.candidates.size() == 3);
  CHECK(r.candidates[1].ref == lead_ref(50));
  CHECK(r.candidates[2].ref == lead_ref(52));
}

TEST_CASE("R-M4 a deactivated responsible gives no routing responsible") {
  World w("RU");
  w.contact(5, {"+79161234567"}, 2);
  w.contact(6, {"+79031112233"}, 3);
  w.employee(2, /*active=*/false);
  w.employee(3);
  w.build();
  auto r = w.match("+79161234567");
  CHECK(*r.primary == contact_ref(5));
  CHECK_FALSE(r.responsible.has_value());
  CHECK(w.match("+79031112233").responsible == 3);
}

TEST_CASE("R-M5 bindings: open deals first, then the contact, then its matched company") {
  World w("RU");
  w.company(3, {"+74951234567"});
  w.contact(5, {"+74951234567"}, std::nullopt, 3);
  w.deal(70, 5, std::nullopt, at(10));
  w.deal(71, 5, std::nullopt, at(12));
  w.deal(72, std::nullopt, 3, at(11));
  w.deal(73, 5, 3, at(9));
  w.deal(74, 5, std::nullopt, at(20), DealStage::lost);
  w.build();
  auto r = w.match("+74951234567");
  CHECK(*r.primary == contact_ref(5));
  CHECK(r.company == company_ref(3));
  const std::vector<EntityRef> expected{deal_ref(71), deal_ref(70),   deal_ref(73),
                                        deal_ref(72), contact_ref(5), company_ref(3)};
  CHECK(r.bindings == expected);
  CHECK(r.has_open_deal);
}

TEST_CASE("R-M5 a contact's company that did not match is not bound") {
  World w("RU");
  w.company(3, {"+74950000000"});  // the contact's company, another number
  w.company(4, {"+74951234567"});  // matched, but not the contact's company
  w.contact(5, {"+74951234567"}, std::nullopt, 3);
  w.deal(72, std::nullopt, 3, at(11));
  w.build();
  auto r = w.match("+74951234567");
  CHECK(*r.primary == contact_ref(5));
  CHECK_FALSE(r.company.has_value());
  const std::vector<EntityRef> expected{contact_ref(5)};
  CHECK(r.bindings == expected);
  CHECK_FALSE(r.has_open_deal);
}

TEST_CASE("R-X1 a number on the exception list is not searched; e-mails compare case-blind") {
  World w("FR");
  w.contact(9, {"+33 1 23 45 67 89"}, 1);
  w.exceptions = w.exceptions.with_phone("01 23 45 67 89").with_email("  Spam@Example.COM ");
  w.build();
  auto r = w.match("+33 1 23 45 67 89");
  CHECK(r.crm == CrmState::excepted);
  CHECK_FALSE(r.primary.has_value());
  CHECK(r.candidates.empty());
  CHECK(w.exceptions.contains_email("spam@example.com"));
  CHECK(w.exceptions.contains_email("SPAM@EXAMPLE.COM\t"));
  CHECK_FALSE(w.exceptions.contains_email("other@example.com"));
}

TEST_CASE("R-X2 an active employee's phone or extension is not saved in the CRM") {
  World w("FR");
  auto& chloe = w.employee(1);
  chloe.phones.mobile = "06 11 22 33 44";
  chloe.extension = "201";
  auto& gone = w.employee(2, /*active=*/false);
  gone.phones.work = "01 40 00 00 01";
  w.contact(9, {"+33611223344"});
  w.contact(10, {"+33140000001"});
  w.build();
  auto mobile = w.match("+33611223344");
  CHECK(mobile.crm == CrmState::employee);
  CHECK(mobile.employee == 1);
  CHECK(w.match("201").crm == CrmState::employee);
  // An inactive employee's phone is an ordinary number.
  CHECK(w.match("+33140000001").crm == CrmState::matched);
}

TEST_CASE("R-X3 the exception list changes at run time and applies to the next lookup") {
  World w("RU");
  w.contact(5, {"+79161234567"});
  w.build();
  CHECK(w.match("+79161234567").crm == CrmState::matched);
  w.exceptions = w.exceptions.with_phone("8 916 123 45 67");
  CHECK(w.match("+79161234567").crm == CrmState::excepted);
  w.exceptions = w.exceptions.without_phone("+7 916 123-45-67");
  CHECK(w.match("+79161234567").crm == CrmState::matched);
}

TEST_CASE("Section X order: disabled, then excepted, then employee, then the search") {
  World w("RU");
  auto& e = w.employee(1);
  e.phones.mobile = "+79161234567";
  w.contact(5, {"+79161234567"});
  w.exceptions = w.exceptions.with_phone("+79161234567");
  w.build();
  MatchRequest off{.number = "+79161234567", .region = w.home, .crm_lookup = false};
  CHECK(w.matcher.match(off, w.index.snapshot(), w.exceptions, w.employees).crm ==
        CrmState::disabled);
  CHECK(w.match("+79161234567").crm == CrmState::excepted);
  w.exceptions = w.exceptions.without_phone("+79161234567");
  CHECK(w.match("+79161234567").crm == CrmState::employee);
}
