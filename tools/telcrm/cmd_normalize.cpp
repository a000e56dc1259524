// SPDX-License-Identifier: Apache-2.0
// `telcrm normalize`: phone numbers as people write them → E.164, as a readable table or as
// TSV for scripts and large files.

#include <telcrm/phone/phone_normalizer.hpp>

#include <fmt/core.h>

#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "commands.hpp"

namespace telcrm::cli {
namespace {

constexpr std::string_view command_name = "normalize";

struct Options {
  std::string region;
  bool tsv = false;
  std::vector<std::string> numbers;
};

constexpr const char* details =
    "Reads phone numbers the way people, CRMs and PBXes write them and prints their E.164 form,\n"
    "status (valid, possible, short, invalid) and extension.\n"
    "\n"
    "The default region is how a number without + is read (R-N2): `8 916 123-45-67` is Russian\n"
    "on an RU line. Without --region (and, with --tsv, on a line whose REGION is empty), only\n"
    "numbers written with + can be read; the others come out invalid, noted 'unknown region'.\n"
    "\n"
    "--tsv: one output line per input line, in order. INPUT may escape \\t \\n \\r and \\\\;\n"
    "REGION may be empty (then --region applies). E164 is empty when there is no number.\n"
    "An unknown region anywhere stops the command before any output (exit 2).\n"
    "\n"
    "examples:\n"
    "  telcrm normalize --region RU '8 (916) 123-45-67' '+7 495 123-45-67 доб. 101' 112\n"
    "  printf '030 1234567\\tDE\\n(212) 555-1234\\tUS\\n' | telcrm normalize --tsv";

std::optional<Region> parse_region(std::string_view code) {
  if (code.empty()) return Region{};
  return Region::from_code(code);
}

std::string unescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\\' && i + 1 < text.size()) {
      char next = text[i + 1];
      const char* mapped = next == 't'    ? "\t"
                           : next == 'n'  ? "\n"
                           : next == 'r'  ? "\r"
                           : next == '\\' ? "\\"
                                          : nullptr;
      if (mapped != nullptr) {
        out += mapped;
        ++i;
        continue;
      }
    }
    out += c;
  }
  return out;
}

