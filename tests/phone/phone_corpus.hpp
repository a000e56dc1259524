// SPDX-License-Identifier: Apache-2.0
#pragma once
// Our generator of phone numbers as people, CRMs and PBXes write them, for the differential
// test against libphonenumber and for the benchmark. Real numbers come from libphonenumber's
// example numbers with random digits (kept only when libphonenumber calls them valid, plus a
// few that are not); each is then written in one of the forms R-N1 … R-N5 name, against a
// default region. Most rows are the plain forms a CRM holds; a minority are the shapes CRMs
// and PBXes also produce: fixed-width padding, pause marks before an extension, a stray `*`
// or `#`, service codes, vanity letters at the end, labels after the number, notes, Brazil's
// `(0xx12)` and `tel:` URIs with a `phone-context`. Deterministic for a given seed, whatever
// the compiler or standard library.

#include <phonenumbers/phonenumberutil.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace telcrm_test {

/// One generated input: the text, the default region to read it against, and its form.
struct CorpusEntry {
  std::string input;
  std::string region;
  std::string form;
};

/// The regions the corpus draws numbers and default regions from (the ones R-N lists, and a
/// few neighbours).
inline const std::vector<std::string>& corpus_regions() {
  static const std::vector<std::string> regions = {
      "RU", "UA", "DE", "FR", "ES", "PT", "BR", "US", "GB", "KZ", "PL",
      "IN", "IT", "NL", "TR", "CN", "JP", "MX", "AR", "CO", "IL", "AE",
      "SA", "EG", "NG", "ZA", "AU", "CA", "BY", "CH", "AT", "SE", "KR"};
  return regions;
}

/// How often the rarer forms appear. `stress` gives every special form a few percent of the
/// rows so each is well exercised; `realistic` writes spreadsheet exports (`….0`, `'+7…`) ten
/// times less often — 0.3 % of rows, a column typed as a number now and then — and is the mix
/// the agreement figure is quoted for (docs/phone-numbers.md).
enum class Mix { stress, realistic };

class CorpusGenerator {
 public:
  explicit CorpusGenerator(std::uint64_t seed, Mix mix = Mix::stress) : state_(seed), mix_(mix) {}

  /// At least `count` entries.
  std::vector<CorpusEntry> generate(std::size_t count) {
    build_pools();
    std::vector<CorpusEntry> out;
    out.reserve(count);
    while (out.size() < count) out.push_back(entry());
    return out;
  }

 private:
  using Util = i18n::phonenumbers::PhoneNumberUtil;
  using Number = i18n::phonenumbers::PhoneNumber;

  struct Pooled {
    Number number;
    std::string region;
  };

  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
  bool chance(int percent) { return below(100) < static_cast<std::size_t>(percent); }
  template <class T>
  const T& pick(const std::vector<T>& items) {
    return items[below(items.size())];
  }
  char digit() { return static_cast<char>('0' + below(10)); }

  static Util& util() { return *Util::GetInstance(); }

  static std::string nsn_of(const Number& n) {
    std::string s;
    util().GetNationalSignificantNumber(n, &s);
    return s;
  }

  static Number from_nsn(int cc, const std::string& nsn) {
    Number n;
    n.set_country_code(cc);
    if (nsn.size() > 1 && nsn[0] == '0') {
      n.set_italian_leading_zero(true);
      int zeros = 0;
      while (zeros + 1 < static_cast<int>(nsn.size()) &&
             nsn[static_cast<std::size_t>(zeros)] == '0')
        ++zeros;
      if (zeros > 1) n.set_number_of_leading_zeros(zeros);
    }
    n.set_national_number(std::stoull(nsn));
    return n;
  }

