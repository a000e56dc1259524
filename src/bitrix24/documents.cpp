// SPDX-License-Identifier: Apache-2.0
// The Bitrix24 REST documents out: results, errors, users and CRM records, call ids.
#include "../compiled_lib.hpp"  // first: stops a build without TELCRM_COMPILED_LIB

#include <telcrm/bitrix24/protocol.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "text.hpp"

TELCRM_BEGIN_NAMESPACE
namespace bitrix24 {

using namespace text_detail;

std::string format_result(const Json& result, const Timing& timing,
                          std::optional<std::size_t> total, std::optional<std::size_t> next) {
  Json doc = Json::object();
  doc["result"] = result;
  if (next) doc["next"] = *next;
  if (total) doc["total"] = *total;
  const auto at = [](double s) {
    return format_iso8601(Timestamp(Seconds(static_cast<std::int64_t>(s))));
  };
  const double duration = std::max(0.0, timing.finish - timing.start);
  doc["time"] = Json{{"start", timing.start},
                     {"finish", timing.finish},
                     {"duration", duration},
                     {"processing", duration},
                     {"date_start", at(timing.start)},
                     {"date_finish", at(timing.finish)},
                     {"operating_reset_at", static_cast<std::int64_t>(timing.finish) + 600},
                     {"operating", 0}};
  return doc.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string format_error(const ApiError& error) {
  return Json{{"error", error.code}, {"error_description", error.description}}.dump(
      -1, ' ', false, Json::error_handler_t::replace);
}

namespace {
Json id_text(std::optional<std::int64_t> v) {
  return v ? Json(std::to_string(*v)) : Json(nullptr);
}
Json phones_json(const std::vector<std::string>& phones) {
  Json out = Json::array();
  std::size_t n = 0;
  for (const auto& p : phones)
    out.push_back(
        {{"ID", std::to_string(++n)}, {"VALUE_TYPE", "WORK"}, {"VALUE", p}, {"TYPE_ID", "PHONE"}});
  return out;
}
}  // namespace

Json user_json(const Employee& e) {
  std::string first = e.name, last;
  if (auto space = e.name.rfind(' '); space != std::string::npos) {
    first = e.name.substr(0, space);
    last = e.name.substr(space + 1);
  }
  return Json{{"ID", std::to_string(e.id)},
              {"ACTIVE", e.active},
              {"NAME", first},
              {"LAST_NAME", last},
              {"UF_PHONE_INNER", e.extension ? Json(*e.extension) : Json(nullptr)},
              {"WORK_PHONE", e.phones.work.value_or("")},
              {"PERSONAL_PHONE", e.phones.personal.value_or("")},
              {"PERSONAL_MOBILE", e.phones.mobile.value_or("")},
              {"USER_TYPE", "employee"}};
}

Json contact_json(const Contact& c) {
  return Json{{"ID", std::to_string(c.id)},
              {"NAME", c.name},
              {"ASSIGNED_BY_ID", id_text(c.responsible)},
              {"COMPANY_ID", id_text(c.company)},
              {"LEAD_ID", nullptr},
              {"HAS_PHONE", c.phones.empty() ? "N" : "Y"},
              {"PHONE", phones_json(c.phones)}};
}

Json lead_json(const Lead& l) {
  const char* status = l.status == LeadStatus::in_progress ? "NEW"
                       : l.status == LeadStatus::converted ? "CONVERTED"
                                                           : "JUNK";
  return Json{{"ID", std::to_string(l.id)},
              {"TITLE", l.title},
              {"NAME", l.title},
              {"ASSIGNED_BY_ID", id_text(l.responsible)},
              {"STATUS_ID", status},
              {"SOURCE_ID", l.source ? Json(*l.source) : Json(nullptr)},
              {"CONTACT_ID", id_text(l.contact)},
              {"COMPANY_ID", id_text(l.company)},
              {"IS_RETURN_CUSTOMER", l.repeat ? "Y" : "N"},
              {"HAS_PHONE", l.phones.empty() ? "N" : "Y"},
              {"PHONE", phones_json(l.phones)}};
}

Json deal_json(const Deal& d) {
  const char* stage = d.stage == DealStage::in_progress ? "NEW"
                      : d.stage == DealStage::won       ? "WON"
                                                        : "LOSE";
  return Json{{"ID", std::to_string(d.id)},
              {"TITLE", d.title},
              {"ASSIGNED_BY_ID", id_text(d.responsible)},
              {"STAGE_ID", stage},
              {"CLOSED", d.stage == DealStage::in_progress ? "N" : "Y"},
              {"SOURCE_ID", d.source ? Json(*d.source) : Json(nullptr)},
              {"CONTACT_ID", id_text(d.contact)},
              {"COMPANY_ID", id_text(d.company)},
              {"LEAD_ID", nullptr},
              {"IS_RETURN_CUSTOMER", d.repeat ? "Y" : "N"}};
}

Json company_json(const Company& c) {
  return Json{{"ID", std::to_string(c.id)},
              {"TITLE", c.title},
              {"ASSIGNED_BY_ID", id_text(c.responsible)},
              {"HAS_PHONE", c.phones.empty() ? "N" : "Y"},
              {"PHONE", phones_json(c.phones)}};
}

std::vector<Employee> select_users(std::vector<Employee> employees, const UserQuery& q) {
  std::erase_if(employees, [&](const Employee& e) {
    if (q.inner && e.extension.value_or("") != *q.inner) return true;
    if (q.id && e.id != *q.id) return true;
    if (q.user_type && *q.user_type != "employee") return true;
    if (q.active && e.active != *q.active) return true;
    return false;
  });
  auto key = [&](const Employee& e) -> std::string {
    if (q.sort == "UF_PHONE_INNER") return e.extension.value_or("");
    if (q.sort == "NAME" || q.sort == "LAST_NAME") return e.name;
    return fmt::format("{:020}", e.id);
  };
  std::stable_sort(employees.begin(), employees.end(), [&](const Employee& a, const Employee& b) {
    const auto ka = key(a), kb = key(b);
    if (ka != kb) return q.descending ? ka > kb : ka < kb;
    return a.id < b.id;
  });
  return employees;
}

std::string make_call_id(std::uint64_t high, std::uint64_t low, Timestamp at) {
  return fmt::format("externalCall.{:016x}{:016x}.{}", high, low, at.time_since_epoch().count());
}

bool is_internal(std::string_view number, const std::vector<Employee>& employees) {
  if (number.empty()) return false;
  return std::any_of(employees.begin(), employees.end(), [&](const Employee& e) {
    return e.active && e.extension && !e.extension->empty() && *e.extension == number;
  });
}

}  // namespace bitrix24
TELCRM_END_NAMESPACE
