// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <telcrm/crm/crm_matcher.hpp>

#include <algorithm>
#include <string>

TELCRM_BEGIN_NAMESPACE

namespace detail {

// R-M3 for contacts and companies: an open deal wins; then the most recently modified open
// deal; then the lowest id. Open deals are kept most recent first, so the head decides.
inline bool ranks_before(const FactsView& a, const FactsView& b) {
  const bool a_open = !a.open_deals.empty();
  const bool b_open = !b.open_deals.empty();
  if (a_open != b_open) return a_open;
  if (a_open) {
    const auto& ma = a.open_deals.front().modified;
    const auto& mb = b.open_deals.front().modified;
    if (ma != mb) return mb < ma;  // nullopt (missing) is the oldest
  }
  return a.ref.id < b.ref.id;
}

// R-M3 for leads: the most recently modified; equal times go to the lowest id.
inline bool lead_ranks_before(const FactsView& a, const FactsView& b) {
  if (a.modified != b.modified) return b.modified < a.modified;
  return a.ref.id < b.ref.id;
}

inline bool is_searchable(const FactsView& f) {
  if (!f.exists) return false;
  switch (f.ref.type) {
    case EntityType::contact:
    case EntityType::company: return true;
    case EntityType::lead: return f.lead_status == LeadStatus::in_progress;  // R-M2
    default: return false;
  }
}

// A candidate with the facts it was found with (read once, used for ranking and binding).
struct FoundFacts {
  FactsView facts;
  MatchHow how;
};

inline int group_of(EntityType t) {  // R-M2's order: contacts, companies, then leads
  switch (t) {
    case EntityType::contact: return 0;
    case EntityType::company: return 1;
    default: return 2;
  }
}

// R-M2 … R-M5 over the candidates of one tier.
inline MatchResult rank_and_bind(const PhoneNumber& number, std::vector<FoundFacts>& found,
                                 const EmployeeIndex& employees) {
  MatchResult result;
  result.number = number;
  result.crm = CrmState::unknown;
  std::erase_if(found, [](const FoundFacts& f) {
    return group_of(f.facts.ref.type) == 2 && f.facts.ref.type != EntityType::lead;
  });
  if (found.empty()) return result;
  std::sort(found.begin(), found.end(), [](const FoundFacts& a, const FoundFacts& b) {
    const int ga = group_of(a.facts.ref.type), gb = group_of(b.facts.ref.type);
    return ga != gb ? ga < gb : a.facts.ref.id < b.facts.ref.id;
  });

  // R-M2: a contact beats a company; leads count only when neither matched (the first group
  // present after sorting is the one that counts).
  const int winning_group = group_of(found.front().facts.ref.type);
  const FoundFacts* primary = nullptr;
  for (const auto& f : found) {
    if (group_of(f.facts.ref.type) != winning_group) break;
    const bool better =
        primary == nullptr || (winning_group == 2 ? lead_ranks_before(f.facts, primary->facts)
                                                  : ranks_before(f.facts, primary->facts));
    if (better) primary = &f;
  }

  const FactsView& p = primary->facts;
  result.crm = CrmState::matched;
  result.primary = p.ref;
  result.how = primary->how;
  if (p.responsible && employees.is_active(*p.responsible)) result.responsible = p.responsible;

  result.candidates.reserve(found.size());
  result.candidates.push_back({p.ref, primary->how});
  for (const auto& f : found)
    if (f.facts.ref != p.ref) result.candidates.push_back({f.facts.ref, f.how});

  if (p.ref.type == EntityType::contact) result.contact_company = p.company;
  // R-M5: the company of the primary contact, when it matched too.
  const FoundFacts* company = nullptr;
  if (p.ref.type == EntityType::contact && p.company)
    for (const auto& f : found)
      if (f.facts.ref == EntityRef{EntityType::company, *p.company}) company = &f;
  if (company != nullptr) result.company = company->facts.ref;

  result.bindings.reserve(p.open_deals.size() + 2);
  for (const auto& d : p.open_deals) result.bindings.push_back({EntityType::deal, d.id});
  if (company != nullptr)
    for (const auto& d : company->facts.open_deals)
      if (std::find(result.bindings.begin(), result.bindings.end(),
                    EntityRef{EntityType::deal, d.id}) == result.bindings.end())
        result.bindings.push_back({EntityType::deal, d.id});
  result.has_open_deal = !result.bindings.empty();
  result.bindings.push_back(p.ref);
  if (company != nullptr) result.bindings.push_back(company->facts.ref);
  result.has_open_repeat_lead = !p.open_repeat_leads.empty();
  return result;
}

}  // namespace detail

TELCRM_INLINE MatchResult CrmMatcher::match(const MatchRequest& request,
                                            const CrmIndex::Snapshot& crm,
                                            const ExceptionList& exceptions,
                                            const EmployeeIndex& employees) const {
  return match(normalizer_.normalize(request.number, request.region), request, crm, exceptions,
               employees);
}

