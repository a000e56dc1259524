// SPDX-License-Identifier: Apache-2.0
#pragma once
// The engine's CRM side of a call: creating what the plan says when the first employee is
// rung (R-L5) — once per number at a time (R-I2) —, handing it over (R-T1, R-T2), what is
// added during the call (R-A7), and the end of the call (CallLog's plan, queued as writes).
// Included by call_engine-inl.hpp only.

#include <telcrm/engine/call_engine-inl.hpp>

TELCRM_BEGIN_NAMESPACE
namespace detail {

// By type, stable. A call creates a handful of records: an insertion sort, which unlike
// std::stable_sort needs no temporary buffer.
template <class Entry>
void sort_created(std::vector<Entry>& created) {
  auto by_type = [](const auto& a, const auto& b) { return a.entity.type < b.entity.type; };
  for (auto it = created.begin(); it != created.end(); ++it)
    std::rotate(std::upper_bound(created.begin(), it, *it, by_type), it, std::next(it));
}

// Creates what the plan says, for `responsible`. The records get provisional ids and are
// filed in the index at once, under a per-number lock: a concurrent call from the same number
// finds them there and binds to them instead of creating its own (R-I2). Across processes the
// store's claim settles it (the batch carries it).
template <class Unused>
void EngineImpl<Unused>::create_planned(Call& c, std::optional<EmployeeId> responsible) {
  if (c.creation_done || !c.plan.creates_anything()) return;
  c.creation_done = true;
  const PhoneNumber& number = c.result.match.number;
  std::unique_lock number_lock(number_locks_[std::hash<std::string_view>{}(number.e164()) % 64]);
  if (c.result.match.crm == CrmState::unknown && number.is_dialable()) {
    // Did a concurrent call create records for this number since this call's lookup? A
    // posting under its E.164 key says so; only then is the full match worth running.
    auto snapshot = index_.snapshot();
    bool filed = false;
    snapshot.for_each_posting(number.key(), [&](EntityRef, WrittenForm) { filed = true; });
    if (filed) {
      const Config& config = *c.config;
      MatchRequest again{c.result.input, config.line_regions[c.route_call.line], true,
                         std::nullopt};
      MatchResult now = matcher_.match(number, again, snapshot, *c.exceptions, c.people->employees);
      const bool taken =
          now.crm == CrmState::matched &&
          (config.settings.crm_mode == CrmMode::simple || now.primary->type == EntityType::lead);
      if (taken) {
        c.bound = now.bindings;
        return;
      }
    }
  }
  // Provisional ids; the plan's -1 links ("the contact / company created with it") name them.
  const EntityId company_id = c.plan.company ? outbox_.next_provisional() : 0;
  const EntityId contact_id = c.plan.contact ? outbox_.next_provisional() : 0;
  auto link = [](std::optional<EntityId>& field, EntityId made) {
    if (field && *field == -1) field = made;
  };
  std::vector<WriteOp> ops;
  ops.reserve(4);
  std::vector<CreatedEntity> created;
  created.reserve(4);
  if (c.plan.company) {
    Company v = std::move(*c.plan.company);
    v.id = company_id;
    v.responsible = responsible;
    created.push_back({{EntityType::company, v.id}, v.title, std::nullopt, responsible, false, 0});
    ops.push_back(CreateCompany{std::move(v)});
  }
  if (c.plan.contact) {
    Contact v = std::move(*c.plan.contact);
    v.id = contact_id;
    v.responsible = responsible;
    link(v.company, company_id);
    created.push_back({{EntityType::contact, v.id}, v.name, std::nullopt, responsible, false, 0});
    ops.push_back(CreateContact{std::move(v)});
  }
  if (c.plan.lead) {
    Lead v = std::move(*c.plan.lead);
    v.id = outbox_.next_provisional();
    v.responsible = responsible;
    v.modified = c.at;
    link(v.contact, contact_id);
    link(v.company, company_id);
    created.push_back({{EntityType::lead, v.id}, v.title, v.source, responsible, v.repeat, 0});
    ops.push_back(CreateLead{std::move(v)});
  }
  if (c.plan.deal) {
    Deal v = std::move(*c.plan.deal);
    v.id = outbox_.next_provisional();
    v.responsible = responsible;
    v.modified = c.at;
    link(v.contact, contact_id);
    link(v.company, company_id);
    created.push_back({{EntityType::deal, v.id}, v.title, v.source, responsible, v.repeat, 0});
    ops.push_back(CreateDeal{std::move(v)});
  }
  std::optional<UnknownCallerClaim> claim;
  if (number.is_dialable())
    claim = UnknownCallerClaim{std::string(number.e164()), c.at, options_.claim_window};
  write_and_file(c, std::move(ops), claim);
  number_lock.unlock();
  if (c.result.created.empty())
    c.result.created = std::move(created);
  else
    for (auto& e : created) c.result.created.push_back(std::move(e));
  detail::sort_created(c.result.created);
}

// Gives everything the call created to `to` (R-T1, R-T2); only actual changes count, and
// never records another call created first (R-I2: they are not this call's).
template <class Unused>
void EngineImpl<Unused>::reassign_created(Call& c, EmployeeId to, ReassignReason why) {
  if (c.result.created.empty()) return;  // nothing to hand over (and no lock for it)
  std::vector<WriteOp> ops;
  outbox_.with_resolutions([&](auto find) {  // one lock for every id
    for (auto& e : c.result.created) {
      if (e.entity.id < 0)
        if (const detail::Resolution* r = find(e.entity.id); r && (r->lost || r->failed)) continue;
      std::optional<EmployeeId> from = e.responsible;
      for (auto it = c.result.reassigned.rbegin(); it != c.result.reassigned.rend(); ++it)
        if (it->entity == e.entity) {
          from = it->to;
          break;
        }
      if (from == to) continue;
      ops.push_back(Reassign{e.entity, to});
      c.result.reassigned.push_back({e.entity, from, to, why});
    }
  });
  if (ops.empty()) return;
  outbox_.refiling([&](auto resolve) {
    index_.update([&](CrmIndex::Writer& w) {
      for (const auto& op : ops) w.set_responsible(resolve(std::get<Reassign>(op).entity), to);
    });
  });
  write(c, std::move(ops));
}

// R-A7: a deal or an invoice for the call's client, or a comment.
template <class Unused>
Result<CallProgress> EngineImpl<Unused>::add_during_call(Call& c, const DuringCallAction& event) {
  if (!c.actions_done.insert(event.index).second) return detail::progress_of(c);
  if (const auto* comment = std::get_if<DuringCallAction::AddComment>(&event.action)) {
    c.comments.push_back(comment->text);
    return detail::progress_of(c);
  }
  const auto employee =
      c.holder ? c.holder
               : (c.result.direction == CallDirection::outgoing ? c.route_call.responsible
                                                                : std::nullopt);
  if (!employee) {
    c.actions_done.erase(event.index);
    return fail(Errc::invalid_state,
                detail::format("call {}: nobody is on the call to create records", event.call));
  }
  // Bound to the call's client: the primary entity, or what the call created.
  std::optional<EntityRef> client = c.result.match.primary;
  for (const auto& created : c.result.created)
    if (!client && created.entity.type != EntityType::deal &&
        created.entity.type != EntityType::invoice)
      client = created.entity;
  if (!client && !c.bound.empty()) client = c.bound.back();
  if (!client) {
    c.actions_done.erase(event.index);
    return fail(Errc::invalid_state,
                detail::format("call {}: no client to create records for", event.call));
  }
  const EntityRef target = outbox_.resolve(*client);

  std::vector<WriteOp> ops;
  CreatedEntity made;
  if (const auto* deal = std::get_if<DuringCallAction::AddDeal>(&event.action)) {
    Deal d;
    d.id = outbox_.next_provisional();
    d.title = deal->title;
    d.responsible = employee;
    d.modified = c.at;
    d.source = c.line->source;
    if (c.config->settings.crm_mode == CrmMode::simple)
      d.pipeline = c.config->settings.simple_mode.pipeline;
    if (target.type == EntityType::contact) {
      d.contact = target.id;
      if (c.result.match.company) d.company = outbox_.resolve(*c.result.match.company).id;
    } else if (target.type == EntityType::company) {
      d.company = target.id;
    } else if (auto facts = index_.snapshot().facts(target)) {  // a lead: its links
      d.contact = facts->contact;
      d.company = facts->company;
    }
    made = {{EntityType::deal, d.id}, d.title, d.source, employee, false, 0};
    ops.push_back(CreateDeal{std::move(d)});
  } else if (const auto* inv = std::get_if<DuringCallAction::AddInvoice>(&event.action)) {
    Invoice i;
    i.id = outbox_.next_provisional();
    i.amount = inv->amount;
    i.entity = target;
    i.responsible = employee;
    i.call = c.id;
    made = {{EntityType::invoice, i.id}, "", std::nullopt, employee, false, inv->amount};
    ops.push_back(CreateInvoice{std::move(i)});
  }
  write_and_file(c, std::move(ops));
  c.result.created.push_back(made);
  detail::sort_created(c.result.created);
  return detail::progress_of(c);
}

// The end of a call: what CallLog plans for it, queued as one batch (R-A1 … R-A6).
template <class Unused>
void EngineImpl<Unused>::finish(Call& c, const CallEnd& end) {
  const Config& config = *c.config;
  CallResult& r = c.result;
  c.routing_ended = true;
  const bool incoming = r.direction != CallDirection::outgoing;

  // R-L5: nobody was rung — create now (observe mode: for whom the PBX ended the call).
  const bool observed_end = c.mode == CallMode::observe && end.employee.has_value();
  if (!c.creation_done && c.plan.creates_anything()) {
    if (observed_end) {
      create_planned(c, end.employee);
    } else {
      std::optional<EmployeeId> off_hours_owner;
      if (incoming && config.policy.is_off_hours(c.route_call))
        off_hours_owner = config.policy.attributed_to(c.route_call);
      std::span<const EmployeeId> members;
      for (const auto& q : config.settings.queues)
        if (q.id == c.line->queue) members = q.members;
      create_planned(c, CallLog::owner_when_nobody_rung(c.voicemail_for, off_hours_owner, members));
    }
  }
  // Observe mode: the employee the PBX ended the call with has it last (R-A3) and takes over
  // what this call created — only that (as R-T1).
  if (observed_end && c.holder != end.employee) {
    c.holder = end.employee;
    reassign_created(c, *end.employee, ReassignReason::ended);
  }
  if (names_provisional(r, c.bound))
    outbox_.with_resolutions([&](auto find) {  // one lock
      // R-I2: records another process created first (a lost claim) are what this call binds to.
      for (const auto& e : r.created)
        if (e.entity.id < 0)
          if (const detail::Resolution* res = find(e.entity.id); res && res->lost)
            c.bound.push_back(res->real);
      resolve_result(r, find);  // what is written by now carries the store's ids
      for (auto& b : c.bound)
        if (b.id < 0)
          if (const detail::Resolution* res = find(b.id); res && !res->failed) b = res->real;
    });

  CallFacts facts;
  facts.call = c.id;
  facts.direction = r.direction;
  facts.input = r.input;
  facts.match = &r.match;
  facts.at = c.at;
  facts.line = c.line->number;
  facts.record_calls = c.line->record_calls;
  facts.route = r.route;
  facts.answered_by = r.answered_by;
  facts.answered_by_number = r.answered_by_number.has_value();
  facts.holder = c.holder;
  if (!incoming) facts.dialer = c.route_call.responsible;
  facts.voicemail_for = c.voicemail_for;
  facts.created = r.created;
  facts.reassigned = r.reassigned;
  facts.bound = c.bound;
  facts.comments = c.comments;
  facts.offer = config.mode.offer();
  EndPlan plan = CallLog::plan_end(facts, end);

  r.outcome = plan.outcome;
  r.status = plan.status;
  r.offer = std::move(plan.offer);
  r.history = plan.history;
  r.activity = plan.activity;
  std::vector<WriteOp> ops;
  ops.reserve(4);
  if (plan.activity) ops.push_back(WriteActivity{std::move(*plan.activity)});
  if (plan.missed) ops.push_back(RecordMissedCall{std::move(*plan.missed)});
  if (plan.called_back) ops.push_back(MarkCalledBack{std::move(*plan.called_back), c.id});
  ops.push_back(RecordCall{std::move(plan.history)});
  write(c, std::move(ops));

  if (incoming && c.answerer) {
    std::lock_guard lock(stats_mutex_);
    queue_stats_.record_answer(*c.answerer, c.answered_at, c.answered_at + plan.talk);
  }
  c.finished = true;
  if (ports_.observer) observe(ports_.observer->on_call_ended(r));
}

}  // namespace detail
TELCRM_END_NAMESPACE
