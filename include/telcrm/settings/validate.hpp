// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// Checking IntegrationSettings: validate() finds what makes settings unusable (errors),
/// lint() what is legal but probably not meant (warnings). Both report every problem with the
/// path of the field in the scenario format's `settings` shape.

#include <telcrm/config.hpp>
#include <telcrm/detail/enum_format.hpp>
#include <telcrm/phone/phone_normalizer.hpp>
#include <telcrm/result.hpp>
#include <telcrm/settings/settings.hpp>

#include <fmt/core.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

TELCRM_BEGIN_NAMESPACE

/// How bad a settings problem is: an error makes the settings unusable; a warning does not.
enum class Severity : std::uint8_t { error, warning };
/// The value's name, as fmt prints it.
constexpr std::string_view format_as(Severity s) noexcept {
  return s == Severity::error ? "error" : "warning";
}

/// One problem found in settings: where it is and what is wrong.
struct SettingsProblem {
  Severity severity = Severity::error;  ///< errors make settings unusable; warnings do not
  std::string path{};                   ///< e.g. "settings.queues[0].rings"
  std::string message{};                ///< e.g. "must be 2 to 7 rings, got 9"
  /// Equal when every member is.
  friend bool operator==(const SettingsProblem&, const SettingsProblem&) = default;
};

/// `path: message`.
inline std::string format_as(const SettingsProblem& p) {
  return p.path + ": " + p.message;
}

/// Every error of `settings`, in document order: an unknown default region, queue members
/// the directory's `employees` do not hold, references to queues that do not exist,
/// duplicate ids, `rings` outside 2–7, a missing or undialable `forward_number` for
/// `forward_to_number`, a missing `next_queue`, a UTC offset outside −12:00…+14:00, a time
/// of day past 24:00, ring times outside 1–600 s, an empty source or title,
/// `match_suffix_digits` other than 0 or 7–15, a simple mode that creates neither a contact
/// nor a company. Employee problems (duplicate ids) are reported at `root`.employees[i], the
/// place the JSON formats keep them. Paths start with `root`. Pure; thread-safe.
[[nodiscard]] std::vector<SettingsProblem> validate(const IntegrationSettings& settings,
                                                    std::span<const Employee> employees,
                                                    std::string_view root = "settings",
                                                    const PhoneNormalizer& normalizer = {});
/// The same without the directory: queue members are not checked.
[[nodiscard]] std::vector<SettingsProblem> validate(const IntegrationSettings& settings,
                                                    std::string_view root = "settings",
                                                    const PhoneNormalizer& normalizer = {});

/// Every warning of `settings` (never an error; call validate() for those): `next_queue`
/// chains that cycle, queues with no member or only inactive ones, a `wait` rule on a queue
/// that can be empty (R-Q5 then hangs up), work hours whose `from` is not before `to` or that
/// have no working day, holidays that are not dates or repeat, a `forward_number` or
/// `next_queue` the rule ignores, queues no line uses, phones that do not normalise
/// (employees' phones at `root`.employees[i]), e-mails without `@`, unknown `{placeholders}`
/// in a lead title. Safe on invalid settings. Pure.
[[nodiscard]] std::vector<SettingsProblem> lint(const IntegrationSettings& settings,
                                                std::span<const Employee> employees,
                                                std::string_view root = "settings",
                                                const PhoneNormalizer& normalizer = {});
/// The same without the directory: no warning about employees.
[[nodiscard]] std::vector<SettingsProblem> lint(const IntegrationSettings& settings,
                                                std::string_view root = "settings",
                                                const PhoneNormalizer& normalizer = {});

/// Succeeds when validate() finds no error; else Errc::invalid_argument whose message is the
/// first error (`path: message`), followed by `(and N more problems)` when there are more.
[[nodiscard]] Result<void> check_settings(const IntegrationSettings& settings,
                                          std::span<const Employee> employees,
                                          std::string_view root = "settings",
                                          const PhoneNormalizer& normalizer = {});
/// The same without the directory.
[[nodiscard]] Result<void> check_settings(const IntegrationSettings& settings,
                                          std::string_view root = "settings",
                                          const PhoneNormalizer& normalizer = {});

TELCRM_END_NAMESPACE

#if FMT_VERSION < 100000
template <>
struct fmt::formatter<telcrm::SettingsProblem, char>
    : telcrm::TELCRM_ABI_NAMESPACE::detail::text_formatter {
  template <class Context>
  auto format(const telcrm::SettingsProblem& problem, Context& ctx) const {
    return write(format_as(problem), ctx);
  }
};
#endif

#ifdef TELCRM_HEADER_ONLY
#include <telcrm/settings/validate-inl.hpp>
#endif
