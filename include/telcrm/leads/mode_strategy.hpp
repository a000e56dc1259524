// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file ModeStrategy: what the CRM mode makes of a call that creates something (R-S1 …
/// R-S3). The LeadFactory decides *whether* a call creates; the mode decides *what*.

#include <telcrm/config.hpp>
#include <telcrm/crm/match_result.hpp>
#include <telcrm/leads/creation_plan.hpp>
#include <telcrm/settings/settings.hpp>

#include <memory>
#include <span>
#include <string>

TELCRM_BEGIN_NAMESPACE

/// What the factory hands a mode: the call, already past every R-L gate.
struct CreationInput {
  const LineSettings& line;
  const MatchResult& match;
  std::string_view number;  ///< as received (titles and stored phones use it, R-L4)
  std::string title;        ///< the line's title template, rendered
};

/// The CRM mode. Stateless; one shared instance per mode.
class ModeStrategy {
 public:
  virtual ~ModeStrategy() = default;
  [[nodiscard]] virtual CrmMode mode() const noexcept = 0;
  /// What an unknown caller gets under `create` (R-L1, R-S1, R-S2).
  virtual void plan_unknown(const CreationInput& in, CreationPlan& plan) const = 0;
  /// What a known contact or company gets (R-L6, R-S2); may leave the plan empty.
  virtual void plan_known(const CreationInput& in, bool repeat_sales, CreationPlan& plan) const = 0;
  /// What the call result offers when nothing was created for an unknown caller (R-L1).
  [[nodiscard]] virtual std::span<const OfferAction> offer() const noexcept = 0;
};

// The overriders are declared TELCRM_INLINE as well as defined so: header-only, a virtual
// function declared without `inline` becomes the class's key function, and every file that
// includes this header would emit the vtable and compile every overrider it points to.
/// Classic CRM, with leads (R-S1): unknown callers become leads; known clients without an
/// open deal get a repeat lead when repeat sales are on (R-L6).
class ClassicMode final : public ModeStrategy {
 public:
  [[nodiscard]] CrmMode mode() const noexcept override { return CrmMode::classic; }
  TELCRM_INLINE void plan_unknown(const CreationInput& in, CreationPlan& plan) const override;
  TELCRM_INLINE void plan_known(const CreationInput& in, bool repeat_sales,
                                CreationPlan& plan) const override;
  [[nodiscard]] TELCRM_INLINE std::span<const OfferAction> offer() const noexcept override;
};

/// Simple CRM, without leads (R-S2): unknown callers become a deal plus a contact and/or a
/// company; a known client without an open deal gets a repeat deal, whatever repeat_sales says.
class SimpleMode final : public ModeStrategy {
 public:
  explicit SimpleMode(SimpleModeSettings settings) : settings_(settings) {}
  [[nodiscard]] CrmMode mode() const noexcept override { return CrmMode::simple; }
  TELCRM_INLINE void plan_unknown(const CreationInput& in, CreationPlan& plan) const override;
  TELCRM_INLINE void plan_known(const CreationInput& in, bool repeat_sales,
                                CreationPlan& plan) const override;
  [[nodiscard]] TELCRM_INLINE std::span<const OfferAction> offer() const noexcept override;

 private:
  SimpleModeSettings settings_;
};

/// The strategy for the integration's mode (R-S3: built per settings version, so a switch
/// affects only calls that start afterwards).
[[nodiscard]] std::shared_ptr<const ModeStrategy> make_mode_strategy(const IntegrationSettings& s);

TELCRM_END_NAMESPACE

#ifdef TELCRM_HEADER_ONLY
#include <telcrm/leads/mode_strategy-inl.hpp>
#endif
