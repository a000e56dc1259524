// SPDX-License-Identifier: Apache-2.0
// telcrm_pg_node: one telcrm node for the multi-process tests. It plays a generated burst of
// calls from unknown numbers through its own CallEngine and SimulatedPbx into a
// PostgresCrmStore, the way `telcrm replay --store` does: every write of a call in one write
// group (so a killed node leaves each call whole or absent); with --resume the calls already
// complete (their history record is stored) are skipped, so a rerun completes the rest and
// duplicates nothing.
//
//   telcrm_pg_node CONNINFO PREFIX CALLS NUMBERS [--wait] [--refresh] [--resume]
//     PREFIX   call ids are PREFIX0, PREFIX1, … (one prefix per node: distinct calls, R-I2;
//              one prefix for all nodes: the same calls delivered to each, R-I1)
//     CALLS    calls in the burst; NUMBERS unknown numbers they come from, all within 240 s
//     --wait   print "ready" once the engine is built, then wait for a line on stdin (so
//              several nodes start from the same CRM and decide alike)
//     --refresh  refresh the engine's index from the change feed before each call
//     --resume   skip the calls already complete (a rerun after a crash). Without it every
//              call is played: a node that skipped calls other nodes finished would route
//              the rest differently (queue state) and so make other batches for them
// Prints "done ID" after each call's group is committed, "finished N" at the end. Exit 0
// when every call is complete; 3 when the storage failed (run it again); 2 on bad use.
#include <telcrm/engine/call_engine.hpp>
#include <telcrm/memory/memory_directory.hpp>
#include <telcrm/ports/clock.hpp>
#include <telcrm/postgres/postgres_crm_store.hpp>
#include <telcrm/sim/simulated_pbx.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>
#include <variant>

using namespace telcrm;

namespace {

constexpr const char* line_number = "+74950000000";

// The burst: `calls` incoming calls spread over 240 s (inside one claim window), number i
// of `numbers` called again and again; the same numbers and times on every node.
Scenario burst(const std::string& prefix, std::size_t calls, std::size_t numbers) {
  Scenario s;
  s.name = "burst";
  s.settings.default_region = *Region::from_code("RU");
  s.employees = {Employee{.id = 1, .name = "Anna"}, Employee{.id = 2, .name = "Boris"}};
  s.settings.queues.push_back(QueueSettings{.id = "sales", .members = {1, 2}});
  LineSettings line;
  line.number = line_number;
  line.queue = "sales";
  s.settings.lines.push_back(line);
  const Timestamp start =
      std::chrono::sys_days(std::chrono::year(2026) / 11 / 24) + std::chrono::hours(10);
  for (std::size_t i = 0; i < calls; ++i) {
    ScenarioCall c;
    c.id = fmt::format("{}{}", prefix, i);
    c.direction = CallDirection::incoming;
    c.line = line_number;
    c.from = fmt::format("+7916{:07}", 1000000 + (i * 7919) % numbers);
    c.at = start + Seconds(static_cast<long>(i * 240 / std::max<std::size_t>(1, calls)));
    c.answers = {static_cast<EmployeeId>(1 + i % 2)};
    c.duration = Seconds(30);
    s.calls.push_back(std::move(c));
  }
  return s;
}

// The store as the engine sees it: every write of one call in one write group, committed with
// the call's last batch (the one with its history record, R-A1).
class CallGroups final : public CrmStore {
 public:
  explicit CallGroups(PostgresCrmStore& store) : store_(store) {}
  Result<void> scan(CrmVisitor& v) const override { return store_.scan(v); }
  Result<std::optional<Contact>> find_contact(EntityId id) const override {
    return store_.find_contact(id);
  }
  Result<std::optional<Company>> find_company(EntityId id) const override {
    return store_.find_company(id);
  }
  Result<std::optional<Lead>> find_lead(EntityId id) const override { return store_.find_lead(id); }
  Result<std::optional<Deal>> find_deal(EntityId id) const override { return store_.find_deal(id); }
  const CrmChangeFeed* change_feed() const noexcept override { return store_.change_feed(); }
  const CrmInspection* inspection() const noexcept override { return store_.inspection(); }

