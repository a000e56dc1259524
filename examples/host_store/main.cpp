// SPDX-License-Identifier: Apache-2.0
// A host wiring telcrm to its own database and PBX (host_ports.hpp), in the order a host
// does it: check the ports with the conformance kit, create the engine, feed it calls, and
// let flush() write the CRM. It prints every port call as it happens, for one known and one
// unknown caller: the PBX gets its command first, the store is written only by flush().
#include <telcrm/telcrm.hpp>
#include <telcrm/testing/conformance.hpp>

#include <fmt/format.h>

#include <chrono>
#include <memory>
#include <string>

#include "host_ports.hpp"

using namespace telcrm;

namespace {

// 1. The ports keep their contracts (a host runs this in its own test suite).
bool conforms() {
  const Seconds retention = default_receipt_retention;
  auto make = [&] {
    return std::make_unique<host::HostCrmStore>(std::make_shared<host::Database>(), retention);
  };
  ConformanceOptions options;
  options.retention = retention;  // so the kit checks that old receipts are pruned
  options.remembered = [](const CrmStore& s) -> std::optional<std::size_t> {
    return dynamic_cast<const host::HostCrmStore&>(s).remembered();
  };
  options.connect = [&](CrmStore& s) -> std::unique_ptr<CrmStore> {  // a second connection
    return std::make_unique<host::HostCrmStore>(dynamic_cast<host::HostCrmStore&>(s).database(),
                                                retention);
  };
  auto failures = check_crm_store(make, options);

  host::StaffTable staff;
  staff.rows[1] = {1, "Anna", true, "available", std::nullopt, "101"};
  staff.rows[2] = {2, "Boris", true, "available", "+79160000002", "102"};
  host::HostDirectory directory(staff);
  auto change = [&]() -> Result<void> {
    directory.set_status(2, "away");
    return {};
  };
  for (auto& f : check_directory(directory, change)) failures.push_back(std::move(f));
  for (const auto& f : failures) fmt::print(stderr, "conformance: {}\n", to_string(f));
  fmt::print("conformance kit: {} rules of CrmStore and Directory, {} failures\n",
             crm_store_rules().size() + directory_rules().size(), failures.size());
  return failures.empty();
}

}  // namespace

int main() {
  if (!conforms()) return 1;

  // 2. The host's data: a known client, two employees on one line's queue.
  auto db = std::make_shared<host::Database>();
  db->people[7] = {7, "Ivan Petrov", {"8 (916) 123-45-67"}, {}, 2, std::nullopt};
  host::StaffTable staff;
  staff.rows[1] = {1, "Anna", true, "available", std::nullopt, "101"};
  staff.rows[2] = {2, "Boris", true, "available", std::nullopt, "102"};
  IntegrationSettings settings;
  settings.default_region = *Region::from_code("RU");
  settings.queues = {{.id = "sales", .members = {1, 2}}};
  settings.lines = {{.number = "+74951234567", .queue = "sales"}};

  host::PortLog log;
  host::HostCrmStore store(db, default_receipt_retention, &log);
  host::HostDirectory directory(staff, &log);
  host::HostTelephony pbx(log);
  host::HostClock clock(std::chrono::sys_days(std::chrono::year(2026) / 11 / 24) +
                        std::chrono::hours(10));
  log.start();
  fmt::print("-- CallEngine::create\n");
  auto created = CallEngine::create(settings, Ports{store, directory, pbx, clock});
  if (!created) return fmt::print(stderr, "{}\n", created.error()), 1;
  CallEngine& engine = **created;

  // 3. The PBX's events. Each returns as soon as its command is issued: no store call.
  const std::size_t before_calls = log.lines().size();
  struct Caller {
    const char* call;
    const char* number;
    EmployeeId answers;  // who picks up (the one rung first)
  };
  for (const Caller& c : {Caller{"known-1", "+7 916 123 45 67", 2},  // Ivan: his responsible
                          Caller{"unknown-1", "+7 903 555 00 11", 1}}) {
    const std::string call = c.call;
    fmt::print("-- start_call({}, {})\n", call, c.number);
    if (auto ok = engine.start_call({.call = call, .line = "+74951234567", .number = c.number});
        !ok)
      return fmt::print(stderr, "{}\n", ok.error()), 1;
    fmt::print("-- answered({}, employee {})\n", call, c.answers);
    if (auto ok = engine.answered({.call = call, .employee = c.answers}); !ok)
      return fmt::print(stderr, "{}\n", ok.error()), 1;
    clock.advance(Seconds(60));
    fmt::print("-- end_call({})\n", call);
    if (auto ok = engine.end_call({.call = call, .duration = Seconds(60)}); !ok)
      return fmt::print(stderr, "{}\n", ok.error()), 1;
  }
  const std::size_t before_flush = log.lines().size();

  // 4. The host's background work (or an EngineWorker's): write the CRM, read outside changes,
  // close forgotten calls.
  fmt::print("-- flush\n");
  if (engine.flush() != 0) return fmt::print(stderr, "writes left waiting\n"), 1;
  fmt::print("-- refresh\n");
  if (auto ok = engine.refresh(); !ok) return fmt::print(stderr, "{}\n", ok.error()), 1;
  fmt::print("-- reap\n");
  (void)engine.reap(clock.now());

  // What the order shows: telephony first, every store write inside flush().
  const auto lines = log.lines();
  bool ok = true;
  for (std::size_t i = before_calls; i < lines.size(); ++i) {
    const bool write = lines[i].rfind("store      apply", 0) == 0;
    if (write && i < before_flush) ok = false;                            // a write before flush()
    if (i < before_flush && lines[i].rfind("store", 0) == 0) ok = false;  // any store call
  }
  ok = ok && lines[before_calls].rfind("telephony  ring(known-1", 0) == 0;
  std::lock_guard guard(db->lock);
  ok = ok && db->enquiries.size() == 1 && db->call_notes.size() == 2 && db->call_log.size() == 2;
  fmt::print("{}: {} enquiry created, {} call notes, {} call log rows\n", ok ? "ok" : "WRONG",
             db->enquiries.size(), db->call_notes.size(), db->call_log.size());
  return ok ? 0 : 1;
}
