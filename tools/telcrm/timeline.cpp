// SPDX-License-Identifier: Apache-2.0
#include "timeline.hpp"

#include <telcrm/phone/phone_normalizer.hpp>
#include <telcrm/settings/line_region.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdlib>

#include "io.hpp"

namespace telcrm::cli {

namespace {

// ANSI SGR codes used by the timeline.
constexpr std::string_view bold = "1";
constexpr std::string_view dim = "2";
constexpr std::string_view red = "31";
constexpr std::string_view green = "32";
constexpr std::string_view yellow = "33";
constexpr std::string_view magenta = "35";
constexpr std::string_view cyan = "36";

constexpr std::size_t label_width = 9;

// "HH:MM" of `t` shifted by `offset` (the line's UTC offset, or zero for UTC).
std::string clock_time(Timestamp t, std::chrono::minutes offset) {
  using namespace std::chrono;
  const auto local = t + offset;
  const hh_mm_ss hms(local - floor<days>(local));
  return fmt::format("{:02}:{:02}", hms.hours().count(), hms.minutes().count());
}

std::string calendar_day(Timestamp t) {
  using namespace std::chrono;
  const auto day = floor<days>(t);
  const year_month_day ymd(day);
  const weekday wd(day);
  constexpr std::array<std::string_view, 7> names{"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                  "Thursday", "Friday", "Saturday"};
  return fmt::format("{:04}-{:02}-{:02} ({})", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                     names[wd.c_encoding()]);
}

// Talk time in words a person reads at a glance: "45 s", "4 min", "1 h 5 min".
std::string talk_time(std::int64_t seconds) {
  if (seconds < 60) return fmt::format("{} s", seconds);
  const std::int64_t h = seconds / 3600;
  const std::int64_t m = seconds % 3600 / 60;
  const std::int64_t s = seconds % 60;
  if (h > 0) return m > 0 ? fmt::format("{} h {} min", h, m) : fmt::format("{} h", h);
  return s > 0 ? fmt::format("{} min {} s", m, s) : fmt::format("{} min", m);
}

// R-A5's codes, in the library's words.
std::string status_text(CallStatus status) {
  const auto words = describe(status);
  return words == "other" ? fmt::format("code {}", status)
                          : fmt::format("code {} ({})", status, words);
}

std::string_view how_words(MatchHow how) {
  switch (how) {
    case MatchHow::e164: return "its E.164 number";
    case MatchHow::national: return "a national form stored without country code";
    case MatchHow::suffix: return "the last digits";
    case MatchHow::raw: return "the raw digits of a stored number that does not normalise";
    case MatchHow::card: return "the CRM card the call was started from";
  }
  return "?";
}

// Why a call created what it did, or nothing (R-L, R-S); not_in_crm is told by the client line.
std::string creation_words(const CallResult& call, const LineSettings* line) {
  switch (call.creation) {
    case CreationReason::unknown_caller: return "new number: created automatically";
    case CreationReason::repeat_client:
      return "known client without an open deal: repeat sales create a repeat record";
    case CreationReason::offer_only: return "the line offers creation instead of creating";
    case CreationReason::direction_excluded:
      return line ? fmt::format("the line creates records for {} calls only; this is {}",
                                line->create_for,
                                call.direction == CallDirection::outgoing   ? "an outgoing call"
                                : call.direction == CallDirection::callback ? "a callback"
                                                                            : "an incoming call")
                  : std::string("the line does not create records for this direction");
    case CreationReason::not_in_crm: return "";
    case CreationReason::not_a_number: return "not a dialable number: nothing to create";
    case CreationReason::lead_matched: return "the caller's lead is in progress: nothing new";
    case CreationReason::outgoing_bound: return "outgoing call to a known client: nothing new";
    case CreationReason::has_open_deal: return "the client has an open deal: nothing new";
    case CreationReason::has_open_repeat_lead:
      return "the client already has an open repeat lead: nothing new";
    case CreationReason::repeat_sales_off:
      return "repeat sales are off: the call goes on the client's card";
    case CreationReason::index_not_loaded:
      return "the CRM was not loaded yet: nothing is created until it is";
  }
  return "";
}

std::string_view offer_words(OfferAction a) {
  switch (a) {
    case OfferAction::create_lead: return "create a lead";
    case OfferAction::create_contact: return "create a contact";
    case OfferAction::create_deal: return "create a deal";
  }
  return "?";
}

std::string_view distribution_words(Distribution d) {
  switch (d) {
    case Distribution::evenly: return "evenly";
    case Distribution::strictly: return "strictly in order";
    case Distribution::all: return "all at once";
    case Distribution::random: return "in random order";
    case Distribution::fewest_calls: return "fewest calls first";
    case Distribution::longest_idle: return "longest idle first";
    case Distribution::ring_progressively: return "ringing progressively";
  }
  return "?";
}

bool is_incoming(CallDirection d) {
  return d != CallDirection::outgoing;
}

// "1 lead", "3 leads", "2 companies".
std::string count(int n, std::string_view noun) {
  if (n == 1) return fmt::format("1 {}", noun);
  if (noun.ends_with('y')) return fmt::format("{} {}ies", n, noun.substr(0, noun.size() - 1));
  return fmt::format("{} {}s", n, noun);
}

// The employee who took an answered call at the end: after a transfer its target, else whoever
// answered (on an own phone: the forward step's employee). Nullopt for external numbers.
std::optional<EmployeeId> final_holder(const CallResult& call) {
  if (call.outcome != CallOutcome::answered) return std::nullopt;
  if (!is_incoming(call.direction)) return call.history.employee;
  if (call.transferred_to) return call.transferred_to;
  return call.answered_by;
}

// Who picked an incoming call up (on their own phone too); nullopt for external numbers.
std::optional<EmployeeId> first_answerer(const CallResult& call) {
  return call.answered_by;
}

std::string one_line(std::string_view text) {
  std::string out(text);
  std::replace(out.begin(), out.end(), '\n', '/');
  return out;
}

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
  return paint(it != employees_.end() ? it->second : fmt::format("employee #{}", *id), cyan);
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

std::string Timeline::route_step(const CallResult& call, const RouteEntry& step) const {
  const std::string responsible =
      call.match.responsible ? employee(call.match.responsible) : std::string("the responsible");
  std::string why;
  if (step.why == "responsible_busy")
    why = fmt::format(", because {} was busy", responsible);
  else if (step.why == "responsible_unreachable")
    why = fmt::format(", because {} was unreachable", responsible);
  else if (step.why == "responsible_no_answer")
    why = fmt::format(", because {} did not answer", responsible);
  else if (step.why == "no_answer_rule")
    why = " (the queue's no-answer rule)";
  else if (step.why == "off_hours")
    why = " (outside working hours)";
  else if (step.why == "queue_cycle")
    why = " (the next-queue chain came back to a queue it had entered)";
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
      if (step.why == "responsible")
        return fmt::format("rang {} (responsible) {} s", who, step.seconds.count());
      if (step.why.starts_with("queue:"))
        return fmt::format("queue {}: rang {} {} s", step.why.substr(6), who, step.seconds.count());
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
  const std::string code = paint(status_text(call.status), dim);
  if (call.outcome != CallOutcome::answered) {
    if (call.outcome == CallOutcome::voicemail)
      return fmt::format("{} · {}", paint("voicemail left", yellow), code);
    return fmt::format("{} · {}",
                       paint(is_incoming(call.direction) ? "missed" : "not answered", red), code);
  }
  std::string who;
  if (call.answered_by_number) {
    RouteEntry target;
    target.number = *call.answered_by_number;
    if (auto holder = first_answerer(call)) target.employee = holder;
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
  return fmt::format("{}{}{} · talk {} · {}", paint("answered", green), who, transfer,
                     talk_time(call.history.duration.count()), code);
}

void Timeline::print_overview(std::FILE* out) const {
  const auto& s = scenario_.settings;
  fmt::print(out, "{}\n", paint(scenario_.name.empty() ? "telcrm demo" : scenario_.name, bold));
  if (!scenario_.calls.empty())
    fmt::print(out, "{} · CRM mode {} · repeat sales {} · default region {}\n",
               calendar_day(scenario_.calls.front().at), s.crm_mode, s.repeat_sales ? "on" : "off",
               s.default_region.code());
  const auto label = [&](std::string_view text) {
    return paint(fmt::format("{:<{}}", text, label_width), dim);
  };
  bool first = true;
  for (const auto& l : s.lines) {
    std::string text = fmt::format("{} ({}) · queue {}", l.number,
                                   line_region(l, s.default_region).code(), l.queue);
    if (!l.crm_lookup) {
      text += " · CRM lookup off";
    } else {
      if (l.route_to_responsible)
        text += fmt::format(" · responsible first, then {}",
                            l.responsible_no_answer == ResponsibleFallback::queue ? "the queue"
                            : l.responsible_no_answer == ResponsibleFallback::voicemail
                                ? "voicemail"
                                : "their own phone");
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
                              : fmt::format("{}", w.off_hours));
    }
    fmt::print(out, "  {} {}\n", label(first ? "lines" : ""), text);
    first = false;
  }
  first = true;
  for (const auto& q : s.queues) {
    std::string members;
    for (auto id : q.members) members += (members.empty() ? "" : ", ") + employee(id);
    std::string then = fmt::format("{}", q.no_answer);
    if (q.no_answer == NoAnswerRule::next_queue && q.next_queue)
      then = "queue " + *q.next_queue;
    else if (q.no_answer == NoAnswerRule::forward_to_number && q.forward_number)
      then = "forward to " + *q.forward_number;
    fmt::print(out, "  {} {}: {} · {} · {} rings ({} s) · then {}\n", label(first ? "queues" : ""),
               q.id, members, distribution_words(q.distribution), q.rings, q.ring_time().count(),
               then);
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
  fmt::print(out, "{}  {} · {} · line {}\n", paint(call.call, bold), when, call.direction,
             call.history.line);
  const auto row = [&](std::string_view label, std::string_view text) {
    fmt::print(out, "  {} {}\n", paint(fmt::format("{:<{}}", label, label_width), dim), text);
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
      text += fmt::format(", found by {}", how_words(call.match.how));
      text += call.match.responsible
                  ? fmt::format("; responsible {}", employee(call.match.responsible))
                  : std::string("; no active responsible");
      row("client", text);
      std::string others;
      for (const auto& c : call.match.candidates)
        if (!call.match.primary || c.ref != *call.match.primary)
          others += (others.empty() ? "" : ", ") + entity(c.ref) + fmt::format(" ({})", c.how);
      if (!others.empty()) row("", "also matched: " + others);
      break;
    }
    case CrmState::unknown:
      if (n.is_dialable())
        row("client", "not in the CRM");
      else
        row("client", "not searched: not a dialable number");
      break;
    case CrmState::excepted:
      row("client", "not looked up: the number is on the exception list (telephony only)");
      break;
    case CrmState::employee:
      row("client", fmt::format("not looked up: {}'s number (an employee; telephony only)",
                                employee(call.match.employee)));
      break;
    case CrmState::disabled: row("client", "not looked up: CRM lookup is off on this line"); break;
  }

  // The route, step by step, and how the call ended.
  if (is_incoming(call.direction)) {
    if (call.route.empty()) row("route", "nobody was rung");
    for (std::size_t i = 0; i < call.route.size(); ++i)
      row(i == 0 ? "route" : "", fmt::format("{}. {}", i + 1, route_step(call, call.route[i])));
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
    std::string text = paint(what, magenta);
    if (c.source) text += fmt::format(" · source {}", *c.source);
    text += fmt::format(" · for {}", employee(c.responsible));
    row(i == 0 ? "created" : "", text);
  }
  for (std::size_t i = 0; i < call.reassigned.size(); ++i) {
    const Reassignment& r = call.reassigned[i];
    row(i == 0 ? "reassign" : "",
        fmt::format("{}: {} → {} ({})", entity(r.entity), employee(r.from), employee(r.to),
                    r.why == ReassignReason::answered ? "answered the call" : "took the transfer"));
  }
  if (!call.offer.empty()) {
    std::string text;
    for (auto a : call.offer) text += (text.empty() ? "" : ", ") + std::string(offer_words(a));
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
                     dim));
}

void Timeline::print_summary(std::FILE* out) const {
  struct PerEmployee {
    int answered = 0;
    int transfers_in = 0;
    int outgoing = 0;
    int unanswered = 0;  // nobody answered; R-A3 made them the call's responsible
    std::int64_t talk = 0;
  };
  std::map<EmployeeId, PerEmployee> people;
  std::map<std::string, std::pair<int, std::int64_t>> external;  // number → calls, talk
  int unique = 0, repeats = 0, incoming = 0, callbacks = 0, outgoing = 0;
  int answered_in = 0, voicemail_in = 0, missed_in = 0, answered_out = 0, unanswered_out = 0;
  int leads = 0, repeat_leads = 0, deals = 0, repeat_deals = 0, contacts = 0, companies = 0;
  int invoices = 0, on_answer = 0, on_transfer = 0, offered = 0;
  int excepted = 0, employee_numbers = 0, disabled = 0, not_numbers = 0;

  for (std::size_t i = 0; i < calls_.size(); ++i) {
    if (is_repeat(i)) {
      ++repeats;
      continue;
    }
    const CallResult& c = calls_[i];
    ++unique;
    if (is_incoming(c.direction)) {
      ++incoming;
      if (c.direction == CallDirection::callback) ++callbacks;
      if (c.outcome == CallOutcome::answered)
        ++answered_in;
      else if (c.outcome == CallOutcome::voicemail)
        ++voicemail_in;
      else
        ++missed_in;
      if (auto who = first_answerer(c)) ++people[*who].answered;
      if (c.transferred_to) ++people[*c.transferred_to].transfers_in;
    } else {
      ++outgoing;
      (c.outcome == CallOutcome::answered ? answered_out : unanswered_out) += 1;
      if (c.history.employee) ++people[*c.history.employee].outgoing;
    }
    if (c.outcome == CallOutcome::answered) {
      if (auto holder = final_holder(c)) {
        people[*holder].talk += c.history.duration.count();
      } else if (c.answered_by_number) {
        auto& [calls, talk] = external[*c.answered_by_number];
        ++calls;
        talk += c.history.duration.count();
      }
    } else if (is_incoming(c.direction) && c.history.employee) {
      ++people[*c.history.employee].unanswered;
    }
    for (const auto& e : c.created) {
      switch (e.entity.type) {
        case EntityType::lead:
          ++leads;
          repeat_leads += e.repeat ? 1 : 0;
          break;
        case EntityType::deal:
          ++deals;
          repeat_deals += e.repeat ? 1 : 0;
          break;
        case EntityType::contact: ++contacts; break;
        case EntityType::company: ++companies; break;
        case EntityType::invoice: ++invoices; break;
      }
    }
    for (const auto& r : c.reassigned)
      (r.why == ReassignReason::answered ? on_answer : on_transfer) += 1;
    if (!c.offer.empty()) ++offered;
    switch (c.match.crm) {
      case CrmState::excepted: ++excepted; break;
      case CrmState::employee: ++employee_numbers; break;
      case CrmState::disabled: ++disabled; break;
      case CrmState::unknown: not_numbers += c.match.number.is_dialable() ? 0 : 1; break;
      case CrmState::matched: break;
    }
  }

  const auto row = [&](std::string_view label, std::string_view text) {
    fmt::print(out, "  {} {}\n", paint(fmt::format("{:<{}}", label, 11), dim), text);
  };
  fmt::print(out, "{}\n",
             paint(fmt::format("Summary: {} call{}{}", unique, unique == 1 ? "" : "s",
                               repeats > 0 ? fmt::format(" (+{} repeated event{} not counted)",
                                                         repeats, repeats == 1 ? "" : "s")
                                           : std::string()),
                   bold));
  row("incoming",
      fmt::format(
          "{}{}: {} answered · {} voicemail · {} missed", incoming,
          callbacks == 0 ? std::string() : fmt::format(" (incl. {})", count(callbacks, "callback")),
          paint(std::to_string(answered_in), green), paint(std::to_string(voicemail_in), yellow),
          paint(std::to_string(missed_in), red)));
  row("outgoing",
      fmt::format("{}: {} answered · {} not answered", outgoing, answered_out, unanswered_out));
  row("created",
      fmt::format("{} ({} repeat) · {} ({} repeat) · {} · {} · {}", count(leads, "lead"),
                  repeat_leads, count(deals, "deal"), repeat_deals, count(contacts, "contact"),
                  count(companies, "company"), count(invoices, "invoice")));
  row("reassigned", fmt::format("{} on answer · {} on transfer", on_answer, on_transfer));
  row("offered",
      fmt::format("{} call{} ended offering to create a record", offered, offered == 1 ? "" : "s"));
  row("kept out", fmt::format("{} excepted · {} employee · {} CRM off · {} not a number", excepted,
                              employee_numbers, disabled, not_numbers));

  fmt::print(out, "\n  {}\n",
             paint(fmt::format("{:<12}{:>9}{:>14}{:>10}{:>12}  {}", "employee", "answered",
                               "transfers in", "outgoing", "unanswered", "talk"),
                   dim));
  std::string idle;
  for (const auto& e : scenario_.employees) {
    auto it = people.find(e.id);
    if (it == people.end()) {
      idle += (idle.empty() ? "" : ", ") + employee(e.id);
      continue;
    }
    const PerEmployee& p = it->second;
    // Pad the plain name: colour codes would throw the column off.
    const std::string name =
        e.name.size() < 12 ? e.name + std::string(12 - e.name.size(), ' ') : e.name + " ";
    fmt::print(out, "  {}{:>9}{:>14}{:>10}{:>12}  {}\n", paint(name, cyan), p.answered,
               p.transfers_in, p.outgoing, p.unanswered, talk_time(p.talk));
  }
  for (const auto& [number, stats] : external)
    fmt::print(out, "  {} answered {} call{} (talk {})\n", number, stats.first,
               stats.first == 1 ? "" : "s", talk_time(stats.second));
  if (!idle.empty()) fmt::print(out, "  no calls handled: {}\n", idle);

  std::vector<const MissedCall*> open;
  for (const auto& m : missed_)
    if (!m.called_back_by) open.push_back(&m);
  fmt::print(
      out, "\n  {}\n",
      paint(fmt::format("missed calls not called back: {} of {}", open.size(), missed_.size()),
            open.empty() ? green : red));
  constexpr std::size_t listed = 12;  // a long day's list stays readable
  for (std::size_t i = 0; i < open.size() && i < listed; ++i) {
    const MissedCall* m = open[i];
    std::string text = fmt::format("{:<15} {}", m->number, m->call);
    auto it = first_index_.find(m->call);
    if (it != first_index_.end()) {
      const CallResult& c = calls_[it->second];
      text += fmt::format(" {} UTC", clock_time(c.history.start, std::chrono::minutes(0)));
      if (c.match.primary)
        text += " · " + entity(*c.match.primary);
      else if (!c.created.empty())
        text += " · " + entity(c.created.front().entity);
      if (c.history.employee) text += " · for " + employee(c.history.employee);
    }
    fmt::print(out, "    {}\n", text);
  }
  if (open.size() > listed) fmt::print(out, "    … and {} more\n", open.size() - listed);
}

}  // namespace telcrm::cli
