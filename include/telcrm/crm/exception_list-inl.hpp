// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <telcrm/crm/exception_list.hpp>
#include <telcrm/crm/index_keys.hpp>

#include <algorithm>

TELCRM_BEGIN_NAMESPACE

TELCRM_INLINE ExceptionList::ExceptionList(Region default_region)
    : default_region_(default_region), lists_(std::make_shared<const Lists>()) {}

TELCRM_INLINE ExceptionList::ExceptionList(const ExceptionSettings& settings, Region default_region)
    : ExceptionList(default_region) {
  for (const auto& p : settings.phones) add_phone(p);
  for (const auto& e : settings.emails) add_email(e);
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

TELCRM_INLINE std::shared_ptr<const ExceptionList::Lists> ExceptionList::current() const {
  std::lock_guard lock(mutex_);
  return lists_;
}

TELCRM_INLINE bool ExceptionList::add_phone(std::string_view phone) {
  const PhoneNumber n = normalizer_.normalize(phone, default_region_);
  const std::uint64_t key = key_of(n);
  if (key == 0) return false;
  std::lock_guard lock(mutex_);
  auto next = std::make_shared<Lists>(*lists_);
  auto at = std::lower_bound(next->phone_keys.begin(), next->phone_keys.end(), key);
  if (at != next->phone_keys.end() && *at == key) return false;
  auto offset = at - next->phone_keys.begin();
  next->phone_keys.insert(at, key);
  next->phone_texts.insert(next->phone_texts.begin() + offset,
                           std::string(n.is_dialable() ? n.e164() : n.digits()));
  lists_ = std::move(next);
  return true;
}

TELCRM_INLINE bool ExceptionList::remove_phone(std::string_view phone) {
  const std::uint64_t key = key_of(normalizer_.normalize(phone, default_region_));
  std::lock_guard lock(mutex_);
  auto at = std::lower_bound(lists_->phone_keys.begin(), lists_->phone_keys.end(), key);
  if (key == 0 || at == lists_->phone_keys.end() || *at != key) return false;
  auto offset = at - lists_->phone_keys.begin();
  auto next = std::make_shared<Lists>(*lists_);
  next->phone_keys.erase(next->phone_keys.begin() + offset);
  next->phone_texts.erase(next->phone_texts.begin() + offset);
  lists_ = std::move(next);
  return true;
}

TELCRM_INLINE bool ExceptionList::add_email(std::string_view email) {
  std::string canonical = canonical_email(email);
  if (canonical.empty()) return false;
  std::lock_guard lock(mutex_);
  auto at = std::lower_bound(lists_->emails.begin(), lists_->emails.end(), canonical);
  if (at != lists_->emails.end() && *at == canonical) return false;
  auto offset = at - lists_->emails.begin();
  auto next = std::make_shared<Lists>(*lists_);
  next->emails.insert(next->emails.begin() + offset, std::move(canonical));
  lists_ = std::move(next);
  return true;
}

TELCRM_INLINE bool ExceptionList::remove_email(std::string_view email) {
  const std::string canonical = canonical_email(email);
  std::lock_guard lock(mutex_);
  auto at = std::lower_bound(lists_->emails.begin(), lists_->emails.end(), canonical);
  if (at == lists_->emails.end() || *at != canonical) return false;
  auto offset = at - lists_->emails.begin();
  auto next = std::make_shared<Lists>(*lists_);
  next->emails.erase(next->emails.begin() + offset);
  lists_ = std::move(next);
  return true;
}

TELCRM_INLINE bool ExceptionList::contains(const PhoneNumber& number) const {
  const std::uint64_t key = key_of(number);
  if (key == 0) return false;
  auto lists = current();
  return std::binary_search(lists->phone_keys.begin(), lists->phone_keys.end(), key);
}

TELCRM_INLINE bool ExceptionList::contains_phone(std::string_view phone) const {
  return contains(normalizer_.normalize(phone, default_region_));
}

TELCRM_INLINE bool ExceptionList::contains_email(std::string_view email) const {
  auto lists = current();
  return std::binary_search(lists->emails.begin(), lists->emails.end(), canonical_email(email));
}

TELCRM_INLINE std::vector<std::string> ExceptionList::phones() const {
  auto texts = current()->phone_texts;
  std::sort(texts.begin(), texts.end());
  return texts;
}
TELCRM_INLINE std::vector<std::string> ExceptionList::emails() const {
  return current()->emails;
}

TELCRM_END_NAMESPACE
