// SPDX-License-Identifier: Apache-2.0
// telcrm serve: the PBX protocol over HTTP around one engine (flags only; the service is the
// telcrm_server library).
#include "commands.hpp"

#include <fmt/core.h>

#if TELCRM_WITH_SERVER
#include <telcrm/server/serve.hpp>

#include <CLI/CLI.hpp>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
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
  std::string bitrix24;  // USER_ID:SECRET
  std::string bitrix24_listen = "127.0.0.1:8471";
  server::Bitrix24ServeOptions b24;
  double max_recording_mb = 50;
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
  if (!a.bitrix24.empty()) {
    server::Bitrix24ServeOptions& b = a.b24;
    const auto colon = a.bitrix24.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == a.bitrix24.size())
      return usage_error("serve", "--bitrix24: expected USER_ID:SECRET");
    b.user = a.bitrix24.substr(0, colon);
    b.secret = a.bitrix24.substr(colon + 1);
    if (b.secret.front() == '@') {  // USER_ID:@FILE keeps the secret out of the process list
      std::ifstream in(b.secret.substr(1));
      std::stringstream text;
      if (in.is_open()) text << in.rdbuf();
      std::string secret = text.str();
      while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
      if (!in.is_open() || secret.empty())
        return usage_error(
            "serve", fmt::format("--bitrix24: cannot read the secret from {}", b.secret.substr(1)));
      b.secret = std::move(secret);
    }
    if (b.user.find_first_not_of("0123456789") != std::string::npos || b.secret.size() < 8 ||
        b.secret.find('/') != std::string::npos)
      return usage_error("serve",
                         "--bitrix24: USER_ID is a number; SECRET has at least 8 characters "
                         "and no '/'");
    if (!parse_listen(a.bitrix24_listen, b.host, b.port))
      return usage_error("serve", fmt::format("--bitrix24-listen: expected HOST:PORT, got '{}'",
                                              a.bitrix24_listen));
    if (b.tls_cert.empty() || b.tls_key.empty())
      return usage_error("serve",
                         "--bitrix24 needs --tls-cert and --tls-key (its clients speak HTTPS "
                         "only)");
    b.max_recording = static_cast<std::size_t>(a.max_recording_mb * 1024 * 1024);
    options.bitrix24 = b;
  }
  options.journal_sync_each = a.journal_sync == "each";
  if (a.timeline) options.call_printer = timeline_printer(ColorMode::automatic);
  options.drain = std::chrono::milliseconds(static_cast<long long>(a.drain_seconds * 1000));
  // For the tests only: the index load waits while this file exists, so that a test sees the
  // node answer "loading" however fast its CRM loads.
  if (const char* hold = std::getenv("TELCRM_TEST_HOLD_INDEX_LOAD"); hold != nullptr && *hold)
    options.before_index_load = [path = std::string(hold)] {
      std::error_code ec;
      while (std::filesystem::exists(path, ec))
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    };
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
      "is left stays in the journal for the next start) and exits 0. With --bitrix24 it also\n"
      "speaks the Bitrix24 REST telephony API over HTTPS, for existing PBX connectors\n"
      "(docs/bitrix24-api.md).");
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
  auto* b24 =
      app->add_option("--bitrix24", a->bitrix24,
                      "USER_ID:SECRET, or USER_ID:@FILE holding the secret: also serve the "
                      "Bitrix24-compatible REST telephony API at "
                      "https://HOST:PORT/rest/USER_ID/SECRET/<method> (docs/bitrix24-api.md)");
  app->add_option("--bitrix24-listen", a->bitrix24_listen, "HOST:PORT of the Bitrix24 API")
      ->capture_default_str()
      ->needs(b24);
  app->add_option("--tls-cert", a->b24.tls_cert, "PEM certificate of the Bitrix24 API")->needs(b24);
  app->add_option("--tls-key", a->b24.tls_key, "PEM private key of the Bitrix24 API")->needs(b24);
  app->add_option("--recordings", a->b24.recordings,
                  "folder for attached recordings (default: DATABASE.recordings)")
      ->needs(b24);
  app->add_option("--max-recording-mb", a->max_recording_mb,
                  "the largest recording accepted, uploaded or downloaded")
      ->capture_default_str()
      ->check(CLI::Range(0.001, 4096.0))
      ->needs(b24);
  app->add_flag("--allow-private-record-urls", a->b24.allow_private_record_urls,
                "let RECORD_URL name loopback, private and link-local addresses")
      ->needs(b24);
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