  // Numbers per region: example numbers of every type with random trailing (and sometimes
  // inner) digits; about one in ten is kept even though it is not valid.
  void build_pools() {
    pool_.clear();
    brazil_.clear();
    for (const auto& region : corpus_regions()) {
      std::set<Util::PhoneNumberType> types;
      util().GetSupportedTypesForRegion(region, &types);
      std::vector<Number> examples;
      for (auto type : types) {
        Number n;
        if (util().GetExampleNumberForType(region, type, &n)) examples.push_back(n);
      }
      if (examples.empty()) continue;
      int kept = 0;
      for (int attempt = 0; attempt < 4000 && kept < 80; ++attempt) {
        const Number& base = pick(examples);
        std::string nsn = nsn_of(base);
        std::size_t tail = 1 + below(std::min<std::size_t>(6, nsn.size() - 2));
        for (std::size_t i = nsn.size() - tail; i < nsn.size(); ++i) nsn[i] = digit();
        if (chance(30) && nsn.size() > 4) nsn[1 + below(2)] = digit();
        Number n = from_nsn(base.country_code(), nsn);
        if (!util().IsValidNumber(n) && !chance(10)) continue;
        if (region == "BR") brazil_.push_back(pool_.size());
        pool_.push_back({n, region});
        ++kept;
      }
    }
  }

  static std::string format(const Number& n, Util::PhoneNumberFormat f) {
    std::string s;
    util().Format(n, f, &s);
    return s;
  }

  static std::string utf8(char32_t cp) {
    std::string s;
    if (cp < 0x80) {
      s += static_cast<char>(cp);
    } else if (cp < 0x800) {
      s += static_cast<char>(0xC0 | (cp >> 6));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      s += static_cast<char>(0xE0 | (cp >> 12));
      s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    }
    return s;
  }

  std::string unicode_digits(const std::string& text) {
    static constexpr std::array<char32_t, 4> zeros = {0xFF10, 0x0660, 0x06F0, 0x0966};
    char32_t zero = zeros[below(zeros.size())];
    std::string out;
    for (char c : text)
      out +=
          (c >= '0' && c <= '9') ? utf8(zero + static_cast<char32_t>(c - '0')) : std::string(1, c);
    return out;
  }

  // Replaces the separators of a formatted number with others of every kind.
  std::string reseparate(const std::string& text) {
    static const std::vector<std::string> seps = {
        " ",      "-",      ".",      "/",   "\u00A0", "\u2013", "\u2014", "\u202F", "\u3000",
        "\u200B", "\u200E", "\u2060", " - ", "  ",     "\u2011", "\u2212", "(",      ")"};
    std::string out;
    bool digits_seen = false;
    for (char c : text) {
      if ((c >= '0' && c <= '9') || c == '+') {
        out += c;
        digits_seen = true;
      } else if (digits_seen && c != '(' && c != ')') {
        out += pick(seps);
      } else {
        out += c;
      }
    }
    return out;
  }

  static std::string digits_of(const std::string& text) {
    std::string out;
    for (char c : text)
      if ((c >= '0' && c <= '9') || c == '+') out += c;
    return out;
  }

  std::string any_region() { return pick(corpus_regions()); }

  // A region other than the number's own that writes its international calls with "00".
  std::string region_with_00(const std::string& own) {
    for (int i = 0; i < 20; ++i) {
      std::string r = any_region();
      if (r != own && r != "US" && r != "CA" && r != "RU" && r != "KZ" && r != "BY" && r != "JP" &&
          r != "AU" && r != "BR" && r != "CO" && r != "KR")
        return r;
    }
    return "DE";
  }

  std::string extension() {
    static const std::vector<std::string> exts = {"1", "12", "101", "1234", "5"};
    return pick(exts);
  }

