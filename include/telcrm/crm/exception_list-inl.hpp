// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <telcrm/crm/exception_list.hpp>
#include <telcrm/crm/index_keys.hpp>

#include <algorithm>
#include <numeric>

TELCRM_BEGIN_NAMESPACE

TELCRM_INLINE ExceptionList::ExceptionList(Region default_region)
    : default_region_(default_region), lists_(std::make_shared<const Lists>()) {}

TELCRM_INLINE ExceptionList::ExceptionList(const ExceptionSettings& settings, Region default_region)
    : default_region_(default_region) {
  // Built at once, sorted and deduplicated: O(n log n), never entry by entry.
  const PhoneNormalizer normalizer;
  std::vector<std::pair<std::uint64_t, std::string>> phones;
  phones.reserve(settings.phones.size());
  for (const auto& p : settings.phones) {
    const PhoneNumber n = normalizer.normalize(p, default_region);
    if (const std::uint64_t key = key_of(n); key != 0)
      phones.emplace_back(key, std::string(n.is_dialable() ? n.e164() : n.digits()));
  }
  std::sort(phones.begin(), phones.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  phones.erase(std::unique(phones.begin(), phones.end(),
                           [](const auto& a, const auto& b) { return a.first == b.first; }),
               phones.end());
  auto lists = std::make_shared<Lists>();
  lists->phone_keys.reserve(phones.size());
  lists->phone_texts.reserve(phones.size());
  for (auto& [key, text] : phones) {
    lists->phone_keys.push_back(key);
    lists->phone_texts.push_back(std::move(text));
  }
  for (const auto& e : settings.emails)
    if (auto canonical = canonical_email(e); !canonical.empty())
      lists->emails.push_back(std::move(canonical));
  std::sort(lists->emails.begin(), lists->emails.end());
  lists->emails.erase(std::unique(lists->emails.begin(), lists->emails.end()), lists->emails.end());
  lists_ = std::move(lists);
}

TELCRM_INLINE std::string ExceptionList::canonical_email(std::string_view email) {
  auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!email.empty() && blank(email.front())) email.remove_prefix(1);
  while (!email.empty() && blank(email.back())) email.remove_suffix(1);
  std::string out(email);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

TELCRM_INLINE std::uint64_t ExceptionList::key_of(const PhoneNumber& number) const {
  return number.is_dialable() ? number.key() : raw_key(number.digits());
}

TELCRM_INLINE ExceptionList ExceptionList::with_phone(std::string_view phone) const {
  const PhoneNumber n = PhoneNormalizer{}.normalize(phone, default_region_);
  const std::uint64_t key = key_of(n);
  auto at = std::lower_bound(lists_->phone_keys.begin(), lists_->phone_keys.end(), key);
  if (key == 0 || (at != lists_->phone_keys.end() && *at == key)) return *this;
  const auto offset = at - lists_->phone_keys.begin();
  auto next = std::make_shared<Lists>(*lists_);
  next->phone_keys.insert(next->phone_keys.begin() + offset, key);
  next->phone_texts.insert(next->phone_texts.begin() + offset,
                           std::string(n.is_dialable() ? n.e164() : n.digits()));
  return ExceptionList(default_region_, std::move(next));
}

TELCRM_INLINE ExceptionList ExceptionList::without_phone(std::string_view phone) const {
  const std::uint64_t key = key_of(PhoneNormalizer{}.normalize(phone, default_region_));
  auto at = std::lower_bound(lists_->phone_keys.begin(), lists_->phone_keys.end(), key);
  if (key == 0 || at == lists_->phone_keys.end() || *at != key) return *this;
  const auto offset = at - lists_->phone_keys.begin();
  auto next = std::make_shared<Lists>(*lists_);
  next->phone_keys.erase(next->phone_keys.begin() + offset);
  next->phone_texts.erase(next->phone_texts.begin() + offset);
  return ExceptionList(default_region_, std::move(next));
}

TELCRM_INLINE ExceptionList ExceptionList::with_email(std::string_view email) const {
  std::string canonical = canonical_email(email);
  auto at = std::lower_bound(lists_->emails.begin(), lists_->emails.end(), canonical);
  if (canonical.empty() || (at != lists_->emails.end() && *at == canonical)) return *this;
  const auto offset = at - lists_->emails.begin();
  auto next = std::make_shared<Lists>(*lists_);
  next->emails.insert(next->emails.begin() + offset, std::move(canonical));
  return ExceptionList(default_region_, std::move(next));
}

TELCRM_INLINE ExceptionList ExceptionList::without_email(std::string_view email) const {
  const std::string canonical = canonical_email(email);
  auto at = std::lower_bound(lists_->emails.begin(), lists_->emails.end(), canonical);
  if (at == lists_->emails.end() || *at != canonical) return *this;
  const auto offset = at - lists_->emails.begin();
  auto next = std::make_shared<Lists>(*lists_);
  next->emails.erase(next->emails.begin() + offset);
  return ExceptionList(default_region_, std::move(next));
}

TELCRM_INLINE bool ExceptionList::contains(const PhoneNumber& number) const {
  const std::uint64_t key = key_of(number);
  return key != 0 && std::binary_search(lists_->phone_keys.begin(), lists_->phone_keys.end(), key);
}

TELCRM_INLINE bool ExceptionList::contains_phone(std::string_view phone) const {
  return contains(PhoneNormalizer{}.normalize(phone, default_region_));
}

TELCRM_INLINE bool ExceptionList::contains_email(std::string_view email) const {
  return std::binary_search(lists_->emails.begin(), lists_->emails.end(), canonical_email(email));
}

TELCRM_INLINE std::vector<std::string> ExceptionList::phones() const {
  auto texts = lists_->phone_texts;
  std::sort(texts.begin(), texts.end());
  return texts;
}

TELCRM_INLINE std::vector<std::string> ExceptionList::emails() const {
  return lists_->emails;
}

TELCRM_INLINE std::size_t ExceptionList::size() const noexcept {
  return lists_->phone_keys.size() + lists_->emails.size();
}

TELCRM_INLINE bool operator==(const ExceptionList& a, const ExceptionList& b) {
  return a.lists_ == b.lists_ ||
         (a.lists_->phone_keys == b.lists_->phone_keys && a.lists_->emails == b.lists_->emails);
}

TELCRM_END_NAMESPACE
