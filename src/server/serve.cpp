// SPDX-License-Identifier: Apache-2.0
// `telcrm serve`: wires the store, the presence overlay, the engine and its worker, the PBX
// service and the HTTP listener, then waits for SIGTERM/SIGINT and stops in order.
#include "../compiled_lib.hpp"  // first: stops a build without TELCRM_COMPILED_LIB

#include <telcrm/bitrix24/service.hpp>
#include <telcrm/engine/call_engine.hpp>
#include <telcrm/engine/engine_worker.hpp>
#include <telcrm/json/outbox_json.hpp>
#include <telcrm/json/settings_json.hpp>
#include <telcrm/memory/memory_crm_store.hpp>
#include <telcrm/pbx/capturing_telephony.hpp>
#include <telcrm/pbx/pbx_service.hpp>
#include <telcrm/pbx/presence_directory.hpp>
#include <telcrm/server/bitrix24_router.hpp>
#include <telcrm/server/http.hpp>
#include <telcrm/server/live_calls.hpp>
#include <telcrm/server/log_observer.hpp>
#include <telcrm/server/metrics.hpp>
#include <telcrm/server/pbx_router.hpp>
#include <telcrm/server/serve.hpp>
#include <telcrm/sqlite/sqlite_crm_store.hpp>
#if TELCRM_SERVER_POSTGRES
#include <telcrm/postgres/postgres_crm_store.hpp>
#else
#define TELCRM_SERVER_POSTGRES 0
#endif

#include <fmt/format.h>
#include <pthread.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <ctime>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <thread>
#include <variant>

TELCRM_BEGIN_NAMESPACE
namespace server {

namespace {

constexpr int exit_ok = 0;
constexpr int exit_failure = 1;
constexpr int exit_usage = 2;

// 2 when what was given cannot be used (nothing was done), 1 when the storage failed.
int exit_code_of(const Error& e) {
  switch (e.code()) {
    case Errc::storage_unavailable:
    case Errc::internal: return exit_failure;
    default: return exit_usage;
  }
}

int refuse(std::FILE* log, const std::string& what, const Error& e) {
  fmt::print(log, "telcrm serve: {}: {}\n", what, e);
  return exit_code_of(e);
}

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Signals come to one thread only: blocked here, before any other thread starts (they
// inherit the mask), and taken with sigtimedwait() by the main loop.
sigset_t stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

// Runs a listener on a thread of its own; stopped and joined at the latest when it goes (before
// what was declared ahead of it: the router, the metrics, the presence).
class ServingThread {
 public:
  explicit ServingThread(Listener& listener)
      : listener_(listener), thread_([this] { listener_.run(); }) {}
  ~ServingThread() { stop(); }
  ServingThread(const ServingThread&) = delete;
  ServingThread& operator=(const ServingThread&) = delete;
  void stop() {
    if (!thread_.joinable()) return;
    listener_.stop();
    thread_.join();
  }

 private:
  Listener& listener_;
  std::thread thread_;
};

}  // namespace

int serve(const ServeOptions& options) {
  std::FILE* out = options.log;
  const sigset_t signals = stop_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);  // a PBX that hangs up mid-answer must not kill the service

  // --- settings and store ---------------------------------------------------------------------
  std::optional<LoadedSettings> loaded;
  if (!options.settings_path.empty()) {
    auto text = read_file(options.settings_path);
    if (!text) {
      fmt::print(out, "telcrm serve: cannot read {}\n", options.settings_path);
      return exit_usage;
    }
    auto parsed = settings_from_json(*text, "settings");
    if (!parsed) return refuse(out, options.settings_path, parsed.error());
    loaded = std::move(*parsed);
  }

