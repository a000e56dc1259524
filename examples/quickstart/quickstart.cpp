// SPDX-License-Identifier: Apache-2.0
// The README's example, compiled and run as a test: a host PBX wires its ports to the engine
// and feeds it one call. Here the ports are telcrm's in-memory ones and a PBX that prints.
#include <telcrm/memory.hpp>  // the in-memory ports: not in the umbrella
#include <telcrm/telcrm.hpp>

#include <fmt/core.h>

using namespace telcrm;

// The host's side: turn the engine's commands into PBX actions (here: print them).
struct PrintingPbx final : Telephony {
  Result<void> ring(std::string_view call, std::span<const EmployeeId> who, Seconds s) override {
    fmt::print("{}: ring employee {} for {} s\n", call, who.front(), s.count());
    return {};
  }
  Result<void> forward(std::string_view, std::string_view, Seconds) override { return {}; }
  Result<void> voicemail(std::string_view, EmployeeId) override { return {}; }
  Result<void> hang_up(std::string_view) override { return {}; }
};

int main() {
  IntegrationSettings settings;
  settings.default_region = *Region::from_code("RU");
  settings.queues = {{.id = "sales", .members = {1, 2}}};
  settings.lines = {{.number = "+74951234567", .queue = "sales"}};

  CrmSnapshot crm;
  crm.contacts = {
      {.id = 5, .name = "Ivan Petrov", .phones = {"8 (916) 123-45-67"}, .responsible = 2}};
  MemoryCrmStore store(crm);  // your CRM database
  MemoryDirectory staff({{.id = 1, .name = "Anna"}, {.id = 2, .name = "Boris"}});  // your employees
  PrintingPbx pbx;                                                                 // your telephony
  SystemClock clock;
  auto engine = CallEngine::create(settings, Ports{store, staff, pbx, clock});
  if (!engine) return fmt::print(stderr, "{}\n", engine.error()), 1;
  // The engine never writes the CRM on the caller's thread: a worker applies what the calls
  // decide (flush), keeps the index fresh (refresh) and closes calls the PBX forgot (reap).
  // A host may instead call (*engine)->flush(), refresh() and reap(now) from its own threads.
  EngineWorker worker(**engine, clock);

  // The PBX reports what happens; the engine decides and writes the CRM.
  CallEngine& e = **engine;
  if (auto rang =
          e.start_call({.call = "c1", .line = "+74951234567", .number = "+7 916 123 45 67"});
      !rang)
    return fmt::print(stderr, "{}\n", rang.error()), 1;
  if (auto picked = e.answered({.call = "c1", .employee = 2}); !picked)
    return fmt::print(stderr, "{}\n", picked.error()), 1;
  auto done = e.end_call({.call = "c1", .duration = Seconds(60)});
  if (!done) return fmt::print(stderr, "{}\n", done.error()), 1;
  worker.stop();  // flushes once more: the activity is in the store now
  if (store.snapshot()->activities.size() != 1) return fmt::print(stderr, "not written\n"), 1;
  fmt::print("matched {} {} ({}), activity by employee {}\n", done->match.primary->type,
             done->match.primary->id, done->match.how, *done->activity->responsible);
  return done->match.primary->id == 5 && done->activity->responsible == 2 ? 0 : 1;
}
