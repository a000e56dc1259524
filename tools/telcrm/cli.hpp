// SPDX-License-Identifier: Apache-2.0
#pragma once
// A small argument parser shared by the telcrm subcommands: flags with or without a value,
// positional arguments, --help, and one-line errors with exit code 2.

#include <cstdio>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace telcrm::cli {

inline constexpr int exit_ok = 0;
inline constexpr int exit_failure = 1;  // the command ran and found problems
inline constexpr int exit_usage = 2;    // bad arguments or input: nothing was done

struct Flag {
  std::string_view name;   // "--region"
  std::string_view value;  // "RR"; empty for a switch
  std::string_view help;
};

struct Command {
  std::string_view name;      // "normalize"
  std::string_view synopsis;  // "[--region RR] NUMBER…"
  std::string_view summary;   // one line
  std::vector<Flag> flags;
  std::string_view details = {};  // extra paragraphs for --help
};

class Args {
 public:
  [[nodiscard]] bool has(std::string_view flag) const {
    return values_.count(std::string(flag)) > 0;
  }
  [[nodiscard]] std::optional<std::string> value(std::string_view flag) const;
  [[nodiscard]] std::string value_or(std::string_view flag, std::string_view fallback) const;
  [[nodiscard]] const std::vector<std::string>& positional() const { return positional_; }

 private:
  friend std::optional<Args> parse(const Command&, std::span<const std::string_view>, int&);
  std::map<std::string, std::string> values_;
  std::vector<std::string> positional_;
};

/// Parses `argv` (after the subcommand name). Returns nullopt when the command should stop:
/// `exit_code` is then 0 after --help, or 2 after a one-line error on stderr.
std::optional<Args> parse(const Command& command, std::span<const std::string_view> argv,
                          int& exit_code);

void print_help(const Command& command, std::FILE* out);

/// Prints `telcrm <command>: <message>` on stderr and returns exit_usage.
int usage_error(std::string_view command, std::string_view message);

/// True when `stream` is a terminal (colours, progress bars).
bool is_terminal(std::FILE* stream);

/// Reads a whole file; nullopt with `error` set when it cannot be read.
std::optional<std::string> read_file(const std::string& path, std::string& error);

}  // namespace telcrm::cli
