// SPDX-License-Identifier: Apache-2.0
// Scenarios (input of `telcrm replay`) and the replay output, as JSON.
#include "../compiled_lib.hpp"  // first: stops a build without TELCRM_COMPILED_LIB

#include <telcrm/json/scenario_json.hpp>
#include <telcrm/settings/validate.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>

#include "model.hpp"

namespace telcrm::json_detail {

namespace {

void read_action(Reader& r, const Json& j, const std::string& path, ScenarioAction& a) {
  ObjectReader o(r, j, path);
  std::string kind;
  o.required("create", kind);
  if (!r.ok()) return;
  if (kind == "deal") {
    a.kind = ScenarioAction::Kind::create_deal;
    o.optional("title", a.title);
  } else if (kind == "invoice") {
    a.kind = ScenarioAction::Kind::create_invoice;
    o.required("amount", a.amount);
  } else {
    return r.fail(Reader::key_path(path, "create"), "expected one of deal, invoice");
  }
  o.finish();
}

void read_call(Reader& r, const Json& j, const std::string& path, ScenarioCall& c) {
  ObjectReader o(r, j, path);
  o.required("id", c.id);
  o.required("direction", c.direction);
  o.required("line", c.line);
  if (c.direction == CallDirection::outgoing) {
    o.required("to", c.to);
    o.required("user", c.employee);
    o.optional("from", c.from);
  } else {
    o.required("from", c.from);
    o.optional("to", c.to);
    o.optional("user", c.employee);
  }
  if (const Json* e = o.find("crm_entity"); e != nullptr && !e->is_null() && r.ok()) {
    EntityRef ref;
    read_entity_ref(r, *e, Reader::key_path(path, "crm_entity"), ref);
    c.crm_entity = ref;
  }
  o.required("at", c.at);
  if (const Json* p = o.find("presence"); p != nullptr && !p->is_null() && r.ok()) {
    const std::string ppath = Reader::key_path(path, "presence");
    if (!p->is_object()) return r.fail(ppath, "expected an object such as {\"2\": \"busy\"}");
    for (const auto& [key, value] : p->items()) {
      EmployeeId id = 0;
      auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), id);
      if (ec != std::errc() || end != key.data() + key.size())
        return r.fail(Reader::key_path(ppath, key), "expected an employee id as the key");
      Presence presence = Presence::online;
      r.read(value, Reader::key_path(ppath, key), presence);
      c.presence.emplace_back(id, presence);
    }
  }
  o.optional("answers", c.answers);
  o.optional("phone_answers", c.phone_answers);
  o.optional("caller_hangs_up_after", c.caller_hangs_up_after);
  o.optional("transfer_to", c.transfer_to);
  o.optional("duration", c.duration);
  o.optional("status_code", c.status);
  o.optional("recording", c.recording);
  o.optional("voicemail", c.voicemail);
  o.optional("comment", c.comment);
  if (const Json* d = o.find("during_call"); d != nullptr && !d->is_null() && r.ok()) {
    const std::string dpath = Reader::key_path(path, "during_call");
    if (!d->is_array()) return r.fail(dpath, "expected an array");
    for (std::size_t i = 0; i < d->size() && r.ok(); ++i) {
      ScenarioAction a;
      read_action(r, (*d)[i], Reader::index_path(dpath, i), a);
      c.during_call.push_back(a);
    }
  }
  o.finish();
  if (r.ok() && c.caller_hangs_up_after < Seconds(0))
    r.fail(Reader::key_path(path, "caller_hangs_up_after"), "must not be negative");
  if (r.ok() && c.duration < Seconds(0))
    r.fail(Reader::key_path(path, "duration"), "must not be negative");
}

