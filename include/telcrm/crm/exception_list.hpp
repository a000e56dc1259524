// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// ExceptionList: numbers and e-mails that never enter the CRM (R-X1, R-X3), as an immutable
/// value.

#include <telcrm/config.hpp>
#include <telcrm/phone/phone_normalizer.hpp>
#include <telcrm/settings/settings.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

TELCRM_BEGIN_NAMESPACE

/// The exception list: phones (compared in E.164, or by their digits when they do not
/// normalise) and e-mail addresses (trimmed, case-insensitive).
///
/// An immutable value: with_…() and without_…() return a new list and leave this one as it
/// is, so a list can be read from any number of threads while the next one is built. Copies
/// share the data (a copy is O(1)); building a list from n entries is O(n log n), adding or
/// removing one entry O(n). R-X3's "changes apply to the next lookup" is the engine swapping
/// the whole value (CallEngine::update_exceptions): no call ever sees half of a change.
class ExceptionList {
 public:
  /// An empty list whose phones are read against `default_region` (R-N2).
  explicit ExceptionList(Region default_region = {});
  /// The list of the integration settings.
  ExceptionList(const ExceptionSettings& settings, Region default_region);

  /// This list plus a phone as written; the same list when it has no digits or is listed.
  [[nodiscard]] ExceptionList with_phone(std::string_view phone) const;
  /// This list without a phone, however it is written now.
  [[nodiscard]] ExceptionList without_phone(std::string_view phone) const;
  /// This list plus an e-mail; the same list when it is empty or listed.
  [[nodiscard]] ExceptionList with_email(std::string_view email) const;
  /// This list without an e-mail.
  [[nodiscard]] ExceptionList without_email(std::string_view email) const;

  /// True when `number` (already normalised) is listed.
  [[nodiscard]] bool contains(const PhoneNumber& number) const;
  /// True when the phone as written is listed.
  [[nodiscard]] bool contains_phone(std::string_view phone) const;
  /// True when the e-mail is listed (trimmed, case-insensitive).
  [[nodiscard]] bool contains_email(std::string_view email) const;

  /// @{
  /// The listed phones (E.164, or digits) and e-mails (canonical form), sorted.
  [[nodiscard]] std::vector<std::string> phones() const;
  [[nodiscard]] std::vector<std::string> emails() const;
  /// @}
  /// How many phones and e-mails are listed.
  [[nodiscard]] std::size_t size() const noexcept;
  /// The region listed phones written without `+` are read against.
  [[nodiscard]] Region default_region() const noexcept { return default_region_; }

  /// The canonical form of an e-mail: trimmed of blanks, ASCII letters in lower case.
  [[nodiscard]] static std::string canonical_email(std::string_view email);

  /// Equal when they list the same phones and e-mails.
  friend bool operator==(const ExceptionList& a, const ExceptionList& b);

 private:
  struct Lists {
    std::vector<std::uint64_t> phone_keys;  // sorted, unique; E.164 or raw-digits keys
    std::vector<std::string> phone_texts;   // same order as phone_keys
    std::vector<std::string> emails;        // sorted, unique canonical forms
  };
  ExceptionList(Region default_region, std::shared_ptr<const Lists> lists)
      : default_region_(default_region), lists_(std::move(lists)) {}
  [[nodiscard]] std::uint64_t key_of(const PhoneNumber& number) const;

  Region default_region_;
  std::shared_ptr<const Lists> lists_;  // never null
};

TELCRM_END_NAMESPACE

#ifdef TELCRM_HEADER_ONLY
#include <telcrm/crm/exception_list-inl.hpp>
#endif
