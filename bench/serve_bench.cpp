// SPDX-License-Identifier: Apache-2.0
// serve_bench: route answers of `telcrm serve` over HTTP keep-alive, many concurrent clients.
//
// One process runs two servers with the same Listener (cpp-httplib, the same options): telcrm
// (PbxRouter → PbxService → CallEngine, the SQLite store and the file journal, as `telcrm
// serve` wires them) and a baseline whose Router answers every request with a constant
// document of the same size. Then, in one run:
//   1. throughput: N clients, each on one keep-alive connection, as fast as they can; the two
//      servers alternate (A B A B …) so that both see the same machine; requests/s of each
//      and what telcrm adds;
//   2. latency at a fixed rate (default 1,000 requests/s over N clients, open loop: each
//      request has a scheduled time and its latency counts from then, so a slow answer
//      cannot hide the ones queued behind it): p50, p99, p99.9 of the route answers.
// Each simulated call (a known client or an unknown caller, half and half) asks for its route
// --steps times — POST /pbx/call, then POST /pbx/failed (408: nobody answered) for each next
// step — and ends with POST /pbx/cancelled (its CRM writes go to the outbox). As in `telcrm
// serve`, every decision is logged (to /dev/null, by the log's thread) and every call is noted
// in the live-call journal (with a journal; --bare leaves both out). Not a Google Benchmark
// program: it measures a server, not a function.
//
//   serve_bench [--seconds S] [--rounds R] [--clients N] [--rate R] [--contacts C]
//               [--steps K] [--store sqlite|memory] [--journal group|each|none] [--bare]

#include <telcrm/engine/call_engine.hpp>
#include <telcrm/engine/engine_worker.hpp>
#include <telcrm/json/outbox_json.hpp>
#include <telcrm/memory/memory_crm_store.hpp>
#include <telcrm/memory/memory_directory.hpp>
#include <telcrm/pbx/capturing_telephony.hpp>
#include <telcrm/pbx/pbx_service.hpp>
#include <telcrm/pbx/presence_directory.hpp>
#include <telcrm/server/http.hpp>
#include <telcrm/server/live_calls.hpp>
#include <telcrm/server/log_observer.hpp>
#include <telcrm/server/metrics.hpp>
#include <telcrm/server/pbx_router.hpp>
#include <telcrm/sqlite/sqlite_crm_store.hpp>

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

using namespace telcrm;
using Steady = std::chrono::steady_clock;

