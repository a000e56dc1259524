// SPDX-License-Identifier: Apache-2.0
// The day's tallies under a timeline: outcomes, what the CRM got, work per employee, and the
// missed calls nobody called back.
#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "timeline.hpp"
#include "words.hpp"

namespace telcrm::cli {

namespace {

// The employee who took an answered call at the end: after a transfer its target, else whoever
// answered (on an own phone: the forward step's employee). Nullopt for external numbers.
std::optional<EmployeeId> final_holder(const CallResult& call) {
  if (call.outcome != CallOutcome::answered) return std::nullopt;
  if (!is_incoming(call.direction)) return call.history.employee;
  if (call.transferred_to) return call.transferred_to;
  return call.answered_by;
}

}  // namespace

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
      if (c.answered_by) ++people[*c.answered_by].answered;
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
    fmt::print(out, "  {} {}\n", paint(fmt::format("{:<{}}", label, 11), ansi::dim), text);
  };
  fmt::print(out, "{}\n",
             paint(fmt::format("Summary: {} call{}{}", unique, unique == 1 ? "" : "s",
                               repeats > 0 ? fmt::format(" (+{} repeated event{} not counted)",
                                                         repeats, repeats == 1 ? "" : "s")
                                           : std::string()),
                   ansi::bold));
  row("incoming",
      fmt::format(
          "{}{}: {} answered · {} voicemail · {} missed", incoming,
          callbacks == 0 ? std::string() : fmt::format(" (incl. {})", count(callbacks, "callback")),
          paint(std::to_string(answered_in), ansi::green),
          paint(std::to_string(voicemail_in), ansi::yellow),
          paint(std::to_string(missed_in), ansi::red)));
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
                   ansi::dim));
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
    fmt::print(out, "  {}{:>9}{:>14}{:>10}{:>12}  {}\n", paint(name, ansi::cyan), p.answered,
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
            open.empty() ? ansi::green : ansi::red));
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
