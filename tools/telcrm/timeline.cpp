// SPDX-License-Identifier: Apache-2.0
// The calls of a timeline, one block each, and the company they happen in.
#include "timeline.hpp"

#include <telcrm/phone/phone_normalizer.hpp>
#include <telcrm/settings/line_region.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>

#include "io.hpp"
#include "words.hpp"

namespace telcrm::cli {

namespace {

constexpr std::size_t label_width = 9;

}  // namespace

std::optional<ColorMode> parse_color_mode(std::string_view text) {
  if (text == "auto") return ColorMode::automatic;
  if (text == "always") return ColorMode::always;
  if (text == "never") return ColorMode::never;
  return std::nullopt;
}

Style Style::for_stream(std::FILE* stream, ColorMode mode) {
  if (mode != ColorMode::automatic) return Style{mode == ColorMode::always};
  // The NO_COLOR convention and dumb terminals switch automatic colour off.
  const char* no_color = std::getenv("NO_COLOR");
  const char* term = std::getenv("TERM");
  const bool wanted = (no_color == nullptr || *no_color == '\0') &&
                      (term == nullptr || std::string_view(term) != "dumb");
  return Style{wanted && is_terminal(stream)};
}

Timeline::Timeline(const Scenario& scenario, std::span<const CallResult> calls,
                   std::span<const MissedCall> missed_calls, Style style)
    : scenario_(scenario), calls_(calls), missed_(missed_calls), style_(style) {
  const PhoneNormalizer normalizer;
  const Region region = scenario.settings.default_region;
  for (const auto& e : scenario.employees) {
    employees_.emplace(e.id, e.name);
    const std::pair<const std::optional<std::string>*, std::string_view> phones[] = {
        {&e.phones.mobile, "mobile"},
        {&e.phones.personal, "personal phone"},
        {&e.phones.work, "work phone"}};
    for (const auto& [phone, kind] : phones) {
      if (!phone->has_value()) continue;
      const PhoneNumber n = normalizer.normalize(**phone, region);
      if (n.is_dialable()) own_phones_.try_emplace(std::string(n.e164()), e.id, std::string(kind));
    }
  }
  const CrmSnapshot& crm = scenario.crm;
  for (const auto& c : crm.contacts) names_.emplace(EntityRef{EntityType::contact, c.id}, c.name);
  for (const auto& c : crm.companies) names_.emplace(EntityRef{EntityType::company, c.id}, c.title);
  for (const auto& l : crm.leads) names_.emplace(EntityRef{EntityType::lead, l.id}, l.title);
  for (const auto& d : crm.deals) names_.emplace(EntityRef{EntityType::deal, d.id}, d.title);
  for (std::size_t i = 0; i < calls_.size(); ++i) {
    first_index_.try_emplace(calls_[i].call, i);
    for (const auto& created : calls_[i].created)
      if (!created.title.empty()) names_.try_emplace(created.entity, created.title);
  }
}

std::string Timeline::paint(std::string_view text, std::string_view ansi) const {
  if (!style_.color) return std::string(text);
  return fmt::format("\x1b[{}m{}\x1b[0m", ansi, text);
}

std::string Timeline::employee(std::optional<EmployeeId> id) const {
  if (!id) return "nobody";
  auto it = employees_.find(*id);
  return paint(it != employees_.end() ? it->second : fmt::format("employee #{}", *id), ansi::cyan);
}

std::string Timeline::entity(EntityRef ref) const {
  auto it = names_.find(ref);
  if (it == names_.end()) return fmt::format("{} #{}", ref.type, ref.id);
  return fmt::format("{} #{} \"{}\"", ref.type, ref.id, it->second);
}

const LineSettings* Timeline::line(std::string_view number) const {
  for (const auto& l : scenario_.settings.lines)
    if (l.number == number) return &l;
  return nullptr;
}

bool Timeline::is_repeat(std::size_t index) const {
  auto it = first_index_.find(calls_[index].call);
  return it != first_index_.end() && it->second < index;
}

// "Boris's mobile" when the number is one of an employee's own phones.
std::string Timeline::phone_owner(const RouteEntry& step) const {
  auto it = own_phones_.find(step.number);
  if (it != own_phones_.end() && (!step.employee || *step.employee == it->second.first))
    return fmt::format("{}'s {}", employee(it->second.first), it->second.second);
  if (step.employee) return fmt::format("{}'s phone", employee(step.employee));
  return "";
}

std::string Timeline::route_step(const RouteEntry& step) const {
  const auto reason = read_route_reason(step.why);
  std::string why;
  if (reason)
    why = fmt::format(" ({})", describe(reason->why));
  else if (!step.why.empty())
    why = fmt::format(" ({})", step.why);

  switch (step.kind) {
    case RouteEntry::Kind::ring: {
      std::string who;
      for (std::size_t i = 0; i < step.employees.size(); ++i)
        who += (i == 0                           ? ""
                : i + 1 == step.employees.size() ? " and "
                                                 : ", ") +
               employee(step.employees[i]);
      if (step.employees.size() > 1) who += " at once";
      if (reason && reason->why == RouteWhy::queue)
        return fmt::format("queue {}: rang {} {} s", reason->queue, who, step.seconds.count());
      return fmt::format("rang {} {} s{}", who, step.seconds.count(), why);
    }
    case RouteEntry::Kind::forward: {
      const std::string owner = phone_owner(step);
      return fmt::format("forwarded to {}{} {} s{}", step.number,
                         owner.empty() ? "" : " (" + owner + ")", step.seconds.count(), why);
    }
    case RouteEntry::Kind::voicemail:
      return fmt::format("voicemail for {}{}", employee(step.employee), why);
    case RouteEntry::Kind::hang_up: return fmt::format("hung up{}", why);
  }
  return "?";
}

std::string Timeline::answer(const CallResult& call) const {
  const std::string code = paint(status_text(call.status), ansi::dim);
  if (call.outcome != CallOutcome::answered) {
    if (call.outcome == CallOutcome::voicemail)
      return fmt::format("{} · {}", paint("voicemail left", ansi::yellow), code);
    return fmt::format(
        "{} · {}", paint(is_incoming(call.direction) ? "missed" : "not answered", ansi::red), code);
  }
  std::string who;
  if (call.answered_by_number) {
    RouteEntry target;
    target.number = *call.answered_by_number;
    target.employee = call.answered_by;
    const std::string owner = phone_owner(target);
    // An own phone answering counts as its owner (R-R3): say whose phone it was.
    who = target.employee ? fmt::format(" on {} {}", owner, *call.answered_by_number)
                          : fmt::format(" at {}{}", *call.answered_by_number,
                                        owner.empty() ? " (external number)" : " (" + owner + ")");
  } else if (call.answered_by) {
    who = " by " + employee(call.answered_by);
  }
  std::string transfer;
  if (call.transferred_to)
    transfer = fmt::format(", transferred to {}", employee(call.transferred_to));
  return fmt::format("{}{}{} · talk {} · {}", paint("answered", ansi::green), who, transfer,
                     talk_time(call.history.duration.count()), code);
}

void Timeline::print_overview(std::FILE* out) const {
  const auto& s = scenario_.settings;
  fmt::print(out, "{}\n",
             paint(scenario_.name.empty() ? "telcrm demo" : scenario_.name, ansi::bold));
  if (!scenario_.calls.empty())
    fmt::print(out, "{} · CRM mode {} · repeat sales {} · default region {}\n",
               calendar_day(scenario_.calls.front().at), s.crm_mode, s.repeat_sales ? "on" : "off",
               s.default_region.code());
  const auto label = [&](std::string_view text) {
    return paint(fmt::format("{:<{}}", text, label_width), ansi::dim);
  };
  bool first = true;
  for (const auto& l : s.lines) {
    std::string text = fmt::format("{} ({}) · queue {}", l.number,
                                   line_region(l, s.default_region).code(), l.queue);
    if (!l.crm_lookup) {
      text += " · CRM lookup off";
    } else {
      if (l.route_to_responsible)
        text += fmt::format(" · responsible first, then {}", describe(l.responsible_no_answer));
      text += l.unknown_caller == UnknownCallerAction::offer ? " · offers to create"
                                                             : " · creates leads";
      if (l.create_for != CreateFor::all) text += fmt::format(" for {} calls", l.create_for);
      if (l.source != "CALL") text += fmt::format(" · source {}", l.source);
      if (l.only_working_employees) text += " · only employees who started their day";
    }
    if (!l.record_calls) text += " · no recording";
    if (l.work_hours) {
      const auto& w = *l.work_hours;
      text += fmt::format(" · open {}–{} ({}), off hours: {}", format_time_of_day(w.from),
                          format_time_of_day(w.to), format_utc_offset(w.utc_offset),
                          w.off_hours == OffHoursAction::forward_to_number && w.forward_number
                              ? "forward to " + *w.forward_number
                              : std::string(describe(w.off_hours)));
    }
    fmt::print(out, "  {} {}\n", label(first ? "lines" : ""), text);
    first = false;
  }
  first = true;
  for (const auto& q : s.queues) {
    std::string members;
    for (auto id : q.members) members += (members.empty() ? "" : ", ") + employee(id);
    std::string then(describe(q.no_answer));
    if (q.no_answer == NoAnswerRule::next_queue && q.next_queue)
      then = "queue " + *q.next_queue;
    else if (q.no_answer == NoAnswerRule::forward_to_number && q.forward_number)
      then = "forward to " + *q.forward_number;
    fmt::print(out, "  {} {}: {} · {} · {} rings ({} s) · then {}\n", label(first ? "queues" : ""),
               q.id, members, describe(q.distribution), q.rings, q.ring_time().count(), then);
    first = false;
  }
  std::string people;
  for (const auto& e : scenario_.employees) {
    std::string notes;
    if (!e.active)
      notes = "inactive";
    else if (e.presence != Presence::online)
      notes = fmt::format("{}", e.presence);
    if (e.workday != Workday::untracked && e.workday != Workday::open)
      notes += (notes.empty() ? "day " : ", day ") + fmt::format("{}", e.workday);
    people +=
        (people.empty() ? "" : ", ") + employee(e.id) + (notes.empty() ? "" : " (" + notes + ")");
  }
  fmt::print(out, "  {} {}\n\n", label("employees"), people);
}

void Timeline::print_call(std::FILE* out, std::size_t index) const {
  const CallResult& call = calls_[index];
  const LineSettings* l = line(call.history.line);
  std::string when = clock_time(call.history.start, std::chrono::minutes(0)) + " UTC";
  if (l && l->work_hours && l->work_hours->utc_offset.count() != 0)
    when +=
        fmt::format(" ({} line time)", clock_time(call.history.start, l->work_hours->utc_offset));
  fmt::print(out, "{}  {} · {} · line {}\n", paint(call.call, ansi::bold), when, call.direction,
             call.history.line);
  const auto row = [&](std::string_view label, std::string_view text) {
    fmt::print(out, "  {} {}\n", paint(fmt::format("{:<{}}", label, label_width), ansi::dim), text);
  };

  if (is_repeat(index)) {
    const bool same = calls_[first_index_.at(call.call)] == call;
    row("repeat", fmt::format("the same call id again (a repeated event): nothing changed, {}",
                              same ? "same result as before" : "but the result differs"));
    fmt::print(out, "\n");
    return;
  }

  // The number as received and as read.
  const PhoneNumber& n = call.match.number;
  std::string number = fmt::format("{} → ", call.input);
  if (n.is_dialable())
    number += fmt::format("{} ({})", n.e164(), n.status());
  else if (n.status() == NumberStatus::invalid)
    number += fmt::format("invalid number ({})", format_as(n.reason()));
  else
    number += "short code or inner extension";
  if (!n.extension().empty()) number += fmt::format(", extension {}", n.extension());
  if (call.direction == CallDirection::outgoing && !call.transferred_to)
    number += fmt::format(" · dialled by {}", employee(call.history.employee));
  row(is_incoming(call.direction) ? "from" : "to", number);

  // The client, or why the CRM stayed out.
  switch (call.match.crm) {
    case CrmState::matched: {
      std::string text;
      if (call.match.primary) text = entity(*call.match.primary);
      text += fmt::format(", found by {}", describe(call.match.how));
      text += call.match.responsible
                  ? fmt::format("; responsible {}", employee(call.match.responsible))
                  : std::string("; no active responsible");
      row("client", text);
      std::string others;
      for (const auto& c : call.match.candidates)
        if (!call.match.primary || c.ref != *call.match.primary)
          others += (others.empty() ? "" : ", ") + entity(c.ref) +
                    fmt::format(" (by {})", describe(c.how));
      if (!others.empty()) row("", "also matched: " + others);
      break;
    }
    case CrmState::unknown:
      row("client", n.is_dialable() ? std::string(describe(call.match.crm))
                                    : fmt::format("not searched: {}", describe(n.status())));
      break;
    case CrmState::employee:
      row("client", fmt::format("not looked up: {} ({})", describe(call.match.crm),
                                employee(call.match.employee)));
      break;
    case CrmState::excepted:
    case CrmState::disabled:
      row("client", fmt::format("not looked up: {}", describe(call.match.crm)));
      break;
  }

  // The route, step by step, and how the call ended.
  if (is_incoming(call.direction)) {
    if (call.route.empty()) row("route", "nobody was rung");
    for (std::size_t i = 0; i < call.route.size(); ++i)
      row(i == 0 ? "route" : "", fmt::format("{}. {}", i + 1, route_step(call.route[i])));
  }
  row("outcome", answer(call));

  // What the CRM got.
  const std::string rule = creation_words(call, l);
  if (!rule.empty()) row("CRM", rule);
  for (std::size_t i = 0; i < call.created.size(); ++i) {
    const CreatedEntity& c = call.created[i];
    std::string what = c.repeat ? "repeat " : "";
    if (c.entity.type == EntityType::invoice)
      what += fmt::format("invoice #{} · amount {}", c.entity.id, c.amount);
    else
      what += entity(c.entity);
    std::string text = paint(what, ansi::magenta);
    if (c.source) text += fmt::format(" · source {}", *c.source);
    text += fmt::format(" · for {}", employee(c.responsible));
    row(i == 0 ? "created" : "", text);
  }
  for (std::size_t i = 0; i < call.reassigned.size(); ++i) {
    const Reassignment& r = call.reassigned[i];
    row(i == 0 ? "reassign" : "", fmt::format("{}: {} → {} ({})", entity(r.entity),
                                              employee(r.from), employee(r.to), describe(r.why)));
  }
  if (!call.offer.empty()) {
    std::string text;
    for (auto a : call.offer) text += (text.empty() ? "" : ", ") + std::string(describe(a));
    row("offer", text);
  }

  if (call.activity) {
    const CallActivity& a = *call.activity;
    row("activity", fmt::format("\"{}\" · {} · {} · responsible {}", a.subject, a.status,
                                talk_time(a.duration.count()), employee(a.responsible)));
    std::string on;
    for (const auto& b : a.bindings) on += (on.empty() ? "" : ", ") + entity(b);
    row("", "on " + on);
    if (a.recording) row("", "recording " + *a.recording);
    if (a.voicemail) row("", "voicemail " + *a.voicemail);
    if (a.comment) row("", fmt::format("comment \"{}\"", one_line(*a.comment)));
  } else {
    row("activity", "none (nothing in the CRM to bind it to)");
  }

  // R-A6: missed calls kept for this call, and the missed calls it called back.
  for (const auto& m : missed_) {
    if (m.call == call.call)
      row("missed", fmt::format("kept as a missed call of {}; {}", m.number,
                                m.called_back_by ? "called back by " + *m.called_back_by
                                                 : std::string("not called back")));
    if (m.called_back_by == call.call)
      row("calls back", fmt::format("missed call {} of {}", m.call, m.number));
  }
  fmt::print(out, "\n");
}

void Timeline::print_calls(std::FILE* out, std::size_t limit) const {
  const std::size_t shown = std::min(limit, calls_.size());
  for (std::size_t i = 0; i < shown; ++i) print_call(out, i);
  if (shown < calls_.size())
    fmt::print(out, "{}\n\n",
               paint(fmt::format("… {} more call{} not shown", calls_.size() - shown,
                                 calls_.size() - shown == 1 ? "" : "s"),
                     ansi::dim));
}

}  // namespace telcrm::cli
