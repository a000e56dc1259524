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
  error = fmt::format("'{}' is neither memory nor sqlite:FILE", text);
  return std::nullopt;
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
