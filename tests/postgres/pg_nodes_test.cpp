// SPDX-License-Identifier: Apache-2.0
// Several telcrm nodes — processes, each with its own engine and store (telcrm_pg_node) —
// on one PostgreSQL database: bursts from unknown numbers played at once give exactly one
// lead per number and every call's activity once, with distinct call ids (R-I2) and with the
// same calls delivered to every node (R-I1); a node killed with SIGKILL mid-burst, and the
// server stopped at once (-m immediate) and started again mid-burst, leave no half call, and
// the reruns duplicate nothing.
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "postgres/pg_fixture.hpp"

extern char** environ;

using namespace telcrm_test;

namespace {

// A node process; its stdout read line by line by a thread of ours.
class NodeProcess {
 public:
  explicit NodeProcess(std::vector<std::string> args) {
    args.insert(args.begin(), TELCRM_PG_NODE);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    int in[2], out[2];
    REQUIRE(::pipe(in) == 0);
    REQUIRE(::pipe(out) == 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_addclose(&actions, in[1]);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    REQUIRE(::posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ) == 0);
    posix_spawn_file_actions_destroy(&actions);
    ::close(in[0]);
    ::close(out[1]);
    stdin_ = in[1];
    stdout_ = out[0];
    reader_ = std::thread([this] { read(); });
  }
  ~NodeProcess() {
    if (pid_ > 0 && status_ < 0) {
      ::kill(pid_, SIGKILL);
      (void)wait();
    }
    if (stdin_ >= 0) ::close(stdin_);
    if (reader_.joinable()) reader_.join();
    ::close(stdout_);
  }
  NodeProcess(const NodeProcess&) = delete;
  NodeProcess& operator=(const NodeProcess&) = delete;

  void say(const std::string& line) {
    const std::string text = line + "\n";
    REQUIRE(::write(stdin_, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
  }
  /// Waits until the node printed `count` lines starting with `prefix` (or ended).
  bool wait_for(const std::string& prefix, std::size_t count, std::chrono::seconds limit) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, limit, [&] { return counted(prefix) >= count || ended_; }) &&
           counted(prefix) >= count;
  }
  [[nodiscard]] std::size_t count(const std::string& prefix) const {
    std::lock_guard lock(mutex_);
    return counted(prefix);
  }
  /// The ids the node reported complete ("done ID").
  [[nodiscard]] std::vector<std::string> done() const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> ids;
    for (const auto& l : lines_)
      if (l.rfind("done ", 0) == 0) ids.push_back(l.substr(5));
    return ids;
  }
  void kill9() const { ::kill(pid_, SIGKILL); }  // this node's process only, by its pid
  /// The exit code (128 + signal when killed).
  int wait() {
    if (status_ >= 0) return status_;
    int st = 0;
    REQUIRE(::waitpid(pid_, &st, 0) == pid_);
    status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    return status_;
  }

 private:
  [[nodiscard]] std::size_t counted(const std::string& prefix) const {
    std::size_t n = 0;
    for (const auto& l : lines_) n += l.rfind(prefix, 0) == 0 ? 1 : 0;
    return n;
  }
  void read() {
    std::string partial;
    char buf[4096];
    for (;;) {
      const ssize_t got = ::read(stdout_, buf, sizeof buf);
      if (got <= 0) break;
      partial.append(buf, static_cast<std::size_t>(got));
      std::lock_guard lock(mutex_);
      for (auto nl = partial.find('\n'); nl != std::string::npos; nl = partial.find('\n')) {
        lines_.push_back(partial.substr(0, nl));
        partial.erase(0, nl + 1);
      }
      changed_.notify_all();
    }
    std::lock_guard lock(mutex_);
    ended_ = true;
    changed_.notify_all();
  }
  pid_t pid_ = -1;
  int status_ = -1;
  int stdin_ = -1;
  int stdout_ = -1;
  std::thread reader_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> lines_;
  bool ended_ = false;
};

