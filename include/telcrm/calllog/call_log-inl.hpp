// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <telcrm/calllog/call_log.hpp>

#include <algorithm>

TELCRM_BEGIN_NAMESPACE

TELCRM_INLINE bool CallLog::is_answered(const CallFacts& f, const CallEnd& end) {
  if (f.direction == CallDirection::outgoing) return end.duration.count() > 0;
  return f.answered_by.has_value() || f.answered_by_number;
}

TELCRM_INLINE std::string CallLog::subject(const CallFacts& f) {
  const PhoneNumber& n = f.match->number;
  const std::string_view who = n.is_dialable() ? n.e164() : f.input;
  std::string_view prefix;
  switch (f.direction) {
    case CallDirection::incoming: prefix = "Incoming call from "; break;
    case CallDirection::outgoing: prefix = "Outgoing call to "; break;
    case CallDirection::callback: prefix = "Callback to "; break;
  }
  std::string subject;  // one allocation: every activity has one
  subject.reserve(prefix.size() + who.size());
  subject.append(prefix).append(who);
  return subject;
}

TELCRM_INLINE std::vector<EntityRef> CallLog::bindings(const CallFacts& f) {
  std::vector<EntityRef> all;
  all.reserve(f.created.size() + (f.bound.empty() ? f.match->bindings.size() : f.bound.size()));
  auto add = [&](EntityRef r) {
    if (std::find(all.begin(), all.end(), r) == all.end()) all.push_back(r);
  };
  const std::span<const EntityRef> matched =
      f.bound.empty() ? std::span<const EntityRef>(f.match->bindings) : f.bound;
  for (auto type : {EntityType::deal, EntityType::lead, EntityType::contact, EntityType::company,
                    EntityType::invoice}) {
    for (const auto& e : f.created)
      if (e.entity.type == type) add(e.entity);
    for (const auto& r : matched)
      if (r.type == type) add(r);
  }
  return all;
}

TELCRM_INLINE std::optional<EmployeeId> CallLog::responsible(const CallFacts& f) {
  if (f.direction == CallDirection::outgoing) return f.dialer;
  if (f.holder) return f.holder;
  if (f.voicemail_for) return f.voicemail_for;
  if (f.match->responsible) return f.match->responsible;
  for (const auto& e : f.created) {
    if (!e.responsible) continue;
    // Its responsible now: the last reassignment, else its creation's.
    for (auto it = f.reassigned.rbegin(); it != f.reassigned.rend(); ++it)
      if (it->entity == e.entity) return it->to;
    return e.responsible;
  }
  for (auto it = f.route.rbegin(); it != f.route.rend(); ++it)
    if (it->kind == RouteEntry::Kind::ring && !it->employees.empty()) return it->employees.front();
  return std::nullopt;
}

TELCRM_INLINE std::optional<EmployeeId> CallLog::owner_when_nobody_rung(
    std::optional<EmployeeId> voicemail_for, std::optional<EmployeeId> off_hours_owner,
    std::span<const EmployeeId> line_queue_members) {
  if (voicemail_for) return voicemail_for;
  if (off_hours_owner) return off_hours_owner;
  if (!line_queue_members.empty()) return line_queue_members.front();
  return std::nullopt;
}

TELCRM_INLINE EndPlan CallLog::plan_end(const CallFacts& f, const CallEnd& end) {
  const MatchResult& match = *f.match;
  const bool incoming = f.direction != CallDirection::outgoing;
  const bool answered = is_answered(f, end);
  EndPlan plan;

  // R-A4: a voicemail counts only when the route ended in one and nobody answered.
  const bool left_message = f.voicemail_for.has_value() && end.voicemail.has_value() && !answered;
  plan.outcome = answered ? CallOutcome::answered
                          : (left_message ? CallOutcome::voicemail : CallOutcome::missed);
  plan.status = end.status.value_or(answered ? CallStatus::answered : CallStatus::missed);
  plan.talk = answered ? end.duration : Seconds(0);
  plan.responsible = responsible(f);

  // R-L1: the offer stands for a dialable unknown number that created and bound nothing.
  if (f.created.empty() && f.bound.empty() && match.crm == CrmState::unknown &&
      match.number.is_dialable())
    plan.offer.assign(f.offer.begin(), f.offer.end());

  if (auto bound = bindings(f); !bound.empty()) {  // R-A2: no bindings, no activity
    CallActivity& a = plan.activity.emplace();
    a.call = std::string(f.call);
    a.bindings = std::move(bound);
    a.subject = subject(f);
    a.direction = f.direction;
    a.start = f.at;
    a.duration = plan.talk;
    a.status = plan.outcome == CallOutcome::answered
                   ? ActivityStatus::answered
                   : (plan.outcome == CallOutcome::voicemail ? ActivityStatus::voicemail
                                                             : ActivityStatus::missed);
    a.responsible = plan.responsible;
    if (f.record_calls && answered) a.recording = end.recording;
    if (plan.outcome == CallOutcome::voicemail) a.voicemail = end.voicemail;
    if (end.comment || !f.comments.empty()) {
      std::string text = end.comment.value_or("");
      for (const auto& comment : f.comments) text.append(text.empty() ? "" : "\n").append(comment);
      a.comment = std::move(text);
    }
  }

  // R-A6: missed calls of numbers the CRM handled; an answered outgoing call calls them back.
  const bool in_crm = match.crm == CrmState::matched || match.crm == CrmState::unknown;
  const bool dialable = match.number.is_dialable();
  if (incoming && !answered && in_crm && dialable)
    plan.missed = MissedCall{std::string(match.number.e164()), std::string(f.call), std::nullopt};
  if (!incoming && answered && dialable) plan.called_back = std::string(match.number.e164());

  CallRecord& h = plan.history;  // R-A1: every call, CRM or not
  h.call = std::string(f.call);
  h.direction = f.direction;
  h.number = dialable ? std::string(match.number.e164()) : std::string(f.input);
  h.line = std::string(f.line);
  h.start = f.at;
  h.duration = plan.talk;
  h.status = plan.status;
  h.employee = plan.responsible;
  h.crm = match.crm;
  return plan;
}

TELCRM_END_NAMESPACE
