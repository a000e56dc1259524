// SPDX-License-Identifier: Apache-2.0
// Integration settings as JSON (scenario format: `settings`), strict, with paths.
#include "../compiled_lib.hpp"  // first: stops a build without TELCRM_COMPILED_LIB

#include <telcrm/json/settings_json.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

#include "model.hpp"

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

// A present, non-null value of `key`, or nullptr (absent and null keep the default).
const Json* present(ObjectReader& o, std::string_view key) {
  const Json* v = o.find(key);
  return v != nullptr && !v->is_null() ? v : nullptr;
}

// A string field in a fixed textual shape (times, offsets, holidays), parsed by `parse`.
template <class T, class Parse>
void read_text(Reader& r, const Json& j, const std::string& path, T& out, Parse parse,
               std::string_view expected) {
  if (!r.ok()) return;
  if (j.is_string()) {
    if (auto value = parse(j.get_ref<const std::string&>())) {
      out = *value;
      return;
    }
  }
  r.fail(path, expected);
}

void read_simple_mode(Reader& r, const Json& j, const std::string& path, SimpleModeSettings& s) {
  ObjectReader o(r, j, path);
  if (const Json* create = present(o, "create"); create != nullptr && r.ok()) {
    const std::string cpath = Reader::key_path(path, "create");
    std::vector<std::string> items;
    r.read(*create, cpath, items);
    bool deal = false;
    bool contact = false;
    bool company = false;
    for (std::size_t i = 0; i < items.size() && r.ok(); ++i) {
      bool* flag = items[i] == "deal"      ? &deal
                   : items[i] == "contact" ? &contact
                   : items[i] == "company" ? &company
                                           : nullptr;
      if (flag == nullptr)
        r.fail(Reader::index_path(cpath, i), "expected one of deal, contact, company");
      else if (*flag)
        r.fail(Reader::index_path(cpath, i), "'" + items[i] + "' is listed twice");
      else
        *flag = true;
    }
    if (r.ok() && !deal) r.fail(cpath, "must include \"deal\" (and a contact, a company or both)");
    s.create_contact = contact;
    s.create_company = company;
  }
  o.optional("pipeline", s.pipeline);
  o.finish();
}

void read_exceptions(Reader& r, const Json& j, const std::string& path, ExceptionSettings& e) {
  ObjectReader o(r, j, path);
  o.optional("phones", e.phones);
  o.optional("emails", e.emails);
  o.finish();
}

void read_queue(Reader& r, const Json& j, const std::string& path, QueueSettings& q) {
  ObjectReader o(r, j, path);
  o.required("id", q.id);
  o.required("members", q.members);
  o.optional("distribution", q.distribution);
  o.optional("rings", q.rings);
  o.optional("no_answer", q.no_answer);
  o.optional("forward_number", q.forward_number);
  o.optional("next_queue", q.next_queue);
  o.finish();
}

void read_work_hours(Reader& r, const Json& j, const std::string& path, WorkHours& w) {
  ObjectReader o(r, j, path);
  if (const Json* v = present(o, "utc_offset"))
    read_text(r, *v, Reader::key_path(path, "utc_offset"), w.utc_offset, parse_utc_offset,
              "expected a UTC offset such as \"+03:00\" or \"-05:30\"");
  if (const Json* v = present(o, "days"); v != nullptr && r.ok()) {
    const std::string dpath = Reader::key_path(path, "days");
    std::vector<Weekday> days;
    r.read(*v, dpath, days);
    w.days.fill(false);
    for (std::size_t i = 0; i < days.size() && r.ok(); ++i) {
      auto& slot = w.days[static_cast<std::size_t>(days[i])];
      if (slot) {
        // Built by appending: GCC 12 warns (-Wrestrict, a false positive) on
        // `"literal" + std::string` at -O3.
        std::string message = "'";
        message += format_as(days[i]);
        message += "' is listed twice";
        r.fail(Reader::index_path(dpath, i), message);
      }
      slot = true;
    }
  }
  for (const char* name : {"from", "to"}) {
    if (const Json* v = present(o, name))
      read_text(r, *v, Reader::key_path(path, name),
                std::string_view(name) == "from" ? w.from : w.to, parse_time_of_day,
                "expected a time of day such as \"09:00\"");
  }
  if (const Json* v = present(o, "holidays"); v != nullptr && r.ok()) {
    const std::string hpath = Reader::key_path(path, "holidays");
    if (!v->is_array()) {
      r.fail(hpath, "expected an array");
    } else {
      w.holidays.clear();
      for (std::size_t i = 0; i < v->size() && r.ok(); ++i) {
        MonthDay day{};
        read_text(r, (*v)[i], Reader::index_path(hpath, i), day, parse_month_day,
                  "expected a day.month such as \"09.05\"");
        w.holidays.push_back(day);
      }
    }
  }
  o.optional("off_hours", w.off_hours);
  o.optional("forward_number", w.forward_number);
  o.finish();
}

