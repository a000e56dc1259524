// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// CrmMatcher: finds the client a call belongs to (R-N6, R-N7, R-M1 … R-M5, R-X1,
/// R-X2).

#include <telcrm/config.hpp>
#include <telcrm/crm/crm_index.hpp>
#include <telcrm/crm/employee_index.hpp>
#include <telcrm/crm/exception_list.hpp>
#include <telcrm/crm/match_result.hpp>
#include <telcrm/phone/phone_normalizer.hpp>

#include <optional>
#include <string_view>

TELCRM_BEGIN_NAMESPACE

/// One lookup: the number as received and the context of its call.
struct MatchRequest {
  std::string_view number{};        ///< the caller, or the dialled number of an outgoing call
  Region region{};                  ///< the line's region (R-N2)
  bool crm_lookup = true;           ///< false when the line's CRM lookup is off
  std::optional<EntityRef> card{};  ///< the call was started from this entity's card (R-M1)
};

/// Decides what a number is in the CRM. Pure: it reads only the values it is given (an index
/// snapshot, the exception list, the employees) and returns a MatchResult; thread-safe.
///
/// Order (section X): CRM lookup off → `disabled`; on the exception list → `excepted`; an
/// active employee's number → `employee`; a card → that entity; else the tier cascade of
/// R-N6 (e164 with raw, then national, then suffix), ranked by R-M2 and R-M3.
class CrmMatcher {
 public:
  /// A matcher that reads callers' numbers with `normalizer`.
  explicit CrmMatcher(PhoneNormalizer normalizer = PhoneNormalizer()) : normalizer_(normalizer) {}

  /// What `request.number`, read against `request.region`, is in the CRM: see the class.
  [[nodiscard]] MatchResult match(const MatchRequest& request, const CrmIndex::Snapshot& crm,
                                  const ExceptionList& exceptions,
                                  const EmployeeIndex& employees) const;

  /// The same, for a number already normalised against the line's region.
  [[nodiscard]] MatchResult match(const PhoneNumber& number, const MatchRequest& request,
                                  const CrmIndex::Snapshot& crm, const ExceptionList& exceptions,
                                  const EmployeeIndex& employees) const;

  /// Ranks and binds a known set of candidates (the tail of match(), exposed for tests and
  /// for hosts that search by other means).
  [[nodiscard]] static MatchResult resolve(PhoneNumber number, std::vector<MatchCandidate> found,
                                           const CrmIndex::Snapshot& crm,
                                           const EmployeeIndex& employees);

 private:
  PhoneNormalizer normalizer_;
};

TELCRM_END_NAMESPACE

#ifdef TELCRM_HEADER_ONLY
#include <telcrm/crm/crm_matcher-inl.hpp>
#endif
