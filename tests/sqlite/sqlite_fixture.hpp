// SPDX-License-Identifier: Apache-2.0
#pragma once
// Temporary database files, raw SQLite access for crafting and inspecting them, and a CRM
// snapshot that uses every field of the model.

#include <telcrm/sqlite/sqlite_crm_store.hpp>

#include <doctest/doctest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

namespace telcrm_test {

namespace fs = std::filesystem;

inline telcrm::Timestamp at(int day, int hour = 12, int minute = 0) {
  using namespace std::chrono;
  return sys_days(year(2026) / November / day) + hours(hour) + minutes(minute);
}

/// A fresh directory, removed with everything in it at the end of the test.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = fs::temp_directory_path() /
            ("telcrm-sqlite-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::permissions(path_, fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

inline std::unique_ptr<telcrm::SqliteCrmStore> open_store(const std::string& path,
                                                          telcrm::SqliteOptions options = {}) {
  auto store = telcrm::SqliteCrmStore::open(path, options);
  REQUIRE_MESSAGE(store.has_value(), store.error().message());
  return std::move(*store);
}

inline std::string bytes_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

/// A raw SQLite connection, for what the store must not be able to do (craft bad files,
/// look at its tables).
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    REQUIRE(sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                            nullptr) == SQLITE_OK);
  }
  ~RawDb() { sqlite3_close(db_); }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;
  void exec(const std::string& sql) {
    char* message = nullptr;
    const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
    const std::string text = message != nullptr ? message : "";
    sqlite3_free(message);
    REQUIRE_MESSAGE(rc == SQLITE_OK, text);
  }
  /// Column `col` of every row, as text.
  std::vector<std::string> column(const std::string& sql, int col = 0) {
    sqlite3_stmt* s = nullptr;
    REQUIRE(sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) == SQLITE_OK);
    std::vector<std::string> out;
    while (sqlite3_step(s) == SQLITE_ROW) {
      const auto* text = sqlite3_column_text(s, col);
      out.emplace_back(text == nullptr ? "NULL" : reinterpret_cast<const char*>(text));
    }
    sqlite3_finalize(s);
    return out;
  }
  std::string one(const std::string& sql) {
    auto all = column(sql);
    REQUIRE_MESSAGE(all.size() == 1, sql);
    return all.front();
  }

 private:
  sqlite3* db_ = nullptr;
};

/// A CRM using every field the model has, with references between its records.
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
  s.contacts.push_back(
      {6, "Ana 'Quote' \"Marks\"", {"12345", "not a number"}, {}, std::nullopt, std::nullopt});
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
  a.comment = "line one\nline two";
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
