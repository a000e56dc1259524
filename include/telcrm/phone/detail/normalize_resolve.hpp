// SPDX-License-Identifier: Apache-2.0
#pragma once
// PhoneNormalizer, stage 2: the country the digits name (+, exit code, the region's own
// country code, or the default region), national prefixes, and how usable the number is
// (R-N5, R-N7).

#include <telcrm/phone/detail/normalize_read.hpp>
#include <telcrm/phone/phone_number-inl.hpp>
#include <telcrm/phone/region-inl.hpp>

TELCRM_BEGIN_NAMESPACE
namespace detail::normalize {

/// A number resolved to a country. The national significant number is a view into the
/// digits being read, or into `rewritten` when it had to be rewritten (AR's mobile token);
/// copies keep pointing at their own buffer.
struct Resolution {
  NumberStatus status = NumberStatus::invalid;
  InvalidReason reason = InvalidReason::none;
  CountrySource source = CountrySource::none;
  std::uint16_t country_code = 0;
  std::int8_t valid = -1;  // nsn matches a pattern: 1 yes, 0 no, -1 not known yet
  std::string_view nsn;
  Digits<max_number_digits + 8> rewritten;

  Resolution() = default;
  Resolution(const Resolution& other) noexcept { *this = other; }
  Resolution& operator=(const Resolution& other) noexcept {
    if (this == &other) return *this;
    status = other.status;
    reason = other.reason;
    source = other.source;
    country_code = other.country_code;
    valid = other.valid;
    nsn = other.nsn;
    if (other.nsn.data() == other.rewritten.data) {
      rewritten = other.rewritten;
      nsn = rewritten.view();
    }
    return *this;
  }
  ~Resolution() = default;
};

// Prefixes here are a few digits: a plain loop beats a call to memcmp.
inline bool starts_with(std::string_view s, std::string_view prefix) noexcept {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (s[i] != prefix[i]) return false;
  return true;
}

/// Calls `f` with each prefix of `region` in the split lists `Lists` (ExitCodes,
/// NationalPrefixes), longest first, stopping when it returns true.
template <class Lists, class F>
inline bool any_prefix(const RegionData& region, F&& f) noexcept {
  const auto index = static_cast<std::size_t>(&region - region_table::regions);
  const PrefixList list = Lists::data.lists[index];
  for (std::size_t k = 0; k < list.count; ++k)
    if (f(Lists::data.pool[list.first + k])) return true;
  return false;
}

/// is_valid_national for one country, remembering its last answers: one number's digits are
/// asked about several times (whole, without the prefix, at the end), always as views into
/// the same buffer, so the address and length identify them.
class Validity {
 public:
  explicit Validity(const CountryData& country) noexcept : country_(country) {}
  [[nodiscard]] const CountryData& country() const noexcept { return country_; }
  bool operator()(std::string_view nsn) noexcept {
    for (std::size_t i = 0; i < used_; ++i)
      if (data_[i] == nsn.data() && size_[i] == nsn.size()) return value_[i];
    const bool valid = is_valid_national(country_, nsn);
    const std::size_t slot = used_ < 4 ? used_++ : (next_++ & 3U);
    data_[slot] = nsn.data();
    size_[slot] = nsn.size();
    value_[slot] = valid;
    return valid;
  }

