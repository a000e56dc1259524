// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <telcrm/settings/validate.hpp>

#include <fmt/core.h>

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

TELCRM_BEGIN_NAMESPACE
namespace validate_detail {

inline constexpr int min_rings = 2;
inline constexpr int max_rings = 7;
inline constexpr int min_ring_seconds = 1;
inline constexpr int max_ring_seconds = 600;  // ten minutes: longer is a misconfiguration
inline constexpr long min_utc_offset = -12 * 60;
inline constexpr long max_utc_offset = 14 * 60;
inline constexpr long end_of_day = 24 * 60;

struct Sink {
  std::vector<SettingsProblem>& out;
  Severity severity;
  void add(std::string path, std::string message) const {
    out.push_back(SettingsProblem{severity, std::move(path), std::move(message)});
  }
};

inline std::string key(std::string_view path, std::string_view k) {
  std::string out(path);
  if (!out.empty()) out += '.';
  out += k;
  return out;
}
inline std::string index(std::string_view path, std::size_t i) {
  return detail::format("{}[{}]", path, i);
}

inline std::optional<std::size_t> queue_index(const IntegrationSettings& s, std::string_view id) {
  for (std::size_t i = 0; i < s.queues.size(); ++i)
    if (s.queues[i].id == id) return i;
  return std::nullopt;
}

// The directory's employees, when the check has them (nullptr: employee references are not
// checked).
using Staff = const std::span<const Employee>*;

inline const Employee* find_employee(Staff staff, EmployeeId id) {
  for (const auto& e : *staff)
    if (e.id == id) return &e;
  return nullptr;
}

// A forward number: required, and it must resolve to E.164 against the default region.
inline void check_forward_number(const Sink& sink, const std::optional<std::string>& number,
                                 const std::string& path, std::string_view rule,
                                 Region default_region, const PhoneNormalizer& normalizer) {
  if (!number || number->empty())
    return sink.add(path, detail::format("required when the rule is {}", rule));
  if (!default_region.is_known()) return;  // reported once, at default_region
  const PhoneNumber n = normalizer.normalize(*number, default_region);
  if (!n.is_dialable())
    sink.add(path, detail::format("'{}' is not a dialable number ({}{}{})", *number, n.status(),
                                  n.reason() == InvalidReason::none ? "" : ": ",
                                  n.reason() == InvalidReason::none ? std::string_view{}
                                                                    : format_as(n.reason())));
}

inline void validate_queue(const Sink& sink, const IntegrationSettings& s, Staff staff,
                           std::size_t qi, const std::string& path,
                           const PhoneNormalizer& normalizer) {
  const QueueSettings& q = s.queues[qi];
  if (q.id.empty()) {
    sink.add(key(path, "id"), "must not be empty");
  } else {
    for (std::size_t k = 0; k < qi; ++k)
      if (s.queues[k].id == q.id) {
        sink.add(key(path, "id"), detail::format("duplicate queue id '{}'", q.id));
        break;
      }
  }
  for (std::size_t m = 0; m < q.members.size(); ++m) {
    const std::string member_path = index(key(path, "members"), m);
    if (staff != nullptr && find_employee(staff, q.members[m]) == nullptr)
      sink.add(member_path, detail::format("unknown employee {}", q.members[m]));
    else if (std::find(q.members.begin(), q.members.begin() + static_cast<std::ptrdiff_t>(m),
                       q.members[m]) != q.members.begin() + static_cast<std::ptrdiff_t>(m))
      sink.add(member_path, detail::format("employee {} is listed twice", q.members[m]));
  }
  if (q.rings < min_rings || q.rings > max_rings)
    sink.add(key(path, "rings"),
             detail::format("must be {} to {} rings, got {}", min_rings, max_rings, q.rings));
  // R-Q4 defines an empty forward_number (the rule then hangs up): only lint() warns.
  if (q.no_answer == NoAnswerRule::forward_to_number && q.forward_number &&
      !q.forward_number->empty())
    check_forward_number(sink, q.forward_number, key(path, "forward_number"),
                         "no_answer forward_to_number", s.default_region, normalizer);
  if (q.no_answer == NoAnswerRule::next_queue) {
    if (!q.next_queue || q.next_queue->empty())
      sink.add(key(path, "next_queue"), "required when the rule is no_answer next_queue");
    else if (!queue_index(s, *q.next_queue))
      sink.add(key(path, "next_queue"), detail::format("queue '{}' does not exist", *q.next_queue));
  }
}

inline void validate_work_hours(const Sink& sink, const IntegrationSettings& s, const WorkHours& w,
                                const std::string& path, const PhoneNormalizer& normalizer) {
  const long offset = static_cast<long>(w.utc_offset.count());
  if (offset < min_utc_offset || offset > max_utc_offset)
    sink.add(key(path, "utc_offset"), detail::format("must be between -12:00 and +14:00, got {}",
                                                     format_utc_offset(w.utc_offset)));
  for (const auto& [name, value] : {std::pair{"from", w.from}, std::pair{"to", w.to}}) {
    const long minutes = static_cast<long>(value.count());
    if (minutes < 0 || minutes > end_of_day)
      sink.add(key(path, name), detail::format("{} is not a time of day (00:00 to 24:00)",
                                               format_time_of_day(value)));
  }
  if (w.off_hours == OffHoursAction::forward_to_number)
    check_forward_number(sink, w.forward_number, key(path, "forward_number"),
                         "off_hours forward_to_number", s.default_region, normalizer);
}

inline void validate_line(const Sink& sink, const IntegrationSettings& s, std::size_t li,
                          const std::string& path, const PhoneNormalizer& normalizer) {
  const LineSettings& line = s.lines[li];
  if (line.number.empty()) {
    sink.add(key(path, "number"), "must not be empty");
  } else {
    for (std::size_t k = 0; k < li; ++k)
      if (s.lines[k].number == line.number) {
        sink.add(key(path, "number"), detail::format("duplicate line '{}'", line.number));
        break;
      }
    // A line is found by the dialled number (read against the default region): a number that
    // does not read as one could never be dialled to.
    if (s.default_region.is_known()) {
      const PhoneNumber n = normalizer.normalize(line.number, s.default_region);
      if (!n.is_dialable())
        sink.add(key(path, "number"),
                 detail::format("'{}' is not a phone number ({})", line.number, n.status()));
    }
  }
  if (line.region && !line.region->is_known()) sink.add(key(path, "region"), "unknown region");
  if (line.responsible_ring_time < Seconds(min_ring_seconds) ||
      line.responsible_ring_time > Seconds(max_ring_seconds))
    sink.add(key(path, "responsible_ring_seconds"),
             detail::format("must be {} to {} seconds, got {}", min_ring_seconds, max_ring_seconds,
                            line.responsible_ring_time.count()));
  if (line.queue.empty())
    sink.add(key(path, "queue"), "required: the queue that takes the line's calls");
  else if (!queue_index(s, line.queue))
    sink.add(key(path, "queue"), detail::format("queue '{}' does not exist", line.queue));
  if (line.source.empty()) sink.add(key(path, "source"), "must not be empty");
  if (line.lead_title.empty()) sink.add(key(path, "lead_title"), "must not be empty");
  if (line.work_hours)
    validate_work_hours(sink, s, *line.work_hours, key(path, "work_hours"), normalizer);
}

// --- lint ---------------------------------------------------------------------------------

// Queues reachable from `start` by following next_queue rules (start included), in order.
inline std::vector<std::size_t> chain_from(const IntegrationSettings& s, std::size_t start) {
  std::vector<std::size_t> chain{start};
  std::size_t at = start;
  while (s.queues[at].no_answer == NoAnswerRule::next_queue && s.queues[at].next_queue) {
    auto next = queue_index(s, *s.queues[at].next_queue);
    if (!next || std::find(chain.begin(), chain.end(), *next) != chain.end()) break;
    chain.push_back(*next);
    at = *next;
  }
  return chain;
}

inline void lint_cycles(const Sink& sink, const IntegrationSettings& s, const std::string& root) {
  std::vector<bool> reported(s.queues.size(), false);
  for (std::size_t qi = 0; qi < s.queues.size(); ++qi) {
    if (reported[qi]) continue;
    // Walk the chain from qi; it cycles back to qi exactly when qi lies on a cycle.
    std::vector<std::size_t> cycle{qi};
    std::size_t at = qi;
    bool cycles = false;
    while (s.queues[at].no_answer == NoAnswerRule::next_queue && s.queues[at].next_queue) {
      auto next = queue_index(s, *s.queues[at].next_queue);
      if (!next) break;
      if (*next == qi) {
        cycles = true;
        break;
      }
      if (std::find(cycle.begin(), cycle.end(), *next) != cycle.end()) break;
      cycle.push_back(*next);
      at = *next;
    }
    if (!cycles) continue;
    std::string names;
    for (std::size_t q : cycle) {
      reported[q] = true;
      names += s.queues[q].id + " → ";
    }
    names += s.queues[qi].id;
    sink.add(key(index(key(root, "queues"), qi), "next_queue"),
             detail::format("the next_queue chain {} comes back to '{}': a call that gets there "
                            "hangs up (queue_cycle)",
                            names, s.queues[qi].id));
  }
}

// True when some line that reaches queue `qi` (directly or by next_queue) only rings
// employees whose working day is open.
inline bool working_day_applies(const IntegrationSettings& s, std::size_t qi) {
  for (const auto& line : s.lines) {
    if (!line.only_working_employees) continue;
    auto first = queue_index(s, line.queue);
    if (!first) continue;
    auto chain = chain_from(s, *first);
    if (std::find(chain.begin(), chain.end(), qi) != chain.end()) return true;
  }
  return false;
}

inline bool is_used(const IntegrationSettings& s, std::size_t qi) {
  for (const auto& line : s.lines) {
    auto first = queue_index(s, line.queue);
    if (!first) continue;
    auto chain = chain_from(s, *first);
    if (std::find(chain.begin(), chain.end(), qi) != chain.end()) return true;
  }
  return false;
}

inline void lint_queue(const Sink& sink, const IntegrationSettings& s, Staff staff, std::size_t qi,
                       const std::string& path) {
  const QueueSettings& q = s.queues[qi];
  std::size_t active = 0;
  std::size_t always_reachable = 0;  // active, online now, and not stopped by the working day
  const bool day_matters = working_day_applies(s, qi);
  for (EmployeeId id : q.members) {
    if (staff == nullptr) {  // nothing known of them: no warning depends on them
      ++active;
      ++always_reachable;
      continue;
    }
    const Employee* e = find_employee(staff, id);
    if (e == nullptr || !e->active) continue;
    ++active;
    if (e->presence == Presence::online && (!day_matters || e->workday == Workday::untracked))
      ++always_reachable;
  }
  if (q.members.empty())
    sink.add(key(path, "members"),
             "the queue has no members: its calls go straight to its no-answer rule (R-Q5)");
  else if (active == 0)
    sink.add(key(path, "members"),
             "every member is inactive: its calls go straight to its no-answer rule (R-Q5)");
  if (q.no_answer == NoAnswerRule::wait && always_reachable == 0)
    sink.add(key(path, "no_answer"),
             "'wait' on a queue that can be empty (no member is active, online and free of the "
             "working-day check): with nobody reachable the caller is hung up (R-Q5)");
  if (q.no_answer == NoAnswerRule::forward_to_number &&
      (!q.forward_number || q.forward_number->empty()))
    sink.add(key(path, "forward_number"),
             "empty: the forward_to_number rule hangs up when nobody answers (R-Q4)");
  if (q.forward_number && q.no_answer != NoAnswerRule::forward_to_number)
    sink.add(key(path, "forward_number"),
             detail::format("ignored: the no_answer rule is {}", q.no_answer));
  if (q.next_queue && q.no_answer != NoAnswerRule::next_queue)
    sink.add(key(path, "next_queue"),
             detail::format("ignored: the no_answer rule is {}", q.no_answer));
  if (!is_used(s, qi)) sink.add(path, detail::format("queue '{}' is not used by any line", q.id));
}

inline void lint_work_hours(const Sink& sink, const WorkHours& w, const std::string& path) {
  if (std::none_of(w.days.begin(), w.days.end(), [](bool d) { return d; }))
    sink.add(key(path, "days"), "no working day: every call is off hours");
  if (w.from >= w.to)
    sink.add(path, detail::format("from {} is not before to {}: no time is within working hours, "
                                  "so every call is off hours",
                                  format_time_of_day(w.from), format_time_of_day(w.to)));
  for (std::size_t h = 0; h < w.holidays.size(); ++h) {
    const std::string hpath = index(key(path, "holidays"), h);
    if (!is_valid_date(w.holidays[h]))
      sink.add(hpath,
               detail::format("{} is not a date (day.month)", format_month_day(w.holidays[h])));
    else if (std::find(w.holidays.begin(), w.holidays.begin() + static_cast<std::ptrdiff_t>(h),
                       w.holidays[h]) != w.holidays.begin() + static_cast<std::ptrdiff_t>(h))
      sink.add(hpath, detail::format("{} is listed twice", format_month_day(w.holidays[h])));
  }
  if (w.forward_number && w.off_hours != OffHoursAction::forward_to_number)
    sink.add(key(path, "forward_number"),
             detail::format("ignored: the off_hours action is {}", w.off_hours));
}

inline void lint_title(const Sink& sink, std::string_view title, const std::string& path) {
  for (std::size_t open = title.find('{'); open != std::string_view::npos;
       open = title.find('{', open + 1)) {
    const std::size_t close = title.find('}', open);
    if (close == std::string_view::npos) {
      sink.add(path, "an unclosed '{'");
      return;
    }
    const std::string_view name = title.substr(open + 1, close - open - 1);
    if (name != "number" && name != "direction")
      sink.add(path, detail::format("unknown placeholder {{{}}} (known: {{number}}, {{direction}})",
                                    name));
  }
}

inline void lint_phone(const Sink& sink, const std::string& phone, const std::string& path,
                       Region region, const PhoneNormalizer& normalizer, std::string_view effect) {
  const PhoneNumber n = normalizer.normalize(phone, region);
  if (n.is_dialable()) return;
  sink.add(path, detail::format(
                     "'{}' does not normalise against {} ({}{}{}): {}", phone, region.code(),
                     n.status(), n.reason() == InvalidReason::none ? "" : ": ",
                     n.reason() == InvalidReason::none ? std::string_view{} : format_as(n.reason()),
                     effect));
}

}  // namespace validate_detail

