// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// CreationPlan: what a call will create in the CRM, and why (R-L, R-S).

#include <telcrm/config.hpp>
#include <telcrm/crm/entity.hpp>
#include <telcrm/detail/enum_format.hpp>

#include <optional>
#include <string_view>
#include <vector>

TELCRM_BEGIN_NAMESPACE

/// Why a call creates what it creates — or nothing.
enum class CreationReason : std::uint8_t {
  unknown_caller,        ///< R-L1 create: a new lead, or a deal with a contact/company
  repeat_client,         ///< R-L6 / R-S2: a known client without an open deal
  offer_only,            ///< R-L1 offer: nothing; the call result offers creation
  direction_excluded,    ///< R-L2: the line creates only for the other direction
  not_in_crm,            ///< R-L3: CRM off, excepted or an employee's number
  not_a_number,          ///< R-L3: the number is invalid or a short code
  lead_matched,          ///< R-L3: an in-progress lead already matched
  outgoing_bound,        ///< R-L3: an outgoing call to a known client
  has_open_deal,         ///< R-L6 / R-S2: the client has an open deal
  has_open_repeat_lead,  ///< R-L6: the client already has an open repeat lead
  repeat_sales_off,      ///< R-L6: repeat sales are off (classic mode)
  index_not_loaded,      ///< the CRM's index was not loaded yet: a known client could look new
  not_requested,         ///< the host asked for no records for this call (CallStart::create)
};
/// The value's name, as fmt prints it.
constexpr std::string_view format_as(CreationReason r) noexcept {
  switch (r) {
    case CreationReason::unknown_caller: return "unknown_caller";
    case CreationReason::repeat_client: return "repeat_client";
    case CreationReason::offer_only: return "offer_only";
    case CreationReason::direction_excluded: return "direction_excluded";
    case CreationReason::not_in_crm: return "not_in_crm";
    case CreationReason::not_a_number: return "not_a_number";
    case CreationReason::lead_matched: return "lead_matched";
    case CreationReason::outgoing_bound: return "outgoing_bound";
    case CreationReason::has_open_deal: return "has_open_deal";
    case CreationReason::has_open_repeat_lead: return "has_open_repeat_lead";
    case CreationReason::repeat_sales_off: return "repeat_sales_off";
    case CreationReason::index_not_loaded: return "index_not_loaded";
    case CreationReason::not_requested: return "not_requested";
  }
  return "unknown";
}
/// Why a call created what it did, or nothing, as a sentence for people
/// ("the client has an open deal: nothing new").
constexpr std::string_view describe(CreationReason r) noexcept {
  switch (r) {
    case CreationReason::unknown_caller: return "a new number: records are created automatically";
    case CreationReason::repeat_client:
      return "a known client without an open deal: repeat sales create a repeat record";
    case CreationReason::offer_only: return "the line offers to create records instead of creating";
    case CreationReason::direction_excluded:
      return "the line does not create records for calls in this direction";
    case CreationReason::not_in_crm:
      return "the CRM stays out: lookup off, an excepted number or an employee's";
    case CreationReason::not_a_number: return "not a dialable number: nothing to create";
    case CreationReason::lead_matched: return "the caller's lead is in progress: nothing new";
    case CreationReason::outgoing_bound: return "an outgoing call to a known client: nothing new";
    case CreationReason::has_open_deal: return "the client has an open deal: nothing new";
    case CreationReason::has_open_repeat_lead:
      return "the client already has an open repeat lead: nothing new";
    case CreationReason::repeat_sales_off:
      return "repeat sales are off: the call goes on the client's card";
    case CreationReason::index_not_loaded:
      return "the CRM was not loaded yet: nothing is created until it is";
    case CreationReason::not_requested: return "the PBX asked for no records for this call";
  }
  return "unknown";
}

/// An action the call result offers to a person when nothing was created (R-L1).
enum class OfferAction : std::uint8_t { create_lead, create_contact, create_deal };
/// The value's name, as fmt prints it.
constexpr std::string_view format_as(OfferAction a) noexcept {
  switch (a) {
    case OfferAction::create_lead: return "create_lead";
    case OfferAction::create_contact: return "create_contact";
    case OfferAction::create_deal: return "create_deal";
  }
  return "unknown";
}
/// The offered action as a person reads it on a button ("create a lead").
constexpr std::string_view describe(OfferAction a) noexcept {
  switch (a) {
    case OfferAction::create_lead: return "create a lead";
    case OfferAction::create_contact: return "create a contact";
    case OfferAction::create_deal: return "create a deal";
  }
  return "unknown";
}

/// The records a call will create. Ids are not set and `responsible` is left empty: the
/// engine assigns both when the first employee is rung (R-L5). A created deal's `contact` /
/// `company` (and a created contact's `company`) may be -1: "the contact (company) created
/// with it".
struct CreationPlan {
  CreationReason reason = CreationReason::not_in_crm;  ///< why it creates what it does
  std::optional<Deal> deal{};                          ///< a deal to create
  std::optional<Lead> lead{};                          ///< a lead to create
  std::optional<Contact> contact{};                    ///< a contact to create
  std::optional<Company> company{};                    ///< a company to create
  /// What the call result offers when nothing is created for an unknown caller.
  std::vector<OfferAction> offer{};

  /// True when the plan creates at least one record.
  [[nodiscard]] bool creates_anything() const noexcept {
    return deal || lead || contact || company;
  }
};

TELCRM_END_NAMESPACE
