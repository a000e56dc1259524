// SPDX-License-Identifier: Apache-2.0
// The Bitrix24 methods over a real engine in observe mode and the in-memory store.
#include <telcrm/bitrix24/service.hpp>
#include <telcrm/memory/memory_crm_store.hpp>
#include <telcrm/memory/memory_directory.hpp>
#include <telcrm/sim/null_telephony.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <memory>
#include <string>

#include "engine/office.hpp"

using namespace telcrm;
using namespace telcrm::bitrix24;
using namespace telcrm_test;

namespace {

struct KeptRecordings final : RecordingSink {
  ApiResult<std::string> store(std::string_view call, std::string_view name,
                               std::string_view bytes) override {
    last_bytes = std::string(bytes);
    return "rec/" + std::string(call) + "-" + std::string(name);
  }
  ApiResult<std::string> fetch(std::string_view, std::string_view, std::string_view url) override {
    return api_fail("refused " + std::string(url), "ACCESS_DENIED", 403);
  }
  std::string last_bytes;
};

Office office() {
  Office o = Office::moscow().contact(5, "+79161234567", 3);
  o.employees[0].extension = "101";
  o.employees[1].extension = "102";
  o.employees[2].extension = "103";
  return o;
}

struct Api {
  explicit Api(const Office& o) : store(o.crm), directory(o.employees) {
    auto e = CallEngine::create(o.settings, Ports{store, directory, pbx, clock});
    REQUIRE_MESSAGE(e.has_value(), e.error().message());
    engine = std::move(*e);
    service = std::make_unique<Service>(*engine, store, directory, clock, recordings,
                                        std::vector<std::string>{Office::line},
                                        ServiceOptions{.region = o.settings.default_region});
  }
  Json ok(std::string_view method, const std::string& params) {
    auto a = service->call(method, Json::parse(params));
    REQUIRE_MESSAGE(a.has_value(), a.error().description);
    return a->result;
  }
  ApiError error(std::string_view method, const std::string& params) {
    auto a = service->call(method, Json::parse(params));
    REQUIRE_FALSE(a.has_value());
    return a.error();
  }
  MemoryCrmStore store;
  MemoryDirectory directory;
  NullTelephony pbx;
  ManualClock clock{tuesday(10)};
  KeptRecordings recordings;
  std::unique_ptr<CallEngine> engine;
  std::unique_ptr<Service> service;
};

constexpr auto reg = "telephony.externalcall.register";
constexpr auto fin = "telephony.externalcall.finish";

}  // namespace

TEST_CASE("R-M3 register on a known number returns the primary entity and creates nothing") {
  Api api(office());
  const Json r =
      api.ok(reg, R"({"USER_ID":1,"PHONE_NUMBER":"+7 916 123-45-67","TYPE":2,"CRM_CREATE":1})");
  CHECK(r["CRM_ENTITY_TYPE"] == "CONTACT");
  CHECK(r["CRM_ENTITY_ID"] == 5);
  CHECK(r["CRM_CREATED_ENTITIES"].empty());
  CHECK(r["CRM_CREATED_LEAD"].is_null());
  CHECK(r["CALL_ID"].get<std::string>().rfind("externalCall.", 0) == 0);
  CHECK(api.store.snapshot()->leads.empty());
}

TEST_CASE("R-L5 R-L1 unknown with CRM_CREATE=1: the lead exists at register, for its user") {
  Api api(office());
  const Json r = api.ok(
      reg,
      R"({"USER_PHONE_INNER":"102","PHONE_NUMBER":"+79031112233","TYPE":"2","CRM_CREATE":"1","CRM_SOURCE":"WEB"})");
  REQUIRE(r["CRM_CREATED_LEAD"].is_number());
  CHECK(r["CRM_ENTITY_TYPE"] == "LEAD");
  CHECK(r["CRM_ENTITY_ID"] == r["CRM_CREATED_LEAD"]);
  auto crm = *api.store.snapshot();
  REQUIRE(crm.leads.size() == 1);
  CHECK(crm.leads[0].id == r["CRM_CREATED_LEAD"].get<EntityId>());
  CHECK(crm.leads[0].responsible == 2);
  CHECK(crm.leads[0].source == "WEB");
  // Finished by another user: what this call created goes to them (R-T1, R-A3).
  const Json f = api.ok(fin, R"({"CALL_ID":")" + r["CALL_ID"].get<std::string>() +
                                 R"(","USER_ID":3,"DURATION":20,"STATUS_CODE":"200"})");
  CHECK(f["CALL_STATUS"] == 1);
  CHECK(f["PORTAL_USER_ID"] == "3");
  crm = *api.store.snapshot();
  CHECK(crm.leads[0].responsible == 3);
  CHECK(crm.activities.size() == 1);
}