  Result<WriteReceipt> apply(const WriteBatch& batch) override {
    if (failure_) return fail(*failure_);  // nothing more once the storage failed
    if (!store_.in_group()) {
      if (auto ok = store_.begin_group(); !ok) {
        failure_ = ok.error();
        return fail(ok.error());
      }
    }
    auto receipt = store_.apply(batch);
    if (!receipt && receipt.error().code() == Errc::storage_unavailable) failure_ = receipt.error();
    const bool last = std::any_of(batch.ops.begin(), batch.ops.end(), [](const WriteOp& op) {
      return std::holds_alternative<RecordCall>(op);
    });
    if (last && !failure_) {
      if (auto ok = store_.commit_group(); !ok)
        failure_ = ok.error();
      else
        completed_ = true;
    }
    return receipt;
  }
  [[nodiscard]] const std::optional<Error>& failure() const { return failure_; }
  // True once (and only once) after the call's group was committed.
  bool take_completed() { return std::exchange(completed_, false); }

 private:
  PostgresCrmStore& store_;
  std::optional<Error> failure_;
  bool completed_ = false;
};

int storage_failed(const Error& e) {
  std::fprintf(stderr, "telcrm_pg_node: %s\n", format_as(e).c_str());
  return e.code() == Errc::storage_unavailable ? 3 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr,
                 "usage: telcrm_pg_node CONNINFO PREFIX CALLS NUMBERS [--wait] [--refresh]\n");
    return 2;
  }
  const std::string conninfo = argv[1];
  const std::string prefix = argv[2];
  const auto calls = static_cast<std::size_t>(std::stoul(argv[3]));
  const auto numbers = static_cast<std::size_t>(std::stoul(argv[4]));
  bool wait = false, refresh = false, resume = false;
  for (int i = 5; i < argc; ++i) {
    wait = wait || std::string(argv[i]) == "--wait";
    refresh = refresh || std::string(argv[i]) == "--refresh";
    resume = resume || std::string(argv[i]) == "--resume";
  }
  const Scenario s = burst(prefix, calls, numbers);

  auto store = PostgresCrmStore::open(conninfo);
  if (!store) return storage_failed(store.error());
  if (auto ok = (*store)->save_settings(s.settings, s.employees); !ok)
    return storage_failed(ok.error());
  CallGroups groups(**store);
  MemoryDirectory directory(s.employees);
  SimulatedPbx pbx(s.settings.default_region);
  ManualClock clock(s.calls.front().at);
  EngineOptions options;
  options.claim_window = (*store)->claim_window();  // one window for every node
  auto engine = CallEngine::create(s.settings, Ports{groups, directory, pbx, clock}, options);
  if (!engine) return storage_failed(engine.error());
  if (!(*engine)->ready()) return storage_failed(Error(Errc::storage_unavailable, "no index"));
  if (wait) {
    std::printf("ready\n");
    std::fflush(stdout);
    std::string go;
    std::getline(std::cin, go);
  }
  std::size_t played = 0;
  for (const auto& call : s.calls) {
    if (resume) {
      auto done = (*store)->has_call(call.id);
      if (!done) return storage_failed(done.error());
      if (*done) continue;  // completed by an earlier run
    }
    clock.set(call.at);
    if (refresh) (void)(*engine)->refresh();
    auto r = pbx.play(**engine, call);
    if (groups.failure()) {
      (*store)->rollback_group();  // the call in progress: all of its writes or none
      return storage_failed(*groups.failure());
    }
    if (!r) return storage_failed(r.error());
    if (groups.take_completed()) {
      std::printf("done %s\n", call.id.c_str());
      std::fflush(stdout);
    }
    ++played;
  }
  if ((*engine)->stats().pending_writes != 0)
    return storage_failed(Error(Errc::storage_unavailable, "writes still waiting"));
  std::printf("finished %zu\n", played);
  std::fflush(stdout);
  return 0;
}