// References inside the CRM: responsibles are employees, links name records that exist.
void check_crm(Reader& r, const Scenario& s) {
  const CrmSnapshot& crm = s.crm;
  auto has_employee = [&](EmployeeId id) {
    return std::any_of(s.employees.begin(), s.employees.end(),
                       [&](const Employee& e) { return e.id == id; });
  };
  auto exists = [&](EntityType type, EntityId id) {
    auto in = [&](const auto& list) {
      return std::any_of(list.begin(), list.end(), [&](const auto& x) { return x.id == id; });
    };
    switch (type) {
      case EntityType::contact: return in(crm.contacts);
      case EntityType::company: return in(crm.companies);
      case EntityType::lead: return in(crm.leads);
      case EntityType::deal: return in(crm.deals);
      case EntityType::invoice: return in(crm.invoices);
    }
    return false;
  };
  auto check = [&](const std::string& path, const std::optional<EmployeeId>& responsible) {
    if (r.ok() && responsible && !has_employee(*responsible))
      r.fail(path + ".responsible", "unknown employee " + std::to_string(*responsible));
  };
  auto link = [&](const std::string& path, const char* field, EntityType type,
                  const std::optional<EntityId>& id) {
    if (r.ok() && id && !exists(type, *id))
      r.fail(path + "." + field, fmt::format("{} {} does not exist", type, *id));
  };
  for (std::size_t i = 0; i < crm.contacts.size(); ++i) {
    const std::string path = Reader::index_path("$.crm.contacts", i);
    check(path, crm.contacts[i].responsible);
    link(path, "company", EntityType::company, crm.contacts[i].company);
  }
  for (std::size_t i = 0; i < crm.companies.size(); ++i)
    check(Reader::index_path("$.crm.companies", i), crm.companies[i].responsible);
  for (std::size_t i = 0; i < crm.leads.size(); ++i) {
    const std::string path = Reader::index_path("$.crm.leads", i);
    check(path, crm.leads[i].responsible);
    link(path, "contact", EntityType::contact, crm.leads[i].contact);
    link(path, "company", EntityType::company, crm.leads[i].company);
  }
  for (std::size_t i = 0; i < crm.deals.size(); ++i) {
    const std::string path = Reader::index_path("$.crm.deals", i);
    check(path, crm.deals[i].responsible);
    link(path, "contact", EntityType::contact, crm.deals[i].contact);
    link(path, "company", EntityType::company, crm.deals[i].company);
  }
  for (std::size_t i = 0; i < crm.invoices.size(); ++i) {
    const std::string path = Reader::index_path("$.crm.invoices", i);
    check(path, crm.invoices[i].responsible);
    link(path, "entity", crm.invoices[i].entity.type, crm.invoices[i].entity.id);
  }
  for (std::size_t i = 0; i < s.calls.size() && r.ok(); ++i)
    if (const auto& card = s.calls[i].crm_entity; card && !exists(card->type, card->id))
      r.fail(Reader::index_path("$.calls", i) + ".crm_entity",
             fmt::format("{} {} does not exist in the scenario's CRM", card->type, card->id));
}

