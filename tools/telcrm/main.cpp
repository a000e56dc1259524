// SPDX-License-Identifier: Apache-2.0
// telcrm: the command-line face of the library. `telcrm --help` lists the commands.
//
// The only place exceptions are caught: CLI11 reports what it cannot parse by throwing, and
// the standard library may throw (memory, files). The library itself never throws.

#include <telcrm/version.hpp>

#include <fmt/core.h>

#include <exception>
#include <string>
#include <vector>

#include "cli.hpp"
#include "commands.hpp"

int main(int argc, char** argv) {
  using namespace telcrm::cli;
  CLI::App app{fmt::format("telcrm {} — telephony ⇄ CRM integration.", TELCRM_VERSION_STRING),
               "telcrm"};
  app.require_subcommand(1);
  app.set_version_flag("--version", fmt::format("telcrm {}", TELCRM_VERSION_STRING));
  app.footer("`telcrm <command> --help` describes a command.");
  // Repeating an option keeps its last value, as it always did.
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);

  Commands commands;
  add_normalize(app, commands);
  add_match(app, commands);
  add_crm(app, commands);
  add_replay(app, commands);
  add_lint(app, commands);
  add_demo(app, commands);
  add_serve(app, commands);

  // `telcrm help` is accepted as well as --help.
  std::vector<const char*> args(argv, argv + argc);
  if (args.size() > 1 && std::string(args[1]) == "help") args[1] = "--help";
  try {
    app.parse(static_cast<int>(args.size()), args.data());
    for (const auto& command : commands)
      if (command.app->parsed()) return command.run();
    return exit_usage;  // not reached: a subcommand is required
  } catch (const CLI::ParseError& e) {
    return parse_stopped(app, e);
  } catch (const std::exception& e) {
    fmt::print(stderr, "telcrm: {}\n", e.what());
    return exit_failure;
  }
}
