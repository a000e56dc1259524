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

constexpr int exit_usage = 2;

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

}  // namespace

int run_serve(std::span<const std::string_view> args) {
  CLI::App app(
      "Routes live calls for a PBX: Kamailio (examples/kamailio/kamailio.cfg) asks over HTTP "
      "where each call goes and reports what happened; telcrm finds the caller in the CRM, "
      "routes, creates leads and logs the call (docs/pbx-protocol.md). Runs until SIGTERM or "
      "SIGINT: then it takes no new calls, flushes the CRM writes for --drain seconds (what "
      "is left stays in the journal for the next start) and exits 0.",
      "telcrm serve");
  server::ServeOptions options;
  std::string listen = "127.0.0.1:8470";
  std::string token_file;
  bool no_token = false;
  double drain_seconds = 5;
  app.add_option("--settings", options.settings_path,
                 "the scenario format's settings object with its employees; stored in the "
                 "database (default: the settings the database holds)");
  app.add_option("--store", options.store, "memory (an empty CRM) or sqlite:PATH")
      ->capture_default_str();
  app.add_option("--listen", listen, "HOST:PORT to listen on (port 0: any free one)")
      ->capture_default_str();
  auto* token_opt = app.add_option("--token-file", token_file,
                                   "a file holding the bearer token every request must carry");
  auto* no_token_opt = app.add_flag("--no-token", no_token,
                                    "accept requests without a token (trusted loopback only)");
  token_opt->excludes(no_token_opt);
  app.add_option("--journal", options.journal,
                 "the outbox journal (default: DATABASE.outbox beside an SQLite database)");
  std::string journal_sync = "group";
  app.add_option("--journal-sync", journal_sync,
                 "each: flush every journal line to the disk before the call goes on; group: "
                 "flush them together after each write to the store")
      ->capture_default_str()
      ->check(CLI::IsMember({"each", "group"}));
  app.add_option("--drain", drain_seconds, "seconds to keep flushing after SIGTERM")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 3600.0));
  bool timeline = false;
  app.add_flag("--timeline", timeline,
               "print each call on stdout when it ends, as `telcrm demo` does");
  app.add_option("--threads", options.threads, "HTTP connections served at once")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));

  std::vector<std::string> argv{"telcrm serve"};
  for (auto a : args) argv.emplace_back(a);
  std::vector<const char*> raw;
  for (const auto& a : argv) raw.push_back(a.c_str());
  try {
    app.parse(static_cast<int>(raw.size()), raw.data());
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : exit_usage;
  }

  if (!parse_listen(listen, options.host, options.port)) {
    fmt::print(stderr, "telcrm serve: --listen: expected HOST:PORT, got '{}'\n", listen);
    return exit_usage;
  }
  if (token_file.empty() && !no_token) {
    fmt::print(stderr,
               "telcrm serve: give --token-file FILE (the bearer token every request must "
               "carry) or --no-token\n");
    return exit_usage;
  }
  if (!token_file.empty()) {
    std::ifstream in(token_file);
    std::stringstream text;
    if (in.is_open()) text << in.rdbuf();
    std::string token = text.str();
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' '))
      token.pop_back();
    if (!in.is_open() || token.empty() || token.find_first_of(" \t\r\n") != std::string::npos) {
      fmt::print(stderr, "telcrm serve: --token-file {}: expected one token on one line\n",
                 token_file);
      return exit_usage;
    }
    options.token = std::move(token);
  }
  options.journal_sync_each = journal_sync == "each";
  if (timeline) options.call_printer = timeline_printer(ColorMode::automatic);
  options.drain = std::chrono::milliseconds(static_cast<long long>(drain_seconds * 1000));
  return server::serve(options);
}

}  // namespace telcrm::cli

#else  // built without the server (TELCRM_WITH_SERVER=OFF)

namespace telcrm::cli {
int run_serve(std::span<const std::string_view>) {
  fmt::print(stderr,
             "telcrm serve: this telcrm was built without the server (TELCRM_WITH_SERVER)\n");
  return 2;
}
}  // namespace telcrm::cli

#endif