namespace validate_detail {
inline std::vector<SettingsProblem> validate(const IntegrationSettings& s, Staff staff,
                                             std::string_view root_view,
                                             const PhoneNormalizer& normalizer) {
  std::vector<SettingsProblem> out;
  const Sink sink{out, Severity::error};
  const std::string root(root_view);
  if (!s.default_region.is_known())
    sink.add(key(root, "default_region"), "required: an ISO 3166 region code such as \"RU\"");
  if (s.match_suffix_digits != 0 && (s.match_suffix_digits < 7 || s.match_suffix_digits > 15))
    sink.add(key(root, "match_suffix_digits"),
             detail::format("must be 0 (off) or 7 to 15, got {}", s.match_suffix_digits));
  if (!s.simple_mode.create_contact && !s.simple_mode.create_company)
    sink.add(key(key(root, "simple_mode"), "create"),
             "must create a contact, a company or both with the deal");
  if (s.simple_mode.pipeline < 0)
    sink.add(key(key(root, "simple_mode"), "pipeline"),
             detail::format("must be 0 or more, got {}", s.simple_mode.pipeline));
  if (staff != nullptr) {
    const std::string employees = key(root, "employees");
    for (std::size_t i = 0; i < staff->size(); ++i)
      for (std::size_t k = 0; k < i; ++k)
        if ((*staff)[k].id == (*staff)[i].id) {
          sink.add(key(index(employees, i), "id"),
                   detail::format("duplicate employee id {}", (*staff)[i].id));
          break;
        }
  }
  const std::string queues = key(root, "queues");
  for (std::size_t i = 0; i < s.queues.size(); ++i)
    validate_queue(sink, s, staff, i, index(queues, i), normalizer);
  const std::string lines = key(root, "lines");
  for (std::size_t i = 0; i < s.lines.size(); ++i)
    validate_line(sink, s, i, index(lines, i), normalizer);
  return out;
}

inline std::vector<SettingsProblem> lint(const IntegrationSettings& s, Staff staff,
                                         std::string_view root_view,
                                         const PhoneNormalizer& normalizer) {
  std::vector<SettingsProblem> out;
  const Sink sink{out, Severity::warning};
  const std::string root(root_view);
  if (s.default_region.is_known()) {
    const std::string phones = key(key(root, "exceptions"), "phones");
    for (std::size_t i = 0; i < s.exceptions.phones.size(); ++i)
      lint_phone(sink, s.exceptions.phones[i], index(phones, i), s.default_region, normalizer,
                 "it is compared by its digits only");
    const std::string employees = key(root, "employees");
    for (std::size_t i = 0; staff != nullptr && i < staff->size(); ++i) {
      const EmployeePhones& p = (*staff)[i].phones;
      const std::string base = key(index(employees, i), "phones");
      for (const auto& [name, phone] :
           {std::pair{"mobile", &p.mobile}, std::pair{"personal", &p.personal},
            std::pair{"work", &p.work}})
        if (*phone && !(*phone)->empty())
          lint_phone(sink, **phone, key(base, name), s.default_region, normalizer,
                     "calls are never forwarded to it");
    }
  }
  const std::string emails = key(key(root, "exceptions"), "emails");
  for (std::size_t i = 0; i < s.exceptions.emails.size(); ++i)
    if (s.exceptions.emails[i].find('@') == std::string::npos)
      sink.add(index(emails, i),
               detail::format("'{}' is not an e-mail address", s.exceptions.emails[i]));
  lint_cycles(sink, s, root);
  const std::string queues = key(root, "queues");
  for (std::size_t i = 0; i < s.queues.size(); ++i) lint_queue(sink, s, staff, i, index(queues, i));
  const std::string lines = key(root, "lines");
  for (std::size_t i = 0; i < s.lines.size(); ++i) {
    const std::string path = index(lines, i);
    lint_title(sink, s.lines[i].lead_title, key(path, "lead_title"));
    if (s.lines[i].work_hours)
      lint_work_hours(sink, *s.lines[i].work_hours, key(path, "work_hours"));
  }
  return out;
}

inline Result<void> first_problem(const std::vector<SettingsProblem>& problems) {
  if (problems.empty()) return {};
  std::string message = format_as(problems.front());
  if (problems.size() > 1)
    message += detail::format(" (and {} more problem{})", problems.size() - 1,
                              problems.size() == 2 ? "" : "s");
  return fail(Errc::invalid_argument, std::move(message));
}
}  // namespace validate_detail

