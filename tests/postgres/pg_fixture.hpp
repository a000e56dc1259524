// SPDX-License-Identifier: Apache-2.0
#pragma once
// The test cluster (started by the ctest fixture, tests/postgres/pg_cluster.sh), a database
// per test program and a fresh schema per store, raw libpq access for what the store must not
// do (craft bad schemas, hold transactions open, look at tables), and a CRM snapshot that
// uses every field of the model.

#include <telcrm/postgres/postgres_crm_store.hpp>

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace telcrm_test {

inline telcrm::Timestamp at(int day, int hour = 12, int minute = 0) {
  using namespace std::chrono;
  return sys_days(year(2026) / November / day) + hours(hour) + minutes(minute);
}

/// The cluster the ctest fixture started (TELCRM_PG_STATE names its state file).
struct Cluster {
  bool available = false;
  std::string why;
  std::string state_file;
  std::string script;
  int port = 0;
};

inline const Cluster& cluster() {
  static const Cluster c = [] {
    Cluster out;
    const char* state = std::getenv("TELCRM_PG_STATE");
    out.state_file = state ? state : TELCRM_PG_STATE_DEFAULT;
    out.script = TELCRM_PG_CLUSTER_SCRIPT;
    std::ifstream in(out.state_file);
    if (!in) {
      out.why = "no cluster state in " + out.state_file +
                " (run the tests through ctest, whose fixture starts a cluster)";
      return out;
    }
    std::map<std::string, std::string> kv;
    for (std::string line; std::getline(in, line);) {
      const auto eq = line.find('=');
      if (eq != std::string::npos) kv[line.substr(0, eq)] = line.substr(eq + 1);
    }
    if (kv.count("UNAVAILABLE")) {
      out.why = kv["UNAVAILABLE"];
      return out;
    }
    out.port = std::atoi(kv["PGPORT"].c_str());
    out.available = out.port > 0;
    if (!out.available) out.why = "the cluster state names no port";
    return out;
  }();
  return c;
}

inline std::string conninfo(const std::string& db, const std::string& extra = {}) {
  return fmt::format("host=127.0.0.1 port={} user=telcrm dbname={} {}", cluster().port, db, extra);
}

/// A raw libpq connection, for what the store must not be able to do.
class RawPg {
 public:
  explicit RawPg(const std::string& info) : c_(PQconnectdb(info.c_str())) {
    REQUIRE_MESSAGE(PQstatus(c_) == CONNECTION_OK, PQerrorMessage(c_));
    PQsetNoticeProcessor(
        c_, [](void*, const char*) {}, nullptr);
  }
  ~RawPg() { PQfinish(c_); }
  RawPg(const RawPg&) = delete;
  RawPg& operator=(const RawPg&) = delete;
  /// Runs SQL; false (with the message in `error`) when it failed.
  bool try_exec(const std::string& sql, std::string* error = nullptr) {
    PGresult* r = PQexec(c_, sql.c_str());
    const auto st = PQresultStatus(r);
    const bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    if (!ok && error) *error = PQresultErrorMessage(r);
    PQclear(r);
    return ok;
  }
  void exec(const std::string& sql) {
    std::string error;
    REQUIRE_MESSAGE(try_exec(sql, &error), std::string(sql + ": " + error));
  }
  /// Column `col` of every row, as text ("NULL" for null).
  std::vector<std::string> column(const std::string& sql, int col = 0) {
    PGresult* r = PQexec(c_, sql.c_str());
    REQUIRE_MESSAGE(PQresultStatus(r) == PGRES_TUPLES_OK,
                    std::string(sql + ": " + PQresultErrorMessage(r)));
    std::vector<std::string> out;
    for (int i = 0; i < PQntuples(r); ++i)
      out.emplace_back(PQgetisnull(r, i, col) ? "NULL" : PQgetvalue(r, i, col));
    PQclear(r);
    return out;
  }
  std::string one(const std::string& sql) {
    auto all = column(sql);
    REQUIRE_MESSAGE(all.size() == 1, sql);
    return all.front();
  }
  [[nodiscard]] PGconn* get() const { return c_; }
  [[nodiscard]] int pid() const { return PQbackendPID(c_); }

 private:
  PGconn* c_;
};

/// This test program's database, created on first use and dropped at exit; btree_gist is
/// installed in its public schema, so every store schema finds it.
inline const std::string& database() {
  static const std::string name = [] {
    const std::string db = fmt::format("telcrm_test_{}", ::getpid());
    RawPg admin(conninfo("postgres"));
    admin.exec("DROP DATABASE IF EXISTS " + db);
    admin.exec("CREATE DATABASE " + db);
    RawPg(conninfo(db)).exec("CREATE EXTENSION IF NOT EXISTS btree_gist SCHEMA public");
    std::atexit([] {
      PGconn* c = PQconnectdb(conninfo("postgres").c_str());
      PQclear(PQexec(c, ("DROP DATABASE IF EXISTS " + fmt::format("telcrm_test_{}", ::getpid()) +
                         " WITH (FORCE)")
                            .c_str()));
      PQfinish(c);
    });
    return db;
  }();
  return name;
}

/// A fresh, empty schema in the test database (a database of its own, as far as a store can
/// tell), dropped with everything in it at the end of the test.
class Schema {
 public:
  Schema() {
    static std::atomic<int> counter{0};
    name_ = fmt::format("s{}", counter++);
    RawPg(telcrm_test::conninfo(database(), {}))
        .exec(fmt::format("DROP SCHEMA IF EXISTS {0} CASCADE; CREATE SCHEMA {0}", name_));
  }
  ~Schema() {
    PGconn* c = PQconnectdb(telcrm_test::conninfo(database(), {}).c_str());
    PQsetNoticeProcessor(
        c, [](void*, const char*) {}, nullptr);
    PQclear(PQexec(c, fmt::format("DROP SCHEMA IF EXISTS {} CASCADE", name_).c_str()));
    PQfinish(c);
  }
  Schema(const Schema&) = delete;
  Schema& operator=(const Schema&) = delete;
  /// The conninfo of a store in this schema.
  [[nodiscard]] std::string conninfo() const {
    return telcrm_test::conninfo(database(), fmt::format("options='-csearch_path={}'", name_));
  }
  [[nodiscard]] const std::string& name() const { return name_; }
  /// A raw connection whose search_path is this schema.
  [[nodiscard]] std::unique_ptr<RawPg> raw() const { return std::make_unique<RawPg>(conninfo()); }

 private:
  std::string name_;
};

inline std::unique_ptr<telcrm::PostgresCrmStore> open_store(const std::string& info,
                                                            telcrm::PostgresOptions options = {}) {
  auto store = telcrm::PostgresCrmStore::open(info, options);
  REQUIRE_MESSAGE(store.has_value(), store.error().message());
  return std::move(*store);
}

/// Waits up to `limit` for `done()`.
template <class F>
bool eventually(F&& done, std::chrono::milliseconds limit = std::chrono::milliseconds(3000)) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return done();
}

