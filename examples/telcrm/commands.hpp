// SPDX-License-Identifier: Apache-2.0
#pragma once
// The telcrm subcommands. Each takes the arguments after its name and returns the exit code.

#include <span>
#include <string_view>

namespace telcrm::cli {

using CommandMain = int (*)(std::span<const std::string_view> args);

struct CommandEntry {
  std::string_view name;
  std::string_view summary;
  CommandMain run;
};

int run_normalize(std::span<const std::string_view> args);
int run_match(std::span<const std::string_view> args);
int run_crm(std::span<const std::string_view> args);
int run_replay(std::span<const std::string_view> args);
int run_lint(std::span<const std::string_view> args);

}  // namespace telcrm::cli
