// SPDX-License-Identifier: Apache-2.0
#include "cli.hpp"

#include <fmt/core.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace telcrm::cli {

std::optional<std::string> Args::value(std::string_view flag) const {
  auto it = values_.find(std::string(flag));
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::string Args::value_or(std::string_view flag, std::string_view fallback) const {
  auto v = value(flag);
  return v ? *v : std::string(fallback);
}

void print_help(const Command& command, std::FILE* out) {
  fmt::print(out, "usage: telcrm {} {}\n\n{}\n", command.name, command.synopsis, command.summary);
  if (!command.flags.empty()) {
    fmt::print(out, "\noptions:\n");
    for (const auto& flag : command.flags) {
      // Appended piece by piece: `" " + std::string(...)` trips GCC 12's -Wrestrict at -O2.
      std::string left(flag.name);
      if (!flag.value.empty()) left.append(" ").append(flag.value);
      fmt::print(out, "  {:<24} {}\n", left, flag.help);
    }
  }
  fmt::print(out, "  {:<24} {}\n", "-h, --help", "show this help");
  if (!command.details.empty()) fmt::print(out, "\n{}\n", command.details);
}

int usage_error(std::string_view command, std::string_view message) {
  fmt::print(stderr, "telcrm {}: {}\n", command, message);
  return exit_usage;
}

std::optional<Args> parse(const Command& command, std::span<const std::string_view> argv,
                          int& exit_code) {
  Args args;
  bool only_positional = false;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    std::string_view arg = argv[i];
    if (only_positional || arg.size() < 2 || arg[0] != '-' || (arg[1] != '-' && arg != "-h")) {
      args.positional_.emplace_back(arg);
      continue;
    }
    if (arg == "--") {
      only_positional = true;
      continue;
    }
    if (arg == "-h" || arg == "--help") {
      print_help(command, stdout);
      exit_code = exit_ok;
      return std::nullopt;
    }
    std::string_view name = arg;
    std::optional<std::string_view> inline_value;
    if (auto eq = arg.find('='); eq != std::string_view::npos) {
      name = arg.substr(0, eq);
      inline_value = arg.substr(eq + 1);
    }
    const Flag* flag = nullptr;
    for (const auto& f : command.flags)
      if (f.name == name) flag = &f;
    if (flag == nullptr) {
      exit_code = usage_error(command.name, fmt::format("unknown option '{}' (see --help)", name));
      return std::nullopt;
    }
    if (flag->value.empty()) {
      if (inline_value) {
        exit_code = usage_error(command.name, fmt::format("option '{}' takes no value", name));
        return std::nullopt;
      }
      args.values_[std::string(name)] = "";
    } else if (inline_value) {
      args.values_[std::string(name)] = std::string(*inline_value);
    } else if (i + 1 < argv.size()) {
      args.values_[std::string(name)] = std::string(argv[++i]);
    } else {
      exit_code =
          usage_error(command.name, fmt::format("option '{}' needs a value {}", name, flag->value));
      return std::nullopt;
    }
  }
  return args;
}

bool is_terminal(std::FILE* stream) {
  return ::isatty(::fileno(stream)) != 0;
}

std::optional<std::string> read_file(const std::string& path, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = fmt::format("{}: cannot open ({})", path, std::strerror(errno));
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return std::move(text).str();
}

}  // namespace telcrm::cli