TELCRM_INLINE MatchResult CrmMatcher::match(const PhoneNumber& number, const MatchRequest& request,
                                            const CrmIndex::Snapshot& crm,
                                            const ExceptionList& exceptions,
                                            const EmployeeIndex& employees) const {
  MatchResult result;
  result.number = number;
  if (!request.crm_lookup) {
    result.crm = CrmState::disabled;
    return result;
  }
  if (exceptions.contains(number)) {
    result.crm = CrmState::excepted;
    return result;
  }
  if (auto owner = employees.owner_of(number)) {
    result.crm = CrmState::employee;
    result.employee = owner;
    return result;
  }
  if (request.card) {
    if (auto f = crm.facts(*request.card); f && f->exists) {
      EntityRef bind_to = *request.card;
      // A deal's card binds the call to the deal's client, with the deal itself first.
      if (bind_to.type == EntityType::deal) {
        if (f->contact)
          bind_to = {EntityType::contact, *f->contact};
        else if (f->company)
          bind_to = {EntityType::company, *f->company};
      }
      MatchResult r = resolve(number, {{bind_to, MatchHow::card}}, crm, employees);
      if (request.card->type == EntityType::deal) {
        std::erase(r.bindings, *request.card);
        r.bindings.insert(r.bindings.begin(), *request.card);
      }
      return r;
    }
    // A card the index does not know (deleted meanwhile): search as for any call.
  }
  result.crm = CrmState::unknown;
  if (!number.is_dialable()) return result;  // R-M1: invalid and short numbers are not searched

  std::vector<detail::FoundFacts> found;
  auto add = [&](EntityRef ref, MatchHow how) {
    for (const auto& c : found)
      if (c.facts.ref == ref) return;
    if (auto f = crm.facts(ref); f && detail::is_searchable(*f)) found.push_back({*f, how});
  };

  // Tier 1: equal E.164, and stored phones that did not normalise with the same digits.
  crm.for_each_posting(number.key(), [&](EntityRef ref, WrittenForm) { add(ref, MatchHow::e164); });
  if (auto raw = raw_key(number.digits()); raw != 0)
    crm.for_each_posting(raw, [&](EntityRef ref, WrittenForm) { add(ref, MatchHow::raw); });
  if (!found.empty()) return detail::rank_and_bind(number, found, employees);

  // Tier 2: stored numbers written without a country whose digits are the caller's national
  // number, with or without the trunk prefix of the caller's country. A stored number was
  // read against the default region, so reading the candidate digits the same way gives the
  // same key and form exactly when the digits are equal.
  const Region home = crm.options().default_region;
  std::string trunk_national;
  if (auto country = Region::main_for_country_code(number.country_code()))
    if (!country->trunk_prefix().empty())
      trunk_national = std::string(country->trunk_prefix()) + std::string(number.national_number());
  for (std::string_view digits : {number.national_number(), std::string_view(trunk_national)}) {
    if (digits.empty()) continue;
    const PhoneNumber as_stored = normalizer_.normalize(digits, home);
    if (as_stored.is_dialable()) {
      const WrittenForm form = written_form(as_stored);
      // Tier 1 already found nothing under the caller's own key (a domestic caller).
      if (form == WrittenForm::international || as_stored.key() == number.key()) continue;
      crm.for_each_posting(as_stored.key(), [&](EntityRef ref, WrittenForm f) {
        if (f == form) add(ref, MatchHow::national);
      });
    } else if (auto raw = raw_key(as_stored.digits()); raw != 0) {
      crm.for_each_posting(raw, [&](EntityRef ref, WrittenForm f) {
        if (f == WrittenForm::national) add(ref, MatchHow::national);
      });
    }
  }
  if (!found.empty()) return detail::rank_and_bind(number, found, employees);

  // Tier 3: the last N digits, when enabled.
  if (int n = crm.options().suffix_digits; n > 0)
    if (auto key = suffix_key(number.e164().substr(1), n); key != 0)
      crm.for_each_posting(key, [&](EntityRef ref, WrittenForm) { add(ref, MatchHow::suffix); });
  if (!found.empty()) return detail::rank_and_bind(number, found, employees);
  return result;
}

TELCRM_INLINE MatchResult CrmMatcher::resolve(PhoneNumber number, std::vector<MatchCandidate> found,
                                              const CrmIndex::Snapshot& crm,
                                              const EmployeeIndex& employees) {
  std::vector<detail::FoundFacts> with_facts;
  with_facts.reserve(found.size());
  for (const auto& c : found)
    if (auto f = crm.facts(c.ref)) with_facts.push_back({*f, c.how});
  return detail::rank_and_bind(number, with_facts, employees);
}

TELCRM_END_NAMESPACE
