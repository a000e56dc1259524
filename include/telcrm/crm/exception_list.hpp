// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file ExceptionList: numbers and e-mails that never enter the CRM (R-X1, R-X3).

#include <telcrm/config.hpp>
#include <telcrm/phone/phone_normalizer.hpp>
#include <telcrm/settings/settings.hpp>

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

TELCRM_BEGIN_NAMESPACE

/// The exception list: phones (compared in E.164, or by their digits when they do not
/// normalise) and e-mail addresses (trimmed, case-insensitive).
///
/// Thread safety: any thread may read or change it at any time; a change applies to the next
/// lookup (R-X3). Readers never wait for a writer: a change builds a new immutable list and
/// swaps it in; a reader only copies the pointer to the current one.
class ExceptionList {
 public:
  /// An empty list whose phones are read against `default_region` (R-N2).
  explicit ExceptionList(Region default_region);
  /// The list of the integration settings.
  ExceptionList(const ExceptionSettings& settings, Region default_region);

  /// Adds a phone as written; false when it has no digits or is already listed.
  bool add_phone(std::string_view phone);
  /// Removes a phone, however it is written now; false when it was not listed.
  bool remove_phone(std::string_view phone);
  /// Adds an e-mail; false when it is empty or already listed.
  bool add_email(std::string_view email);
  /// Removes an e-mail; false when it was not listed.
  bool remove_email(std::string_view email);

  /// True when `number` (already normalised) is listed.
  [[nodiscard]] bool contains(const PhoneNumber& number) const;
  /// True when the phone as written is listed.
  [[nodiscard]] bool contains_phone(std::string_view phone) const;
  /// True when the e-mail is listed (trimmed, case-insensitive).
  [[nodiscard]] bool contains_email(std::string_view email) const;

  /// The listed phones (E.164, or digits) and e-mails (canonical form), sorted.
  [[nodiscard]] std::vector<std::string> phones() const;
  [[nodiscard]] std::vector<std::string> emails() const;

  /// The canonical form of an e-mail: trimmed of blanks, ASCII letters in lower case.
  [[nodiscard]] static std::string canonical_email(std::string_view email);

 private:
  struct Lists {
    std::vector<std::uint64_t> phone_keys;  // sorted; E.164 or raw-digits keys
    std::vector<std::string> phone_texts;   // same order as phone_keys
    std::vector<std::string> emails;        // sorted canonical forms
  };
  [[nodiscard]] std::shared_ptr<const Lists> current() const;
  [[nodiscard]] std::uint64_t key_of(const PhoneNumber& number) const;

  Region default_region_;
  PhoneNormalizer normalizer_;
  mutable std::mutex mutex_;  // guards lists_ (the pointer) and serialises writers
  std::shared_ptr<const Lists> lists_;
};

TELCRM_END_NAMESPACE

#ifdef TELCRM_HEADER_ONLY
#include <telcrm/crm/exception_list-inl.hpp>
#endif
