// SPDX-License-Identifier: Apache-2.0
// The Bitrix24 REST telephony methods over one CallEngine in observe mode.
#include "../compiled_lib.hpp"  // first: stops a build without TELCRM_COMPILED_LIB

#include <telcrm/bitrix24/service.hpp>
#include <telcrm/phone/phone_normalizer.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

TELCRM_BEGIN_NAMESPACE
namespace bitrix24 {

namespace {

constexpr std::string_view methods[] = {
    "telephony.externalcall.register",
    "telephony.externalcall.finish",
    "telephony.externalcall.attachrecord",
    "telephony.externalcall.show",
    "telephony.externalcall.hide",
    "telephony.externalcall.searchcrmentities",
    "telephony.externalline.add",
    "telephony.externalline.get",
    "user.get",
    "crm.duplicate.findbycomm",
    "crm.contact.get",
    "crm.lead.get",
    "crm.deal.get",
    "crm.company.get",
    "crm.contact.update",
    "crm.lead.update",
    "crm.deal.update",
    "crm.company.update",
};

ApiUnexpected from_error(const Error& e) {
  const int status = e.code() == Errc::not_found             ? 404
                     : e.code() == Errc::storage_unavailable ? 503
                                                             : 400;
  return ApiUnexpected(ApiError{status, "ERROR_CORE", e.message()});
}

Json entity_id_json(const std::optional<EntityRef>& ref) {
  return ref && ref->id > 0 ? Json(ref->id) : Json(nullptr);
}

// Collects, per type, the ids of the records with a phone whose E.164 is `e164`.
struct PhoneScan final : CrmVisitor {
  PhoneScan(std::string e164, Region region) : e164_(std::move(e164)), region_(region) {}
  using CrmVisitor::visit;
  void visit(const Contact& c) override { add(EntityType::contact, c.id, c.phones); }
  void visit(const Company& c) override { add(EntityType::company, c.id, c.phones); }
  void visit(const Lead& l) override { add(EntityType::lead, l.id, l.phones); }
  void add(EntityType type, EntityId id, const std::vector<std::string>& phones) {
    for (const auto& p : phones) {
      if (normalizer_.normalize(p, region_).e164() == e164_) {
        found[type].push_back(id);
        return;
      }
    }
  }
  std::map<EntityType, std::vector<EntityId>> found;