/// The data_version() of `store` once it has stopped moving (the notifications of earlier
/// writes arrive a moment after them).
inline std::uint64_t settled_version(const telcrm::PostgresCrmStore& store) {
  auto v = *store.data_version();
  for (;;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    const auto now = *store.data_version();
    if (now == v) return v;
    v = now;
  }
}

/// A CRM using every field the model has, with references between its records (the same as
/// the SQLite store's tests use).
inline telcrm::CrmSnapshot rich_snapshot() {
  using namespace telcrm;
  CrmSnapshot s;
  s.companies.push_back(
      {3, "Acme, S.A.", {"+34 91 123 45 67", "91 765 43 21"}, {"info@acme.es"}, 1});
  s.companies.push_back({8, "Empty", {}, {}, std::nullopt});
  s.contacts.push_back({5,
                        "Ivan Petrov",
                        {"8 (916) 123-45-67", "+7 495 123-45-67 доб. 101"},
                        {"ivan@example.ru", "i.petrov@example.ru"},
                        2,
                        3});
  s.contacts.push_back({6,
                        "Ana 'Quote' \"Marks\"\ttab\\slash",
                        {"12345", "not a number"},
                        {},
                        std::nullopt,
                        std::nullopt});
  Lead l;
  l.id = 50;
  l.title = "Lead, with ünïcode";
  l.phones = {"+49 30 1234567"};
  l.responsible = 1;
  l.status = LeadStatus::converted;
  l.modified = at(20, 9);
  l.contact = 5;
  l.company = 3;
  l.source = "WEB";
  l.repeat = true;
  s.leads.push_back(l);
  Lead junk;
  junk.id = 51;
  junk.title = "Junk";
  junk.status = LeadStatus::junk;
  s.leads.push_back(junk);
  Deal d;
  d.id = 70;
  d.title = "Deal";
  d.contact = 5;
  d.company = 3;
  d.responsible = 2;
  d.stage = DealStage::won;
  d.pipeline = 4;
  d.modified = at(21, 10);
  d.source = "CALL";
  d.repeat = true;
  s.deals.push_back(d);
  Deal open;
  open.id = 71;
  open.title = "Open";
  open.company = 3;
  s.deals.push_back(open);
  s.invoices.push_back({9, 1250.75, {EntityType::deal, 70}, 2, "c0"});
  CallActivity a;
  a.id = 4;
  a.call = "c0";
  a.bindings = {{EntityType::deal, 70}, {EntityType::contact, 5}, {EntityType::company, 3}};
  a.subject = "Incoming call from +79161234567";
  a.direction = CallDirection::callback;
  a.start = at(22, 8);
  a.duration = Seconds(61);
  a.status = ActivityStatus::answered;
  a.responsible = 2;
  a.recording = "https://rec/1";
  a.voicemail = "vm";
  a.comment = "line one\nline two\r\n";
  s.activities.push_back(a);
  s.missed_calls.push_back({"+79161234567", "c0", std::nullopt});
  s.missed_calls.push_back({"+79161234568", "c1", std::string("c2")});
  s.history.push_back({"c0", CallDirection::incoming, "+79161234567", "+74951234567", at(22, 8),
                       Seconds(61), CallStatus::answered, 2, CrmState::matched});
  s.history.push_back({"c1", CallDirection::outgoing, "112", "+74951234567", at(22, 9), Seconds(0),
                       CallStatus::missed, std::nullopt, CrmState::disabled});
  return s;
}

}  // namespace telcrm_test
