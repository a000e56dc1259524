// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// PhoneNormalizer: any way a person, CRM or PBX writes a number → PhoneNumber.

#include <telcrm/config.hpp>
#include <telcrm/phone/phone_number.hpp>
#include <telcrm/phone/region.hpp>

#include <string_view>

TELCRM_BEGIN_NAMESPACE

/// Options of a PhoneNormalizer; the defaults are the behaviour the spec describes.
struct NormalizerOptions {
  /// Read letters as keypad digits (1-800-FLOWERS) when at least this many remain (R-N4).
  int min_vanity_letters = 3;
};

/// Turns a phone number as written into a PhoneNumber (R-N1 … R-N5, R-N7).
///
/// Pure and thread-safe: a const object may be shared by any number of threads. Never
/// allocates for inputs up to 64 bytes; runs in time linear in the input's length; input of
/// more than 250 bytes, once whitespace and filler at both ends are dropped, is rejected
/// unread as `invalid` (input_too_long).
class PhoneNormalizer {
 public:
  PhoneNormalizer() noexcept = default;
  /// A normaliser with `options` (the default constructor takes the defaults).
  explicit PhoneNormalizer(NormalizerOptions options) noexcept : options_(options) {}

  /// Normalises `input` (UTF-8) against `default_region`, the line's region for the call's own
  /// number or the integration's default region for stored numbers (R-N2). Never fails: bad
  /// input gives a number whose status is `invalid` with a reason.
  [[nodiscard]] PhoneNumber normalize(std::string_view input, Region default_region) const noexcept;

  /// The options it reads with.
  [[nodiscard]] const NormalizerOptions& options() const noexcept { return options_; }

 private:
  NormalizerOptions options_;
};

TELCRM_END_NAMESPACE

#ifdef TELCRM_HEADER_ONLY
#include <telcrm/phone/phone_normalizer-inl.hpp>
#endif