  CorpusEntry entry() {
    // 1.5 % of rows: the shapes that CRM exports and PBX logs add to the plain forms, rare
    // each (per 10,000 rows: padded 30, long note 5, pause 25, stray sign 20, service code 10,
    // vanity at the end 20, label after 10, Brazil's 0xx 15, phone-context 15).
    const std::size_t shape = below(10000);
    if (shape < 150) return later_shape(shape);
    const Pooled& p = pick(pool_);
    const Number& n = p.number;
    // Formatting is libphonenumber's slowest part: each form formats only what it uses.
    auto e164_of = [&] { return format(n, Util::E164); };
    auto intl_of = [&] { return format(n, Util::INTERNATIONAL); };
    auto national_of = [&] { return format(n, Util::NATIONAL); };
    const std::string& home = p.region;
    std::size_t form = below(100);
    // Weights: plain forms dominate, as in a CRM; every special form is well represented.
    if (form < 10) return {e164_of(), any_region(), "e164"};
    if (form < 20) return {intl_of(), any_region(), "international"};
    if (form < 32) return {national_of(), home, "national"};
    if (form < 38) return {digits_of(national_of()), home, "national_digits"};
    if (form < 46) {
      std::string from = any_region();
      std::string s;
      util().FormatOutOfCountryCallingNumber(n, from, &s);
      return {chance(40) ? digits_of(s) : s, from, "out_of_country"};
    }
    if (form < 50) {
      // The region's own country code without + (79161234567 on an RU line).
      return {std::to_string(n.country_code()) + nsn_of(n), home, "leading_country_code"};
    }
    if (form < 54) {
      std::string ndd;
      util().GetNddPrefixForRegion(home, true, &ndd);
      // Appended, not chained with +: GCC 12 warns falsely on such chains (-Wrestrict).
      std::string cc = "+";
      cc += std::to_string(n.country_code());
      const std::string intl = intl_of();
      if (ndd.empty() || intl.rfind(cc + " ", 0) != 0) return {intl, any_region(), "international"};
      std::string written = cc;
      written.append(" (").append(ndd).append(")").append(intl, cc.size());
      return {written, any_region(), "trunk_after_country_code"};
    }
    if (form < 57) return {format(n, Util::RFC3966), any_region(), "tel_uri"};
    if (form < 63) {
      static const std::vector<std::string> marks = {" ext. ", " ext ", " x", " x ", " #", "#"};
      return {(chance(50) ? intl_of() : national_of()) + pick(marks) + extension(), home,
              "extension_libphonenumber_reads"};
    }
    if (form < 68) {
      static const std::vector<std::string> marks = {
          " доб. ",  " дод. ",  " Durchwahl ", ",",       ",,",    " wew. ", " poste ",
          " ramal ", " anexo ", "p",           " (доб. ", " вн. ", "w"};
      return {(chance(50) ? intl_of() : national_of()) + pick(marks) + extension(), home,
              "extension_other_notations"};
    }
    if (form < 74) {
      static const std::vector<std::string> labels = {
          "Tel.: ", "tel. ", "моб. ", "Тел: ",   "Mobile: ", "Ivan Petrov ",
          "Büro: ", "Fax: ", "T: ",   "Móvil: ", "Handy "};
      return {pick(labels) + (chance(50) ? intl_of() : national_of()), home, "label"};
    }
    if (form < 80)
      return {unicode_digits(chance(50) ? intl_of() : national_of()), home, "unicode_digits"};
    if (form < 88) return {reseparate(chance(50) ? intl_of() : national_of()), home, "separators"};
    if (form < 91) {
      std::string uri = "sip:" + e164_of() + "@pbx.example.com";
      if (chance(50)) uri += ";user=phone";
      return {chance(50) ? uri : "\"Ivan\" <" + uri + ">", any_region(), "sip_uri"};
    }
    if (form < 94) {
      if (mix_ == Mix::realistic && below(10) != 0) return {e164_of(), any_region(), "e164"};
      if (chance(50)) return {"'" + e164_of(), any_region(), "spreadsheet"};
      return {std::to_string(n.country_code()) + nsn_of(n) + ".0", home, "spreadsheet"};
    }
    if (form < 97) {
      if (chance(50)) return {"+" + e164_of(), any_region(), "plus_slips"};
      return {"+00" + e164_of().substr(1), region_with_00(home), "plus_slips"};
    }
    // Vanity: NANP numbers with the last four digits as keypad letters.
    Number nanp;
    std::string region = chance(50) ? "US" : "CA";
    for (int i = 0; i < 50; ++i) {
      const Pooled& q = pick(pool_);
      if (q.number.country_code() == 1) {
        nanp = q.number;
        region = q.region;
        break;
      }
    }
    std::string nat = format(nanp, Util::NATIONAL);
    static constexpr std::array<std::string_view, 10> keys = {"",    "",    "ABC",  "DEF", "GHI",
                                                              "JKL", "MNO", "PQRS", "TUV", "WXYZ"};
    std::size_t replaced = 0;
    for (std::size_t i = nat.size(); i-- > 0 && replaced < 4;) {
      char c = nat[i];
      if (c < '2' || c > '9') continue;
      auto letters = keys[static_cast<std::size_t>(c - '0')];
      nat[i] = letters[below(letters.size())];
      ++replaced;
    }
    return {(chance(50) ? "1-" : "") + nat, region, "vanity"};
  }