 private:
  std::string e164_;
  Region region_;
  PhoneNormalizer normalizer_;
};

}  // namespace

Service::Service(CallEngine& engine, CrmStore& store, Directory& directory, const Clock& clock,
                 RecordingSink& recordings, std::vector<std::string> lines, ServiceOptions options)
    : engine_(engine),
      store_(store),
      directory_(directory),
      clock_(clock),
      recordings_(recordings),
      lines_(std::move(lines)),
      options_(std::move(options)),
      random_(std::random_device{}()) {}

bool Service::has_method(std::string_view method) noexcept {
  return std::find(std::begin(methods), std::end(methods), method) != std::end(methods);
}

ApiResult<Answer> Service::call(std::string_view m, const Json& p) {
  if (m == "telephony.externalcall.register") return register_call(p);
  if (m == "telephony.externalcall.finish") return finish(p);
  if (m == "telephony.externalcall.attachrecord") return attach_record(p);
  if (m == "telephony.externalcall.show") return card(p, true);
  if (m == "telephony.externalcall.hide") return card(p, false);
  if (m == "telephony.externalcall.searchcrmentities") return search(p);
  if (m == "telephony.externalline.add") return line_add(p);
  if (m == "telephony.externalline.get") return line_get();
  if (m == "user.get") return user_get(p);
  if (m == "crm.duplicate.findbycomm") return find_by_comm(p);
  constexpr std::string_view crm = "crm.";
  if (m.substr(0, crm.size()) == crm) {
    const auto dot = m.rfind('.');
    const auto type = type_of(m.substr(crm.size(), dot - crm.size()));
    if (type && m.substr(dot) == ".get") return entity_get(*type, p);
    if (type && m.substr(dot) == ".update") return entity_update(*type, p);
  }
  return api_fail(text::method_not_found, "ERROR_METHOD_NOT_FOUND", 404);
}

ApiResult<Employee> Service::user_of(const UserRef& user) const {
  if (user.id) {
    auto found = directory_.find_employee(*user.id);
    if (!found) return from_error(found.error());
    if (*found && (*found)->active) return **found;
  }
  if (!user.id && user.inner) {
    auto all = directory_.employees();
    if (!all) return from_error(all.error());
    for (const auto& e : *all)
      if (e.active && e.extension && *e.extension == *user.inner) return e;
  }
  return api_fail(text::user_not_found);
}

std::string Service::engine_line(const std::string& line_number) const {
  if (!line_number.empty()) {
    const std::string digits = strip_phone(line_number);
    for (const auto& l : lines_)
      if (l == line_number || (!digits.empty() && strip_phone(l) == digits) ||
          (!digits.empty() && strip_phone(l) == "+" + digits))
        return l;
  }
  if (!options_.default_line.empty()) return options_.default_line;
  return lines_.empty() ? std::string() : lines_.front();
}

void Service::note_line(const std::string& number) {  // under mutex_
  for (const auto& l : external_lines_)
    if (l.number == number) return;
  external_lines_.push_back(
      {number, number, true, static_cast<std::int64_t>(external_lines_.size() + 1)});
}

// --- register / finish -------------------------------------------------------------------------

ApiResult<Answer> Service::register_call(const Json& p) {
  auto req = parse_register(p);
  if (!req) return ApiUnexpected(req.error());
  auto user = user_of(req->user);
  if (!user) return ApiUnexpected(user.error());
  auto staff = directory_.employees();
  if (!staff) return from_error(staff.error());
  const Timestamp now = clock_.now();
  const Timestamp at = req->start.value_or(now);

  std::lock_guard lock(mutex_);
  std::erase_if(live_, [&](const auto& entry) {  // a PBX that never finished them
    return entry.second.seen < now - options_.stale_after;
  });
  for (const auto& [id, l] : live_) {  // the same live call within 30 minutes (R-I1)
    if (l.user == user->id && l.number == req->number && l.type == req->type &&
        (req->line.empty() || l.line == req->line) &&
        (req->external_id.empty() || l.external_id == req->external_id) &&
        l.at > now - options_.dedup_window)
      return Answer{l.registered};
  }
  const std::string call_id = make_call_id(random_(), random_(), now);
  if (!req->line.empty()) note_line(req->line);  // an unknown line is created for the app
  const bool internal = is_internal(req->number, *staff);

  CallStart start;
  start.call = call_id;
  start.direction = req->type == 1   ? CallDirection::outgoing
                    : req->type == 4 ? CallDirection::callback
                                     : CallDirection::incoming;
  start.line = engine_line(req->line);
  start.number = req->number;
  start.employee = user->id;
  start.card = req->entity;
  start.at = at;
  start.mode = CallMode::observe;
  start.create = internal ? false : req->crm_create;  // CRM_CREATE overrides R-L1/R-L2
  start.source = req->source;
  auto begun = engine_.start_call(start);
  if (!begun) return from_error(begun.error());
  (void)engine_.flush();  // the ids of what it created are the store's from here on
  auto seen = engine_.peek(call_id);

  Json result = Json::object();
  result["CALL_ID"] = call_id;
  Json created = Json::array();
  Json created_lead = nullptr;
  std::optional<EntityRef> primary = req->entity;
  if (seen) {
    for (const auto& c : seen->created) {
      if (c.entity.id <= 0 || c.entity.type == EntityType::invoice) continue;
      created.push_back({{"ENTITY_TYPE", type_name(c.entity.type)}, {"ENTITY_ID", c.entity.id}});
      if (c.entity.type == EntityType::lead && created_lead.is_null()) created_lead = c.entity.id;
    }
    if (!primary) primary = seen->match.primary;
    if (!primary) {  // nothing matched: what it created, lead first, then the contact
      for (auto type : {EntityType::lead, EntityType::contact, EntityType::company})
        for (const auto& c : seen->created)
          if (!primary && c.entity.type == type) primary = c.entity;
    }
    if (req->crm_create && !internal && seen->created.empty() &&
        seen->creation == CreationReason::index_not_loaded)
      result["LEAD_CREATION_ERROR"] = "the CRM is not loaded yet";
  }
  result["CRM_CREATED_LEAD"] = created_lead;
  result["CRM_CREATED_ENTITIES"] = created;
  result["CRM_ENTITY_TYPE"] = primary ? Json(type_name(primary->type)) : Json("");
  result["CRM_ENTITY_ID"] = entity_id_json(primary);

  Live live;
  live.call_id = call_id;
  live.user = user->id;
  live.number = req->number;
  live.type = req->type;
  live.line = req->line;
  live.external_id = req->external_id;
  live.at = at;
  live.seen = now;
  live.registered = result;
  live_.emplace(call_id, std::move(live));
  return Answer{std::move(result)};
}

ApiResult<Answer> Service::finish(const Json& p) {
  auto req = parse_finish(p);
  if (!req) return ApiUnexpected(req.error());
  auto user = user_of(req->user);
  if (!user) return ApiUnexpected(user.error());
  Live live;
  {
    std::lock_guard lock(mutex_);
    auto it = live_.find(req->call_id);
    if (it == live_.end()) return api_fail(text::not_registered);
    live = std::move(it->second);
    live_.erase(it);  // a second finish is an error, as in Bitrix24
  }
  if (req->duration > 0) {
    Answered answered;
    answered.call = live.call_id;
    answered.employee = user->id;
    (void)engine_.answered(answered);
  }
  CallEnd end;
  end.call = live.call_id;
  end.duration = Seconds(req->duration);
  if (req->status) end.status = static_cast<CallStatus>(*req->status);
  end.employee = user->id;  // only what this call created goes to them (R-T1, R-A3)
  auto ended = engine_.end_call(end);
  if (!ended) return from_error(ended.error());
  (void)engine_.flush();
  auto seen = engine_.peek(live.call_id);
  const CallResult& r = seen ? *seen : *ended;

  const std::string code =
      req->status_text.empty() ? (req->duration > 0 ? "200" : "304") : req->status_text;
  Json record = Json::object();
  std::uint64_t stat_id = 0;
  {
    std::lock_guard lock(mutex_);
    stat_id = ++next_stat_;
  }
  std::optional<EntityRef> primary = r.match.primary;
  if (!primary)
    for (const auto& c : r.created)
      if (!primary && c.entity.type != EntityType::invoice && c.entity.type != EntityType::deal)
        primary = c.entity;
  record["ID"] = std::to_string(stat_id);
  record["CALL_ID"] = live.call_id;
  record["EXTERNAL_CALL_ID"] = live.external_id.empty() ? Json(nullptr) : Json(live.external_id);
  record["PORTAL_USER_ID"] = std::to_string(user->id);
  record["PHONE_NUMBER"] = live.number;
  record["PORTAL_NUMBER"] = live.line;
  record["INCOMING"] = std::to_string(live.type);
  record["CALL_DURATION"] = std::to_string(req->duration);
  record["CALL_START_DATE"] = format_iso8601(live.at);
  record["CALL_STATUS"] = req->duration > 0 ? 1 : 0;
  record["CALL_VOTE"] = req->vote ? Json(*req->vote) : Json(nullptr);
  record["COST"] = req->cost;
  record["COST_CURRENCY"] = req->currency;
  record["CALL_FAILED_CODE"] = code;
  record["CALL_FAILED_REASON"] = req->failed_reason;
  record["REST_APP_ID"] = nullptr;
  record["REST_APP_NAME"] = "telcrm";
  record["CRM_ACTIVITY_ID"] =
      r.activity && r.activity->id > 0 ? Json(r.activity->id) : Json(nullptr);
  record["COMMENT"] = nullptr;
  record["CRM_ENTITY_TYPE"] = primary ? Json(type_name(primary->type)) : Json("");
  record["CRM_ENTITY_ID"] = entity_id_json(primary);
  if (!r.activity && r.match.crm == CrmState::matched)
    record["ERRORS"] = {{"ACTIVITY_CREATION", "no activity was written"}};
  {
    std::lock_guard lock(mutex_);
    finished_[live.call_id] = Finished{record, 0};
    finished_order_.push_back(live.call_id);
    while (finished_order_.size() > options_.remembered) {
      finished_.erase(finished_order_.front());
      finished_order_.pop_front();
    }
  }
  if (req->record_url) {  // deprecated here, but still honoured: as attachRecord would
    Json attach = {{"CALL_ID", live.call_id}, {"RECORD_URL", *req->record_url}};
    if (auto attached = attach_record(attach); !attached)
      record["ERRORS"]["RECORD"] = attached.error().description;
  }
  return Answer{std::move(record)};
}

// --- recordings, cards -------------------------------------------------------------------------

ApiResult<Answer> Service::attach_record(const Json& p) {
  auto req = parse_attach_record(p);
  if (!req) return ApiUnexpected(req.error());
  {
    std::lock_guard lock(mutex_);
    if (!finished_.contains(req->call_id)) return api_fail(text::not_finished);
  }
  std::string filename = req->filename;
  if (filename.empty() && req->record_url) {
    if (auto url = parse_url(*req->record_url)) {
      std::string path = url->target.substr(0, url->target.find('?'));
      filename = path.substr(path.rfind('/') + 1);
    }
  }
  if (!is_recording_name(filename))
    return api_fail("Only wav and mp3 recordings are accepted", "INVALID_ARGUMENT");
  auto kept = req->content ? recordings_.store(req->call_id, filename, *req->content)
                           : recordings_.fetch(req->call_id, filename, *req->record_url);
  if (!kept) return ApiUnexpected(kept.error());
  if (auto attached = engine_.attach_recording(req->call_id, *kept); !attached)
    return from_error(attached.error());
  (void)engine_.flush();
  std::lock_guard lock(mutex_);
  auto& f = finished_[req->call_id];
  f.file_id = ++next_file_;  // a repeat replaces the recording: a new file
  return Answer{Json{{"FILE_ID", f.file_id}}};
}

ApiResult<Answer> Service::card(const Json& p, bool /*show*/) {
  auto req = parse_card(p);
  if (!req) return ApiUnexpected(req.error());
  std::lock_guard lock(mutex_);
  return Answer{Json(live_.contains(req->call_id))};  // a card only: never an observed ring
}

// --- CRM questions -----------------------------------------------------------------------------

ApiResult<std::map<EntityType, std::vector<EntityId>>> Service::records_with(
    std::string_view number) {
  PhoneNormalizer normalizer;
  const PhoneNumber n = normalizer.normalize(number, options_.region);
  if (!n.is_dialable()) return std::map<EntityType, std::vector<EntityId>>{};
  PhoneScan scan(std::string(n.e164()), options_.region);
  if (auto ok = store_.scan(scan); !ok) return from_error(ok.error());
  for (auto& [type, ids] : scan.found) std::sort(ids.begin(), ids.end());
  return std::move(scan.found);
}

ApiResult<Answer> Service::search(const Json& p) {
  auto number = text_of(find(p, "PHONE_NUMBER"));
  if (!number || strip_phone(*number).empty()) return api_fail(text::phone_empty);
  auto found = records_with(*number);
  if (!found) return ApiUnexpected(found.error());
  auto staff = directory_.employees();
  if (!staff) return from_error(staff.error());
  Json out = Json::array();
  for (auto type : {EntityType::contact, EntityType::lead, EntityType::company}) {
    auto it = found->find(type);
    if (it == found->end() || it->second.empty()) continue;
    const EntityId id = it->second.front();  // at most one per type: the lowest id
    std::optional<EmployeeId> responsible;
    std::string name;
    if (type == EntityType::contact) {
      if (auto c = store_.find_contact(id); c && *c)
        responsible = (*c)->responsible, name = (*c)->name;
    } else if (type == EntityType::lead) {
      if (auto l = store_.find_lead(id); l && *l)
        responsible = (*l)->responsible, name = (*l)->title;
    } else if (auto c = store_.find_company(id); c && *c) {
      responsible = (*c)->responsible, name = (*c)->title;
    }
    Json item = {{"CRM_ENTITY_TYPE", type_name(type)},
                 {"CRM_ENTITY_ID", id},
                 {"ASSIGNED_BY_ID", responsible ? Json(*responsible) : Json(nullptr)},
                 {"NAME", name}};
    if (responsible) {
      for (const auto& e : *staff) {
        if (e.id != *responsible) continue;
        item["ASSIGNED_BY"] = {{"ID", std::to_string(e.id)},
                               {"TIMEMAN_STATUS", "UNAVAILABLE"},
                               {"USER_PHONE_INNER", e.extension.value_or("")},
                               {"WORK_PHONE", e.phones.work.value_or("")},
                               {"PERSONAL_PHONE", e.phones.personal.value_or("")},
                               {"PERSONAL_MOBILE", e.phones.mobile.value_or("")}};
      }
    }
    out.push_back(std::move(item));
  }
  return Answer{std::move(out)};
}

ApiResult<Answer> Service::find_by_comm(const Json& p) {
  auto type = text_of(find(p, "TYPE"));
  if (!type || (*type != "PHONE" && *type != "EMAIL"))
    return api_fail("Parameter 'type' is not defined or invalid", "INVALID_ARGUMENT");
  const Json* values = find(p, "VALUES");
  if (values == nullptr || (!values->is_array() && !values->is_object()) || values->empty())
    return api_fail("Parameter 'values' is not defined or empty", "INVALID_ARGUMENT");
  if (values->size() > 20) return api_fail("Too many values: at most 20", "INVALID_ARGUMENT");
  auto only = type_of(text_of(find(p, "ENTITY_TYPE")).value_or(""));
  std::map<EntityType, std::vector<EntityId>> all;
  if (*type == "PHONE") {
    for (const auto& v : *values) {
      auto number = text_of(&v);
      if (!number) continue;
      auto found = records_with(*number);
      if (!found) return ApiUnexpected(found.error());
      for (auto& [t, ids] : *found) all[t].insert(all[t].end(), ids.begin(), ids.end());
    }
  }
  Json out = Json::object();
  for (auto t : {EntityType::lead, EntityType::contact, EntityType::company}) {
    if (only && *only != t) continue;
    auto& ids = all[t];
    if (ids.empty()) continue;
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    out[std::string(type_name(t))] = ids;
  }
  if (out.empty()) return Answer{Json::array()};  // PHP's empty array
  return Answer{std::move(out)};
}

ApiResult<Answer> Service::entity_get(EntityType type, const Json& p) {
  auto id = int_of(find(p, "ID"));
  if (!id) return api_fail("ID is not defined or invalid", "ERROR_CORE", 400);
  std::optional<Json> out;
  auto fail_store = [](const Error& e) { return from_error(e); };
  switch (type) {
    case EntityType::contact: {
      auto c = store_.find_contact(*id);
      if (!c) return fail_store(c.error());
      if (*c) out = contact_json(**c);
      break;
    }
    case EntityType::lead: {
      auto l = store_.find_lead(*id);
      if (!l) return fail_store(l.error());
      if (*l) out = lead_json(**l);
      break;
    }
    case EntityType::deal: {
      auto d = store_.find_deal(*id);
      if (!d) return fail_store(d.error());
      if (*d) out = deal_json(**d);
      break;
    }
    case EntityType::company: {
      auto c = store_.find_company(*id);
      if (!c) return fail_store(c.error());
      if (*c) out = company_json(**c);
      break;
    }
    default: break;
  }
  if (!out) return api_fail("Not found", "NOT_FOUND", 400);
  return Answer{std::move(*out)};
}

ApiResult<Answer> Service::entity_update(EntityType type, const Json& p) {
  auto id = int_of(find(p, "ID"));
  if (!id) return api_fail("ID is not defined or invalid", "ERROR_CORE", 400);
  const Json* fields = find(p, "FIELDS");
  if (fields == nullptr || !fields->is_object())
    return api_fail("Parameter 'fields' must be an object", "INVALID_ARGUMENT");
  auto exists = entity_get(type, p);
  if (!exists) return exists;
  auto to = int_of(find(*fields, "ASSIGNED_BY_ID"));
  if (!to) return Answer{Json(true)};  // only ASSIGNED_BY_ID is kept by telcrm
  auto user = user_of(UserRef{*to, {}});
  if (!user) return ApiUnexpected(user.error());
  WriteBatch batch;
  {
    std::lock_guard lock(mutex_);
    batch.call = fmt::format("bitrix24.update.{}.{}", clock_.now().time_since_epoch().count(),
                             ++next_update_);
  }
  batch.seq = 1;
  batch.at = clock_.now();
  batch.ops.push_back(Reassign{EntityRef{type, *id}, user->id});
  if (auto applied = store_.apply(batch); !applied) return from_error(applied.error());
  // The engine ranks and routes by the index: bring it up to date with the change.
  if (store_.change_feed() != nullptr)
    (void)engine_.refresh();
  else
    (void)engine_.reload_crm();
  return Answer{Json(true)};
}

// --- users and lines ---------------------------------------------------------------------------

ApiResult<Answer> Service::user_get(const Json& p) {
  auto staff = directory_.employees();
  if (!staff) return from_error(staff.error());
  const UserQuery q = parse_user_query(p);
  auto users = select_users(std::move(*staff), q);
  Json page = Json::array();
  for (std::size_t i = q.start; i < users.size() && i < q.start + page_size; ++i)
    page.push_back(user_json(users[i]));
  Answer a{std::move(page)};
  a.total = users.size();
  if (q.start + page_size < users.size()) a.next = q.start + page_size;
  return a;
}

ApiResult<Answer> Service::line_add(const Json& p) {
  std::string number = text_of(find(p, "NUMBER")).value_or("");
  const auto first = number.find_first_not_of(" \t");
  number = first == std::string::npos
               ? ""
               : number.substr(first, number.find_last_not_of(" \t") - first + 1);
  if (number.empty()) return api_fail(text::line_empty);
  std::lock_guard lock(mutex_);
  for (const auto& l : external_lines_)
    if (l.number == number) return api_fail(text::line_exists);
  ExternalLine line;
  line.number = number;
  line.name = text_of(find(p, "NAME")).value_or(number);
  line.auto_create = flag_of(find(p, "CRM_AUTO_CREATE")).value_or(true);
  line.id = static_cast<std::int64_t>(external_lines_.size() + 1);
  external_lines_.push_back(line);
  return Answer{Json{{"ID", line.id}}};
}

ApiResult<Answer> Service::line_get() {
  std::lock_guard lock(mutex_);
  Json out = Json::array();
  for (const auto& l : external_lines_)
    out.push_back(
        {{"NUMBER", l.number}, {"NAME", l.name}, {"CRM_AUTO_CREATE", l.auto_create ? "Y" : "N"}});
  return Answer{std::move(out)};
}

}  // namespace bitrix24
TELCRM_END_NAMESPACE