TEST_CASE("R-L1 unknown with CRM_CREATE=0 creates nothing; R-A6 an unanswered call is missed") {
  Api api(office());
  const Json r =
      api.ok(reg, R"({"USER_ID":1,"PHONE_NUMBER":"+79031112233","TYPE":2,"CRM_CREATE":0})");
  CHECK(r["CRM_ENTITY_TYPE"] == "");
  CHECK(r["CRM_ENTITY_ID"].is_null());
  const std::string id = r["CALL_ID"];
  const Json f = api.ok(fin, (R"({"CALL_ID":")" + id + R"(","USER_ID":1,"DURATION":0})"));
  CHECK(f["CALL_STATUS"] == 0);
  CHECK(f["CALL_FAILED_CODE"] == "304");
  auto crm = *api.store.snapshot();
  CHECK(crm.leads.empty());
  CHECK(crm.missed_calls.size() == 1);
  // A second finish is an error; attachRecord now works, and a repeat replaces it.
  CHECK(api.error(fin, (R"({"CALL_ID":")" + id + R"(","USER_ID":1})")).description ==
        text::not_registered);
}

TEST_CASE("R-I1 a duplicate register within 30 minutes returns the same CALL_ID") {
  Api api(office());
  const char* p = R"({"USER_ID":1,"PHONE_NUMBER":"+79031112233","TYPE":2,"EXTERNAL_CALL_ID":"a"})";
  const Json a = api.ok(reg, p);
  const Json b = api.ok(reg, p);
  CHECK(a["CALL_ID"] == b["CALL_ID"]);
  api.clock.advance(Seconds(31 * 60));
  const Json c = api.ok(reg, p);
  CHECK(c["CALL_ID"] != a["CALL_ID"]);
  const Json other =
      api.ok(reg, R"({"USER_ID":1,"PHONE_NUMBER":"+79031112233","TYPE":2,"EXTERNAL_CALL_ID":"b"})");
  CHECK(other["CALL_ID"] != c["CALL_ID"]);
}

TEST_CASE("R-A4 attachRecord only after finish; show/hide only for a live call") {
  Api api(office());
  const Json r = api.ok(reg, R"({"USER_ID":1,"PHONE_NUMBER":"+7 916 123-45-67","TYPE":2})");
  const std::string id = r["CALL_ID"];
  const std::string attach =
      R"({"CALL_ID":")" + id + R"(","FILENAME":"call.mp3","FILE_CONTENT":"aGVsbG8="})";
  CHECK(api.error("telephony.externalcall.attachrecord", attach).description == text::not_finished);
  CHECK(api.ok("telephony.externalcall.show", (R"({"CALL_ID":")" + id + R"(","USER_ID":[1,2]})")) ==
        true);
  (void)api.ok(fin, (R"({"CALL_ID":")" + id + R"(","USER_ID":1,"DURATION":12})"));
  CHECK(api.ok("telephony.externalcall.hide", (R"({"CALL_ID":")" + id + R"(","USER_ID":1})")) ==
        false);
  const Json a = api.ok("telephony.externalcall.attachrecord", attach);
  const Json b = api.ok("telephony.externalcall.attachrecord", attach);
  CHECK(a["FILE_ID"] != b["FILE_ID"]);
  CHECK(api.recordings.last_bytes == "hello");
  auto crm = *api.store.snapshot();
  REQUIRE(crm.activities.size() == 1);
  CHECK(crm.activities[0].recording == "rec/" + id + "-call.mp3");
  const std::string ogg =
      R"({"CALL_ID":")" + id + R"(","FILENAME":"call.ogg","FILE_CONTENT":"aGVsbG8="})";
  CHECK(api.error("telephony.externalcall.attachrecord", ogg).code == "INVALID_ARGUMENT");
}

