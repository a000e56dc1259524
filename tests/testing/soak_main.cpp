// SPDX-License-Identifier: Apache-2.0
// telcrm_fault_soak: the fault soak (telcrm/testing/fault_soak.hpp) as a program, for CI
// (10,000 calls) and scripts/fault-soak.sh (100,000). Exit 0 when every promise held.
//   telcrm_fault_soak [--calls N] [--seed S] [--store memory | sqlite:FILE | postgres:CONNINFO]
#include <telcrm/memory/memory_crm_store.hpp>
#include <telcrm/sqlite/sqlite_crm_store.hpp>
#include <telcrm/testing/fault_soak.hpp>
#ifdef TELCRM_SOAK_WITH_POSTGRES
#include <telcrm/postgres/postgres_crm_store.hpp>
#endif

#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

int main(int argc, char** argv) {
  telcrm::SoakOptions o;
  std::string where = "memory";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    if (flag == "--calls")
      o.calls = std::strtoull(argv[i + 1], nullptr, 10);
    else if (flag == "--seed")
      o.seed = o.faults.seed = std::strtoull(argv[i + 1], nullptr, 10);
    else if (flag == "--store")
      where = argv[i + 1];
    else {
      fmt::print(stderr, "unknown option {}\n", flag);
      return 2;
    }
  }
  std::unique_ptr<telcrm::CrmStore> store;
  if (where == "memory") {
    store = std::make_unique<telcrm::MemoryCrmStore>();
  } else if (where.starts_with("sqlite:")) {
    auto s =
        telcrm::SqliteCrmStore::open(where.substr(7), {.synchronous = telcrm::SqliteSync::normal});
    if (!s) return fmt::print(stderr, "{}\n", s.error().message()), 2;
    store = std::move(*s);
#ifdef TELCRM_SOAK_WITH_POSTGRES
  } else if (where.starts_with("postgres:")) {
    auto s = telcrm::PostgresCrmStore::open(where.substr(9), {.listen = false});
    if (!s) return fmt::print(stderr, "{}\n", s.error().message()), 2;
    store = std::move(*s);
#endif
  } else {
    fmt::print(stderr, "unknown store {}\n", where);
    return 2;
  }
  const auto t0 = std::chrono::steady_clock::now();
  const telcrm::SoakReport r = telcrm::run_fault_soak(*store, o);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const auto& f = r.faults;
  fmt::print(
      "fault soak over {}: {} calls, {} events, {} flushes in {:.1f} s; {} activities, {} leads "
      "for {} unknown numbers, {} reaped, outbox peak {}\n"
      "faults: {} write calls ({} batches): {} failed, {} delayed, {} timed out ({} applied), "
      "{} lost replies, {} outages ({} calls), {} read failures\n",
      where.substr(0, where.find(':')), r.calls, r.events, r.flushes, secs, r.activities, r.leads,
      r.unknown_numbers_called, r.reaped, r.max_pending, f.write_calls, f.batches, f.failed,
      f.delayed, f.timed_out, f.timed_out_applied, f.lost_replies, f.outages, f.outage_calls,
      f.read_failures);
  for (const auto& failure : r.failures) fmt::print("FAILED {}\n", telcrm::to_string(failure));
  fmt::print("{}\n", r.failures.empty() ? "all promises held" : "PROMISES BROKEN");
  return r.failures.empty() ? 0 : 1;
}
