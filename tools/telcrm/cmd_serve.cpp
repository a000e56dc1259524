// SPDX-License-Identifier: Apache-2.0
// telcrm serve: the PBX protocol over HTTP around one engine (flags only; the service is the
// telcrm_server library).
#include "commands.hpp"

#include <fmt/core.h>

#if TELCRM_WITH_SERVER
#include <telcrm/server/serve.hpp>

#include <CLI/CLI.hpp>

#include <charconv>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "timeline.hpp"

namespace telcrm::cli {

namespace {

// "127.0.0.1:8470", "[::1]:8470" or a bare port; false when it cannot be read.
bool parse_listen(const std::string& text, std::string& host, int& port) {
  std::string port_text = text;
  if (const auto colon = text.rfind(':'); colon != std::string::npos) {
    host = text.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
      host = host.substr(1, host.size() - 2);
    port_text = text.substr(colon + 1);
  }
  int value = -1;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || value < 0 ||
      value > 65535 || host.empty())
    return false;
  port = value;
  return true;
}

// --timeline: each call that ends is told as `telcrm demo` tells it (tools/telcrm/timeline).
auto timeline_printer(ColorMode mode) {
  return [mode](const IntegrationSettings& settings, const std::vector<Employee>& employees,
                const CrmSnapshot& crm) {
    auto scenario = std::make_shared<Scenario>();
    scenario->settings = settings;
    scenario->employees = employees;
    scenario->crm = crm;
    const Style style = Style::for_stream(stdout, mode);
    return [scenario, style](const CallResult& result) {
      const Timeline timeline(*scenario, std::span(&result, 1), {}, style);
      timeline.print_call(stdout, 0);
      std::fflush(stdout);
    };
  };
}

struct ServeArgs {
  server::ServeOptions options;
  std::string listen = "127.0.0.1:8470";
  std::string token_file;
  bool no_token = false;
  double drain_seconds = 5;
  std::string journal_sync = "group";
  bool timeline = false;
};

int run(ServeArgs& a) {
  server::ServeOptions& options = a.options;
  if (!parse_listen(a.listen, options.host, options.port))
    return usage_error("serve", fmt::format("--listen: expected HOST:PORT, got '{}'", a.listen));
  if (a.token_file.empty() && !a.no_token)
    return usage_error("serve",
                       "give --token-file FILE (the bearer token every request must carry) or "
                       "--no-token");
  if (!a.token_file.empty()) {
    std::ifstream in(a.token_file);
    std::stringstream text;
    if (in.is_open()) text << in.rdbuf();
    std::string token = text.str();
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' '))
      token.pop_back();
    if (!in.is_open() || token.empty() || token.find_first_of(" \t\r\n") != std::string::npos)
      return usage_error(
          "serve", fmt::format("--token-file {}: expected one token on one line", a.token_file));
    options.token = std::move(token);
  }
  options.journal_sync_each = a.journal_sync == "each";
  if (a.timeline) options.call_printer = timeline_printer(ColorMode::automatic);
  options.drain = std::chrono::milliseconds(static_cast<long long>(a.drain_seconds * 1000));
  return server::serve(options);
}

}  // namespace

void add_serve(CLI::App& parent, Commands& commands) {
  auto a = std::make_shared<ServeArgs>();
  CLI::App* app = add_subcommand(
      parent, "serve", "route live calls for a PBX over HTTP",
      "Routes live calls for a PBX: Kamailio (examples/kamailio/kamailio.cfg) asks over HTTP\n"
      "where each call goes and reports what happened; telcrm finds the caller in the CRM,\n"
      "routes, creates leads and logs the call (docs/pbx-protocol.md). Runs until SIGTERM or\n"
      "SIGINT: then it takes no new calls, flushes the CRM writes for --drain seconds (what\n"
      "is left stays in the journal for the next start) and exits 0.");
  app->add_option("--settings", a->options.settings_path,
                  "the scenario format's settings object with its employees; stored in the "
                  "database (default: the settings the database holds)");
  app->add_option("--store", a->options.store,
                  "memory (an empty CRM), sqlite:PATH or postgres:CONNINFO (a libpq conninfo or "
                  "URI, never printed; several nodes may share one database)")
      ->capture_default_str();
  app->add_option("--listen", a->listen, "HOST:PORT to listen on (port 0: any free one)")
      ->capture_default_str();
  auto* token_opt = app->add_option("--token-file", a->token_file,
                                    "a file holding the bearer token every request must carry");
  auto* no_token_opt = app->add_flag("--no-token", a->no_token,
                                     "accept requests without a token (trusted loopback only)");
  token_opt->excludes(no_token_opt);
  app->add_option(
      "--journal", a->options.journal,
      "the outbox journal (default: DATABASE.outbox beside an SQLite database; none for "
      "memory and PostgreSQL unless given: one per node)");
  app->add_option("--journal-sync", a->journal_sync,
                  "each: flush every journal line to the disk before the call goes on; group: "
                  "flush them together after each write to the store")
      ->capture_default_str()
      ->check(CLI::IsMember({"each", "group"}));
  app->add_option("--drain", a->drain_seconds, "seconds to keep flushing after SIGTERM")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 3600.0));
  app->add_option("--index-snapshot", a->options.index_snapshot,
                  "start from this index snapshot file plus the changes since it was written "
                  "(rewritten after every full rebuild); a damaged or stale one means a full "
                  "rebuild")
      ->type_name("FILE");
  app->add_flag("--timeline", a->timeline,
                "print each call on stdout when it ends, as `telcrm demo` does");
  app->add_option("--threads", a->options.threads, "HTTP connections served at once")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  commands.push_back({app, [a] { return run(*a); }});
}

}  // namespace telcrm::cli

#else  // built without the server (TELCRM_WITH_SERVER=OFF)

namespace telcrm::cli {
void add_serve(CLI::App& parent, Commands& commands) {
  CLI::App* app = add_subcommand(parent, "serve", "route live calls for a PBX over HTTP");
  commands.push_back({app, [] {
                        return usage_error("serve",
                                           "this telcrm was built without the server "
                                           "(TELCRM_WITH_SERVER)");
                      }});
}
}  // namespace telcrm::cli

#endif
