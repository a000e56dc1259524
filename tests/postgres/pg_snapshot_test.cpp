// SPDX-License-Identifier: Apache-2.0
// A node that joins: CallEngine with EngineOptions::index_snapshot over PostgresCrmStore. The
// first node rebuilds (scans the store) and writes the file; the next starts from the file
// plus the changes committed since, without a scan; a damaged file means a full rebuild and
// a new file.
#include <telcrm/crm/index_snapshot.hpp>
#include <telcrm/engine/call_engine.hpp>
#include <telcrm/memory/memory_directory.hpp>
#include <telcrm/ports/clock.hpp>
#include <telcrm/postgres/postgres_crm_store.hpp>
#include <telcrm/sim/simulated_pbx.hpp>

#include <doctest/doctest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "postgres/pg_fixture.hpp"

using namespace telcrm;
using namespace telcrm_test;

namespace {

// The store as the engine sees it, counting full scans (a rebuild reads everything).
class CountingScans final : public CrmStore {
 public:
  explicit CountingScans(PostgresCrmStore& s) : s_(s) {}
  Result<void> scan(CrmVisitor& v) const override {
    ++scans;
    return s_.scan(v);
  }
  Result<std::optional<Contact>> find_contact(EntityId id) const override {
    return s_.find_contact(id);
  }
  Result<std::optional<Company>> find_company(EntityId id) const override {
    return s_.find_company(id);
  }
  Result<std::optional<Lead>> find_lead(EntityId id) const override { return s_.find_lead(id); }
  Result<std::optional<Deal>> find_deal(EntityId id) const override { return s_.find_deal(id); }
  const CrmChangeFeed* change_feed() const noexcept override { return s_.change_feed(); }
  const CrmInspection* inspection() const noexcept override { return s_.inspection(); }
  Result<WriteReceipt> apply(const WriteBatch& b) override { return s_.apply(b); }
  mutable std::atomic<int> scans{0};

 private:
  PostgresCrmStore& s_;
};

const std::string line = "+74951234567";

IntegrationSettings settings() {
  IntegrationSettings s;
  s.default_region = *Region::from_code("RU");
  s.queues.push_back(QueueSettings{.id = "sales", .members = {1}});
  LineSettings l;
  l.number = line;
  l.queue = "sales";
  s.lines.push_back(l);
  return s;
}

// One node's start: its own connections, directory and engine with the snapshot file.
struct Joining {
  Joining(const std::string& info, const std::string& snapshot)
      : store(open_store(info)), port(*store), directory({Employee{.id = 1, .name = "Anna"}}) {
    EngineOptions options;
    options.claim_window = store->claim_window();
    options.index_snapshot = snapshot;
    auto e = CallEngine::create(settings(), Ports{port, directory, pbx, clock}, options);
    REQUIRE_MESSAGE(e.has_value(), e.error().message());
    engine = std::move(*e);
  }
  bool knows(const std::string& number) {
    auto seen = engine->start_call(CallStart{"probe-" + std::to_string(probes++),
                                             CallDirection::incoming, line, number, std::nullopt,
                                             std::nullopt, at(24, 11), CallMode::route, false});
    return seen && seen->crm == CrmState::matched;
  }
  std::unique_ptr<PostgresCrmStore> store;
  CountingScans port;
  MemoryDirectory directory;
  SimulatedPbx pbx{*Region::from_code("RU")};
  ManualClock clock{at(24, 11)};
  std::unique_ptr<CallEngine> engine;
  int probes = 0;
};

}  // namespace

TEST_CASE("A node joins from the index snapshot plus the changes since; a damaged one rebuilds") {
  Schema schema;
  CrmSnapshot crm;
  crm.contacts.push_back({1, "Known", {"+7 916 111-00-00"}, {}, 1, std::nullopt});
  REQUIRE(open_store(schema.conninfo())->import(crm).has_value());
  const std::string file =
      (std::filesystem::temp_directory_path() / ("telcrm-pg-index-" + std::to_string(::getpid())))
          .string();
  std::filesystem::remove(file);

  {
    Joining first(schema.conninfo(), file);  // no file yet: a full rebuild, then the file
    CHECK(first.port.scans.load() == 1);
    CHECK(first.engine->ready());
    CHECK(first.knows("+79161110000"));
    REQUIRE(std::filesystem::exists(file));
  }
  // Committed after the snapshot, by another application: the joining node must see it.
  schema.raw()->exec(
      "WITH c AS (INSERT INTO contacts(name, responsible) VALUES('Later', 1) RETURNING id) "
      "INSERT INTO phones(owner_type, owner_id, position, phone) SELECT 1, id, 0, "
      "'+79163330000' FROM c");
  {
    Joining next(schema.conninfo(), file);
    CHECK(next.port.scans.load() == 0);  // no rebuild: the file and the feed
    CHECK(next.engine->ready());
    CHECK(next.knows("+79161110000"));
    CHECK(next.knows("+79163330000"));
    CHECK_FALSE(next.knows("+79165550000"));
  }
  {
    std::string data;
    {
      std::ifstream in(file, std::ios::binary);
      std::stringstream s;
      s << in.rdbuf();
      data = s.str();
    }
    data[data.size() / 2] = static_cast<char>(data[data.size() / 2] ^ 0x40);
    std::ofstream(file, std::ios::binary | std::ios::trunc) << data;
    Joining damaged(schema.conninfo(), file);
    CHECK(damaged.port.scans.load() == 1);  // refused: a full rebuild
    CHECK(damaged.knows("+79163330000"));
    CrmIndex check(IndexOptions{*Region::from_code("RU"), 0});
    CHECK(load_index_snapshot(check, file).has_value());  // written anew
  }
  std::filesystem::remove(file);
}
