// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <telcrm/leads/lead_factory.hpp>

#include <fmt/core.h>

TELCRM_BEGIN_NAMESPACE

TELCRM_INLINE std::string render_title(std::string_view title_template, std::string_view number,
                                       CallDirection direction, Timestamp at,
                                       const LineSettings& line) {
  using namespace std::chrono;
  const auto local = at + (line.work_hours ? line.work_hours->utc_offset : minutes(0));
  const auto day = floor<days>(local);
  const year_month_day ymd(day);
  const hh_mm_ss hms(local - day);
  std::string out;
  out.reserve(title_template.size() + number.size() + 16);
  for (std::size_t i = 0; i < title_template.size();) {
    if (title_template[i] == '{') {
      const auto close = title_template.find('}', i);
      if (close != std::string_view::npos) {
        const auto name = title_template.substr(i + 1, close - i - 1);
        bool known = true;
        if (name == "number")
          out += number;
        else if (name == "direction")
          out += direction_title(direction);
        else if (name == "line")
          out += line.number;
        else if (name == "date")
          out +=
              detail::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()),
                             static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
        else if (name == "time")
          out += detail::format("{:02}:{:02}", hms.hours().count(), hms.minutes().count());
        else
          known = false;
        if (known) {
          i = close + 1;
          continue;
        }
      }
    }
    out += title_template[i++];
  }
  return out;
}

namespace lead_factory_detail {
inline void adopt(CreationPlan& plan, ModePlan made) {
  plan.reason = made.reason;
  plan.deal = std::move(made.deal);
  plan.lead = std::move(made.lead);
  plan.contact = std::move(made.contact);
  plan.company = std::move(made.company);
}
}  // namespace lead_factory_detail

TELCRM_INLINE CreationPlan LeadFactory::plan(const CreationRequest& r, const ModeStrategy& mode) {
  CreationPlan plan = plan_for_line(r, mode);
  if (plan.lead || plan.deal) {  // rendered only for a record that is made (R-L4)
    std::string title = render_title(r.line.lead_title, r.number, r.direction, r.at, r.line);
    if (plan.deal) plan.deal->title = title;
    if (plan.lead) plan.lead->title = std::move(title);
  }
  if (r.source) {
    if (plan.lead) plan.lead->source = r.source;
    if (plan.deal) plan.deal->source = r.source;
  }
  return plan;
}

TELCRM_INLINE CreationPlan LeadFactory::plan_for_line(const CreationRequest& r,
                                                      const ModeStrategy& mode) {
  CreationPlan plan;
  const MatchResult& m = r.match;
  if (r.create == false) {
    plan.reason = CreationReason::not_requested;  // the host asked for no records
    return plan;
  }
  if (m.crm != CrmState::matched && m.crm != CrmState::unknown) {
    plan.reason = CreationReason::not_in_crm;  // R-L3: disabled, excepted, employee
    return plan;
  }
  if (!m.number.is_dialable()) {
    plan.reason = CreationReason::not_a_number;
    return plan;
  }
  // R-L2: a callback counts as neither incoming nor outgoing, except under "all".
  const bool direction_ok =
      r.line.create_for == CreateFor::all ||
      (r.line.create_for == CreateFor::incoming && r.direction == CallDirection::incoming) ||
      (r.line.create_for == CreateFor::outgoing && r.direction == CallDirection::outgoing);
  const CreationInput input{r.line, m, r.number};

  if (m.crm == CrmState::unknown) {
    const auto offer = mode.offer();
    if (r.create == true) {  // the host's word overrides R-L1 and R-L2
      lead_factory_detail::adopt(plan, mode.plan_unknown(input));
    } else if (!direction_ok) {
      plan.reason = CreationReason::direction_excluded;
      plan.offer.assign(offer.begin(), offer.end());
    } else if (r.line.unknown_caller == UnknownCallerAction::offer) {
      plan.reason = CreationReason::offer_only;
      plan.offer.assign(offer.begin(), offer.end());
    } else {
      lead_factory_detail::adopt(plan, mode.plan_unknown(input));
    }
    return plan;
  }

  if (m.primary && m.primary->type == EntityType::lead) {
    plan.reason = CreationReason::lead_matched;
  } else if (r.direction == CallDirection::outgoing) {
    plan.reason = CreationReason::outgoing_bound;
  } else if (!direction_ok) {
    plan.reason = CreationReason::direction_excluded;
  } else if (m.primary) {
    lead_factory_detail::adopt(plan, mode.plan_known(input, r.repeat_sales));
  }
  return plan;
}

TELCRM_END_NAMESPACE