TEST_CASE("R-X2 an internal number: no CRM, nothing created even with CRM_CREATE=1") {
  Api api(office());
  const Json r = api.ok(reg, R"({"USER_ID":1,"PHONE_NUMBER":"103","TYPE":2,"CRM_CREATE":1})");
  CHECK(r["CRM_ENTITY_TYPE"] == "");
  CHECK(r["CRM_CREATED_ENTITIES"].empty());
  CHECK(api.store.snapshot()->leads.empty());
}

TEST_CASE("users, searchCrmEntities, findbycomm, crm.*.get/update") {
  Api api(office());
  CHECK(api.error(reg, R"({"USER_ID":9,"PHONE_NUMBER":"1","TYPE":2})").description ==
        text::user_not_found);
  const Json users = api.ok("user.get", R"({"FILTER":{"UF_PHONE_INNER":"102"}})");
  REQUIRE(users.size() == 1);
  CHECK(users[0]["ID"] == "2");
  const Json s =
      api.ok("telephony.externalcall.searchcrmentities", R"({"PHONE_NUMBER":"89161234567"})");
  REQUIRE(s.size() == 1);
  CHECK(s[0]["CRM_ENTITY_TYPE"] == "CONTACT");
  CHECK(s[0]["CRM_ENTITY_ID"] == 5);
  CHECK(s[0]["ASSIGNED_BY_ID"] == 3);
  CHECK(s[0]["ASSIGNED_BY"]["ID"] == "3");
  CHECK(api.ok("crm.duplicate.findbycomm", R"({"type":"PHONE","values":["+79161234567"]})") ==
        Json{{"CONTACT", {5}}});
  CHECK(api.ok("crm.duplicate.findbycomm", R"({"type":"PHONE","values":["+79990001122"]})") ==
        Json::array());
  CHECK(api.ok("crm.contact.get", R"({"id":5})")["ASSIGNED_BY_ID"] == "3");
  CHECK(api.ok("crm.contact.update", R"({"id":5,"fields":{"ASSIGNED_BY_ID":1}})") == true);
  CHECK(api.ok("crm.contact.get", R"({"id":"5"})")["ASSIGNED_BY_ID"] == "1");
  CHECK(api.error("crm.lead.get", R"({"id":77})").code == "NOT_FOUND");
  CHECK(api.error("no.such.method", "{}").code == "ERROR_METHOD_NOT_FOUND");
  CHECK(api.ok("telephony.externalline.add", R"({"NUMBER":"74951234567","NAME":"Main"})")["ID"] ==
        1);
  CHECK(api.error("telephony.externalline.add", R"({"NUMBER":"74951234567"})").description ==
        text::line_exists);
  CHECK(api.ok("telephony.externalline.get", "{}")[0]["CRM_AUTO_CREATE"] == "Y");
}

TEST_CASE("R-M1 CRM_ENTITY_TYPE + CRM_ENTITY_ID: that entity is the call's, with no search") {
  Office o = office().contact(6, "+79169998877", 2);
  Api api(o);
  const Json r = api.ok(reg, R"({"USER_ID":1,"PHONE_NUMBER":"+7 916 123-45-67","TYPE":2,)"
                             R"("CRM_ENTITY_TYPE":"CONTACT","CRM_ENTITY_ID":6})");
  CHECK(r["CRM_ENTITY_TYPE"] == "CONTACT");
  CHECK(r["CRM_ENTITY_ID"] == 6);
  const Json f = api.ok(
      fin, R"({"CALL_ID":")" + r["CALL_ID"].get<std::string>() + R"(","USER_ID":1,"DURATION":8})");
  CHECK(f["CRM_ENTITY_ID"] == 6);
  auto crm = *api.store.snapshot();
  REQUIRE(crm.activities.size() == 1);
  CHECK(std::find(crm.activities[0].bindings.begin(), crm.activities[0].bindings.end(),
                  EntityRef{EntityType::contact, 6}) != crm.activities[0].bindings.end());
}