 private:
  const CountryData& country_;
  const char* data_[4] = {};
  std::size_t size_[4] = {};
  bool value_[4] = {};
  std::size_t used_ = 0;
  std::size_t next_ = 0;
};

/// libphonenumber's rule for a national prefix: the rest must still be able to be a number.
inline bool length_allows_strip(const CountryData& country, std::size_t n) noexcept {
  return is_possible_length(country, n) || n > max_possible_length(country);
}

/// Removes a national prefix of `region` from `nsn` when the rest reads better: not when the
/// whole is a valid number and the rest is not, and (with `check_length`) only when the rest
/// has a possible length — the `(0)` rule of R-N2. Longer prefixes than the trunk prefix
/// (carrier selection codes such as BR's 0 21, MX's 044) need a valid rest, since they
/// also look like the start of an area code.
inline std::string_view strip_prefix_once(const RegionData& region, Validity& valid,
                                          std::string_view nsn, bool check_length) noexcept {
  std::string_view result = nsn;
  bool whole_valid = false;
  bool whole_known = false;
  any_prefix<NationalPrefixes>(region, [&](std::string_view prefix) {
    if (!starts_with(nsn, prefix) || nsn.size() == prefix.size()) return false;
    std::string_view rest = nsn.substr(prefix.size());
    if (!whole_known) {
      whole_valid = valid(nsn);
      whole_known = true;
    }
    const bool rest_valid = valid(rest);
    if (whole_valid && !rest_valid) return false;
    const bool trunk =
        prefix.size() == region.trunk_prefix.size() && starts_with(prefix, region.trunk_prefix);
    if (!trunk && !rest_valid) return false;
    if (check_length && !rest_valid && !length_allows_strip(valid.country(), rest.size()))
      return false;
    result = rest;
    return true;
  });
  return result;
}

/// strip_prefix_once until nothing more goes (with the length check), so that the result
/// reads the same when it is normalised again from its E.164 form ("+86 0 0 89…").
inline std::string_view strip_national_prefix(const RegionData& region, Validity& valid,
                                              std::string_view nsn, bool check_length) noexcept {
  std::string_view result = strip_prefix_once(region, valid, nsn, check_length);
  while (check_length && result.size() != nsn.size()) {
    nsn = result;
    result = strip_prefix_once(region, valid, nsn, true);
  }
  return result;
}

/// Fills `out.nsn` from `nsn`, rewriting an AR-style national mobile (area 15 subscriber →
/// 9 area subscriber) when only the rewritten form is valid.
inline void set_national(const RegionData& region, Validity& valid, std::string_view nsn,
                         Resolution& out) noexcept {
  const std::string_view infix = region.mobile_infix;
  if (!infix.empty() && nsn.size() > infix.size() + 2 && !valid(nsn)) {
    for (std::size_t k = 1; k + infix.size() < nsn.size(); ++k) {
      if (nsn.substr(k, infix.size()) != infix) continue;
      Digits<max_number_digits + 8>& candidate = out.rewritten;
      candidate.size = 0;
      candidate.append(region.mobile_token);
      candidate.append(nsn.substr(0, k));
      candidate.append(nsn.substr(k + infix.size()));
      if (valid(candidate.view())) {
        out.nsn = candidate.view();
        out.valid = 1;
        return;
      }
    }
  }
  out.nsn = nsn;
  out.valid = valid(nsn) ? 1 : 0;
}

inline void classify(const CountryData& country, Resolution& out) noexcept {
  out.country_code = country.country_code;
  const std::size_t n = out.nsn.size();
  // At most 19 E.164 digits, so that the key (an integer) is exact: the table's longest is
  // +81 with 17 digits.
  const std::size_t max_here = 19 - country_code_digits(country.country_code);
  if (n < min_nsn || n > max_nsn || n > max_here) {
    out.status = NumberStatus::invalid;
    out.reason = n < min_nsn ? InvalidReason::too_short : InvalidReason::too_long;
  } else if (out.valid > 0 || (out.valid < 0 && is_valid_national(country, out.nsn))) {
    out.status = NumberStatus::valid;
  } else if (is_possible_length(country, n)) {
    out.status = NumberStatus::possible;  // metadata lag must never block a match (R-N5)
  } else {
    out.status = NumberStatus::invalid;
    out.reason =
        n < max_possible_length(country) ? InvalidReason::too_short : InvalidReason::too_long;
  }
  if (out.status == NumberStatus::invalid) out.source = CountrySource::none;
}

/// The region whose national prefixes apply to a number of calling code `cc`: the default
/// region when it has that code (KZ for +7 on a KZ line), else the code's main region.
inline const RegionData* region_for(const CountryData& country,
                                    const RegionData* default_region) noexcept {
  if (default_region != nullptr && default_region->country_code == country.country_code)
    return default_region;
  return region_data(country.main_region);
}

/// Reads `digits` as <country code><national number>. False when no calling code fits.
inline bool resolve_international(std::string_view digits, const RegionData* default_region,
                                  CountrySource source, Resolution& out) noexcept {
  // Calling codes are prefix-free: of the first one, two and three digits at most one is
  // assigned. All three are looked up, so the choice needs no branch on the data. A digit
  // at least must follow the code.
  if (digits.size() < 2 || digits[0] == '0') return false;
  const unsigned d0 = static_cast<unsigned>(digits[0] - '0');
  const unsigned d1 = static_cast<unsigned>(digits[1] - '0');
  const unsigned d2 = digits.size() > 3 ? static_cast<unsigned>(digits[2] - '0') : 0;
  const std::uint16_t row1 = country_rows[d0];
  const std::uint16_t row2 = digits.size() > 2 ? country_rows[d0 * 10 + d1] : no_country;
  const std::uint16_t row3 = digits.size() > 3 ? country_rows[d0 * 100 + d1 * 10 + d2] : no_country;
  const std::uint16_t row = row1 != no_country ? row1 : row2 != no_country ? row2 : row3;
  if (row == no_country) return false;
  const std::size_t cc_len = row1 != no_country ? 1 : row2 != no_country ? 2 : 3;
  const CountryData* country = &region_table::countries[row];
  const RegionData* region = region_for(*country, default_region);
  std::string_view nsn = digits.substr(cc_len);
  if (region != nullptr) {
    Validity valid(*country);
    nsn = strip_national_prefix(*region, valid, nsn, true);
    set_national(*region, valid, nsn, out);
  } else {
    out.nsn = nsn;
    out.valid = -1;
  }
  out.source = source;
  classify(*country, out);
  return true;
}

/// Tries the exit codes of `region` at the start of `digits`. Returns true when one matched
/// and a calling code followed; sets `matched` when an exit code matched at all.
inline bool resolve_exit_code(std::string_view digits, const RegionData& region,
                              CountrySource source, Resolution& out, bool& matched) noexcept {
  bool resolved = false;
  any_prefix<ExitCodes>(region, [&](std::string_view exit) {
    // Country codes never start with 0, and something must follow (libphonenumber's rule).
    if (!starts_with(digits, exit) || digits.size() <= exit.size() + 2 ||
        digits[exit.size()] == '0')
      return false;
    matched = true;
    resolved = resolve_international(digits.substr(exit.size()), &region, source, out);
    return true;
  });
  return resolved;
}

/// R-N2: the country of a number written with `plus` or not, against `region` (may be null).
inline void resolve(std::string_view digits, bool plus, const RegionData* region,
                    Resolution& out) noexcept {
  if (plus) {
    if (resolve_international(digits, region, CountrySource::plus_sign, out)) return;
    // Unambiguous slips: "+0049…", "++7", "+011 1…": an exit code written after the plus.
    bool matched = false;
    if (region != nullptr &&
        resolve_exit_code(digits, *region, CountrySource::plus_sign, out, matched))
      return;
    if (starts_with(digits, "00") &&
        resolve_international(digits.substr(2), region, CountrySource::plus_sign, out))
      return;
    out = Resolution{};
    out.reason = InvalidReason::unknown_country_code;
    return;
  }
  if (region == nullptr || region->country_code == 0) {
    out = Resolution{};
    if (digits.size() <= max_short_code) {
      out.status = NumberStatus::short_code;
    } else {
      out.reason = InvalidReason::unknown_region;
    }
    return;
  }
  const CountryData* country = country_for_code(region->country_code);
  if (country == nullptr) {
    out.reason = InvalidReason::unknown_region;
    return;
  }

  bool exit_matched = false;
  if (resolve_exit_code(digits, *region, CountrySource::exit_code, out, exit_matched)) return;
  Validity valid(*country);

  // Digits that begin with the region's own country code (79161234567 on an RU line) are
  // international when the rest is a valid national number and the whole is not, or when
  // the whole is too long. Lengths alone decide too (the rest has a possible length and
  // the whole has none), so that a number the validity table does not know is still read.
  // Where the trunk prefix is the country code (NANP's 1), the national reading below gives
  // the same number.
  const std::size_t cc_len = country_code_digits(region->country_code);
  unsigned leading = 0;
  for (std::size_t i = 0; i < cc_len && i < digits.size(); ++i)
    leading = leading * 10 + static_cast<unsigned>(digits[i] - '0');
  // The trunk prefix is the country code only in NANP ("1").
  const bool trunk_is_code = region->country_code == 1 && region->trunk_prefix == "1";
  if (!trunk_is_code && digits.size() > cc_len && leading == region->country_code &&
      digits[0] != '0') {
    std::string_view rest = strip_national_prefix(*region, valid, digits.substr(cc_len), false);
    const bool whole_valid = valid(digits);
    const bool by_pattern = !whole_valid && valid(rest);
    const bool by_length = !whole_valid && !is_possible_length(*country, digits.size()) &&
                           is_possible_length(*country, rest.size());
    if (by_pattern || by_length || digits.size() > max_possible_length(*country)) {
      rest = strip_national_prefix(*region, valid, rest, true);
      set_national(*region, valid, rest, out);
      out.source = CountrySource::leading_country_code;
      classify(*country, out);
      return;
    }
  }

  // A national form, with or without the trunk prefix.
  set_national(*region, valid, strip_national_prefix(*region, valid, digits, true), out);
  out.source = CountrySource::default_region;
  classify(*country, out);
  if (out.status == NumberStatus::valid) return;
  // A leading 0 where the plan has no trunk prefix (any more: PL dropped it in 2005) is an
  // old habit; it is dropped when that leaves a valid number.
  if (region->trunk_prefix.empty() && digits.size() > 1 && digits[0] == '0' &&
      valid(digits.substr(1))) {
    set_national(*region, valid, digits.substr(1), out);
    out.source = CountrySource::default_region;
    classify(*country, out);
    return;
  }
  if (digits.size() <= max_short_code) {
    out = Resolution{};
    out.status = NumberStatus::short_code;
    return;
  }
  // "00" is the exit code most of the world uses: accepted when it yields a valid number.
  if (!exit_matched && starts_with(digits, "00")) {
    Resolution abroad;
    if (resolve_international(digits.substr(2), region, CountrySource::exit_code, abroad) &&
        abroad.status == NumberStatus::valid) {
      out = abroad;
      return;
    }
  }
  if (exit_matched && out.status == NumberStatus::invalid) {
    out = Resolution{};
    out.reason = InvalidReason::unknown_country_code;
  }
}

/// Fills the resolved parts of `parts` from `r`.
inline void set_resolved(const Resolution& r, PhoneNumber::Parts& parts) noexcept {
  parts.status = r.status;
  parts.reason = r.status == NumberStatus::invalid ? r.reason : InvalidReason::none;
  parts.source = r.status == NumberStatus::short_code ? CountrySource::none : r.source;
  parts.country_code = r.status == NumberStatus::short_code ? std::uint16_t{0} : r.country_code;
  parts.national_number = r.nsn;
}

/// Stage 2 for what read() found: the country and status of the number, its extension, and
/// whether its letters are vanity letters.
inline PhoneNumber finish(const Reading& reading, Region default_region, const RegionData* region,
                          const NormalizerOptions& options) noexcept {
  PhoneNumber::Parts parts;
  parts.region = default_region;
  parts.extension = reading.extension.view();
  parts.digits = reading.plain.view();

  if (reading.invalid != InvalidReason::none) {
    parts.reason = reading.invalid;
    return PhoneNumber::from_parts(parts);
  }
  if (reading.service_code) {
    parts.digits = reading.code.view();
    if (reading.plain.size() == 0) {
      parts.reason = InvalidReason::no_digits;
    } else {
      parts.status = NumberStatus::short_code;
    }
    return PhoneNumber::from_parts(parts);
  }
  if (reading.plain.size() == 0) {
    parts.reason = InvalidReason::no_digits;
    return PhoneNumber::from_parts(parts);
  }
  if (reading.too_many_digits) {
    parts.reason = InvalidReason::too_long;
    return PhoneNumber::from_parts(parts);
  }

  // A tel: URI's ;phone-context=+CC gives the country (R-N5, RFC 3966): its digits come
  // first, as after a +.
  std::string_view digits = reading.plain.view();
  std::string_view vanity = reading.vanity.view();
  bool plus = reading.plus;
  std::size_t pause = reading.pause_digits;
  Digits<2 * max_number_digits> joined;
  Digits<2 * max_number_digits> joined_vanity;
  if (!plus && reading.context.size() != 0) {
    joined.append(reading.context.view());
    joined.append(digits);
    digits = joined.view();
    if (!vanity.empty()) {
      joined_vanity.append(reading.context.view());
      joined_vanity.append(vanity);
      vanity = joined_vanity.view();
    }
    if (pause != 0) pause += reading.context.size();
    plus = true;
    parts.digits = digits;
  }

  // A pause mark after a complete number: the digits after it are the extension (R-N3).
  if (pause != 0) {
    Resolution before;
    resolve(digits.substr(0, pause), plus, region, before);
    if (before.status == NumberStatus::valid) {
      set_resolved(before, parts);
      parts.digits = digits.substr(0, pause);
      parts.extension = reading.pause_extension.view();
      return PhoneNumber::from_parts(parts);
    }
  }

  Resolution plain;
  resolve(digits, plus, region, plain);
  // Vanity letters (1-800-FLOWERS) count when they make a valid number (R-N4): when the digits
  // alone are not one, or when the letters are written in capitals and are no label
  // (`0351/915 ROO`: in plans with numbers of many lengths the digits alone can be valid too).
  // A word in lower case or a label after a complete number ("+7 916 123-45-67 Ivan",
  // "… mobil", "… (old)") is a label.
  const bool capitals = !reading.lower_letters && !reading.label_word;
  if ((plain.status != NumberStatus::valid || capitals) && options.min_vanity_letters > 0 &&
      reading.latin_letters >= static_cast<std::size_t>(options.min_vanity_letters)) {
    Resolution keypad;
    resolve(vanity, plus, region, keypad);
    if (keypad.status == NumberStatus::valid) {
      set_resolved(keypad, parts);
      parts.digits = vanity;
      return PhoneNumber::from_parts(parts);
    }
  }
  set_resolved(plain, parts);
  return PhoneNumber::from_parts(parts);
}

/// The full reader: tokens, labels, URIs, extensions, vanity letters (stage 1), then
/// resolve (stage 2). PhoneNormalizer::normalize takes a shortcut for plain inputs.
inline PhoneNumber normalize_text(std::string_view input, Region default_region,
                                  const NormalizerOptions& options) noexcept {
  const RegionData* region = region_data(default_region.index());
  const Text text(input);
  Reading reading;
  read(text, reading);
  // A single * or # typed before a complete number is a slip (R-N5): the number is read
  // without it. Otherwise it begins a service code (*100#), which stays short.
  if (reading.service_code && reading.slip_token != 0) {
    Reading number;
    number.plain.base = text.digits;
    read_number(text, reading.slip_token, reading.slip_end, number);
    const PhoneNumber slip = finish(number, default_region, region, options);
    if (slip.status() == NumberStatus::valid) return slip;
  }
  return finish(reading, default_region, region, options);
}

/// The input without whitespace and filler at both ends (R-N5: fixed-width fields, lines
/// of underscores or dashes), in time linear in what is dropped.
inline std::string_view trim_padding(std::string_view input) noexcept {
  const auto* bytes = reinterpret_cast<const unsigned char*>(input.data());
  std::size_t begin = 0;
  std::size_t end = input.size();
  // Fixed-width fields repeat one filler byte: runs of eight are skipped at once.
  auto run_of = [&](std::size_t at) {
    std::uint64_t word = 0;
    std::memcpy(&word, bytes + at, sizeof word);
    return bytes[at] < 0x80 && phone_text::is_padding(bytes[at]) &&
           word == bytes[at] * 0x0101010101010101ULL;
  };
  while (end - begin >= 8 && run_of(begin)) begin += 8;
  while (end - begin >= 8 && run_of(end - 8)) end -= 8;
  while (begin < end) {
    std::size_t size = 1;
    if (!phone_text::is_padding(phone_text::code_point(bytes + begin, end - begin, size))) break;
    begin += size;
  }
  while (end > begin) {
    std::size_t first = end - 1;  // where the last character begins
    while (first > begin && end - first < 3 && (bytes[first] & 0xC0U) == 0x80U) --first;
    std::size_t size = 1;
    const char32_t cp = phone_text::code_point(bytes + first, end - first, size);
    if (size != end - first || !phone_text::is_padding(cp)) break;
    end = first;
  }
  return input.substr(begin, end - begin);
}

}  // namespace detail::normalize
TELCRM_END_NAMESPACE