namespace {

constexpr const char* token = "bench-token";
constexpr const char* line_number = "+74951234567";

struct Options {
  double seconds = 5;
  int rounds = 3;
  int clients = 16;
  double rate = 1000;
  std::size_t contacts = 10000;
  std::string journal = "group";  // group, each, none
  std::string store = "sqlite";   // sqlite, memory
  int steps = 8;                  // route answers per call (the queue has 10 members)
  bool bare = false;              // no decision log, no live-call journal
};

// --- the client ------------------------------------------------------------------------------

class Connection {
 public:
  explicit Connection(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      std::perror("connect");
      std::exit(1);
    }
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  ~Connection() { ::close(fd_); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Sends one POST and reads the whole answer; returns the HTTP status.
  int post(std::string_view path, std::string_view body) {
    out_.clear();
    out_.append("POST ").append(path).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    out_.append("Authorization: Bearer ").append(token).append("\r\n");
    out_.append("Content-Type: application/json\r\nContent-Length: ");
    out_.append(std::to_string(body.size())).append("\r\n\r\n").append(body);
    for (std::size_t sent = 0; sent < out_.size();) {
      const ssize_t n = ::send(fd_, out_.data() + sent, out_.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return -1;
      sent += static_cast<std::size_t>(n);
    }
    // Headers, then Content-Length bytes of body.
    std::size_t header_end = std::string::npos;
    while ((header_end = in_.find("\r\n\r\n")) == std::string::npos)
      if (!fill()) return -1;
    const int status = std::atoi(in_.c_str() + 9);
    std::size_t length = 0;
    const auto at = in_.find("Content-Length: ");
    if (at != std::string::npos && at < header_end)
      length = std::strtoul(in_.c_str() + at + 16, nullptr, 10);
    while (in_.size() < header_end + 4 + length)
      if (!fill()) return -1;
    in_.erase(0, header_end + 4 + length);
    return status;
  }

 private:
  bool fill() {
    char buffer[8192];
    const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n <= 0) return false;
    in_.append(buffer, static_cast<std::size_t>(n));
    return true;
  }
  int fd_ = -1;
  std::string out_;
  std::string in_;
};

// The callers: known clients from the CRM, unknown callers new each time.
struct Callers {
  std::vector<std::string> known;
  std::atomic<std::uint64_t> next{0};
  std::string number(std::uint64_t n) const {
    if (n % 2 == 0) return known[(n / 2) % known.size()];
    return fmt::format("+7904{:07d}", (n / 2) % 10000000);  // never in the CRM
  }
};

std::string call_body(const std::string& id, const std::string& from) {
  return fmt::format(R"({{"call":"{}","from":"sip:{}@gw;user=phone","to":"sip:{}@pbx"}})", id, from,
                     line_number);
}

// The requests of one call: its first step, `steps - 1` more after no answer (408), then the
// caller hangs up. All but the last are route answers.
struct Request {
  const char* path;
  std::string body;
  bool route;
};
std::vector<Request> call_requests(const std::string& id, const std::string& from, int steps) {
  std::vector<Request> out;
  out.push_back({"/pbx/call", call_body(id, from), true});
  for (int step = 0; step + 1 < steps; ++step)
    out.push_back(
        {"/pbx/failed", fmt::format(R"({{"call":"{}","step":{},"code":408}})", id, step), true});
  out.push_back({"/pbx/cancelled", fmt::format(R"({{"call":"{}"}})", id), false});
  return out;
}

// Closed loop: requests/s of `clients` connections as fast as they go.
double throughput(int port, const Options& o, Callers& callers, const std::string& run) {
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> errors{0};
  const auto end = Steady::now() + std::chrono::duration<double>(o.seconds);
  std::vector<std::thread> threads;
  const auto started = Steady::now();
  for (int c = 0; c < o.clients; ++c)
    threads.emplace_back([&, c] {
      Connection conn(port);
      std::uint64_t mine = 0;
      while (Steady::now() < end) {
        const auto n = callers.next.fetch_add(1);
        for (const auto& r :
             call_requests(fmt::format("{}-{}-{}", run, c, n), callers.number(n), o.steps)) {
          if (conn.post(r.path, r.body) != 200) ++errors;
          ++mine;
        }
      }
      requests += mine;
    });
  for (auto& t : threads) t.join();
  const double took = std::chrono::duration<double>(Steady::now() - started).count();
  if (errors > 0) fmt::print(stderr, "  {}: {} requests failed\n", run, errors.load());
  return static_cast<double>(requests.load()) / took;
}

struct Latency {
  double p50 = 0, p99 = 0, p999 = 0, max = 0;
  std::size_t count = 0;
  double achieved = 0;
};

// Open loop at `rate` requests/s: every request has its scheduled time, and its latency counts
// from then; the route answers' latencies are kept.
Latency at_rate(int port, const Options& o, Callers& callers, const std::string& run) {
  const double per_client = o.rate / o.clients;
  const auto gap = std::chrono::duration<double>(1.0 / per_client);
  const auto start = Steady::now() + std::chrono::milliseconds(100);
  const auto end = start + std::chrono::duration<double>(o.seconds);
  std::vector<std::vector<double>> samples(static_cast<std::size_t>(o.clients));
  std::atomic<std::uint64_t> requests{0};
  std::vector<std::thread> threads;
  for (int c = 0; c < o.clients; ++c)
    threads.emplace_back([&, c] {
      Connection conn(port);
      auto& mine = samples[static_cast<std::size_t>(c)];
      // Clients start spread over one gap, so the requests are evenly spaced overall.
      auto due = start + std::chrono::duration_cast<Steady::duration>(gap * c / o.clients);
      while (due < end) {
        const auto n = callers.next.fetch_add(1);
        for (const auto& r :
             call_requests(fmt::format("{}-{}-{}", run, c, n), callers.number(n), o.steps)) {
          std::this_thread::sleep_until(due);
          conn.post(r.path, r.body);
          if (r.route)
            mine.push_back(std::chrono::duration<double, std::milli>(Steady::now() - due).count());
          ++requests;
          due += std::chrono::duration_cast<Steady::duration>(gap);
        }
      }
    });
  for (auto& t : threads) t.join();
  std::vector<double> all;
  for (auto& s : samples) all.insert(all.end(), s.begin(), s.end());
  std::sort(all.begin(), all.end());
  Latency l;
  l.count = all.size();
  if (all.empty()) return l;
  auto q = [&](double p) {
    return all[std::min(all.size() - 1, static_cast<std::size_t>(p * all.size()))];
  };
  l.p50 = q(0.50);
  l.p99 = q(0.99);
  l.p999 = q(0.999);
  l.max = all.back();
  l.achieved = static_cast<double>(requests.load()) / o.seconds;
  return l;
}

// --- the servers -----------------------------------------------------------------------------

class ConstantRouter final : public server::Router {
 public:
  server::HttpResponse handle(const server::HttpRequest&) override {
    server::HttpResponse r;
    r.body = R"({"call":"bench-0-0","step":0,"action":"ring","targets":["101"],"count":1,)"
             R"("ring_ms":15000,"why":"queue:sales","header":"0;why=queue:sales"})";
    return r;
  }
};

IntegrationSettings bench_settings() {
  IntegrationSettings s;
  s.default_region = *Region::from_code("RU");
  QueueSettings q;
  q.id = "sales";
  for (EmployeeId id = 1; id <= 10; ++id) q.members.push_back(id);
  q.distribution = Distribution::evenly;
  q.rings = 3;
  s.queues = {q};
  LineSettings line;
  line.number = line_number;
  line.queue = "sales";
  s.lines = {line};
  return s;
}

std::vector<Employee> bench_employees() {
  std::vector<Employee> staff;
  for (EmployeeId id = 1; id <= 10; ++id)
    staff.push_back(
        Employee{.id = id, .name = fmt::format("E{}", id), .extension = std::to_string(100 + id)});
  return staff;
}

bool parse(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--seconds")
      o.seconds = std::atof(value());
    else if (a == "--rounds")
      o.rounds = std::atoi(value());
    else if (a == "--clients")
      o.clients = std::atoi(value());
    else if (a == "--rate")
      o.rate = std::atof(value());
    else if (a == "--contacts")
      o.contacts = static_cast<std::size_t>(std::atol(value()));
    else if (a == "--journal")
      o.journal = value();
    else if (a == "--store")
      o.store = value();
    else if (a == "--steps")
      o.steps = std::atoi(value());
    else if (a == "--bare")
      o.bare = true;
    else
      return false;
  }
  return o.seconds > 0 && o.rounds > 0 && o.clients > 0 && o.rate > 0 && o.contacts > 0 &&
         o.steps >= 1 && o.steps <= 9 &&
         (o.journal == "group" || o.journal == "each" || o.journal == "none") &&
         (o.store == "sqlite" || o.store == "memory");
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!parse(argc, argv, o)) {
    std::fprintf(stderr,
                 "usage: serve_bench [--seconds S] [--rounds R] [--clients N] [--rate R] "
                 "[--contacts C] [--steps K] [--store sqlite|memory] [--journal group|each|none] "
                 "[--bare]\n");
    return 2;
  }
  const auto dir =
      std::filesystem::temp_directory_path() / fmt::format("telcrm-serve-bench-{}", ::getpid());
  std::filesystem::create_directories(dir);

