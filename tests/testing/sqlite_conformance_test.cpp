// SPDX-License-Identifier: Apache-2.0
// The conformance kit over SqliteCrmStore: a new file per check, a second connection to the
// same file for the checks across processes; and its Directory side.
#include <telcrm/sqlite/sqlite_crm_store.hpp>
#include <telcrm/testing/conformance.hpp>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <memory>
#include <string>

#include "sqlite/sqlite_fixture.hpp"

using namespace telcrm;
using namespace telcrm_test;

namespace {

std::unique_ptr<CrmStore> opened(const std::string& path, SqliteOptions options = {}) {
  auto store = SqliteCrmStore::open(path, options);
  if (!store) FAIL_CHECK(store.error().message());
  return store ? std::move(*store) : nullptr;
}

}  // namespace

TEST_CASE("R-I1 R-I2 SqliteCrmStore keeps every rule of the CrmStore contract, two connections") {
  TempDir dir;
  int files = 0;
  auto make = [&] { return opened(dir.file(fmt::format("kit-{}.db", files++))); };
  ConformanceOptions options;
  options.connect = [](CrmStore& store) {
    return opened(dynamic_cast<SqliteCrmStore&>(store).path());
  };
  std::string linked;  // what the kit said of apply_linked: it resolves group references
  options.trace = [&](std::string_view rule, std::string_view note) {
    if (rule == "apply_linked.resolves-earlier") linked = note;
  };
  for (const auto& f : check_crm_store(make, options)) FAIL_CHECK(to_string(f));
  CHECK(linked == "ran");
}

TEST_CASE("R-I1 R-I2 SqliteCrmStore prunes receipts and claims older than its retention") {
  TempDir dir;
  int files = 0;
  SqliteOptions hour;
  hour.receipt_retention = Seconds(3600);
  auto make = [&] { return opened(dir.file(fmt::format("kit-{}.db", files++)), hour); };
  ConformanceOptions options;
  options.retention = hour.receipt_retention;
  SUBCASE("observed: a batch three retentions old is applied again") {}
  SUBCASE("by the size probe") {
    options.remembered = [](const CrmStore& store) -> std::optional<std::size_t> {
      auto n = dynamic_cast<const SqliteCrmStore&>(store).remembered();
      return n ? std::optional<std::size_t>(*n) : std::nullopt;
    };
  }
  for (const auto& f : check_crm_store(make, options)) FAIL_CHECK(to_string(f));
}

TEST_CASE("SqliteCrmStore keeps every rule of the Directory contract") {
  TempDir dir;
  auto store = open_store(dir.file("staff.db"));
  REQUIRE(
      store
          ->set_employees({Employee{.id = 1, .name = "Anna"}, Employee{.id = 4, .name = "Boris"},
                           Employee{.id = 9, .name = "Clara", .active = false}})
          .has_value());
  auto change = [&]() -> Result<void> {
    auto changed = store->set_workday(4, Workday::closed);
    if (!changed) return fail(changed.error());
    return {};
  };
  for (const auto& f : check_directory(*store, change)) FAIL_CHECK(to_string(f));
}