// Runs `nodes` nodes at once (started together: each waits for "go" once its engine is built).
std::vector<std::unique_ptr<NodeProcess>> start(const std::string& info,
                                                const std::vector<std::string>& prefixes,
                                                std::size_t calls, std::size_t numbers,
                                                bool refresh = false) {
  std::vector<std::unique_ptr<NodeProcess>> nodes;
  for (const auto& prefix : prefixes) {
    std::vector<std::string> args{info, prefix, std::to_string(calls), std::to_string(numbers),
                                  "--wait"};
    if (refresh) args.emplace_back("--refresh");
    nodes.push_back(std::make_unique<NodeProcess>(args));
  }
  for (auto& n : nodes) REQUIRE(n->wait_for("ready", 1, std::chrono::seconds(60)));
  for (auto& n : nodes) n->say("go");
  return nodes;
}

// What a burst left: counts, and the calls written more than once or only in part.
struct Crm {
  std::size_t leads = 0, activities = 0, history = 0;
  std::size_t duplicated = 0;  // calls with two activities or two history records
  std::size_t half = 0;        // calls with an activity and no history record, or the reverse
  std::size_t numbers_twice = 0;
  std::set<std::string> calls;
};

Crm crm_of(RawPg& raw) {
  Crm c;
  c.leads = std::stoul(raw.one("SELECT count(*) FROM leads"));
  c.activities = std::stoul(raw.one("SELECT count(*) FROM activities"));
  c.history = std::stoul(raw.one("SELECT count(*) FROM history"));
  c.duplicated = std::stoul(raw.one(
      "SELECT (SELECT count(*) FROM (SELECT call FROM activities GROUP BY call HAVING count(*) > "
      "1) a) + (SELECT count(*) FROM (SELECT call FROM history GROUP BY call HAVING count(*) > 1) "
      "h)"));
  c.half = std::stoul(
      raw.one("SELECT (SELECT count(*) FROM history h WHERE NOT EXISTS (SELECT 1 FROM activities a "
              "WHERE a.call = h.call)) + (SELECT count(*) FROM activities a WHERE NOT EXISTS "
              "(SELECT 1 FROM history h WHERE h.call = a.call))"));
  c.numbers_twice = std::stoul(
      raw.one("SELECT count(*) FROM (SELECT phone FROM phones WHERE owner_type = 3 GROUP BY phone "
              "HAVING count(*) > 1) x"));
  for (auto& call : raw.column("SELECT call FROM history")) c.calls.insert(call);
  return c;
}

constexpr std::size_t burst_calls = 2500;
constexpr std::size_t burst_numbers = 500;

}  // namespace

TEST_CASE("R-I2 four node processes, 2,500 calls each from 500 unknown numbers at once") {
  Schema schema;
  open_store(schema.conninfo()).reset();
  const auto t0 = std::chrono::steady_clock::now();
  auto nodes = start(schema.conninfo(), {"a-", "b-", "c-", "d-"}, burst_calls, burst_numbers, true);
  for (auto& n : nodes) CHECK(n->wait() == 0);
  MESSAGE(
      fmt::format("4 x {} calls in {:.1f} s", burst_calls,
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()));
  auto raw = schema.raw();
  const Crm c = crm_of(*raw);
  CHECK(c.leads == burst_numbers);  // exactly one lead per number (R-I2)
  CHECK(c.numbers_twice == 0);
  CHECK(c.activities == 4 * burst_calls);  // every call's activity, once
  CHECK(c.history == 4 * burst_calls);
  CHECK(c.duplicated == 0);
  CHECK(c.half == 0);
}

TEST_CASE("R-I1 the same 2,500 calls delivered to four node processes: each written once") {
  Schema schema;
  open_store(schema.conninfo()).reset();
  // Every node gets every call: its engine decides them alike (the same CRM when it starts,
  // the same calls in the same order), and the receipts make the second delivery a replay.
  auto nodes = start(schema.conninfo(), {"x-", "x-", "x-", "x-"}, burst_calls, burst_numbers);
  for (auto& n : nodes) CHECK(n->wait() == 0);
  auto raw = schema.raw();
  const Crm c = crm_of(*raw);
  CHECK(c.leads == burst_numbers);
  CHECK(c.numbers_twice == 0);
  CHECK(c.activities == burst_calls);
  CHECK(c.history == burst_calls);
  CHECK(c.duplicated == 0);
  CHECK(c.half == 0);
}