// References from the calls to the settings: employees and lines must exist.
void check_references(Reader& r, const Scenario& s) {
  auto has_employee = [&](EmployeeId id) {
    return std::any_of(s.employees.begin(), s.employees.end(),
                       [&](const Employee& e) { return e.id == id; });
  };
  auto is_active = [&](EmployeeId id) {
    return std::any_of(s.employees.begin(), s.employees.end(),
                       [&](const Employee& e) { return e.id == id && e.active; });
  };
  const ScenarioCall* previous = nullptr;  // the last call that is not a repeat
  for (std::size_t i = 0; i < s.calls.size() && r.ok(); ++i) {
    const ScenarioCall& c = s.calls[i];
    const std::string path = Reader::index_path("$.calls", i);
    if (std::none_of(s.settings.lines.begin(), s.settings.lines.end(),
                     [&](const LineSettings& l) { return l.number == c.line; }))
      return r.fail(path + ".line", "unknown line '" + c.line + "'");
    if (c.employee && !has_employee(*c.employee))
      return r.fail(path + ".user", "unknown employee " + std::to_string(*c.employee));
    if (c.transfer_to && !has_employee(*c.transfer_to))
      return r.fail(path + ".transfer_to", "unknown employee " + std::to_string(*c.transfer_to));
    if (c.transfer_to && !is_active(*c.transfer_to))
      return r.fail(path + ".transfer_to",
                    "employee " + std::to_string(*c.transfer_to) + " is not active");
    for (std::size_t k = 0; k < c.answers.size(); ++k)
      if (!has_employee(c.answers[k]))
        return r.fail(Reader::index_path(path + ".answers", k),
                      "unknown employee " + std::to_string(c.answers[k]));
    for (const auto& [id, presence] : c.presence)
      if (!has_employee(id))
        return r.fail(path + ".presence." + std::to_string(id),
                      "unknown employee " + std::to_string(id));
    // R-I1: a repeated id must repeat the same call.
    bool repeat = false;
    for (std::size_t k = 0; k < i; ++k) {
      if (s.calls[k].id != c.id) continue;
      if (!(s.calls[k] == c))
        return r.fail(path + ".id", "call id '" + c.id + "' repeats $.calls[" + std::to_string(k) +
                                        "] with different content");
      repeat = true;
    }
    // Calls come in the order they happened (a missed call must not be "called back" by an
    // earlier call); a repeat of an earlier call is its own moment.
    if (!repeat && previous != nullptr && c.at < previous->at)
      return r.fail(path + ".at", "earlier than the call before it (" + previous->id +
                                      "): calls must come in time order");
    if (!repeat) previous = &c;
  }
}

Json write_route_entry(const RouteEntry& e) {
  Json j = Json::object();
  j["step"] = std::string(format_as(e.kind));
  switch (e.kind) {
    case RouteEntry::Kind::ring:
      j["users"] = Json(e.employees);
      j["seconds"] = e.seconds.count();
      break;
    case RouteEntry::Kind::forward:
      j["number"] = e.number;
      j["seconds"] = e.seconds.count();
      break;
    case RouteEntry::Kind::voicemail: j["user"] = optional_json(e.employee); break;
    case RouteEntry::Kind::hang_up: break;
  }
  j["why"] = e.why;
  return j;
}

Json write_created(const CreatedEntity& c) {
  Json j = write_entity_ref(c.entity);
  if (c.entity.type == EntityType::invoice) {
    j["amount"] = c.amount;
  } else {
    j["title"] = c.title;
  }
  if (c.entity.type == EntityType::lead || c.entity.type == EntityType::deal)
    j["source"] = optional_json(c.source);
  j["responsible"] = optional_json(c.responsible);
  if (c.entity.type == EntityType::lead || c.entity.type == EntityType::deal)
    j["repeat"] = c.repeat;
  return j;
}

}  // namespace

