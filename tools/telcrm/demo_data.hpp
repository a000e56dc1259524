// SPDX-License-Identifier: Apache-2.0
#pragma once
// The large demo's data: a CRM of ~10^5 contacts and companies whose numbers come from several
// countries, written the many ways people write them (with some duplicates and some junk),
// and a working day of calls against it. Deterministic for a given seed.

#include <telcrm/crm/snapshot.hpp>
#include <telcrm/settings/settings.hpp>
#include <telcrm/sim/scenario.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

namespace telcrm::cli {

struct DemoSize {
  std::size_t contacts = 70000;
  std::size_t companies = 35000;
  std::size_t leads = 12000;
  std::size_t calls = 1200;
  std::uint64_t seed = 2026;
};

/// Counts of what the generator put in on purpose, for the demo's header.
struct DemoDataStats {
  std::size_t phones = 0;
  std::size_t foreign_phones = 0;
  std::size_t shared_numbers = 0;  ///< phones deliberately stored on two records
  std::size_t junk_phones = 0;     ///< text that is no phone number
};

/// A CRM for `settings` (its employees become the responsibles). `progress(done, total)` is
/// called now and then.
CrmSnapshot generate_crm(const DemoSize& size, std::span<const Employee> employees,
                         DemoDataStats& stats,
                         const std::function<void(std::size_t, std::size_t)>& progress = {});

/// A working day of `size.calls` calls on `settings`' lines against `crm`: known clients
/// calling from numbers written differently, unknown callers (some call twice), employees,
/// excepted numbers, outgoing calls and callbacks; who answers, hangs up or leaves a message
/// drawn at random. Calls are ordered by time on `day` (UTC midnight).
std::vector<ScenarioCall> generate_day(const DemoSize& size, const IntegrationSettings& settings,
                                       std::span<const Employee> employees, const CrmSnapshot& crm,
                                       Timestamp day);

}  // namespace telcrm::cli
