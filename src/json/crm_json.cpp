// SPDX-License-Identifier: Apache-2.0
// The CRM snapshot and the employee list as JSON (scenario format: `crm`, `settings.employees`).
#include "../compiled_lib.hpp"  // first: stops a build without TELCRM_COMPILED_LIB

#include <telcrm/json/crm_json.hpp>

#include <algorithm>

#include "model.hpp"
#include "record_fields.hpp"

namespace telcrm::json_detail {

namespace {

template <class T, class ReadOne>
void read_list(Reader& reader, const Json& j, const std::string& path, std::vector<T>& out,
               ReadOne read_one) {
  if (!reader.ok()) return;
  if (!j.is_array()) return reader.fail(path, "expected an array");
  out.clear();
  out.reserve(j.size());
  for (std::size_t i = 0; i < j.size() && reader.ok(); ++i) {
    T value{};
    read_one(reader, j[i], Reader::index_path(path, i), value);
    out.push_back(std::move(value));
  }
}

template <class T, class ReadOne>
void optional_list(ObjectReader& o, Reader& reader, std::string_view key, std::vector<T>& out,
                   ReadOne read_one) {
  const Json* v = o.find(key);
  if (v != nullptr && !v->is_null() && reader.ok())
    read_list(reader, *v, Reader::key_path(o.path(), key), out, read_one);
}

// Ids must be unique within a type: a duplicate would silently shadow a record.
template <class T>
void check_unique_ids(Reader& reader, const std::vector<T>& items, const std::string& path) {
  std::vector<EntityId> ids;
  ids.reserve(items.size());
  for (const auto& item : items) ids.push_back(item.id);
  std::sort(ids.begin(), ids.end());
  auto dup = std::adjacent_find(ids.begin(), ids.end());
  if (dup == ids.end()) return;
  for (std::size_t i = 0; i < items.size(); ++i)
    if (items[i].id == *dup) {
      for (std::size_t k = i + 1; k < items.size(); ++k)
        if (items[k].id == *dup)
          return reader.fail(Reader::index_path(path, k), "duplicate id " + std::to_string(*dup));
    }
}

}  // namespace

void read_contact(Reader& r, const Json& j, const std::string& path, Contact& c) {
  ObjectReader o(r, j, path);
  o.required("id", c.id);
  o.required("name", c.name);
  o.optional("phones", c.phones);
  o.optional("emails", c.emails);
  o.optional("responsible", c.responsible);
  o.optional("company", c.company);
  o.finish();
}

void read_company(Reader& r, const Json& j, const std::string& path, Company& c) {
  ObjectReader o(r, j, path);
  o.required("id", c.id);
  o.required("title", c.title);
  o.optional("phones", c.phones);
  o.optional("emails", c.emails);
  o.optional("responsible", c.responsible);
  o.finish();
}

void read_lead(Reader& r, const Json& j, const std::string& path, Lead& l) {
  ObjectReader o(r, j, path);
  o.required("id", l.id);
  o.required("title", l.title);
  o.optional("phones", l.phones);
  o.optional("responsible", l.responsible);
  o.optional("status", l.status);
  o.optional("modified", l.modified);
  o.optional("contact", l.contact);
  o.optional("company", l.company);
  o.optional("source", l.source);
  o.optional("repeat", l.repeat);
  o.finish();
}

void read_deal(Reader& r, const Json& j, const std::string& path, Deal& d) {
  ObjectReader o(r, j, path);
  o.required("id", d.id);
  o.required("title", d.title);
  o.optional("contact", d.contact);
  o.optional("company", d.company);
  o.optional("responsible", d.responsible);
  o.optional("stage", d.stage);
  o.optional("pipeline", d.pipeline);
  o.optional("modified", d.modified);
  o.optional("source", d.source);
  o.optional("repeat", d.repeat);
  o.finish();
}

void read_invoice(Reader& r, const Json& j, const std::string& path, Invoice& inv) {
  ObjectReader o(r, j, path);
  o.required("id", inv.id);
  o.optional("amount", inv.amount);
  if (const Json* e = o.find("entity"); e != nullptr)
    read_entity_ref(r, *e, Reader::key_path(path, "entity"), inv.entity);
  o.optional("responsible", inv.responsible);
  o.optional("call", inv.call);
  o.finish();
}

void read_activity(Reader& r, const Json& j, const std::string& path, CallActivity& a) {
  ObjectReader o(r, j, path);
  o.required("id", a.id);
  o.optional("call", a.call);
  if (const Json* b = o.find("bindings"); b != nullptr)
    read_list(r, *b, Reader::key_path(path, "bindings"), a.bindings, read_entity_ref);
  o.optional("subject", a.subject);
  o.optional("direction", a.direction);
  o.optional("start", a.start);
  o.optional("duration", a.duration);
  o.optional("status", a.status);
  o.optional("responsible", a.responsible);
  o.optional("recording", a.recording);
  o.optional("voicemail", a.voicemail);
  o.optional("comment", a.comment);
  o.finish();
}

void read_missed_call(Reader& r, const Json& j, const std::string& path, MissedCall& m) {
  ObjectReader o(r, j, path);
  o.required("number", m.number);
  o.required("call", m.call);
  o.optional("called_back_by", m.called_back_by);
  o.finish();
}

void read_call_record(Reader& r, const Json& j, const std::string& path, CallRecord& c) {
  ObjectReader o(r, j, path);
  o.required("call", c.call);
  o.optional("direction", c.direction);
  o.optional("number", c.number);
  o.optional("line", c.line);
  o.optional("start", c.start);
  o.optional("duration", c.duration);
  o.optional("status_code", c.status);
  o.optional("employee", c.employee);
  o.optional("crm", c.crm);
  o.finish();
}

void read_entity_ref(Reader& r, const Json& j, const std::string& path, EntityRef& ref) {
  ObjectReader o(r, j, path);
  o.required("type", ref.type);
  o.required("id", ref.id);
  o.finish();
}

Json write_entity_ref(const EntityRef& ref) {
  return dom_of(entity_ref_fields<DomWriter>, ref);
}

void read_employee(Reader& r, const Json& j, const std::string& path, Employee& e) {
  ObjectReader o(r, j, path);
  o.required("id", e.id);
  o.required("name", e.name);
  o.optional("active", e.active);
  o.optional("presence", e.presence);
  if (const Json* w = o.find("workday"); w != nullptr && r.ok()) {
    const std::string wpath = Reader::key_path(path, "workday");
    if (w->is_null()) {
      e.workday = Workday::untracked;
    } else if (w->is_string() && *w == "open") {
      e.workday = Workday::open;
    } else if (w->is_string() && *w == "closed") {
      e.workday = Workday::closed;
    } else if (w->is_string() && *w == "paused") {
      e.workday = Workday::paused;
    } else {
      r.fail(wpath, "expected one of open, closed, paused, null");
    }
  }
  if (const Json* p = o.find("phones"); p != nullptr && !p->is_null() && r.ok()) {
    ObjectReader phones(r, *p, Reader::key_path(path, "phones"));
    phones.optional("mobile", e.phones.mobile);
    phones.optional("personal", e.phones.personal);
    phones.optional("work", e.phones.work);
    phones.finish();
  }
  o.optional("extension", e.extension);
  o.finish();
}

void read_employees(Reader& r, const Json& j, const std::string& path, std::vector<Employee>& out) {
  read_list(r, j, path, out, read_employee);
  if (!r.ok()) return;
  check_unique_ids(r, out, path);
}

Json write_employee(const Employee& e) {
  Json j = Json::object();
  j["id"] = e.id;
  j["name"] = e.name;
  j["active"] = e.active;
  j["presence"] = std::string(format_as(e.presence));
  j["workday"] =
      e.workday == Workday::untracked ? Json(nullptr) : Json(std::string(format_as(e.workday)));
  Json phones = Json::object();
  phones["mobile"] = optional_json(e.phones.mobile);
  phones["personal"] = optional_json(e.phones.personal);
  phones["work"] = optional_json(e.phones.work);
  j["phones"] = std::move(phones);
  j["extension"] = optional_json(e.extension);
  return j;
}

void sort_by_id(CrmSnapshot& crm) {
  auto by_id = [](const auto& a, const auto& b) { return a.id < b.id; };
  std::stable_sort(crm.contacts.begin(), crm.contacts.end(), by_id);
  std::stable_sort(crm.companies.begin(), crm.companies.end(), by_id);
  std::stable_sort(crm.leads.begin(), crm.leads.end(), by_id);
  std::stable_sort(crm.deals.begin(), crm.deals.end(), by_id);
  std::stable_sort(crm.invoices.begin(), crm.invoices.end(), by_id);
  std::stable_sort(crm.activities.begin(), crm.activities.end(), by_id);
}

void read_crm(Reader& r, const Json& j, const std::string& path, CrmSnapshot& crm) {
  ObjectReader o(r, j, path);
  optional_list(o, r, "contacts", crm.contacts, read_contact);
  optional_list(o, r, "companies", crm.companies, read_company);
  optional_list(o, r, "leads", crm.leads, read_lead);
  optional_list(o, r, "deals", crm.deals, read_deal);
  optional_list(o, r, "invoices", crm.invoices, read_invoice);
  optional_list(o, r, "activities", crm.activities, read_activity);
  optional_list(o, r, "missed_calls", crm.missed_calls, read_missed_call);
  optional_list(o, r, "history", crm.history, read_call_record);
  o.finish();
  if (!r.ok()) return;
  check_unique_ids(r, crm.contacts, Reader::key_path(path, "contacts"));
  check_unique_ids(r, crm.companies, Reader::key_path(path, "companies"));
  check_unique_ids(r, crm.leads, Reader::key_path(path, "leads"));
  check_unique_ids(r, crm.deals, Reader::key_path(path, "deals"));
  check_unique_ids(r, crm.invoices, Reader::key_path(path, "invoices"));
  check_unique_ids(r, crm.activities, Reader::key_path(path, "activities"));
  sort_by_id(crm);
}

Json write_contact(const Contact& c) {
  return dom_of(contact_fields<DomWriter>, c);
}

Json write_company(const Company& c) {
  return dom_of(company_fields<DomWriter>, c);
}

Json write_lead(const Lead& l) {
  return dom_of(lead_fields<DomWriter>, l);
}

Json write_deal(const Deal& d) {
  return dom_of(deal_fields<DomWriter>, d);
}

Json write_invoice(const Invoice& inv) {
  return dom_of(invoice_fields<DomWriter>, inv);
}

Json write_activity(const CallActivity& a) {
  return dom_of(activity_fields<DomWriter>, a);
}

Json write_missed_call(const MissedCall& m) {
  return dom_of(missed_call_fields<DomWriter>, m);
}

Json write_call_record(const CallRecord& c) {
  return dom_of(call_record_fields<DomWriter>, c);
}

Json write_crm(const CrmSnapshot& crm) {
  auto list = [](const auto& items, auto write_one) {
    Json out = Json::array();
    for (const auto& item : items) out.push_back(write_one(item));
    return out;
  };
  Json out = Json::object();
  out["contacts"] = list(crm.contacts, write_contact);
  out["companies"] = list(crm.companies, write_company);
  out["leads"] = list(crm.leads, write_lead);
  out["deals"] = list(crm.deals, write_deal);
  out["invoices"] = list(crm.invoices, write_invoice);
  out["activities"] = list(crm.activities, write_activity);
  out["missed_calls"] = list(crm.missed_calls, write_missed_call);
  out["history"] = list(crm.history, write_call_record);
  return out;
}

}  // namespace telcrm::json_detail

