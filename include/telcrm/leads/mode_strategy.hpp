// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// ModeStrategy: what the CRM mode makes of a call that creates something (R-S1 …
/// R-S3). The LeadFactory decides *whether* a call creates; the mode decides *what*.

#include <telcrm/config.hpp>
#include <telcrm/crm/match_result.hpp>
#include <telcrm/leads/creation_plan.hpp>
#include <telcrm/settings/settings.hpp>

#include <optional>
#include <span>
#include <string>
#include <variant>

TELCRM_BEGIN_NAMESPACE

/// What the factory hands a mode: the call, already past every R-L gate.
struct CreationInput {
  const LineSettings& line;  ///< the line the call is on
  const MatchResult& match;  ///< what the number is in the CRM
  std::string_view number;   ///< as received (stored phones use it, R-L4)
};

/// What a mode makes of a call (the records part of a CreationPlan and its reason). The
/// lead's or deal's title is left empty: LeadFactory renders the line's template (R-L4) only
/// for a call that creates something — most calls from known clients create nothing.
struct ModePlan {
  CreationReason reason = CreationReason::not_in_crm;  ///< why it creates what it does
  std::optional<Deal> deal{};                          ///< a deal to create
  std::optional<Lead> lead{};                          ///< a lead to create
  std::optional<Contact> contact{};                    ///< a contact to create
  std::optional<Company> company{};                    ///< a company to create
};

// The overriders are declared TELCRM_INLINE as well as defined so: header-only, a virtual
// function declared without `inline` becomes the class's key function, and every file that
// includes this header would emit the vtable and compile every overrider it points to.
/// Classic CRM, with leads (R-S1): unknown callers become leads; known clients without an
/// open deal get a repeat lead when repeat sales are on (R-L6).
struct ClassicMode {
  /// CrmMode::classic.
  [[nodiscard]] static constexpr CrmMode mode() noexcept { return CrmMode::classic; }
  /// What an unknown caller gets under `create` (R-L1, R-S1).
  [[nodiscard]] ModePlan plan_unknown(const CreationInput& in) const;
  /// What a known contact or company gets (R-L6); may be nothing.
  [[nodiscard]] ModePlan plan_known(const CreationInput& in, bool repeat_sales) const;
  /// What the call result offers when nothing was created for an unknown caller (R-L1).
  [[nodiscard]] std::span<const OfferAction> offer() const noexcept;
};

/// Simple CRM, without leads (R-S2): unknown callers become a deal plus a contact and/or a
/// company; a known client without an open deal gets a repeat deal, whatever repeat_sales says.
struct SimpleMode {
  SimpleModeSettings settings{};  ///< what an unknown caller gets
  /// CrmMode::simple.
  [[nodiscard]] static constexpr CrmMode mode() noexcept { return CrmMode::simple; }
  /// What an unknown caller gets under `create` (R-L1, R-S2).
  [[nodiscard]] ModePlan plan_unknown(const CreationInput& in) const;
  /// What a known contact or company gets: a repeat deal without an open one (R-S2).
  [[nodiscard]] ModePlan plan_known(const CreationInput& in, bool repeat_sales) const;
  /// What the call result offers when nothing was created for an unknown caller (R-L1).
  [[nodiscard]] std::span<const OfferAction> offer() const noexcept;
};

/// The integration's CRM mode, as a value: one of ClassicMode and SimpleMode. Built per
/// settings version (R-S3: a switch affects only calls that start afterwards).
class ModeStrategy {
 public:
  /// @{
  /// The strategy of one mode.
  ModeStrategy(ClassicMode m) : mode_(m) {}  // NOLINT(google-explicit-constructor)
  ModeStrategy(SimpleMode m) : mode_(m) {}   // NOLINT(google-explicit-constructor)
  /// @}
  /// The strategy the settings ask for.
  [[nodiscard]] static ModeStrategy for_settings(const IntegrationSettings& s) {
    if (s.crm_mode == CrmMode::simple) return SimpleMode{s.simple_mode};
    return ClassicMode{};
  }
  /// The mode this is.
  [[nodiscard]] CrmMode mode() const noexcept {
    return std::visit([](const auto& m) { return m.mode(); }, mode_);
  }
  /// See ClassicMode::plan_unknown() and SimpleMode::plan_unknown().
  [[nodiscard]] ModePlan plan_unknown(const CreationInput& in) const {
    return std::visit([&](const auto& m) { return m.plan_unknown(in); }, mode_);
  }
  /// See ClassicMode::plan_known() and SimpleMode::plan_known().
  [[nodiscard]] ModePlan plan_known(const CreationInput& in, bool repeat_sales) const {
    return std::visit([&](const auto& m) { return m.plan_known(in, repeat_sales); }, mode_);
  }
  /// See ClassicMode::offer() and SimpleMode::offer().
  [[nodiscard]] std::span<const OfferAction> offer() const noexcept {
    return std::visit([](const auto& m) { return m.offer(); }, mode_);
  }
  /// The mode itself.
  [[nodiscard]] const std::variant<ClassicMode, SimpleMode>& get() const noexcept { return mode_; }

 private:
  std::variant<ClassicMode, SimpleMode> mode_;
};

TELCRM_END_NAMESPACE

#ifdef TELCRM_HEADER_ONLY
#include <telcrm/leads/mode_strategy-inl.hpp>
#endif
