// SPDX-License-Identifier: Apache-2.0
// `telcrm serve`: wires the store, the presence overlay, the engine and its worker, the PBX
// service and the HTTP listener, then waits for SIGTERM/SIGINT and stops in order.
#include "../compiled_lib.hpp"  // first: stops a build without TELCRM_COMPILED_LIB

#include <telcrm/engine/call_engine.hpp>
#include <telcrm/engine/engine_worker.hpp>
#include <telcrm/json/outbox_json.hpp>
#include <telcrm/json/settings_json.hpp>
#include <telcrm/memory/memory_crm_store.hpp>
#include <telcrm/pbx/capturing_telephony.hpp>
#include <telcrm/pbx/pbx_service.hpp>
#include <telcrm/pbx/presence_directory.hpp>
#include <telcrm/server/http.hpp>
#include <telcrm/server/live_calls.hpp>
#include <telcrm/server/log_observer.hpp>
#include <telcrm/server/metrics.hpp>
#include <telcrm/server/pbx_router.hpp>
#include <telcrm/server/serve.hpp>
#include <telcrm/sqlite/sqlite_crm_store.hpp>

#include <fmt/format.h>
#include <pthread.h>

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
  CrmStore* store = nullptr;
  Directory* base = nullptr;
  IntegrationSettings settings;
  std::string journal_path = options.journal;
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
    if (loaded) {
      auto staff = loaded->directory->employees();
      if (!staff) return refuse(out, "employees", staff.error());
      if (auto saved = sqlite->save_settings(loaded->settings, *staff); !saved)
        return refuse(out, path, saved.error());
      settings = loaded->settings;
    } else {
      auto stored = sqlite->load_settings();
      if (!stored) return refuse(out, path, stored.error());
      if (!*stored) {
        fmt::print(out, "telcrm serve: {} holds no settings: give --settings FILE\n", path);
        return exit_usage;
      }
      settings = std::move(**stored);
    }
    store = sqlite.get();
    base = sqlite.get();  // the store's employees, kept in memory by the presence overlay
    if (journal_path.empty()) journal_path = path + ".outbox";
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
    fmt::print(out, "telcrm serve: --store: '{}' is neither memory nor sqlite:PATH\n",
               options.store);
    return exit_usage;
  }

  std::unique_ptr<FileOutboxJournal> journal;
  if (!journal_path.empty()) {
    FileJournalOptions journal_options;
    journal_options.sync_each_append = options.journal_sync_each;
    auto opened = FileOutboxJournal::open(journal_path, journal_options);
    if (!opened) return refuse(out, journal_path, opened.error());
    journal = std::move(*opened);
  }

  // --- engine and service -------------------------------------------------------------------
  LineLog log(out);
  pbx::PresenceDirectory presence(*base);
  if (auto read = presence.refresh(); !read) return refuse(out, "the directory", read.error());
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
      settings, Ports{*store, presence, telephony, clock, &observer, journal.get()});
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
  Metrics metrics;
  PbxRouter router(service, engine, metrics, options.token);

  ListenerOptions listen;
  listen.host = options.host;
  listen.port = options.port;
  listen.threads = options.threads;
  auto listener = Listener::bind(listen, router);
  if (!listener) return refuse(out, "listen", listener.error());
  std::thread serving([&] { (*listener)->run(); });

  const auto pending_at_start = engine.stats().pending_writes;
  log.write(fmt::format(
      "telcrm serve: listening on http://{}:{} — store {}, journal {}, {} line(s), {} queue(s), "
      "bearer token {}{}",
      options.host, (*listener)->port(), options.store,
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
  (*listener)->stop();
  serving.join();
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
