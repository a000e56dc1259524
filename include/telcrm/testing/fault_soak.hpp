// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// The fault soak (target telcrm::testing): many calls through a CallEngine whose store
/// (the host's) is wrapped in a FaultyCrmStore, then the store heals, and the promises are
/// checked on what the store holds:
/// - every call has its activity, exactly once (R-I1, R-I3) — also the calls the PBX never
///   ended, which reap() closed as missed;
/// - one lead per unknown number (R-I2, R-L5): a creation still waiting in the outbox is
///   known to the index, so a later call from that number binds to it — every activity of
///   that number's calls is written on that lead;
/// - the outbox and its journal are empty, no batch was refused for good, no call is active.
///
/// ```cpp
/// telcrm::SoakOptions o;
/// o.calls = 10000;
/// o.faults.fail = 0.1;
/// auto report = telcrm::run_fault_soak(host_store, o);  // a fresh, empty store
/// for (const auto& f : report.failures) FAIL_CHECK(telcrm::to_string(f));
/// ```

#include <telcrm/config.hpp>
#include <telcrm/ports/crm_store.hpp>
#include <telcrm/testing/conformance.hpp>
#include <telcrm/testing/faulty_crm_store.hpp>

#include <cstddef>
#include <cstdint>
#include <vector>

TELCRM_BEGIN_NAMESPACE

/// What run_fault_soak() does.
struct SoakOptions {
  std::size_t calls = 10000;  ///< calls to make
  std::uint64_t seed = 7;     ///< the calls' generator (the faults have their own seed)
  /// Faults while the calls run: by default a mix of every kind.
  FaultSchedule faults{.seed = 11,
                       .fail = 0.08,
                       .delay = 0.03,
                       .timeout = 0.03,
                       .lost_reply = 0.06,
                       .outage = 0.004,
                       .outage_length = 40,
                       .read_fail = 0.2,
                       .delay_for = std::chrono::microseconds(50),
                       .timeout_for = std::chrono::microseconds(100)};
  std::size_t known_clients = 200;  ///< contacts written before the calls
  /// Unknown numbers calls come from (0: calls / 10, at least 20). Fewer numbers, more
  /// repeat calls from a number whose lead may still wait in the outbox.
  std::size_t unknown_numbers = 0;
  std::size_t concurrent = 8;   ///< calls in progress at once (their events interleave)
  std::size_t flush_every = 6;  ///< events between flushes
  double abandoned = 0.02;      ///< share of calls the PBX never ends (reap() closes them)
};

/// What run_fault_soak() saw.
struct SoakReport {
  std::size_t calls = 0;                   ///< calls made
  std::size_t events = 0;                  ///< events delivered
  std::size_t flushes = 0;                 ///< flush() calls
  std::size_t reaped = 0;                  ///< calls reap() closed
  std::size_t leads = 0;                   ///< leads in the store at the end
  std::size_t activities = 0;              ///< activities in the store at the end
  std::size_t unknown_numbers_called = 0;  ///< distinct unknown numbers that called
  std::size_t max_pending = 0;             ///< the outbox's longest queue
  FaultCounts faults{};                    ///< what the FaultyCrmStore injected
  /// Every broken promise (rule "soak.…"); empty when all held.
  std::vector<ConformanceFailure> failures{};
};

/// Runs the soak over `store`, a fresh, empty store offering inspection(). It writes its own
/// known clients first (through `store`, without faults).
[[nodiscard]] SoakReport run_fault_soak(CrmStore& store, const SoakOptions& options = {});

TELCRM_END_NAMESPACE

#ifdef TELCRM_HEADER_ONLY
#include <telcrm/testing/fault_soak-inl.hpp>
#endif