TEST_CASE("kill -9 of a node mid-burst: no half call; its rerun completes and duplicates nothing") {
  Schema schema;
  open_store(schema.conninfo()).reset();
  constexpr std::size_t calls = 800, numbers = 160;
  auto nodes = start(schema.conninfo(), {"k-", "m-"}, calls, numbers);
  REQUIRE(nodes[0]->wait_for("done ", calls / 4, std::chrono::seconds(120)));
  nodes[0]->kill9();
  CHECK(nodes[0]->wait() == 128 + SIGKILL);
  const auto finished = nodes[0]->done();
  auto raw = schema.raw();
  {
    // The server rolls the killed node's open transaction back as soon as it notices.
    REQUIRE(eventually([&] { return crm_of(*raw).half == 0; }, std::chrono::seconds(10)));
    const Crm c = crm_of(*raw);
    CHECK(c.duplicated == 0);
    for (const auto& id : finished) CHECK(c.calls.count(id) == 1);  // finished calls are there
  }
  NodeProcess rerun(
      {schema.conninfo(), "k-", std::to_string(calls), std::to_string(numbers), "--resume"});
  CHECK(rerun.wait() == 0);
  CHECK(nodes[1]->wait() == 0);
  const Crm c = crm_of(*raw);
  CHECK(c.leads == numbers);
  CHECK(c.numbers_twice == 0);
  CHECK(c.activities == 2 * calls);
  CHECK(c.history == 2 * calls);
  CHECK(c.duplicated == 0);
  CHECK(c.half == 0);
}

TEST_CASE(
    "The server stopped at once (-m immediate) and restarted mid-burst: nodes rerun, no loss") {
  // A cluster of this test's own: stopping the shared one would stop every other test.
  const std::string state =
      fmt::format("{}/telcrm-pg-restart-{}.state",
                  std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp", ::getpid());
  const std::string script = cluster().script;
  REQUIRE(std::system(("bash " + script + " start " + state).c_str()) == 0);
  struct Stop {
    std::string cmd;
    ~Stop() { (void)std::system(cmd.c_str()); }
  } stop{"bash " + script + " stop " + state};
  std::ifstream in(state);
  std::string line;
  int port = 0;
  while (std::getline(in, line))
    if (line.rfind("PGPORT=", 0) == 0) port = std::stoi(line.substr(7));
  REQUIRE(port > 0);
  const std::string admin = fmt::format("host=127.0.0.1 port={} user=telcrm dbname=postgres", port);
  RawPg(admin).exec("CREATE DATABASE crm");
  const std::string info = fmt::format("host=127.0.0.1 port={} user=telcrm dbname=crm", port);
  open_store(info).reset();

  constexpr std::size_t calls = 800, numbers = 160;
  auto nodes = start(info, {"p-", "q-"}, calls, numbers);
  REQUIRE(nodes[0]->wait_for("done ", calls / 4, std::chrono::seconds(120)));
  REQUIRE(std::system(("bash " + script + " restart " + state).c_str()) == 0);
  std::vector<std::string> finished;
  const std::vector<std::string> prefixes{"p-", "q-"};
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    int code = nodes[i]->wait();
    for (const auto& id : nodes[i]->done()) finished.push_back(id);
    // A node that met the outage stops (exit 3: storage unavailable) and is run again.
    for (int rerun = 0; code != 0 && rerun < 5; ++rerun) {
      CHECK(code == 3);
      NodeProcess again(
          {info, prefixes[i], std::to_string(calls), std::to_string(numbers), "--resume"});
      code = again.wait();
      for (const auto& id : again.done()) finished.push_back(id);
    }
    CHECK(code == 0);
  }
  RawPg raw(info);
  const Crm c = crm_of(raw);
  CHECK(c.leads == numbers);
  CHECK(c.numbers_twice == 0);
  CHECK(c.activities == 2 * calls);
  CHECK(c.history == 2 * calls);
  CHECK(c.duplicated == 0);
  CHECK(c.half == 0);
  for (const auto& id : finished) CHECK(c.calls.count(id) == 1);  // every finished call kept
}