  // The plain written forms of a number: E.164 or international against any region, or the
  // national form against its own.
  CorpusEntry plain_form(const Pooled& p) {
    const std::size_t k = below(100);
    if (k < 15) return {format(p.number, Util::E164), any_region(), ""};
    if (k < 45) return {format(p.number, Util::INTERNATIONAL), any_region(), ""};
    return {format(p.number, Util::NATIONAL), p.region, ""};
  }

  CorpusEntry later_shape(std::size_t shape) {
    const Pooled& p = pick(pool_);
    CorpusEntry e = plain_form(p);
    if (shape < 30) {
      e.input = padded(e.input);
      e.form = "padded";
    } else if (shape < 35) {
      e.input = long_note(e.input);
      e.form = "long_note";
    } else if (shape < 60) {
      // Pause and wait marks of diallers before the extension (R-N3).
      static const std::vector<std::string> marks = {"~",  "~", " ~ ", "~~", " ~", ",",
                                                     ", ", ",", ",,",  ";",  "; ", " ; "};
      e.input += pick(marks) + extension();
      if (chance(10)) e.input += "#";
      e.form = "pause_extension";
    } else if (shape < 80) {
      // A `*` or `#` typed before the number: a slip (R-N5).
      e.input.insert(0, std::string(chance(70) ? "*" : "#") + (chance(25) ? " " : ""));
      e.form = "stray_sign";
    } else if (shape < 90) {
      static const std::vector<std::string> codes = {"*100#", "*#06#", "#31#",  "*102#", "*105*1#",
                                                     "*111#", "#100#", "*#21#", "*135#", "*100*1#"};
      return {pick(codes), any_region(), "service_code"};
    } else if (shape < 110) {
      return vanity_at_end();
    } else if (shape < 120) {
      static const std::vector<std::string> labels = {" mobil",  " Mobil", " (mobil)", " mobile",
                                                      " privat", " Handy", " cell",    " (home)",
                                                      " work",   " Ivan",  " (old)",   " MOBIL"};
      e.input += pick(labels);
      e.form = "label_after";
    } else if (shape < 135) {
      return brazil_0xx();
    } else {
      return phone_context(p);
    }
    return e;
  }

  // Padding of fixed-width exports and filler lines, past 250 characters (R-N5).
  std::string padded(const std::string& number) {
    static const std::vector<std::size_t> widths = {255, 256, 256, 300, 500, 512, 1000, 1024};
    const std::size_t kind = below(100);
    const std::size_t width = std::max(pick(widths), number.size() + 1);
    if (kind < 45) return number + std::string(width - number.size(), ' ');  // left-aligned
    if (kind < 65) return std::string(width - number.size(), ' ') + number;  // right-aligned
    if (kind < 85) {
      // A line of underscores, dashes, dots or blanks around the number.
      static const std::vector<std::string> fillers = {"_", "-", ".", " ", "\t", "\u00A0", " _"};
      const std::string& filler = pick(fillers);
      const std::size_t before = below(260);
      std::string out;
      while (out.size() < before) out += filler;
      out += (filler == "_" || filler == "-" || filler == ".") && chance(50) ? " " : "";
      out += number;
      const std::size_t total = std::max<std::size_t>(out.size() + 1, 251 + below(200));
      while (out.size() < total) out += filler;
      return out;
    }
    std::string out = number;  // a tab-separated export: the row's empty columns, a line end
    out.append(250 + below(100), '\t');
    return out + (chance(50) ? "\r\n" : "\n");
  }

  // A note of more than 250 characters that holds the number: not read, on purpose (R-N5).
  std::string long_note(const std::string& number) {
    static const std::vector<std::string> sentences = {
        "Called about the renewal of the contract and asked for the offer again by mail.",
        "Prefers mornings; do not call the office line, nobody answers there on Fridays.",
        "Wants a discount for the second site before signing, manager to call back.",
        "Spoke with the assistant, the director is away until the end of the month.",
        "Complained about the invoice and the late delivery of the last order.",
        "Interested in the premium plan, send the brochure and the price list first."};
    std::string note;
    while (note.size() < 260) note += pick(sentences) + " ";
    const std::size_t where = below(100);
    if (where < 60) return note + "Phone: " + number;
    if (where < 80) return number + " - " + note;
    return note + "Phone: " + number + ". " + pick(sentences);
  }

