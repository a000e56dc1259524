// SPDX-License-Identifier: Apache-2.0
// LeadFactory and the CRM modes as pure decisions (R-L1 … R-L4, R-L6, R-S1, R-S2).
#include <telcrm/leads/lead_factory.hpp>
#include <telcrm/phone/phone_normalizer.hpp>

#include <doctest/doctest.h>

using namespace telcrm;

namespace {

MatchResult unknown(const char* number = "+79161234567") {
  MatchResult m;
  m.number = PhoneNormalizer().normalize(number, *Region::from_code("RU"));
  m.crm = CrmState::unknown;
  return m;
}

MatchResult known(EntityRef primary, bool open_deal = false, bool repeat_lead = false) {
  MatchResult m = unknown();
  m.crm = CrmState::matched;
  m.primary = primary;
  m.has_open_deal = open_deal;
  m.has_open_repeat_lead = repeat_lead;
  return m;
}

const Timestamp at =
    std::chrono::sys_days(std::chrono::year(2026) / 11 / 24) + std::chrono::hours(10);

CreationPlan plan(const LineSettings& line, CallDirection dir, const MatchResult& m,
                  const ModeStrategy& mode, bool repeat_sales = false) {
  return LeadFactory::plan(CreationRequest{line, dir, m, "8 916 123-45-67", at, repeat_sales},
                           mode);
}

}  // namespace

TEST_CASE("R-L1 create makes a lead; offer creates nothing and offers lead or contact") {
  LineSettings line;
  ClassicMode classic;
  auto created = plan(line, CallDirection::incoming, unknown(), classic);
  CHECK(created.reason == CreationReason::unknown_caller);
  REQUIRE(created.lead.has_value());
  CHECK(created.offer.empty());

  line.unknown_caller = UnknownCallerAction::offer;
  auto offered = plan(line, CallDirection::incoming, unknown(), classic);
  CHECK(offered.reason == CreationReason::offer_only);
  CHECK_FALSE(offered.creates_anything());
  CHECK(offered.offer == std::vector{OfferAction::create_lead, OfferAction::create_contact});

  SimpleMode simple{SimpleModeSettings{}};
  CHECK(plan(line, CallDirection::incoming, unknown(), simple).offer ==
        std::vector{OfferAction::create_deal, OfferAction::create_contact});
}

TEST_CASE("R-L2 create for: incoming, outgoing or all; a callback only under all") {
  struct Row {
    CreateFor create_for;
    CallDirection direction;
    bool creates;
  };
  const Row rows[] = {
      {CreateFor::all, CallDirection::incoming, true},
      {CreateFor::all, CallDirection::outgoing, true},
      {CreateFor::all, CallDirection::callback, true},
      {CreateFor::incoming, CallDirection::incoming, true},
      {CreateFor::incoming, CallDirection::outgoing, false},
      {CreateFor::incoming, CallDirection::callback, false},
      {CreateFor::outgoing, CallDirection::incoming, false},
      {CreateFor::outgoing, CallDirection::outgoing, true},
      {CreateFor::outgoing, CallDirection::callback, false},
  };
  ClassicMode classic;
  for (const auto& row : rows) {
    CAPTURE(format_as(row.create_for));
    CAPTURE(format_as(row.direction));
    LineSettings line;
    line.create_for = row.create_for;
    auto p = plan(line, row.direction, unknown(), classic);
    CHECK(p.creates_anything() == row.creates);
    if (!row.creates) CHECK(p.reason == CreationReason::direction_excluded);
  }
}

TEST_CASE("R-L3 nothing is created for excepted, employee, disabled, short or matched-lead calls") {
  LineSettings line;
  ClassicMode classic;
  for (auto state : {CrmState::excepted, CrmState::employee, CrmState::disabled}) {
    auto m = unknown();
    m.crm = state;
    auto p = plan(line, CallDirection::incoming, m, classic);
    CHECK_FALSE(p.creates_anything());
    CHECK(p.reason == CreationReason::not_in_crm);
    CHECK(p.offer.empty());
  }
  auto short_code = unknown("112");
  CHECK(plan(line, CallDirection::incoming, short_code, classic).reason ==
        CreationReason::not_a_number);
  auto lead = known({EntityType::lead, 50});
  CHECK(plan(line, CallDirection::incoming, lead, classic, true).reason ==
        CreationReason::lead_matched);
  auto client = known({EntityType::contact, 5});
  CHECK(plan(line, CallDirection::outgoing, client, classic, true).reason ==
        CreationReason::outgoing_bound);
}