TELCRM_INLINE std::vector<SettingsProblem> validate(const IntegrationSettings& settings,
                                                    std::span<const Employee> employees,
                                                    std::string_view root,
                                                    const PhoneNormalizer& normalizer) {
  return validate_detail::validate(settings, &employees, root, normalizer);
}
TELCRM_INLINE std::vector<SettingsProblem> validate(const IntegrationSettings& settings,
                                                    std::string_view root,
                                                    const PhoneNormalizer& normalizer) {
  return validate_detail::validate(settings, nullptr, root, normalizer);
}
TELCRM_INLINE std::vector<SettingsProblem> lint(const IntegrationSettings& settings,
                                                std::span<const Employee> employees,
                                                std::string_view root,
                                                const PhoneNormalizer& normalizer) {
  return validate_detail::lint(settings, &employees, root, normalizer);
}
TELCRM_INLINE std::vector<SettingsProblem> lint(const IntegrationSettings& settings,
                                                std::string_view root,
                                                const PhoneNormalizer& normalizer) {
  return validate_detail::lint(settings, nullptr, root, normalizer);
}
TELCRM_INLINE Result<void> check_settings(const IntegrationSettings& settings,
                                          std::span<const Employee> employees,
                                          std::string_view root,
                                          const PhoneNormalizer& normalizer) {
  return validate_detail::first_problem(validate(settings, employees, root, normalizer));
}
TELCRM_INLINE Result<void> check_settings(const IntegrationSettings& settings,
                                          std::string_view root,
                                          const PhoneNormalizer& normalizer) {
  return validate_detail::first_problem(validate(settings, root, normalizer));
}

TELCRM_END_NAMESPACE
