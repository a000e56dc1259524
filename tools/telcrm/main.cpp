// SPDX-License-Identifier: Apache-2.0
// telcrm: the command-line face of the library. `telcrm --help` lists the commands.

#include <telcrm/version.hpp>

#include <fmt/core.h>

#include <array>
#include <string_view>
#include <vector>

#include "cli.hpp"
#include "commands.hpp"

namespace {

using telcrm::cli::CommandEntry;

constexpr std::array commands{
    CommandEntry{"normalize", "read phone numbers the way people write them; print E.164",
                 &telcrm::cli::run_normalize},
    CommandEntry{"match", "find the CRM client of numbers in a CRM snapshot",
                 &telcrm::cli::run_match},
    CommandEntry{"crm", "work with CRM snapshots and databases: check, import, export",
                 &telcrm::cli::run_crm},
    CommandEntry{"replay", "run a scenario through the engine; print what happened",
                 &telcrm::cli::run_replay},
    CommandEntry{"lint", "check settings: errors and warnings with their JSON paths",
                 &telcrm::cli::run_lint},
    CommandEntry{"demo", "replay a bundled working day; tell it call by call",
                 &telcrm::cli::run_demo},
    CommandEntry{"serve", "route live calls for a PBX over HTTP", &telcrm::cli::run_serve},
};

void print_usage(std::FILE* out) {
  fmt::print(out,
             "usage: telcrm <command> [options]\n\n"
             "telcrm {} — telephony ⇄ CRM integration.\n\ncommands:\n",
             TELCRM_VERSION_STRING);
  for (const auto& c : commands) fmt::print(out, "  {:<12} {}\n", c.name, c.summary);
  fmt::print(out, "\n`telcrm <command> --help` describes a command.\n");
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string_view> args(argv + 1, argv + argc);
  if (args.empty()) {
    print_usage(stderr);
    return telcrm::cli::exit_usage;
  }
  std::string_view name = args.front();
  if (name == "-h" || name == "--help" || name == "help") {
    print_usage(stdout);
    return telcrm::cli::exit_ok;
  }
  if (name == "--version") {
    fmt::print("telcrm {}\n", TELCRM_VERSION_STRING);
    return telcrm::cli::exit_ok;
  }
  for (const auto& c : commands)
    if (c.name == name) return c.run(std::span(args).subspan(1));
  fmt::print(stderr, "telcrm: unknown command '{}' (see telcrm --help)\n", name);
  return telcrm::cli::exit_usage;
}