void read_line(Reader& r, const Json& j, const std::string& path, LineSettings& l) {
  ObjectReader o(r, j, path);
  o.required("number", l.number);
  o.optional("region", l.region);
  o.optional("crm_lookup", l.crm_lookup);
  o.optional("route_to_responsible", l.route_to_responsible);
  o.optional("responsible_ring_seconds", l.responsible_ring_time);
  o.optional("responsible_no_answer", l.responsible_no_answer);
  o.optional("only_working_employees", l.only_working_employees);
  o.required("queue", l.queue);
  o.optional("unknown_caller", l.unknown_caller);
  o.optional("create_for", l.create_for);
  o.optional("source", l.source);
  o.optional("lead_title", l.lead_title);
  o.optional("change_responsible_on_transfer", l.change_responsible_on_transfer);
  o.optional("record_calls", l.record_calls);
  if (const Json* v = o.find("work_hours"); v != nullptr && r.ok()) {
    if (v->is_null()) {
      l.work_hours.reset();
    } else {
      WorkHours w;
      read_work_hours(r, *v, Reader::key_path(path, "work_hours"), w);
      l.work_hours = std::move(w);
    }
  }
  o.finish();
}

Json write_work_hours(const WorkHours& w) {
  Json j = Json::object();
  j["utc_offset"] = format_utc_offset(w.utc_offset);
  Json days = Json::array();
  for (Weekday d : EnumValues<Weekday>::all)
    if (w.days[static_cast<std::size_t>(d)]) days.push_back(std::string(format_as(d)));
  j["days"] = std::move(days);
  j["from"] = format_time_of_day(w.from);
  j["to"] = format_time_of_day(w.to);
  Json holidays = Json::array();
  for (MonthDay h : w.holidays) holidays.push_back(format_month_day(h));
  j["holidays"] = std::move(holidays);
  j["off_hours"] = std::string(format_as(w.off_hours));
  j["forward_number"] = optional_json(w.forward_number);
  return j;
}

Json write_queue(const QueueSettings& q) {
  Json j = Json::object();
  j["id"] = q.id;
  j["members"] = Json(q.members);
  j["distribution"] = std::string(format_as(q.distribution));
  j["rings"] = q.rings;
  j["no_answer"] = std::string(format_as(q.no_answer));
  j["forward_number"] = optional_json(q.forward_number);
  j["next_queue"] = optional_json(q.next_queue);
  return j;
}

Json write_line(const LineSettings& l) {
  Json j = Json::object();
  j["number"] = l.number;
  j["region"] = l.region ? Json(std::string(l.region->code())) : Json(nullptr);
  j["crm_lookup"] = l.crm_lookup;
  j["route_to_responsible"] = l.route_to_responsible;
  j["responsible_ring_seconds"] = l.responsible_ring_time.count();
  j["responsible_no_answer"] = std::string(format_as(l.responsible_no_answer));
  j["only_working_employees"] = l.only_working_employees;
  j["queue"] = l.queue;
  j["unknown_caller"] = std::string(format_as(l.unknown_caller));
  j["create_for"] = std::string(format_as(l.create_for));
  j["source"] = l.source;
  j["lead_title"] = l.lead_title;
  j["change_responsible_on_transfer"] = l.change_responsible_on_transfer;
  j["record_calls"] = l.record_calls;
  j["work_hours"] = l.work_hours ? write_work_hours(*l.work_hours) : Json(nullptr);
  return j;
}

}  // namespace

