// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal: JSON readers and writers of each model type, shared by the telcrm::json sources
// (crm_json.cpp, settings_json.cpp, scenario_json.cpp).

#include <telcrm/crm/employee.hpp>
#include <telcrm/crm/snapshot.hpp>

#include "reader.hpp"

namespace telcrm::json_detail {

void read_employee(Reader& reader, const Json& j, const std::string& path, Employee& out);
void read_employees(Reader& reader, const Json& j, const std::string& path,
                    std::vector<Employee>& out);
Json write_employee(const Employee& e);

void read_crm(Reader& reader, const Json& j, const std::string& path, CrmSnapshot& out);
Json write_crm(const CrmSnapshot& crm);

// One record each, in the snapshot's shapes.
void read_contact(Reader& r, const Json& j, const std::string& path, Contact& out);
void read_company(Reader& r, const Json& j, const std::string& path, Company& out);
void read_lead(Reader& r, const Json& j, const std::string& path, Lead& out);
void read_deal(Reader& r, const Json& j, const std::string& path, Deal& out);
void read_invoice(Reader& r, const Json& j, const std::string& path, Invoice& out);
void read_activity(Reader& r, const Json& j, const std::string& path, CallActivity& out);
void read_missed_call(Reader& r, const Json& j, const std::string& path, MissedCall& out);
void read_call_record(Reader& r, const Json& j, const std::string& path, CallRecord& out);
Json write_contact(const Contact& c);
Json write_company(const Company& c);
Json write_lead(const Lead& l);
Json write_deal(const Deal& d);
Json write_invoice(const Invoice& i);
Json write_activity(const CallActivity& a);
Json write_missed_call(const MissedCall& m);
Json write_call_record(const CallRecord& c);

Json write_entity_ref(const EntityRef& ref);
void read_entity_ref(Reader& reader, const Json& j, const std::string& path, EntityRef& out);

/// Sorts every list of a snapshot by id (missed calls and history keep their order).
void sort_by_id(CrmSnapshot& crm);

}  // namespace telcrm::json_detail

#include <telcrm/crm/match_result.hpp>

namespace telcrm::json_detail {

/// `{"input", "e164" (null when not dialable), "status", "extension"}`.
Json write_number(const PhoneNumber& number, std::string_view input);
/// `{"type", "id", "responsible", "how", "candidates"}`, or null when nothing matched.
Json write_match(const MatchResult& result);

}  // namespace telcrm::json_detail

#include <telcrm/engine/call_result.hpp>

namespace telcrm::json_detail {
/// One `calls[]` entry of the replay output.
Json write_call_result(const CallResult& result);
}  // namespace telcrm::json_detail

#include <telcrm/settings/settings.hpp>

namespace telcrm::json_detail {

// --- settings (settings_json.cpp) ---------------------------------------------------------
template <>
struct EnumValues<CrmMode> {
  static constexpr std::array all{CrmMode::classic, CrmMode::simple};
};
template <>
struct EnumValues<Distribution> {
  static constexpr std::array all{Distribution::evenly,
                                  Distribution::strictly,
                                  Distribution::all,
                                  Distribution::random,
                                  Distribution::fewest_calls,
                                  Distribution::longest_idle,
                                  Distribution::ring_progressively};
};
template <>
struct EnumValues<NoAnswerRule> {
  static constexpr std::array all{NoAnswerRule::voicemail,         NoAnswerRule::forward_to_phone,
                                  NoAnswerRule::forward_to_number, NoAnswerRule::next_queue,
                                  NoAnswerRule::hang_up,           NoAnswerRule::wait};
};
template <>
struct EnumValues<ResponsibleFallback> {
  static constexpr std::array all{ResponsibleFallback::queue, ResponsibleFallback::forward_to_phone,
                                  ResponsibleFallback::voicemail};
};
template <>
struct EnumValues<UnknownCallerAction> {
  static constexpr std::array all{UnknownCallerAction::offer, UnknownCallerAction::create};
};
template <>
struct EnumValues<CreateFor> {
  static constexpr std::array all{CreateFor::incoming, CreateFor::outgoing, CreateFor::all};
};
template <>
struct EnumValues<OffHoursAction> {
  static constexpr std::array all{OffHoursAction::voicemail, OffHoursAction::forward_to_number,
                                  OffHoursAction::hang_up};
};
template <>
struct EnumValues<Weekday> {
  static constexpr std::array all{Weekday::mon, Weekday::tue, Weekday::wed, Weekday::thu,
                                  Weekday::fri, Weekday::sat, Weekday::sun};
};

/// Reads the scenario format's `settings` object. Structural only (types, enum spellings,
/// unknown keys, required keys, time/offset/holiday shapes); validate() checks the meaning.
void read_settings(Reader& reader, const Json& j, const std::string& path, IntegrationSettings& out,
                   std::vector<Employee>& employees);
/// Writes settings with every field spelled out; read_settings(write_settings(s)) == s.
Json write_settings(const IntegrationSettings& settings, std::span<const Employee> employees);
/// Fails (Errc::parse_error) at `root`.employees[i].id when an id repeats.
Result<void> check_unique_employees(const std::vector<Employee>& employees,
                                    const std::string& root);

}  // namespace telcrm::json_detail