  std::unique_ptr<SqliteCrmStore> sqlite;
  std::unique_ptr<MemoryCrmStore> memory;
#if TELCRM_SERVER_POSTGRES
  std::unique_ptr<PostgresCrmStore> postgres;
#endif
  CrmStore* store = nullptr;
  Directory* base = nullptr;
  IntegrationSettings settings;
  EngineOptions engine_options;
  std::string journal_path = options.journal;
  std::string where = options.store;  // what the log may say about the store (no password)
  // A database's settings: the ones given are stored (and its directory takes their
  // employees), else the ones it holds are used. 0 when settings are in hand.
  auto settle = [&](auto& db, const std::string& label) -> int {
    if (loaded) {
      auto staff = loaded->directory->employees();
      if (!staff) return refuse(out, "employees", staff.error());
      if (auto saved = db.save_settings(loaded->settings, *staff); !saved)
        return refuse(out, label, saved.error());
      settings = loaded->settings;
      return 0;
    }
    auto stored = db.load_settings();
    if (!stored) return refuse(out, label, stored.error());
    if (!*stored) {
      fmt::print(out, "telcrm serve: {} holds no settings: give --settings FILE\n", label);
      return exit_usage;
    }
    settings = std::move(**stored);
    return 0;
  };
  if (options.store.rfind("sqlite:", 0) == 0) {
    const std::string path = options.store.substr(7);
    SqliteOptions sqlite_options;
    sqlite_options.busy_timeout = options.busy_timeout;
    if (loaded)
      sqlite_options.phone_keys =
          IndexOptions{loaded->settings.default_region, loaded->settings.match_suffix_digits};
    auto opened = SqliteCrmStore::open(path, sqlite_options);
    if (!opened) return refuse(out, path, opened.error());
    sqlite = std::move(*opened);
    if (int code = settle(*sqlite, path); code != 0) return code;
    store = sqlite.get();
    base = sqlite.get();  // the store's employees, kept in memory by the presence overlay
    if (journal_path.empty()) journal_path = path + ".outbox";
#if TELCRM_SERVER_POSTGRES
  } else if (options.store.rfind("postgres:", 0) == 0) {
    // The conninfo may hold a password: only describe() (database, host, port) is printed.
    PostgresOptions pg_options;
    pg_options.lock_timeout = options.busy_timeout;
    if (loaded)
      pg_options.phone_keys =
          IndexOptions{loaded->settings.default_region, loaded->settings.match_suffix_digits};
    auto opened = PostgresCrmStore::open(options.store.substr(9), pg_options);
    if (!opened) return refuse(out, "postgres", opened.error());
    postgres = std::move(*opened);
    where = postgres->describe();
    if (int code = settle(*postgres, where); code != 0) return code;
    store = postgres.get();
    base = postgres.get();
    engine_options.claim_window = postgres->claim_window();  // one window for every node
#endif
  } else if (options.store == "memory") {
    if (!loaded) {
      fmt::print(out, "telcrm serve: --settings is required with the memory store\n");
      return exit_usage;
    }
    memory = std::make_unique<MemoryCrmStore>();
    store = memory.get();
    base = loaded->directory.get();
    settings = loaded->settings;
  } else {
    // Only the kind is echoed: the rest may be a conninfo with a password.
    fmt::print(out, "telcrm serve: --store: '{}' is none of memory, sqlite:PATH{}\n",
               options.store.substr(0, options.store.find(':')),
               TELCRM_SERVER_POSTGRES ? ", postgres:CONNINFO" : "");
    return exit_usage;
  }

  engine_options.index_snapshot = options.index_snapshot;

  std::unique_ptr<FileOutboxJournal> journal;
  if (!journal_path.empty()) {
    FileJournalOptions journal_options;
    journal_options.sync_each_append = options.journal_sync_each;
    auto opened = FileOutboxJournal::open(journal_path, journal_options);
    if (!opened) return refuse(out, journal_path, opened.error());
    journal = std::move(*opened);
  }

  // --- the listener, before the index --------------------------------------------------------
  // A node whose CRM index is being built (a full rebuild takes seconds on a large CRM) already
  // answers: /health 503 "loading", /metrics, presence reports; every call is refused with
  // 503, which the PBX takes as "telcrm unavailable" (its fallback rings), so nothing is
  // created from an empty index.
  LineLog log(out);
  pbx::PresenceDirectory presence(*base);
  if (auto read = presence.refresh(); !read) return refuse(out, "the directory", read.error());
  Metrics metrics;
  PbxRouter router(presence, metrics, options.token);
  ListenerOptions listen;
  listen.host = options.host;
  listen.port = options.port;
  listen.threads = options.threads;
  auto listener = Listener::bind(listen, router);
  if (!listener) return refuse(out, "listen", listener.error());
  ServingThread serving(**listener);
  const auto load_started = std::chrono::steady_clock::now();
  log.write(fmt::format(
      "telcrm serve: listening on http://{}:{} — loading the CRM index (/health answers 503 "
      "\"loading\" and calls are refused until it is ready)",
      options.host, (*listener)->port()));
  if (options.before_index_load) options.before_index_load();