  // The CRM: `contacts` known clients, each with its responsible.
  const auto settings = bench_settings();
  const auto staff = bench_employees();
  Callers callers;
  CrmSnapshot crm;
  for (std::size_t i = 0; i < o.contacts; ++i) {
    Contact c;
    c.id = static_cast<EntityId>(i + 1);
    c.name = fmt::format("Client {}", i + 1);
    c.phones = {fmt::format("+7916{:07d}", i)};
    c.responsible = static_cast<EmployeeId>(1 + i % 10);
    callers.known.push_back(c.phones.front());
    crm.contacts.push_back(std::move(c));
  }
  // The store and the journal as `telcrm serve` has them (or, to see what they cost, the
  // in-memory store and no journal).
  std::unique_ptr<SqliteCrmStore> sqlite;
  std::unique_ptr<MemoryCrmStore> memory;
  MemoryDirectory memory_directory(staff);
  CrmStore* store = nullptr;
  Directory* directory = &memory_directory;
  if (o.store == "sqlite") {
    SqliteOptions sqlite_options;
    sqlite_options.phone_keys = IndexOptions{settings.default_region, 0};
    sqlite_options.busy_timeout = std::chrono::milliseconds(1000);
    auto opened = SqliteCrmStore::open((dir / "crm.db").string(), sqlite_options);
    if (!opened || !(*opened)->import(crm) || !(*opened)->save_settings(settings, staff)) {
      std::fprintf(stderr, "cannot set up the store\n");
      return 1;
    }
    sqlite = std::move(*opened);
    store = sqlite.get();
    directory = sqlite.get();
  } else {
    memory = std::make_unique<MemoryCrmStore>(crm);
    store = memory.get();
  }
  std::unique_ptr<FileOutboxJournal> journal;
  if (o.journal != "none") {
    FileJournalOptions journal_options;
    journal_options.sync_each_append = o.journal == "each";
    auto opened = FileOutboxJournal::open((dir / "crm.db.outbox").string(), journal_options);
    if (!opened) return 1;
    journal = std::move(*opened);
  }
  // The decision log and the live-call journal, as `telcrm serve` has them.
  std::FILE* devnull = std::fopen("/dev/null", "w");
  if (devnull == nullptr) return 1;
  server::LineLog log(devnull);
  server::LogObserver observer(log);
  std::unique_ptr<server::FileLiveCalls> live;
  if (!o.bare && journal) {
    auto opened = server::FileLiveCalls::open((dir / "crm.db.outbox.live").string());
    if (!opened) return 1;
    live = std::move(*opened);
  }
  pbx::PresenceDirectory presence(*directory);
  if (!presence.refresh()) return 1;
  pbx::CapturingTelephony telephony;
  SystemClock clock;
  auto engine = CallEngine::create(settings, Ports{*store, presence, telephony, clock,
                                                   o.bare ? nullptr : &observer, journal.get()});
  if (!engine) {
    fmt::print(stderr, "{}\n", engine.error());
    return 1;
  }
  EngineWorker worker(**engine, clock);
  pbx::ServiceOptions service_options;
  service_options.live = live.get();
  pbx::PbxService service(**engine, telephony, presence, clock, service_options);
  server::Metrics metrics;
  server::PbxRouter router(service, **engine, metrics, std::string(token));
  ConstantRouter constant;

