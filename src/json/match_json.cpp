// SPDX-License-Identifier: Apache-2.0
#include "../compiled_lib.hpp"  // first: stops a build without TELCRM_COMPILED_LIB

#include <telcrm/json/match_json.hpp>

#include "model.hpp"

namespace telcrm::json_detail {

Json write_number(const PhoneNumber& number, std::string_view input) {
  Json j = Json::object();
  j["input"] = std::string(input);
  j["e164"] = number.is_dialable() ? Json(std::string(number.e164())) : Json(nullptr);
  j["status"] = std::string(format_as(number.status()));
  j["extension"] = std::string(number.extension());
  return j;
}

Json write_match(const MatchResult& result) {
  if (!result.primary) return Json(nullptr);
  Json j = Json::object();
  j["type"] = std::string(format_as(result.primary->type));
  j["id"] = result.primary->id;
  j["responsible"] = optional_json(result.responsible);
  j["how"] = std::string(format_as(result.how));
  Json candidates = Json::array();
  for (const auto& c : result.candidates) {
    Json cj = write_entity_ref(c.ref);
    cj["how"] = std::string(format_as(c.how));
    candidates.push_back(std::move(cj));
  }
  j["candidates"] = std::move(candidates);
  return j;
}

}  // namespace telcrm::json_detail

TELCRM_BEGIN_NAMESPACE

std::string match_result_to_json(const MatchResult& result, std::string_view input) {
  using json_detail::Json;
  Json j = Json::object();
  j["number"] = json_detail::write_number(result.number, input);
  j["crm"] = std::string(format_as(result.crm));
  j["match"] = json_detail::write_match(result);
  Json bindings = Json::array();
  for (const auto& b : result.bindings) bindings.push_back(json_detail::write_entity_ref(b));
  j["bindings"] = std::move(bindings);
  return json_detail::dump(j);
}

TELCRM_END_NAMESPACE