TEST_CASE("R-L4 titles: the template, the number as received, the direction; source per line") {
  LineSettings line;
  line.source = "WEBSITE_TRACKING";
  ClassicMode classic;
  auto p = plan(line, CallDirection::callback, unknown(), classic);
  REQUIRE(p.lead.has_value());
  CHECK(p.lead->title == "8 916 123-45-67 - Callback");
  CHECK(p.lead->source == "WEBSITE_TRACKING");
  CHECK(p.lead->phones == std::vector<std::string>{"8 916 123-45-67"});

  line.number = "+74951234567";
  line.work_hours = WorkHours{};
  line.work_hours->utc_offset = std::chrono::minutes(180);
  CHECK(render_title("{direction} {number} on {line} at {date} {time} {unknown}", "123",
                     CallDirection::outgoing, at,
                     line) == "Outgoing call 123 on +74951234567 at 2026-11-24 13:00 {unknown}");
}

TEST_CASE("R-L4 titles: every record a call makes carries the rendered title, whatever the mode") {
  // The factory renders the title after the mode planned (most known clients get nothing):
  // each kind of record a mode can plan must still come out titled.
  LineSettings line;
  line.lead_title = "{number} ({direction})";
  const std::string title = "8 916 123-45-67 (Incoming call)";
  ClassicMode classic;
  auto repeat = plan(line, CallDirection::incoming, known({EntityType::contact, 5}), classic, true);
  REQUIRE(repeat.lead.has_value());
  CHECK(repeat.lead->title == title);
  SimpleMode simple;
  auto fresh = plan(line, CallDirection::incoming, unknown(), simple);
  REQUIRE(fresh.deal.has_value());
  CHECK(fresh.deal->title == title);
  CHECK_FALSE(fresh.lead.has_value());
  auto again = plan(line, CallDirection::incoming, known({EntityType::company, 7}), simple);
  REQUIRE(again.deal.has_value());
  CHECK(again.deal->title == title);
  auto forced = LeadFactory::plan(
      CreationRequest{line, CallDirection::outgoing, unknown(), "8 916 123-45-67", at, false, true},
      classic);
  REQUIRE(forced.lead.has_value());
  CHECK(forced.lead->title == "8 916 123-45-67 (Outgoing call)");
}

TEST_CASE("R-L6 repeat leads only with repeat sales on, no open deal and no open repeat lead") {
  LineSettings line;
  ClassicMode classic;
  auto contact = known({EntityType::contact, 5});
  contact.contact_company = 3;
  CHECK(plan(line, CallDirection::incoming, contact, classic, false).reason ==
        CreationReason::repeat_sales_off);
  auto p = plan(line, CallDirection::incoming, contact, classic, true);
  CHECK(p.reason == CreationReason::repeat_client);
  REQUIRE(p.lead.has_value());
  CHECK(p.lead->repeat);
  CHECK(p.lead->contact == 5);
  CHECK(p.lead->company == 3);
  CHECK(plan(line, CallDirection::incoming, known({EntityType::contact, 5}, true), classic, true)
            .reason == CreationReason::has_open_deal);
  CHECK(plan(line, CallDirection::incoming, known({EntityType::contact, 5}, false, true), classic,
             true)
            .reason == CreationReason::has_open_repeat_lead);
  auto company =
      plan(line, CallDirection::incoming, known({EntityType::company, 3}), classic, true);
  REQUIRE(company.lead.has_value());
  CHECK(company.lead->company == 3);
  CHECK_FALSE(company.lead->contact.has_value());
}

TEST_CASE("R-S1 R-S2 the mode decides what is created: leads, or deals with contacts/companies") {
  LineSettings line;
  SimpleModeSettings both;
  both.create_company = true;
  both.pipeline = 4;
  SimpleMode simple{both};
  auto p = plan(line, CallDirection::incoming, unknown(), simple);
  REQUIRE(p.deal.has_value());
  REQUIRE(p.contact.has_value());
  REQUIRE(p.company.has_value());
  CHECK_FALSE(p.lead.has_value());
  CHECK(p.deal->pipeline == 4);
  CHECK(p.deal->contact == -1);  // the contact created with it
  CHECK(p.deal->company == -1);
  CHECK(p.contact->company == -1);
  CHECK(p.contact->name == "8 916 123-45-67");

  SimpleModeSettings company_only;
  company_only.create_contact = false;
  company_only.create_company = true;
  auto c = plan(line, CallDirection::incoming, unknown(), SimpleMode{company_only});
  CHECK(c.company.has_value());
  CHECK_FALSE(c.contact.has_value());
  CHECK_FALSE(c.deal->contact.has_value());

  // A known client without an open deal gets a repeat deal whatever repeat_sales says.
  auto repeat =
      plan(line, CallDirection::incoming, known({EntityType::contact, 20}), simple, false);
  REQUIRE(repeat.deal.has_value());
  CHECK(repeat.deal->repeat);
  CHECK(repeat.deal->contact == 20);
  CHECK(
      plan(line, CallDirection::incoming, known({EntityType::contact, 21}, true), simple).reason ==
      CreationReason::has_open_deal);
}