Json write_call_result(const CallResult& c) {
  Json j = Json::object();
  j["id"] = c.call;
  j["number"] = write_number(c.match.number, c.input);
  j["crm"] = std::string(format_as(c.match.crm));
  j["match"] = write_match(c.match);
  Json route = Json::array();
  for (const auto& e : c.route) route.push_back(write_route_entry(e));
  j["route"] = std::move(route);
  // The scenario format names the number for forwarded calls, the employee otherwise.
  if (c.answered_by_number)
    j["answered_by"] = *c.answered_by_number;
  else if (c.answered_by)
    j["answered_by"] = *c.answered_by;
  else
    j["answered_by"] = nullptr;
  j["transferred_to"] = optional_json(c.transferred_to);
  j["outcome"] = std::string(format_as(c.outcome));
  j["status_code"] = code_of(c.status);
  Json offer = Json::array();
  for (auto a : c.offer) offer.push_back(std::string(format_as(a)));
  j["offer"] = std::move(offer);
  Json created = Json::array();
  for (const auto& e : c.created) created.push_back(write_created(e));
  j["created"] = std::move(created);
  Json reassigned = Json::array();
  for (const auto& r : c.reassigned) {
    Json rj = write_entity_ref(r.entity);
    rj["from"] = optional_json(r.from);
    rj["to"] = r.to;
    rj["why"] = std::string(format_as(r.why));
    reassigned.push_back(std::move(rj));
  }
  j["reassigned"] = std::move(reassigned);
  if (c.activity) {
    const CallActivity& a = *c.activity;
    Json aj = Json::object();
    Json bindings = Json::array();
    for (const auto& b : a.bindings) bindings.push_back(write_entity_ref(b));
    aj["bindings"] = std::move(bindings);
    aj["subject"] = a.subject;
    aj["direction"] = std::string(format_as(a.direction));
    aj["status"] = std::string(format_as(a.status));
    aj["duration"] = a.duration.count();
    aj["responsible"] = optional_json(a.responsible);
    aj["recording"] = optional_json(a.recording);
    aj["voicemail"] = optional_json(a.voicemail);
    aj["comment"] = optional_json(a.comment);
    j["activity"] = std::move(aj);
  } else {
    j["activity"] = nullptr;
  }
  Json history = Json::object();
  history["employee"] = optional_json(c.history.employee);
  history["duration"] = c.history.duration.count();
  history["status_code"] = code_of(c.history.status);
  history["crm"] = std::string(format_as(c.history.crm));
  j["history"] = std::move(history);
  j["creation"] = std::string(format_as(c.creation));
  return j;
}

}  // namespace telcrm::json_detail

TELCRM_BEGIN_NAMESPACE

Result<Scenario> scenario_from_json(std::string_view text) {
  using namespace json_detail;
  auto doc = parse_document(text);
  if (!doc) return fail(doc.error());
  Reader r;
  Scenario s;
  ObjectReader o(r, *doc, "$");
  o.optional("name", s.name);
  const Json* settings = o.find("settings");
  if (settings == nullptr && r.ok()) r.fail("$", "missing required key 'settings'");
  if (settings != nullptr && r.ok())
    read_settings(r, *settings, "$.settings", s.settings, s.employees);
  if (const Json* crm = o.find("crm"); crm != nullptr && !crm->is_null() && r.ok())
    read_crm(r, *crm, "$.crm", s.crm);
  if (const Json* calls = o.find("calls"); calls != nullptr && r.ok()) {
    if (!calls->is_array()) {
      r.fail("$.calls", "expected an array");
    } else {
      // Each call's JSON is dropped once read: a long scenario is never held twice whole.
      Json& list = *doc->find("calls");  // the same node, writable: `doc` is ours
      s.calls.reserve(list.size());
      for (std::size_t i = 0; i < list.size() && r.ok(); ++i) {
        ScenarioCall c;
        read_call(r, list[i], Reader::index_path("$.calls", i), c);
        s.calls.push_back(std::move(c));
        list[i] = nullptr;
      }
    }
  }
  o.finish();
  if (!r.ok()) return fail(r.error());
  if (auto unique = check_unique_employees(s.employees, "$.settings"); !unique)
    return fail(unique.error());
  for (const auto& problem : validate(s.settings, s.employees, "$.settings"))
    if (problem.severity == Severity::error)
      return fail(Errc::parse_error, problem.path + ": " + problem.message);
  check_references(r, s);
  check_crm(r, s);
  if (!r.ok()) return fail(r.error());
  return s;
}

std::string call_result_to_json(const CallResult& result, int indent) {
  return json_detail::dump(json_detail::write_call_result(result), indent);
}

namespace {
// `text` (a dump(2)) with every line but the first indented by `n` more spaces: a document
// nested that deep in a dump(2) of its parent.
std::string nested(const std::string& text, std::size_t n) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (const char c : text) {
    out += c;
    if (c == '\n') out.append(n, ' ');
  }
  return out;
}
}  // namespace

std::string replay_output_json_begin() {
  return "{\n  \"calls\": [";
}