void read_settings(Reader& r, const Json& j, const std::string& path, IntegrationSettings& s,
                   std::vector<Employee>& employees) {
  ObjectReader o(r, j, path);
  o.optional("crm_mode", s.crm_mode);
  o.required("default_region", s.default_region);
  o.optional("repeat_sales", s.repeat_sales);
  if (const Json* v = present(o, "simple_mode"); v != nullptr && r.ok())
    read_simple_mode(r, *v, Reader::key_path(path, "simple_mode"), s.simple_mode);
  o.optional("match_suffix_digits", s.match_suffix_digits);
  if (const Json* v = present(o, "exceptions"); v != nullptr && r.ok())
    read_exceptions(r, *v, Reader::key_path(path, "exceptions"), s.exceptions);
  if (const Json* v = present(o, "employees"); v != nullptr && r.ok())
    read_employees(r, *v, Reader::key_path(path, "employees"), employees);
  if (const Json* v = present(o, "queues"); v != nullptr && r.ok())
    read_list(r, *v, Reader::key_path(path, "queues"), s.queues, read_queue);
  if (const Json* v = present(o, "lines"); v != nullptr && r.ok())
    read_list(r, *v, Reader::key_path(path, "lines"), s.lines, read_line);
  o.finish();
}

Json write_settings(const IntegrationSettings& s, std::span<const Employee> staff) {
  Json j = Json::object();
  j["crm_mode"] = std::string(format_as(s.crm_mode));
  j["default_region"] = std::string(s.default_region.code());
  j["repeat_sales"] = s.repeat_sales;
  Json create = Json::array({"deal"});
  if (s.simple_mode.create_contact) create.push_back("contact");
  if (s.simple_mode.create_company) create.push_back("company");
  Json simple = Json::object();
  simple["create"] = std::move(create);
  simple["pipeline"] = s.simple_mode.pipeline;
  j["simple_mode"] = std::move(simple);
  j["match_suffix_digits"] = s.match_suffix_digits;
  Json exceptions = Json::object();
  exceptions["phones"] = Json(s.exceptions.phones);
  exceptions["emails"] = Json(s.exceptions.emails);
  j["exceptions"] = std::move(exceptions);
  Json employees = Json::array();
  for (const auto& e : staff) employees.push_back(write_employee(e));
  j["employees"] = std::move(employees);
  Json queues = Json::array();
  for (const auto& q : s.queues) queues.push_back(write_queue(q));
  j["queues"] = std::move(queues);
  Json lines = Json::array();
  for (const auto& l : s.lines) lines.push_back(write_line(l));
  j["lines"] = std::move(lines);
  return j;
}

Result<void> check_unique_employees(const std::vector<Employee>& employees,
                                    const std::string& root) {
  for (std::size_t i = 0; i < employees.size(); ++i)
    for (std::size_t k = 0; k < i; ++k)
      if (employees[k].id == employees[i].id)
        return fail(
            Errc::parse_error,
            Reader::key_path(Reader::index_path(Reader::key_path(root, "employees"), i), "id") +
                ": duplicate employee id " + std::to_string(employees[i].id));
  return {};
}

}  // namespace telcrm::json_detail

TELCRM_BEGIN_NAMESPACE

Result<LoadedSettings> settings_from_json(std::string_view text, std::string_view root) {
  auto doc = json_detail::parse_document(text, root, /*prefix=*/true);
  if (!doc) return fail(doc.error());
  json_detail::Reader reader;
  LoadedSettings loaded;
  std::vector<Employee> employees;
  json_detail::read_settings(reader, *doc, std::string(root), loaded.settings, employees);
  if (!reader.ok()) return fail(reader.error());
  if (auto unique = json_detail::check_unique_employees(employees, std::string(root)); !unique)
    return fail(unique.error());
  loaded.directory = std::make_shared<MemoryDirectory>(employees);
  return loaded;
}

std::string settings_to_json(const IntegrationSettings& settings,
                             std::span<const Employee> employees) {
  return json_detail::dump(json_detail::write_settings(settings, employees), 2) + "\n";
}

TELCRM_END_NAMESPACE
