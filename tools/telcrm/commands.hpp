// SPDX-License-Identifier: Apache-2.0
#pragma once
// The telcrm subcommands. Each takes the arguments after its name and returns the exit code.

#include <telcrm/result.hpp>

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
int run_demo(std::span<const std::string_view> args);
int run_serve(std::span<const std::string_view> args);

/// Prints `telcrm <command>: <error>` for a database error and returns its exit code: 2 when
/// the database or the input cannot be used (nothing was done: damaged, not a telcrm file,
/// newer schema, read-only, missing), 1 when the storage failed while working (defined in
/// cmd_crm.cpp; shared with `replay --store sqlite:`).
int database_error(std::string_view command, const Error& error);

}  // namespace telcrm::cli
