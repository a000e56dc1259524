// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// The data-quality report of a CRM's phones: what does not normalise (R-N7), what is
/// shared by several records.

#include <telcrm/config.hpp>
#include <telcrm/crm/crm_index.hpp>
#include <telcrm/crm/snapshot.hpp>
#include <telcrm/phone/phone_normalizer.hpp>

#include <string>
#include <vector>

TELCRM_BEGIN_NAMESPACE

/// What check_data_quality() found in a CRM's phones (`telcrm crm check`).
struct DataQualityReport {
  /// A stored phone with no E.164 form: it is matched only by its digits (R-N7).
  struct Unnormalised {
    EntityRef entity{};                           ///< the record the phone is stored on
    std::string phone{};                          ///< as stored
    NumberStatus status = NumberStatus::invalid;  ///< what the normaliser made of it
    InvalidReason reason = InvalidReason::none;   ///< why it is invalid
  };
  /// A number (E.164) stored on more than one record.
  struct Shared {
    std::string number{};               ///< E.164
    std::vector<EntityRef> entities{};  ///< ordered by type, then id
  };
  std::size_t records = 0;                   ///< contacts, companies and leads
  std::size_t phones = 0;                    ///< their stored phones
  std::vector<Unnormalised> unnormalised{};  ///< ordered by record
  std::vector<Shared> shared{};              ///< ordered by number
};

/// Checks every phone of the contacts, companies and leads of `crm`, read against
/// `options.default_region`. Pure.
[[nodiscard]] DataQualityReport check_data_quality(const CrmSnapshot& crm,
                                                   const IndexOptions& options,
                                                   const PhoneNormalizer& normalizer = {});

TELCRM_END_NAMESPACE

#ifdef TELCRM_HEADER_ONLY
#include <telcrm/crm/data_quality-inl.hpp>
#endif