  // --- engine and service -------------------------------------------------------------------
  LogObserver::CallPrinter printer;
  if (options.call_printer) {
    auto staff = presence.employees();
    CrmSnapshot crm;
    if (const auto* inspection = store->inspection())
      if (auto snapshot = inspection->snapshot()) crm = std::move(*snapshot);
    if (staff) printer = options.call_printer(settings, *staff, crm);
  }
  LogObserver observer(log, std::move(printer));
  pbx::CapturingTelephony telephony;
  SystemClock clock;
  auto created = CallEngine::create(
      settings, Ports{*store, presence, telephony, clock, &observer, journal.get()},
      engine_options);
  if (!created) return refuse(out, "settings", created.error());
  CallEngine& engine = **created;

  // --- calls a previous run was serving when it died: closed as missed ------------------------
  std::unique_ptr<FileLiveCalls> live;
  std::size_t interrupted = 0;
  std::vector<std::string> gone;
  if (!journal_path.empty()) {
    auto opened = FileLiveCalls::open(journal_path + ".live");
    if (!opened) return refuse(out, journal_path + ".live", opened.error());
    live = std::move(*opened);
    engine.flush();  // the journal's writes first: they may end some of these calls
    std::set<std::string> queued_ends;  // calls whose history record still waits (R-A1)
    if (journal)
      if (auto pending = journal->pending())
        for (const auto& batch : *pending)
          for (const auto& op : batch.ops)
            if (const auto* r = std::get_if<RecordCall>(&op)) queued_ends.insert(r->record.call);
    for (const auto& start : live->interrupted()) {
      gone.push_back(start.call);
      bool ended = queued_ends.count(start.call) > 0;
      if (!ended && sqlite)
        if (auto has = sqlite->has_call(start.call); has && *has) ended = true;
#if TELCRM_SERVER_POSTGRES
      // As for SQLite: a call whose history record is stored ended (only the note was lost);
      // closing it again would log it twice.
      if (!ended && postgres)
        if (auto has = postgres->has_call(start.call); has && *has) ended = true;
#endif
      if (ended) continue;  // it ended before the stop; only the journal's note was lost
      auto closed = engine.close_interrupted(
          start, "interrupted: telcrm stopped while the call was in progress (restart)");
      if (closed)
        ++interrupted;
      else
        log.write(fmt::format("telcrm serve: call {}: not closed: {}", start.call,
                              closed.error().message()));
    }
    engine.flush();
    if (auto ok = live->closed_interrupted(); !ok)
      return refuse(out, journal_path + ".live", ok.error());
  }
  WorkerOptions worker_options;
  if (live)
    worker_options.on_reaped = [&live](std::vector<CallResult>&& reaped) {
      for (const auto& r : reaped) live->ended(r.call);
    };
  auto worker = std::make_unique<EngineWorker>(engine, clock, std::move(worker_options));
  pbx::ServiceOptions service_options;
  service_options.live = live.get();
  pbx::PbxService service(engine, telephony, presence, clock, service_options);
  service.set_interrupted(std::move(gone));
  router.attach(service, engine);

