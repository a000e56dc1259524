// SPDX-License-Identifier: Apache-2.0
#include "cli.hpp"

#include <fmt/core.h>

#include <cctype>
#include <charconv>
#include <iostream>
#include <system_error>

namespace telcrm::cli {

CLI::App* add_subcommand(CLI::App& parent, const std::string& name, const std::string& summary,
                         const std::string& details) {
  CLI::App* app = parent.add_subcommand(name, summary);
  if (!details.empty()) app->footer(details);
  return app;
}

CLI::Option* add_count(CLI::App& app, const std::string& name, std::optional<std::uint64_t>& out,
                       const std::string& help, std::uint64_t min) {
  auto read = [&out, name, min](const std::string& text) {
    std::uint64_t value = 0;
    const char* end = text.data() + text.size();
    auto [stop, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc() || stop != end || text.empty())
      throw CLI::ValidationError(name, fmt::format("'{}' is not a number", text));
    if (value < min)
      throw CLI::ValidationError(name, fmt::format("expected at least {}, got {}", min, value));
    out = value;
  };
  return app.add_option_function<std::string>(name, read, help)->type_name("N");
}

std::optional<StoreSpec> parse_store_spec(std::string_view text, std::string& error) {
  if (text == "memory") return StoreSpec{};
  if (text.starts_with("sqlite:")) {
    std::string file(text.substr(7));
    if (file.empty()) {
      error = "sqlite:FILE needs a FILE";
      return std::nullopt;
    }
    return StoreSpec{StoreSpec::Kind::sqlite, std::move(file)};
  }
  if (text.starts_with("postgres:")) {
    if (!postgres_built()) {
      error = "this telcrm was built without PostgreSQL (telcrm::postgres)";
      return std::nullopt;
    }
    return StoreSpec{StoreSpec::Kind::postgres, std::string(text.substr(9))};
  }
  // Only what comes before the first ':' is echoed: the rest might be a mistyped conninfo.
  error = fmt::format("'{}' is none of memory, sqlite:FILE, postgres:CONNINFO",
                      text.substr(0, text.find(':')));
  return std::nullopt;
}

bool postgres_built() noexcept {
#if TELCRM_CLI_POSTGRES
  return true;
#else
  return false;
#endif
}

std::string printable(const StoreSpec& spec) {
  switch (spec.kind) {
    case StoreSpec::Kind::memory: return "memory";
    case StoreSpec::Kind::sqlite: return spec.location;
    case StoreSpec::Kind::postgres: return "postgres";
  }
  return {};
}

namespace {

CLI::Option* add_spec(CLI::App& app, const std::string& name, std::string prefix,
                      std::optional<StoreSpec>& out, const std::string& help,
                      const std::string& type) {
  auto read = [&out, name, prefix = std::move(prefix)](const std::string& text) {
    std::string error;
    auto spec = parse_store_spec(prefix + text, error);
    if (!spec) throw CLI::ValidationError(name, error);
    out = std::move(*spec);
  };
  return app.add_option_function<std::string>(name, read, help)->type_name(type);
}

}  // namespace

CLI::Option* add_store_option(CLI::App& app, std::optional<StoreSpec>& out,
                              const std::string& help) {
  return add_spec(app, "--store", "", out, help, "STORE");
}

CLI::Option* add_db_option(CLI::App& app, std::optional<StoreSpec>& out, const std::string& help) {
  return add_spec(app, "--db", "sqlite:", out, help, "FILE");
}

void add_database_options(CLI::App& app, std::optional<StoreSpec>& out) {
  auto* db = add_db_option(app, out, "the SQLite database (as --store sqlite:FILE)");
  auto read = [&out](const std::string& text) {
    std::string error;
    auto spec = parse_store_spec(text, error);
    if (spec && spec->kind == StoreSpec::Kind::memory)
      error = "a database is needed: sqlite:FILE or postgres:CONNINFO";
    if (!spec || spec->kind == StoreSpec::Kind::memory)
      throw CLI::ValidationError("--store", error);
    out = std::move(*spec);
  };
  auto* store = app.add_option_function<std::string>(
                       "--store", read, "sqlite:FILE or postgres:CONNINFO (a libpq conninfo)")
                    ->type_name("STORE");
  db->excludes(store);
}

int require_database(std::string_view command, const std::optional<StoreSpec>& spec) {
  if (spec) return exit_ok;
  return usage_error(command, "give --db FILE or --store sqlite:FILE|postgres:CONNINFO");
}

int usage_error(std::string_view command, std::string_view message) {
  fmt::print(stderr, "telcrm {}: {}\n", command, message);
  return exit_usage;
}

int parse_stopped(const CLI::App& app, const CLI::ParseError& error) {
  // Help and version are parse "errors" with exit code 0; CLI11 prints them (the help of the
  // subcommand they were asked of).
  if (error.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return app.exit(error);
  // The subcommand the error belongs to: the deepest one the parse had entered.
  std::string path = "telcrm";
  const CLI::App* at = &app;
  while (!at->get_subcommands().empty()) {
    at = at->get_subcommands().front();
    path += " " + at->get_name();
  }
  std::string message = error.what();
  // CLI11 says "A subcommand is required" also for a word that is not a command.
  if (dynamic_cast<const CLI::RequiredError*>(&error) != nullptr &&
      at->get_require_subcommand_min() > 0) {
    const auto rest = at->remaining();
    message = !rest.empty() && !rest.front().starts_with('-')
                  ? fmt::format("unknown command '{}'", rest.front())
                  : std::string("a command is required");
  }
  // Its sentences start in capitals; ours continue after "telcrm <command>: ".
  if (message.size() > 1 && std::isupper(static_cast<unsigned char>(message[0])) != 0 &&
      std::islower(static_cast<unsigned char>(message[1])) != 0)
    message[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(message[0])));
  fmt::print(stderr, "{}: {} (see {} --help)\n", path, message, path);
  return exit_usage;
}

}  // namespace telcrm::cli
