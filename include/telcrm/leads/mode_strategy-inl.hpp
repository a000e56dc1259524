// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <telcrm/leads/mode_strategy.hpp>

#include <array>

TELCRM_BEGIN_NAMESPACE

TELCRM_INLINE ModePlan ClassicMode::plan_unknown(const CreationInput& in) const {
  ModePlan plan;
  Lead lead;
  lead.phones = {std::string(in.number)};  // as received (R-L4)
  lead.source = in.line.source;
  plan.lead = std::move(lead);
  plan.reason = CreationReason::unknown_caller;
  return plan;
}

TELCRM_INLINE ModePlan ClassicMode::plan_known(const CreationInput& in, bool repeat_sales) const {
  ModePlan plan;
  const MatchResult& m = in.match;
  if (!repeat_sales) {
    plan.reason = CreationReason::repeat_sales_off;  // the call is saved on the client's card
    return plan;
  }
  if (m.has_open_deal) {
    plan.reason = CreationReason::has_open_deal;
    return plan;
  }
  if (m.has_open_repeat_lead) {
    plan.reason = CreationReason::has_open_repeat_lead;
    return plan;
  }
  Lead lead;
  lead.phones = {std::string(in.number)};
  lead.source = in.line.source;
  lead.repeat = true;
  if (m.primary->type == EntityType::contact) {
    lead.contact = m.primary->id;
    lead.company = m.contact_company;
  } else {
    lead.company = m.primary->id;
  }
  plan.lead = std::move(lead);
  plan.reason = CreationReason::repeat_client;
  return plan;
}

TELCRM_INLINE std::span<const OfferAction> ClassicMode::offer() const noexcept {
  static constexpr std::array actions{OfferAction::create_lead, OfferAction::create_contact};
  return actions;
}

TELCRM_INLINE ModePlan SimpleMode::plan_unknown(const CreationInput& in) const {
  ModePlan plan;
  Deal deal;
  deal.pipeline = settings.pipeline;
  deal.source = in.line.source;
  if (settings.create_company) {
    Company company;
    company.title = std::string(in.number);
    company.phones = {std::string(in.number)};
    plan.company = std::move(company);
    deal.company = -1;  // the company created with it
  }
  if (settings.create_contact || !settings.create_company) {
    Contact contact;
    contact.name = std::string(in.number);
    contact.phones = {std::string(in.number)};
    if (settings.create_company) contact.company = -1;
    plan.contact = std::move(contact);
    deal.contact = -1;
  }
  plan.deal = std::move(deal);
  plan.reason = CreationReason::unknown_caller;
  return plan;
}

TELCRM_INLINE ModePlan SimpleMode::plan_known(const CreationInput& in,
                                              bool /*repeat_sales*/) const {
  ModePlan plan;
  const MatchResult& m = in.match;
  if (m.has_open_deal) {
    plan.reason = CreationReason::has_open_deal;  // the call goes on that deal
    return plan;
  }
  Deal deal;
  deal.pipeline = settings.pipeline;
  deal.source = in.line.source;
  deal.repeat = true;
  if (m.primary->type == EntityType::contact) {
    deal.contact = m.primary->id;
    if (m.company) deal.company = m.company->id;
  } else {
    deal.company = m.primary->id;
  }
  plan.deal = std::move(deal);
  plan.reason = CreationReason::repeat_client;
  return plan;
}

TELCRM_INLINE std::span<const OfferAction> SimpleMode::offer() const noexcept {
  static constexpr std::array actions{OfferAction::create_deal, OfferAction::create_contact};
  return actions;
}

TELCRM_END_NAMESPACE