  // --- the Bitrix24 REST API, on its own HTTPS listener ----------------------------------------
  std::unique_ptr<RecordingFolder> folder;
  std::unique_ptr<bitrix24::Service> b24_service;
  std::unique_ptr<Bitrix24Router> b24_router;
  std::unique_ptr<Listener> b24_listener;
  std::thread b24_serving;
  if (options.bitrix24) {
    const Bitrix24ServeOptions& b = *options.bitrix24;
    RecordingOptions rec;
    rec.folder = b.recordings;
    if (rec.folder.empty())
      rec.folder = sqlite ? options.store.substr(7) + ".recordings" : "telcrm-recordings";
    rec.max_bytes = b.max_recording;
    rec.allow_private = b.allow_private_record_urls;
    const std::size_t max_recording = rec.max_bytes;
    folder = std::make_unique<RecordingFolder>(rec);
    std::vector<std::string> lines;
    for (const auto& l : settings.lines) lines.push_back(l.number);
    bitrix24::ServiceOptions b24_options;
    b24_options.region = settings.default_region;
    b24_service = std::make_unique<bitrix24::Service>(engine, *store, presence, clock, *folder,
                                                      std::move(lines), b24_options);
    b24_router = std::make_unique<Bitrix24Router>(*b24_service, b.user, b.secret, log, metrics);
    ListenerOptions b24;
    b24.host = b.host;
    b24.port = b.port;
    b24.threads = options.threads;
    b24.tls_cert = b.tls_cert;
    b24.tls_key = b.tls_key;
    // base64 makes 4 bytes of 3; the rest of the JSON is small.
    const std::size_t attach_cap = max_recording / 3 * 4 + 64 * 1024;
    b24.max_body = std::max(attach_cap, bitrix24_small_body);
    b24.body_cap = [attach_cap](std::string_view path) {
      return Bitrix24Router::body_cap(path, attach_cap);
    };
    b24.read_timeout = std::chrono::seconds(60);  // a large upload over a slow link
    b24.error_body = [](int status, std::string_view message) {
      return bitrix24::format_error(
          {status, status == 413 ? "PAYLOAD_TOO_LARGE" : "INVALID_REQUEST", std::string(message)});
    };
    auto bound = Listener::bind(b24, *b24_router);
    if (!bound) {
      serving.stop();  // before the service it routes to goes
      return refuse(out, "--bitrix24-listen", bound.error());
    }
    b24_listener = std::move(*bound);
    b24_serving = std::thread([&] { b24_listener->run(); });
    log.write(fmt::format(
        "telcrm serve: Bitrix24 REST API on https://{}:{}/rest/{}/…/ — recordings in {}{}", b.host,
        b24_listener->port(), b.user, rec.folder,
        b.allow_private_record_urls ? " (private RECORD_URLs allowed)" : ""));
  }

  const auto pending_at_start = engine.stats().pending_writes;
  log.write(fmt::format(
      "telcrm serve: {} in {:.1f} s — store {}, journal {}, {} line(s), {} queue(s), "
      "bearer token {}{}",
      engine.ready() ? "ready"
                     : "routing without its CRM index (the store is down; it is loaded "
                       "when the store answers)",
      std::chrono::duration<double>(std::chrono::steady_clock::now() - load_started).count(), where,
      journal_path.empty() ? "none" : journal_path, settings.lines.size(), settings.queues.size(),
      options.token ? "required" : "not required",
      pending_at_start > 0 ? fmt::format(", {} write(s) from the journal first", pending_at_start)
                           : std::string()));
  if (interrupted > 0)
    log.write(
        fmt::format("telcrm serve: {} call(s) in progress when the last run stopped were "
                    "closed as missed; their later events are answered 410",
                    interrupted));

  // --- run until told to stop ----------------------------------------------------------------
  auto next_prune = std::chrono::steady_clock::now() + std::chrono::minutes(1);
  int signal = 0;
  while (signal <= 0) {
    timespec slice{0, 200 * 1000 * 1000};  // presence is read from the store this often
    signal = sigtimedwait(&signals, nullptr, &slice);
    (void)presence.refresh();  // a failing store keeps the employees it had
    if (std::chrono::steady_clock::now() >= next_prune) {
      service.prune();
      next_prune = std::chrono::steady_clock::now() + std::chrono::minutes(1);
    }
  }

  // --- stop: no new calls, the outbox flushed for a bounded time, then the listener ----------
  log.write(fmt::format("telcrm serve: {} received: taking no new calls, flushing the outbox",
                        signal == SIGINT ? "SIGINT" : "SIGTERM"));
  service.stop_taking_calls();
  router.stopping();
  const auto deadline = std::chrono::steady_clock::now() + options.drain;
  while (engine.stats().pending_writes > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the worker flushes
  serving.stop();
  if (b24_listener) {
    b24_listener->stop();
    b24_serving.join();
  }
  worker.reset();  // one last flush, bounded by the store's busy timeout
  const auto left = engine.stats().pending_writes;
  if (left > 0)
    log.write(
        fmt::format("telcrm serve: {} write batch(es) stay in the journal {} for the next "
                    "start (R-I3)",
                    left, journal_path.empty() ? "(none: lost)" : journal_path));
  log.write("telcrm serve: stopped");
  log.close();
  return exit_ok;
}

}  // namespace server
TELCRM_END_NAMESPACE
