// SPDX-License-Identifier: Apache-2.0
#pragma once
// What the subcommands share on the command line, read with CLI11: exit codes, how a
// subcommand is added and later run, the options several commands read alike (decimal
// counts, where the CRM is kept), and one-line usage errors.

#include <CLI/CLI.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace telcrm::cli {

inline constexpr int exit_ok = 0;
inline constexpr int exit_failure = 1;  // the command ran and found problems
inline constexpr int exit_usage = 2;    // bad arguments or input: nothing was done

/// A subcommand on the command line and what runs it. `run` reads the options the parse
/// filled in; main calls it after the parse, so a command's work never runs inside CLI11.
struct Command {
  CLI::App* app = nullptr;  // owned by its parent App
  std::function<int()> run{};
};
using Commands = std::vector<Command>;

/// Adds subcommand `name` to `parent`: `summary` is its line in the parent's list, `details`
/// the paragraphs its --help shows under the options.
CLI::App* add_subcommand(CLI::App& parent, const std::string& name, const std::string& summary,
                         const std::string& details = {});

/// Adds `name N`: a decimal count of at least `min`. Digits only, because CLI11's own integer
/// reading also takes a sign, 0x… and leading-zero octal: `--seed 010` must stay ten.
CLI::Option* add_count(CLI::App& app, const std::string& name, std::optional<std::uint64_t>& out,
                       const std::string& help, std::uint64_t min = 0);

/// Where a command keeps the CRM. The one reading of `--store SPEC` and `--db FILE`.
struct StoreSpec {
  enum class Kind : std::uint8_t { memory, sqlite, postgres };
  Kind kind = Kind::memory;
  /// sqlite: the database file; postgres: the libpq conninfo (key=value pairs or a URI; may be
  /// empty: the PG* variables, a service file). The conninfo may hold a password: it is never
  /// printed, not even in a usage error.
  std::string location{};
};

/// True when this telcrm was built with telcrm::postgres (`postgres:CONNINFO` is accepted).
bool postgres_built() noexcept;

/// Reads `memory`, `sqlite:FILE` or `postgres:CONNINFO`; nullopt with `error` saying what was
/// expected (naming only the kind of a bad spec, never the rest of it).
std::optional<StoreSpec> parse_store_spec(std::string_view text, std::string& error);

/// What a message may say about `spec`: the file of an SQLite store, `postgres` for the other
/// (the store's own describe() says more once it is open).
std::string printable(const StoreSpec& spec);

/// Adds `--store SPEC` (see parse_store_spec); a bad spec fails the parse (exit 2).
CLI::Option* add_store_option(CLI::App& app, std::optional<StoreSpec>& out,
                              const std::string& help);

/// Adds `--db FILE`, which means `--store sqlite:FILE`, for the commands that need a database.
CLI::Option* add_db_option(CLI::App& app, std::optional<StoreSpec>& out, const std::string& help);

/// Adds `--db FILE` and `--store sqlite:FILE|postgres:CONNINFO` (not memory), which exclude
/// each other, for the commands that work on a database. The command checks one was given
/// (require_database()).
void add_database_options(CLI::App& app, std::optional<StoreSpec>& out);

/// exit_ok when `spec` names a database; else a usage error of `command` (exit_usage).
int require_database(std::string_view command, const std::optional<StoreSpec>& spec);

/// Prints `telcrm <command>: <message>` on stderr and returns exit_usage.
int usage_error(std::string_view command, std::string_view message);

/// What main answers when the parse stopped: --help and --version print on stdout and give
/// exit_ok; any other parse error is one line on stderr naming the subcommand, exit_usage.
int parse_stopped(const CLI::App& app, const CLI::ParseError& error);

}  // namespace telcrm::cli
