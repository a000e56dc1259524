// SPDX-License-Identifier: Apache-2.0
#pragma once
// The telcrm subcommands. Each add_* puts its subcommand and options on the command line and
// appends what runs it (see Command in cli.hpp).

#include <telcrm/result.hpp>

#include <string_view>

#include "cli.hpp"

namespace telcrm::cli {

void add_normalize(CLI::App& parent, Commands& commands);
void add_match(CLI::App& parent, Commands& commands);
/// `crm` and its subcommands check, import and export.
void add_crm(CLI::App& parent, Commands& commands);
/// `crm migrate`: a whole SQLite deployment into PostgreSQL (cmd_migrate.cpp).
void add_crm_migrate(CLI::App& crm, Commands& commands);
void add_replay(CLI::App& parent, Commands& commands);
void add_lint(CLI::App& parent, Commands& commands);
void add_demo(CLI::App& parent, Commands& commands);
/// `serve`: the PBX protocol over HTTP (needs TELCRM_WITH_SERVER).
void add_serve(CLI::App& parent, Commands& commands);

/// Prints `telcrm <command>: <error>` for a database error and returns its exit code: 2 when
/// the database or the input cannot be used (nothing was done: damaged, not a telcrm file,
/// newer schema, read-only, missing), 1 when the storage failed while working (defined in
/// cmd_crm.cpp; shared with `replay --store sqlite:` and `demo --db`).
int database_error(std::string_view command, const Error& error);

}  // namespace telcrm::cli