TELCRM_BEGIN_NAMESPACE

Result<CrmSnapshot> crm_from_json(std::string_view text, std::string_view root) {
  auto doc = json_detail::parse_document(text, root, /*prefix=*/true);
  if (!doc) return fail(doc.error());
  json_detail::Reader reader;
  CrmSnapshot crm;
  json_detail::read_crm(reader, *doc, std::string(root), crm);
  if (!reader.ok()) return fail(reader.error());
  return crm;
}

std::string crm_to_json(const CrmSnapshot& snapshot) {
  return json_detail::dump(json_detail::write_crm(snapshot), 2) + "\n";
}

Result<std::vector<Employee>> employees_from_json(std::string_view text, std::string_view root) {
  auto doc = json_detail::parse_document(text, root, /*prefix=*/true);
  if (!doc) return fail(doc.error());
  json_detail::Reader reader;
  std::vector<Employee> employees;
  json_detail::read_employees(reader, *doc, std::string(root), employees);
  if (!reader.ok()) return fail(reader.error());
  return employees;
}

std::string employees_to_json(const std::vector<Employee>& employees) {
  json_detail::Json out = json_detail::Json::array();
  for (const auto& e : employees) out.push_back(json_detail::write_employee(e));
  return json_detail::dump(out, 2) + "\n";
}

TELCRM_END_NAMESPACE
