// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <telcrm/crm/data_quality.hpp>

#include <algorithm>
#include <map>

TELCRM_BEGIN_NAMESPACE

TELCRM_INLINE DataQualityReport check_data_quality(const CrmSnapshot& crm,
                                                   const IndexOptions& options,
                                                   const PhoneNormalizer& normalizer) {
  DataQualityReport report;
  std::map<std::string, std::vector<EntityRef>> by_number;
  auto check = [&](EntityRef ref, const std::vector<std::string>& phones) {
    ++report.records;
    for (const auto& phone : phones) {
      ++report.phones;
      const PhoneNumber n = normalizer.normalize(phone, options.default_region);
      if (!n.is_dialable()) {
        report.unnormalised.push_back({ref, phone, n.status(), n.reason()});
        continue;
      }
      auto& refs = by_number[std::string(n.e164())];
      if (std::find(refs.begin(), refs.end(), ref) == refs.end()) refs.push_back(ref);
    }
  };
  for (const auto& c : crm.contacts) check({EntityType::contact, c.id}, c.phones);
  for (const auto& c : crm.companies) check({EntityType::company, c.id}, c.phones);
  for (const auto& l : crm.leads) check({EntityType::lead, l.id}, l.phones);
  for (auto& [number, refs] : by_number) {
    if (refs.size() < 2) continue;
    std::sort(refs.begin(), refs.end());
    report.shared.push_back({number, std::move(refs)});
  }
  return report;
}

TELCRM_END_NAMESPACE