std::string replay_output_json_call(const CallResult& result, bool first) {
  return std::string(first ? "\n    " : ",\n    ") +
         nested(json_detail::dump(json_detail::write_call_result(result), 2), 4);
}

namespace {
// crm_after's lists, in write_crm()'s order (CrmSnapshot's).
constexpr std::array<std::string_view, 8> crm_lists = {
    "contacts", "companies", "leads", "deals", "invoices", "activities", "missed_calls", "history"};
}  // namespace

ReplayOutputEnd::ReplayOutputEnd(bool any_call, std::function<void(std::string_view)> sink)
    : sink_(std::move(sink)) {
  sink_(any_call ? "\n  ]" : "]");
  sink_(",\n  \"crm_after\": {");
}

void ReplayOutputEnd::reach(int list) {
  while (list_ < list) {
    if (list_ >= 0) sink_(empty_ ? "]" : "\n    ]");
    ++list_;
    sink_(list_ == 0 ? "\n    \"" : ",\n    \"");
    sink_(crm_lists[static_cast<std::size_t>(list_)]);
    sink_("\": [");
    empty_ = true;
  }
}

// write_crm()'s document, one record at a time, so that no whole CRM is held as JSON.
void ReplayOutputEnd::item(int list, const std::string& text) {
  reach(list);
  sink_(empty_ ? "\n      " : ",\n      ");
  empty_ = false;
  sink_(nested(text, 6));
}

void ReplayOutputEnd::add(const Contact& r) {
  item(0, json_detail::dump(json_detail::write_contact(r), 2));
}
void ReplayOutputEnd::add(const Company& r) {
  item(1, json_detail::dump(json_detail::write_company(r), 2));
}
void ReplayOutputEnd::add(const Lead& r) {
  item(2, json_detail::dump(json_detail::write_lead(r), 2));
}
void ReplayOutputEnd::add(const Deal& r) {
  item(3, json_detail::dump(json_detail::write_deal(r), 2));
}
void ReplayOutputEnd::add(const Invoice& r) {
  item(4, json_detail::dump(json_detail::write_invoice(r), 2));
}
void ReplayOutputEnd::add(const CallActivity& r) {
  item(5, json_detail::dump(json_detail::write_activity(r), 2));
}
void ReplayOutputEnd::add(const MissedCall& r) {
  item(6, json_detail::dump(json_detail::write_missed_call(r), 2));
}
void ReplayOutputEnd::add(const CallRecord& r) {
  item(7, json_detail::dump(json_detail::write_call_record(r), 2));
}

void ReplayOutputEnd::finish() {
  reach(static_cast<int>(crm_lists.size()) - 1);
  sink_(empty_ ? "]" : "\n    ]");
  sink_("\n  }\n}\n");
}

void replay_output_json_end(const CrmSnapshot& crm_after, bool any_call,
                            const std::function<void(std::string_view)>& sink) {
  ReplayOutputEnd end(any_call, sink);
  auto all = [&](const auto& items) {
    for (const auto& item : items) end.add(item);
  };
  all(crm_after.contacts);
  all(crm_after.companies);
  all(crm_after.leads);
  all(crm_after.deals);
  all(crm_after.invoices);
  all(crm_after.activities);
  all(crm_after.missed_calls);
  all(crm_after.history);
  end.finish();
}

std::string replay_output_json_end(const CrmSnapshot& crm_after, bool any_call) {
  std::string out;
  replay_output_json_end(crm_after, any_call, [&out](std::string_view s) { out += s; });
  return out;
}

std::string replay_output_to_json(std::span<const CallResult> calls, const CrmSnapshot& crm_after) {
  using json_detail::Json;
  Json out = Json::object();
  Json list = Json::array();
  for (const auto& c : calls) list.push_back(json_detail::write_call_result(c));
  out["calls"] = std::move(list);
  out["crm_after"] = json_detail::write_crm(crm_after);
  return json_detail::dump(out, 2) + "\n";
}

TELCRM_END_NAMESPACE
