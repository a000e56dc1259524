// SPDX-License-Identifier: Apache-2.0
// The conformance kit over the shipped in-memory ports: MemoryCrmStore (the reference of the
// CrmStore port) and MemoryDirectory keep every rule.
#include <telcrm/memory/memory_crm_store.hpp>
#include <telcrm/memory/memory_directory.hpp>
#include <telcrm/testing/conformance.hpp>

#include <doctest/doctest.h>

#include <functional>
#include <map>
#include <memory>
#include <string>

using namespace telcrm;

TEST_CASE("R-I1 R-I2 MemoryCrmStore keeps every rule of the CrmStore contract") {
  std::map<std::string, std::string, std::less<>> ran;  // rule -> "ran" or why it was skipped
  ConformanceOptions options;
  options.trace = [&](std::string_view rule, std::string_view note) { ran.emplace(rule, note); };
  for (const auto& f : check_crm_store([] { return std::make_unique<MemoryCrmStore>(); }, options))
    FAIL_CHECK(to_string(f));
  for (std::string_view rule : crm_store_rules())  // every rule ran (or said why not)
    if (rule != "factory") CHECK_MESSAGE(ran.count(rule) == 1, rule);
  CHECK(ran["apply_linked.resolves-earlier"] == "ran");  // it resolves group references
}

TEST_CASE("R-I1 R-I2 MemoryCrmStore prunes receipts and claims a generation at a time") {
  MemoryStoreOptions hour;
  hour.receipt_retention = Seconds(3600);
  auto make = [&] { return std::make_unique<MemoryCrmStore>(hour); };
  ConformanceOptions options;
  options.retention = hour.receipt_retention;
  SUBCASE("observed: a batch three retentions old is applied again") {}
  SUBCASE("by the size probe") {
    options.remembered = [](const CrmStore& store) -> std::optional<std::size_t> {
      return dynamic_cast<const MemoryCrmStore&>(store).remembered();
    };
  }
  for (const auto& f : check_crm_store(make, options)) FAIL_CHECK(to_string(f));
}

TEST_CASE("MemoryDirectory keeps every rule of the Directory contract") {
  MemoryDirectory directory({Employee{.id = 7, .name = "Boris"}, Employee{.id = 1, .name = "Anna"},
                             Employee{.id = 3, .name = "Clara", .active = false}});
  auto change = [&]() -> Result<void> {
    directory.set_presence(3, Presence::busy);
    return {};
  };
  for (const auto& f : check_directory(directory, change)) FAIL_CHECK(to_string(f));
}