  // A number whose national form ends in three or four digits 2-9, written as keypad letters
  // in capitals (0351/915 ROO; R-N4).
  CorpusEntry vanity_at_end() {
    static constexpr std::array<std::string_view, 10> keys = {"",    "",    "ABC",  "DEF", "GHI",
                                                              "JKL", "MNO", "PQRS", "TUV", "WXYZ"};
    for (int attempt = 0; attempt < 40; ++attempt) {
      const Pooled& q = pick(pool_);
      std::string nat = format(q.number, Util::NATIONAL);
      const std::size_t letters = 3 + below(2);
      std::size_t i = nat.size();
      std::size_t replaced = 0;
      while (i > 0 && replaced < letters) {
        const char c = nat[--i];
        if (c < '2' || c > '9') break;
        nat[i] = keys[static_cast<std::size_t>(c - '0')]
                     [below(keys[static_cast<std::size_t>(c - '0')].size())];
        ++replaced;
      }
      if (replaced < letters) continue;
      if (i > 0 && nat[i - 1] >= '0' && nat[i - 1] <= '9' && chance(50)) nat.insert(i, " ");
      if (const std::size_t space = nat.find(' '); space != std::string::npos && chance(25))
        nat[space] = '/';
      return {nat, q.region, "vanity_at_end"};
    }
    const Pooled& q = pick(pool_);
    return {format(q.number, Util::NATIONAL), q.region, "national"};
  }

  // Brazil's carrier notation: "(0xx12) 3456-7890", the xx standing for the carrier code.
  CorpusEntry brazil_0xx() {
    for (int attempt = 0; attempt < 20 && !brazil_.empty(); ++attempt) {
      const Pooled& q = pool_[brazil_[below(brazil_.size())]];
      const std::string nat = format(q.number, Util::NATIONAL);  // "(12) 3456-7890"
      const std::size_t close = nat.find(')');
      if (nat.empty() || nat[0] != '(' || close == std::string::npos) continue;
      const std::string area = nat.substr(1, close - 1);
      std::string rest = nat.substr(close + 1);
      std::string out;
      switch (below(6)) {
        case 0: out = "(0xx" + area + ")" + rest; break;
        case 1: out = "(0XX" + area + ")" + rest; break;
        case 2: out = "0xx" + area + rest; break;
        case 3: out = "(0xx " + area + ")" + rest; break;
        case 4: out = "0xx " + area + rest; break;
        default:
          if (!rest.empty() && rest[0] == ' ') rest.erase(0, 1);
          out = "(0xx" + area + ")" + rest;
      }
      return {out, "BR", "brazil_0xx"};
    }
    const Pooled& q = pick(pool_);
    return {format(q.number, Util::NATIONAL), q.region, "national"};
  }

  // RFC 3966 local numbers: the country (sometimes with the area code) in phone-context.
  CorpusEntry phone_context(const Pooled& p) {
    const std::string rfc = format(p.number, Util::RFC3966);  // tel:+7-495-123-45-67
    std::string prefix = "tel:+";
    prefix.append(std::to_string(p.number.country_code())).append("-");
    if (rfc.rfind(prefix, 0) != 0) return {rfc, any_region(), "tel_uri"};
    std::string local = rfc.substr(prefix.size());
    std::string context = "+" + std::to_string(p.number.country_code());
    const std::size_t dash = local.find('-');
    if (chance(25) && dash != std::string::npos && dash + 1 < local.size()) {
      context.append("-").append(local, 0, dash);
      local.erase(0, dash + 1);
    }
    if (chance(20)) local.erase(std::remove(local.begin(), local.end(), '-'), local.end());
    std::string uri = "tel:" + local + ";phone-context=" + context;
    if (chance(10)) uri += ";ext=" + extension();
    return {uri, any_region(), "phone_context"};
  }

  std::uint64_t state_;
  Mix mix_;
  std::vector<Pooled> pool_;
  std::vector<std::size_t> brazil_;  // positions of BR numbers in pool_
};

}  // namespace telcrm_test
