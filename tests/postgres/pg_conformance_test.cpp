// SPDX-License-Identifier: Apache-2.0
// The conformance kit over PostgresCrmStore: a fresh schema per check (a database of its own,
// as far as a store can tell), a second store object on the same schema for the checks
// across nodes; its retention with the size probe; and its Directory side. The contract's
// rules live in the kit; tests/postgres keeps only what is PostgreSQL's own.
#include <telcrm/testing/conformance.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "pg_fixture.hpp"

using namespace telcrm;
using namespace telcrm_test;

namespace {

// Makes stores, each in a schema of its own, and remembers where each is (for `connect`).
class Stores {
 public:
  explicit Stores(PostgresOptions options = {}) : options_(std::move(options)) {}
  std::unique_ptr<CrmStore> make() {
    schemas_.push_back(std::make_unique<Schema>());
    return open(schemas_.back()->conninfo());
  }
  std::unique_ptr<CrmStore> connect(CrmStore& store) {
    auto it = where_.find(&store);
    if (it == where_.end()) return nullptr;
    return open(it->second);
  }

 private:
  std::unique_ptr<CrmStore> open(const std::string& info) {
    auto store = PostgresCrmStore::open(info, options_);
    if (!store) {
      FAIL_CHECK(store.error().message());
      return nullptr;
    }
    where_[store->get()] = info;
    return std::move(*store);
  }
  PostgresOptions options_;
  std::vector<std::unique_ptr<Schema>> schemas_;
  std::map<const CrmStore*, std::string> where_;
};

}  // namespace

TEST_CASE("R-I1 R-I2 PostgresCrmStore keeps every rule of the CrmStore contract, two nodes") {
  Stores stores;
  ConformanceOptions options;
  options.connect = [&](CrmStore& store) { return stores.connect(store); };
  std::string linked;  // what the kit said of apply_linked: it resolves group references
  options.trace = [&](std::string_view rule, std::string_view note) {
    if (rule == "apply_linked.resolves-earlier") linked = note;
  };
  for (const auto& f : check_crm_store([&] { return stores.make(); }, options))
    FAIL_CHECK(to_string(f));
  CHECK(linked == "ran");
}

TEST_CASE("R-I1 R-I2 PostgresCrmStore prunes receipts and claims older than its retention") {
  PostgresOptions hour;
  hour.receipt_retention = Seconds(3600);
  Stores stores(hour);
  ConformanceOptions options;
  options.retention = hour.receipt_retention;
  options.remembered = [](const CrmStore& store) -> std::optional<std::size_t> {
    auto n = dynamic_cast<const PostgresCrmStore&>(store).remembered();
    return n ? std::optional<std::size_t>(*n) : std::nullopt;
  };
  for (const auto& f : check_crm_store([&] { return stores.make(); }, options))
    FAIL_CHECK(to_string(f));
}

TEST_CASE("PostgresCrmStore keeps every rule of the Directory contract") {
  Schema schema;
  auto store = open_store(schema.conninfo());
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