  server::ListenerOptions listen;
  listen.port = 0;
  listen.threads = static_cast<std::size_t>(o.clients) + 4;
  auto telcrm_listener = server::Listener::bind(listen, router);
  auto constant_listener = server::Listener::bind(listen, constant);
  if (!telcrm_listener || !constant_listener) return 1;
  std::thread a([&] { (*telcrm_listener)->run(); });
  std::thread b([&] { (*constant_listener)->run(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const int telcrm_port = (*telcrm_listener)->port();
  const int constant_port = (*constant_listener)->port();

  fmt::print(
      "serve_bench: {} clients on keep-alive connections, {} known clients, {} store, "
      "journal {}, {} route answers per call, {}, {} hardware threads\n",
      o.clients, o.contacts, o.store, o.journal, o.steps,
      o.bare ? "no decision log, no live-call journal"
      : live ? "decision log and live-call journal"
             : "decision log",
      std::thread::hardware_concurrency());

  // What the store has not taken yet is written before anything else is measured (the worker
  // competes for the same cores); returns how long that took.
  auto drain = [&] {
    const auto t = Steady::now();
    while ((*engine)->stats().pending_writes > 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return std::chrono::duration<double>(Steady::now() - t).count();
  };

  // 0. The service without HTTP, on this thread: what a call's requests cost telcrm.
  {
    const auto t = Steady::now();
    constexpr int n = 20000;
    for (int i = 0; i < n; ++i) {
      const auto k = callers.next.fetch_add(1);
      for (const auto& r : call_requests(fmt::format("direct-{}", k), callers.number(k), o.steps))
        if (service.handle(*pbx::endpoint_of(r.path), r.body).status != 200) return 1;
    }
    const double took = std::chrono::duration<double>(Steady::now() - t).count();
    const double backlog = drain();
    fmt::print(
        "without HTTP: {:.1f} µs per call ({} requests, one thread; {:.1f} µs each), {:.1f} s "
        "more for its writes\n",
        took / n * 1e6, o.steps + 1, took / n * 1e6 / (o.steps + 1), backlog);
  }

  // 1. Throughput, alternating.
  throughput(telcrm_port, o, callers, "warm-t");  // index, caches, SQLite pages
  drain();
  throughput(constant_port, o, callers, "warm-c");
  std::vector<double> ours, base, sustained;
  for (int r = 0; r < o.rounds; ++r) {
    base.push_back(throughput(constant_port, o, callers, fmt::format("c{}", r)));
    ours.push_back(throughput(telcrm_port, o, callers, fmt::format("t{}", r)));
    const double backlog = drain();
    // Every answer's CRM writes in the store: the answers over the round and its catch-up.
    sustained.push_back(ours.back() * o.seconds / (o.seconds + backlog));
    fmt::print(
        "  round {}: constant {:.0f} req/s, telcrm {:.0f} req/s (its writes in the store "
        "{:.1f} s later: {:.0f} req/s sustained)\n",
        r + 1, base.back(), ours.back(), backlog, sustained.back());
  }
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  const double ours_median = median(ours);
  const double base_median = median(base);
  fmt::print(
      "throughput (median of {} rounds of {:.0f} s): constant document {:.0f} req/s, "
      "telcrm {:.0f} req/s — telcrm adds {:.1f} % per request (target ≤ 20 %); with "
      "every write in the store, {:.0f} req/s\n",
      o.rounds, o.seconds, base_median, ours_median, (base_median / ours_median - 1.0) * 100.0,
      median(sustained));

  // 2. Latency at a fixed rate.
  for (auto [name, port] :
       {std::pair{"constant", constant_port}, std::pair{"telcrm", telcrm_port}}) {
    const Latency l = at_rate(port, o, callers, fmt::format("l-{}", name));
    drain();
    fmt::print(
        "latency at {:.0f} req/s ({:.0f} achieved), {}: route answers p50 {:.3f} ms, p99 "
        "{:.3f} ms, p99.9 {:.3f} ms, max {:.3f} ms over {} answers{}\n",
        o.rate, l.achieved, name, l.p50, l.p99, l.p999, l.max, l.count,
        std::string_view(name) == "telcrm" ? " (target p99 ≤ 2 ms)" : "");
  }
  {
    // The route decisions as the router timed them (engine and service, no HTTP).
    const std::string text = metrics.render((*engine)->stats(), service.stats(), true);
    double sum = 0, count = 0;
    for (std::size_t at = 0; at < text.size();) {
      const auto end = text.find('\n', at);
      const std::string_view line(text.data() + at, end - at);
      if (line.starts_with("telcrm_route_decision_seconds_sum ")) sum = std::atof(line.data() + 34);
      if (line.starts_with("telcrm_route_decision_seconds_count "))
        count = std::atof(line.data() + 36);
      at = end + 1;
    }
    if (count > 0)
      fmt::print(
          "route decisions inside telcrm (service + engine, no HTTP): mean {:.1f} µs over "
          "{:.0f}\n",
          sum / count * 1e6, count);
  }
  const auto stats = (*engine)->stats();
  fmt::print("engine: {} active calls, {} writes waiting, {} store errors\n", stats.active_calls,
             stats.pending_writes, stats.store_errors);

  (*telcrm_listener)->stop();
  (*constant_listener)->stop();
  a.join();
  b.join();
  worker.stop();
  log.close();
  std::fclose(devnull);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return 0;
}
