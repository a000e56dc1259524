// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// The CRM entity model: leads, contacts, companies, deals, invoices.

#include <telcrm/config.hpp>
#include <telcrm/detail/enum_format.hpp>
#include <telcrm/time.hpp>

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

TELCRM_BEGIN_NAMESPACE

/// A CRM record's id, unique within its type (the host's own ids).
using EntityId = std::int64_t;
/// An employee's id (a user of the host product).
using EmployeeId = std::int64_t;

/// The kinds of CRM record a call can touch. The order is the binding order of R-M5.
enum class EntityType : std::uint8_t { deal, lead, contact, company, invoice };
/// The value's name, as fmt prints it.
constexpr std::string_view format_as(EntityType t) noexcept {
  switch (t) {
    case EntityType::deal: return "deal";
    case EntityType::lead: return "lead";
    case EntityType::contact: return "contact";
    case EntityType::company: return "company";
    case EntityType::invoice: return "invoice";
  }
  return "unknown";
}

/// Names one CRM record: `{contact, 5}`.
struct EntityRef {
  EntityType type = EntityType::contact;  ///< what kind of record
  EntityId id = 0;                        ///< its id among records of that type
  friend constexpr auto operator<=>(const EntityRef&,
                                    const EntityRef&) = default;  ///< by type, then id
};

/// A lead's status; only `in_progress` leads are matched (R-M2).
enum class LeadStatus : std::uint8_t { in_progress, converted, junk };
/// The value's name, as fmt prints it.
constexpr std::string_view format_as(LeadStatus s) noexcept {
  switch (s) {
    case LeadStatus::in_progress: return "in_progress";
    case LeadStatus::converted: return "converted";
    case LeadStatus::junk: return "junk";
  }
  return "unknown";
}

/// A deal's stage; an *open* deal is one `in_progress`, in any pipeline.
enum class DealStage : std::uint8_t { in_progress, won, lost };
/// The value's name, as fmt prints it.
constexpr std::string_view format_as(DealStage s) noexcept {
  switch (s) {
    case DealStage::in_progress: return "in_progress";
    case DealStage::won: return "won";
    case DealStage::lost: return "lost";
  }
  return "unknown";
}

/// A person in the CRM.
struct Contact {
  EntityId id = 0;                          ///< its id in the CRM
  std::string name{};                       ///< as shown in the CRM
  std::vector<std::string> phones{};        ///< as written by whoever typed them
  std::vector<std::string> emails{};        ///< e-mail addresses (R-X1 lists them too)
  std::optional<EmployeeId> responsible{};  ///< the employee in charge (R-M4)
  std::optional<EntityId> company{};        ///< the company the contact works for
  /// Equal when every member is.
  friend bool operator==(const Contact&, const Contact&) = default;
};

/// An organisation in the CRM.
struct Company {
  EntityId id = 0;                          ///< its id in the CRM
  std::string title{};                      ///< as shown in the CRM
  std::vector<std::string> phones{};        ///< as written by whoever typed them
  std::vector<std::string> emails{};        ///< e-mail addresses
  std::optional<EmployeeId> responsible{};  ///< the employee in charge (R-M4)
  /// Equal when every member is.
  friend bool operator==(const Company&, const Company&) = default;
};

/// A lead: a possible sale not yet converted (classic CRM mode).
struct Lead {
  EntityId id = 0;                              ///< its id in the CRM
  std::string title{};                          ///< as shown in the CRM
  std::vector<std::string> phones{};            ///< as written by whoever typed them
  std::optional<EmployeeId> responsible{};      ///< the employee in charge (R-M4)
  LeadStatus status = LeadStatus::in_progress;  ///< only leads in progress are matched (R-M2)
  std::optional<Timestamp> modified{};          ///< missing = older than any given time (R-M3)
  std::optional<EntityId> contact{};            ///< set on repeat leads (R-L6)
  std::optional<EntityId> company{};            ///< set on repeat leads (R-L6)
  std::optional<std::string> source{};          ///< e.g. "CALL", or a call-tracking source
  bool repeat = false;                          ///< a repeat lead for a known client (R-L6)
  /// Equal when every member is.
  friend bool operator==(const Lead&, const Lead&) = default;
};

/// A deal with a contact and/or a company.
struct Deal {
  EntityId id = 0;                           ///< its id in the CRM
  std::string title{};                       ///< as shown in the CRM
  std::optional<EntityId> contact{};         ///< the client, a person
  std::optional<EntityId> company{};         ///< the client, an organisation
  std::optional<EmployeeId> responsible{};   ///< the employee in charge
  DealStage stage = DealStage::in_progress;  ///< open while in progress
  std::int64_t pipeline = 0;                 ///< 0 = the general pipeline
  std::optional<Timestamp> modified{};       ///< ranks a client's open deals (R-M5)
  std::optional<std::string> source{};       ///< e.g. "CALL", or a call-tracking source
  bool repeat = false;                       ///< a repeat deal for a known client (R-S2)
  /// Equal when every member is.
  friend bool operator==(const Deal&, const Deal&) = default;
};

/// An invoice created during a call (R-A7), bound to the call's primary entity.
struct Invoice {
  EntityId id = 0;                          ///< its id in the CRM
  double amount = 0;                        ///< in the CRM's currency
  EntityRef entity{};                       ///< the primary entity of the call
  std::optional<EmployeeId> responsible{};  ///< the employee in charge
  std::string call{};                       ///< the host's call id
  /// Equal when every member is.
  friend bool operator==(const Invoice&, const Invoice&) = default;
};

/// True when a deal counts as open (stage in_progress, any pipeline).
constexpr bool is_open(const Deal& deal) noexcept {
  return deal.stage == DealStage::in_progress;
}
/// True when a lead takes part in matching (status in_progress).
constexpr bool is_open(const Lead& lead) noexcept {
  return lead.status == LeadStatus::in_progress;
}

TELCRM_END_NAMESPACE
