// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// The port conformance kit (target telcrm::testing, CMake component `testing`): every
/// rule of the CrmStore and Directory contracts (ports/crm_store.hpp, ports/directory.hpp) as
/// a check that returns its failures. It holds no test framework, so a host runs it from
/// doctest, GoogleTest, Catch2 or a plain main() against its own ports.
///
/// doctest:
/// ```cpp
/// #include <telcrm/testing/conformance.hpp>
///
/// TEST_CASE("our CRM database keeps the CrmStore contract") {
///   auto failures = telcrm::check_crm_store([] { return std::make_unique<HostStore>(); });
///   for (const auto& f : failures) FAIL_CHECK(telcrm::to_string(f));
/// }
/// TEST_CASE("our staff table keeps the Directory contract") {
///   HostDirectory staff = some_staff();
///   auto change = [&]() -> telcrm::Result<void> { staff.set_away(1); return {}; };
///   for (const auto& f : telcrm::check_directory(staff, change)) FAIL_CHECK(telcrm::to_string(f));
/// }
/// ```
/// GoogleTest (Catch2 alike: `FAIL_CHECK(…)`):
/// ```cpp
/// TEST(HostStore, KeepsTheCrmStoreContract) {
///   for (const auto& f : telcrm::check_crm_store([] { return std::make_unique<HostStore>(); }))
///     ADD_FAILURE() << telcrm::to_string(f);
/// }
/// ```
/// A store over a database: the factory opens a new, empty database each time (a new file, a
/// new schema); ConformanceOptions::connect opens a second connection to the same one, so the
/// kit also checks what two processes sharing it see.

#include <telcrm/config.hpp>
#include <telcrm/detail/enum_format.hpp>
#include <telcrm/ports/crm_store.hpp>
#include <telcrm/ports/directory.hpp>
#include <telcrm/result.hpp>
#include <telcrm/time.hpp>

#include <fmt/core.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

TELCRM_BEGIN_NAMESPACE

/// One rule a port broke, as the kit saw it.
struct ConformanceFailure {
  /// The rule, as crm_store_rules() / directory_rules() name it: "R-I2 claim window",
  /// "apply.all-or-nothing", "ids.unique-per-type", …
  std::string rule{};
  /// What the contract asks, in the situation the check made.
  std::string expected{};
  /// What the port did.
  std::string seen{};
  /// Equal when every field is.
  friend bool operator==(const ConformanceFailure&, const ConformanceFailure&) = default;
};

/// "rule: expected …; seen …" — one line for a test framework's failure message.
[[nodiscard]] std::string to_string(const ConformanceFailure& failure);
/// The same line for fmt (`fmt::format("{}", failure)`).
inline std::string format_as(const ConformanceFailure& failure) {
  return to_string(failure);
}

/// Makes a fresh, empty store. The kit calls it once per group of checks (about twenty
/// times); nullptr means it could not, which is reported as a failure of rule "factory".
using StoreFactory = std::function<std::unique_ptr<CrmStore>()>;

/// What the kit may know about the store under test besides the port itself.
struct ConformanceOptions {
  /// Another store object over the same data as `store` — a second connection to its
  /// database, as another process would open it —, or nullptr when there is no such thing.
  /// When set, the kit also checks replays and claims across the two objects (R-I1, R-I2,
  /// the concurrent check) and that data_version() moves on the other object's writes.
  std::function<std::unique_ptr<CrmStore>(CrmStore& store)> connect{};
  /// The store's receipt retention, when the host configured one (default: the store keeps
  /// default_receipt_retention). When set, the kit also checks that the store *does* forget
  /// receipts and claims older than this ("retention.prunes").
  std::optional<Seconds> retention{};
  /// A size probe: how many receipts and claims `store` keeps now (a row count, a map's
  /// size), nullopt when it cannot tell. With `retention`, "retention.prunes" checks that
  /// the count falls once old batches age out; without a probe it checks instead that a
  /// batch much older than the retention is applied again rather than replayed.
  std::function<std::optional<std::size_t>(const CrmStore& store)> remembered{};
  /// How many batches, past the retention, a store may take to prune (amortised pruning).
  std::size_t prune_within = 256;
  /// The concurrent R-I2 check: this many threads each claim every one of `numbers` numbers
  /// at the same moment.
  std::size_t threads = 4;
  std::size_t numbers = 8;  ///< how many numbers each thread claims
  /// When the kit's batches are made (WriteBatch::at): any moment works, stores need no clock.
  Timestamp start =
      std::chrono::sys_days(std::chrono::year(2026) / 11 / 24) + std::chrono::hours(10);
  /// Told of every rule as it runs, with a note ("ran", "skipped: no change feed"): for a
  /// host's test log. Optional.
  std::function<void(std::string_view rule, std::string_view note)> trace{};
};

/// Checks every rule of the CrmStore contract (crm_store_rules()) on stores `make` makes,
/// through the port alone (plus its optional change feed and inspection, when offered).
/// Returns the failures; empty when the store conforms. Runs threads (the concurrent R-I2
/// check) and writes a few thousand small batches; takes well under a second in memory.
[[nodiscard]] std::vector<ConformanceFailure> check_crm_store(
    const StoreFactory& make, const ConformanceOptions& options = {});

/// Changes the directory the way the host does (an employee's presence, phones, name…);
/// an error is reported as a failure of rule "directory.change".
using DirectoryChange = std::function<Result<void>()>;

/// Checks every rule of the Directory contract (directory_rules()) on `directory`, which
/// should hold a few employees. With `change`, also that version() moves when the host
/// changes an employee (or, when version() is 0, "never changes", that nothing changed).
[[nodiscard]] std::vector<ConformanceFailure> check_directory(const Directory& directory,
                                                              const DirectoryChange& change = {});

/// The rules check_crm_store() checks, in the order it checks them.
[[nodiscard]] std::vector<std::string_view> crm_store_rules();
/// The rules check_directory() checks.
[[nodiscard]] std::vector<std::string_view> directory_rules();

TELCRM_END_NAMESPACE

#if FMT_VERSION < 100000  // fmt 10 reads format_as by itself
template <>
struct fmt::formatter<telcrm::ConformanceFailure, char>
    : telcrm::TELCRM_ABI_NAMESPACE::detail::text_formatter {
  template <class Context>
  auto format(const telcrm::ConformanceFailure& failure, Context& ctx) const {
    return write(format_as(failure), ctx);
  }
};
#endif

#ifdef TELCRM_HEADER_ONLY
#include <telcrm/testing/conformance-inl.hpp>
#endif
