// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file `telcrm serve`: one CallEngine (with an EngineWorker) behind the PBX protocol over
/// HTTP, until SIGTERM or SIGINT.

#include <telcrm/config.hpp>
#include <telcrm/crm/employee.hpp>
#include <telcrm/crm/snapshot.hpp>
#include <telcrm/engine/call_result.hpp>
#include <telcrm/settings/settings.hpp>

#include <chrono>
#include <cstddef>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <vector>

TELCRM_BEGIN_NAMESPACE
namespace server {

/// The Bitrix24-compatible REST API (`--bitrix24 USER_ID:SECRET`; docs/bitrix24-api.md):
/// HTTPS on a listener of its own.
struct Bitrix24ServeOptions {
  std::string user{};    ///< the inbound webhook's user id (`/rest/<user>/<secret>/…`)
  std::string secret{};  ///< its secret, compared in constant time
  std::string host = "127.0.0.1";
  int port = 8471;         ///< 0: any free port (printed at start)
  std::string tls_cert{};  ///< PEM certificate chain (the official SDK speaks only HTTPS)
  std::string tls_key{};   ///< PEM private key
  /// Recordings attached by upload or URL; empty: `<database>.recordings` beside an SQLite
  /// database, `telcrm-recordings` in the working directory for the memory store.
  std::string recordings{};
  std::size_t max_recording = 50 * 1024 * 1024;  ///< bytes, upload or download
  bool allow_private_record_urls = false;        ///< RECORD_URL may name private addresses
};

struct ServeOptions {
  /// The scenario format's settings object (with `employees`); stored in the database, whose
  /// directory then serves the employees. Empty: the settings the database holds.
  std::string settings_path{};
  /// `memory` (an empty CRM), `sqlite:PATH` or `postgres:CONNINFO` (when built with
  /// telcrm::postgres; the conninfo is never logged: the store's describe() is).
  std::string store = "memory";
  std::string host = "127.0.0.1";
  int port = 8470;  ///< 0: any free port (printed at start)
  /// The bearer token; nullopt (`--no-token`) accepts requests without one.
  std::optional<std::string> token{};
  /// The outbox journal (R-I3); empty: `<database>.outbox` beside an SQLite database, none
  /// for the memory store and PostgreSQL (give each node its own).
  std::string journal{};
  /// true: every journal line is flushed to the disk before the event that wrote it returns;
  /// false: the lines are flushed together after each flush of the outbox (a crash of the
  /// machine may lose the last few milliseconds of writes; see FileJournalOptions).
  bool journal_sync_each = false;
  /// After SIGTERM: how long to keep flushing the outbox; what is left stays journaled.
  std::chrono::milliseconds drain{5000};
  /// How long one store write waits for a lock held by another process before it is
  /// retried later (the call never waits for it).
  std::chrono::milliseconds busy_timeout{1000};
  std::size_t threads = 16;  ///< HTTP connections served at once
  /// The index snapshot file (EngineOptions::index_snapshot): with PostgreSQL or SQLite the
  /// node starts from it plus the changes since, instead of a full rebuild. Empty: none.
  std::string index_snapshot{};
  std::FILE* log = stderr;  ///< start-up, one line per decision, shutdown
  /// When set, the Bitrix24-compatible REST API is served too.
  std::optional<Bitrix24ServeOptions> bitrix24{};
  /// When set, called as the service starts with its settings, its employees and the CRM it
  /// found; the function it returns is then called with every call that ends, in order, on
  /// the log's thread (never on a call's) — `telcrm serve --timeline` prints each call so.
  std::function<std::function<void(const CallResult&)>(
      const IntegrationSettings&, const std::vector<Employee>&, const CrmSnapshot&)>
      call_printer{};
  /// Called once the listener is open, before the engine loads the CRM index (a test holds the
  /// load there to see the node answer "loading").
  std::function<void()> before_index_load{};
};

/// Runs the service until SIGTERM/SIGINT; returns the process's exit code: 0 after a clean
/// stop, 2 when it cannot start with what it was given (settings, store, address), 1 when
/// the store fails while starting.
int serve(const ServeOptions& options);

}  // namespace server
TELCRM_END_NAMESPACE
