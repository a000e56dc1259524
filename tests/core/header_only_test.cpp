// SPDX-License-Identifier: Apache-2.0
// Built against telcrm::header_only with -fno-exceptions: the library must work when a host
// just copies include/ into its tree — every area of it, from the normaliser to the engine
// writing the CRM, and the PBX protocol.
#include <telcrm/memory.hpp>  // outside the umbrella: they must be header-only too
#include <telcrm/pbx.hpp>
#include <telcrm/sim.hpp>
#include <telcrm/telcrm.hpp>

#define DOCTEST_CONFIG_NO_EXCEPTIONS_BUT_WITH_ALL_ASSERTS
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include "engine/office.hpp"

#ifdef TELCRM_COMPILED_LIB
#error "this test must be built in header-only mode"
#endif

TEST_CASE("header-only mode normalises a number without the compiled library") {
  auto ru = telcrm::Region::from_code("RU");
  REQUIRE(ru.has_value());
  telcrm::PhoneNormalizer normalizer;
  auto number = normalizer.normalize("8 (916) 123-45-67", *ru);
  CHECK(number.e164() == "+79161234567");
  CHECK(number.status() == telcrm::NumberStatus::valid);
}

TEST_CASE("header-only mode reads a PBX request and the caller it names") {
  auto call = telcrm::pbx::parse_new_call(
      R"({"call":"c1","from":"<sip:+79161234567@gw;user=phone>","to":"sip:74951234567@pbx"})");
  REQUIRE(call.has_value());
  CHECK(telcrm::pbx::caller_of(call->from, call->asserted).number == "+79161234567");
  CHECK(telcrm::pbx::dialled_number(call->to) == "74951234567");
}

TEST_CASE("header-only mode runs a call through the engine into the in-memory CRM") {
  using namespace telcrm;
  const auto office = telcrm_test::Office::moscow().contact(5, "+79161234567", 2);
  MemoryCrmStore store(office.crm);
  MemoryDirectory directory(office.employees);
  NullTelephony telephony;
  ManualClock clock{telcrm_test::tuesday(10)};
  auto engine = CallEngine::create(office.settings, Ports{store, directory, telephony, clock});
  REQUIRE(engine.has_value());

  // A known client (R-M3) rings the responsible first (R-R1), who answers.
  auto known = (*engine)->start_call(telcrm_test::incoming("c1", "8 916 123-45-67"));
  REQUIRE(known.has_value());
  CHECK(known->crm == CrmState::matched);
  REQUIRE(known->current.has_value());
  CHECK(known->current->employees == std::vector<EmployeeId>{2});
  REQUIRE((*engine)->answered(Answered{.call = "c1", .step = 0, .employee = 2}).has_value());
  CallEnd end;
  end.call = "c1";
  end.duration = Seconds(30);
  REQUIRE((*engine)->end_call(end).has_value());

  // An unknown caller becomes a lead (R-L1), written through the outbox.
  auto unknown = (*engine)->start_call(telcrm_test::incoming("c2", "+79031112233"));
  REQUIRE(unknown.has_value());
  CallEnd missed;
  missed.call = "c2";
  REQUIRE((*engine)->end_call(missed).has_value());
  CHECK((*engine)->flush() == 0);
  const auto crm = store.snapshot();
  REQUIRE(crm.has_value());
  REQUIRE(crm->leads.size() == 1);
  CHECK(crm->leads.front().phones == std::vector<std::string>{"+79031112233"});
  CHECK(crm->activities.size() == 2);  // R-A2: on the contact, and on the new lead
}