// Terminal columns taken by UTF-8 text: East Asian wide characters take two, combining and
// zero-width characters none. Enough to keep the table aligned for real inputs.
std::size_t display_width(std::string_view text) {
  std::size_t width = 0;
  for (std::size_t i = 0; i < text.size();) {
    auto b = static_cast<unsigned char>(text[i]);
    char32_t cp = b;
    std::size_t len = 1;
    if (b >= 0xF0 && i + 3 < text.size()) {
      cp = ((b & 0x07U) << 18) | ((static_cast<unsigned char>(text[i + 1]) & 0x3FU) << 12) |
           ((static_cast<unsigned char>(text[i + 2]) & 0x3FU) << 6) |
           (static_cast<unsigned char>(text[i + 3]) & 0x3FU);
      len = 4;
    } else if (b >= 0xE0 && i + 2 < text.size()) {
      cp = ((b & 0x0FU) << 12) | ((static_cast<unsigned char>(text[i + 1]) & 0x3FU) << 6) |
           (static_cast<unsigned char>(text[i + 2]) & 0x3FU);
      len = 3;
    } else if (b >= 0xC0 && i + 1 < text.size()) {
      cp = ((b & 0x1FU) << 6) | (static_cast<unsigned char>(text[i + 1]) & 0x3FU);
      len = 2;
    }
    i += len;
    if ((cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x200B && cp <= 0x200F) ||
        (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x206F) || cp == 0xFEFF)
      continue;
    const bool wide = (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
                      (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
                      (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
                      (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1FAFF);
    width += wide ? 2 : 1;
  }
  return width;
}

// Control characters would break the table: show them escaped.
std::string printable(std::string_view text) {
  std::string out;
  for (char c : text) {
    auto b = static_cast<unsigned char>(c);
    if (c == '\t') {
      out += "\\t";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (b < 0x20 || b == 0x7F) {
      out += fmt::format("\\x{:02x}", b);
    } else {
      out += c;
    }
  }
  return out;
}

// The NOTE column: why a number is invalid, else how its country was told (and, for a
// possible number, what that means), in the library's words.
std::string note(const PhoneNumber& number) {
  switch (number.status()) {
    case NumberStatus::invalid: return std::string(format_as(number.reason()));
    case NumberStatus::short_code: return std::string(describe(number.status()));
    case NumberStatus::valid:
    case NumberStatus::possible: break;
  }
  std::string how(describe(number.country_source()));
  if (number.country_source() == CountrySource::default_region)
    how += fmt::format(" ({})", number.default_region().code());
  if (number.status() == NumberStatus::possible)
    how += fmt::format("; {}", describe(number.status()));
  return how;
}

int print_table(const std::vector<std::string>& inputs, Region region) {
  const PhoneNormalizer normalizer;
  struct Row {
    std::string cells[6];
  };
  std::vector<Row> rows;
  rows.push_back({{"INPUT", "REGION", "E.164", "STATUS", "EXT", "NOTE"}});
  for (const auto& input : inputs) {
    PhoneNumber n = normalizer.normalize(input, region);
    std::string code(region.code());
    rows.push_back({{printable(input), code.empty() ? "-" : code,
                     n.e164().empty() ? "-" : std::string(n.e164()),
                     std::string(format_as(n.status())), std::string(n.extension()), note(n)}});
  }
  std::size_t widths[6] = {};
  for (const auto& row : rows)
    for (std::size_t c = 0; c < 6; ++c)
      if (display_width(row.cells[c]) > widths[c]) widths[c] = display_width(row.cells[c]);
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t c = 0; c < 6; ++c) {
      line += row.cells[c];
      if (c + 1 < 6) line += std::string(widths[c] - display_width(row.cells[c]) + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    fmt::print("{}\n", line);
  }
  return exit_ok;
}

int run_tsv(Region fallback) {
  // Everything is read and checked first, so that a bad line stops the command before any
  // output (exit 2: nothing was done).
  std::string text;
  char buffer[1 << 16];
  std::size_t got = 0;
  while ((got = std::fread(buffer, 1, sizeof buffer, stdin)) > 0) text.append(buffer, got);

  struct Line {
    std::string input;
    Region region;
  };
  std::vector<Line> lines;
  std::size_t line_no = 0;
  for (std::size_t pos = 0; pos < text.size();) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::string_view input = line;
    std::string_view code;
    if (auto tab = line.find('\t'); tab != std::string_view::npos) {
      input = line.substr(0, tab);
      code = line.substr(tab + 1);
    }
    Region region = fallback;
    if (!code.empty()) {
      auto parsed = Region::from_code(code);
      if (!parsed)
        return usage_error(command_name,
                           fmt::format("line {}: unknown region '{}'", line_no, printable(code)));
      region = *parsed;
    }
    lines.push_back({unescape(input), region});
  }

  const PhoneNormalizer normalizer;
  std::string out;
  for (const auto& line : lines) {
    PhoneNumber n = normalizer.normalize(line.input, line.region);
    out += n.e164();
    out += '\t';
    out += format_as(n.status());
    out += '\t';
    out += n.extension();
    out += '\n';
    if (out.size() > (1 << 16)) {
      std::fwrite(out.data(), 1, out.size(), stdout);
      out.clear();
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return std::fflush(stdout) == 0 ? exit_ok : exit_failure;
}

int run(const Options& options) {
  std::optional<Region> region = parse_region(options.region);
  if (!region)
    return usage_error(
        command_name,
        fmt::format("unknown region '{}' (an ISO code such as RU, DE, US)", options.region));
  if (options.tsv) return run_tsv(*region);
  if (options.numbers.empty()) return usage_error(command_name, "no NUMBER given (see --help)");
  return print_table(options.numbers, *region);
}

}  // namespace

void add_normalize(CLI::App& parent, Commands& commands) {
  auto options = std::make_shared<Options>();
  CLI::App* app =
      add_subcommand(parent, std::string(command_name),
                     "read phone numbers the way people write them; print E.164", details);
  app->add_option("--region", options->region,
                  "default region for national forms (ISO code: RU, DE, US…)")
      ->type_name("RR");
  CLI::Option* tsv =
      app->add_flag("--tsv", options->tsv,
                    "read INPUT<TAB>REGION lines from stdin; write E164<TAB>STATUS<TAB>EXTENSION");
  CLI::Option* numbers =
      app->add_option("NUMBER", options->numbers, "the numbers to read")->type_name("");
  tsv->excludes(numbers);  // --tsv reads stdin and takes no NUMBER arguments
  commands.push_back({app, [options] { return run(*options); }});
}

}  // namespace telcrm::cli
