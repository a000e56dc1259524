// SPDX-License-Identifier: Apache-2.0
// telcrm::postgres: what other nodes changed. A listening connection and its thread turn
// NOTIFYs into counters (data_version(), version(), settings_version() are memory reads, never
// a query on a call's path); the change log is read below the snapshot's xmin, so a
// transaction that commits after a younger one is never skipped.
#include "../compiled_lib.hpp"  // first: stops a build without TELCRM_COMPILED_LIB

#include <fmt/format.h>
#include <poll.h>
#include <unistd.h>

#include <charconv>
#include <cstring>
#include <unordered_map>
#include <vector>

#include "store_impl.hpp"

TELCRM_BEGIN_NAMESPACE

namespace pg_detail {

namespace {
constexpr const char* listen_sql =
    "LISTEN telcrm_changes; LISTEN telcrm_directory; LISTEN telcrm_settings";
}

Result<void> Listener::start(const std::string& conninfo, Session session,
                             const std::atomic<int>* own_pid) {
  auto c = Connection::open(conninfo, std::move(session));
  if (!c) return fail(c.error());
  if (auto ok = c->exec(listen_sql, "listening for other nodes' changes"); !ok)
    return fail(ok.error());
  if (::pipe(wake_.data()) != 0)
    return fail(Errc::io_error,
                fmt::format("{}: cannot create a pipe: {}", c->label(), std::strerror(errno)));
  own_pid_ = own_pid;
  conn_.emplace(std::move(*c));
  thread_ = std::thread([this] { run(); });
  return {};
}

void Listener::stop() noexcept {
  if (thread_.joinable()) {
    stopping_.store(true);
    const char byte = 1;
    while (::write(wake_[1], &byte, 1) < 0 && errno == EINTR) {
    }
    thread_.join();
  }
  for (int& fd : wake_)
    if (fd >= 0) {
      ::close(fd);
      fd = -1;
    }
  if (conn_) conn_->close();
  std::lock_guard lock(mutex_);
  changed_.notify_all();
}

void Listener::bump(std::atomic<std::uint64_t>& counter) noexcept {
  counter.fetch_add(1);
  std::lock_guard lock(mutex_);  // a waiter checks under the mutex: no wake-up is lost
  changed_.notify_all();
}

std::uint64_t Listener::wait_for_change(std::uint64_t seen,
                                        std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, timeout, [&] { return data_.load() != seen || stopping_.load(); });
  return data_.load();
}

void Listener::peer_changed(bool data, bool directory, bool settings) noexcept {
  if (data) bump(data_);
  if (directory) bump(directory_);
  if (settings) bump(settings_);
}

namespace {
struct PeerRegistry {
  std::mutex mutex;
  std::unordered_map<std::string, std::vector<Listener*>> peers;
};
PeerRegistry& registry() {
  static PeerRegistry* r = new PeerRegistry();  // never destroyed: stores may outlive statics
  return *r;
}
}  // namespace

void join_peers(const std::string& key, Listener* listener) {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  r.peers[key].push_back(listener);
}

void leave_peers(const std::string& key, Listener* listener) {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  auto it = r.peers.find(key);
  if (it == r.peers.end()) return;
  std::erase(it->second, listener);
  if (it->second.empty()) r.peers.erase(it);
}

void tell_peers(const std::string& key, const Listener* self, bool data, bool directory,
                bool settings) {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  auto it = r.peers.find(key);
  if (it == r.peers.end()) return;
  for (Listener* peer : it->second)
    if (peer != self) peer->peer_changed(data, directory, settings);
}

bool Listener::drain() {
  if (PQconsumeInput(conn_->get()) != 1 || conn_->broken()) return false;
  bool data = false, directory = false, settings = false;
  while (PGnotify* n = PQnotifies(conn_->get())) {
    // This store's own writes are not "another writer" (SQLite's data_version neither counts
    // the connection's own commits).
    const bool own = own_pid_ != nullptr && n->be_pid == own_pid_->load();
    if (!own) {
      const std::string_view channel = n->relname;
      data = data || channel == "telcrm_changes";
      directory = directory || channel == "telcrm_directory";
      settings = settings || channel == "telcrm_settings";
    }
    PQfreemem(n);
  }
  if (data) bump(data_);
  if (directory) bump(directory_);
  if (settings) bump(settings_);
  return true;
}

void Listener::run() {
  auto backoff = std::chrono::milliseconds(50);
  while (!stopping_.load()) {
    if (conn_->broken()) {
      // Reconnect; notifications sent meanwhile are gone, so everything counts as changed.
      if (conn_->ensure() && conn_->exec(listen_sql, "listening again")) {
        reconnects_.fetch_add(1);
        bump(data_);
        bump(directory_);
        bump(settings_);
        backoff = std::chrono::milliseconds(50);
        continue;
      }
      conn_->close();
      pollfd wake{wake_[0], POLLIN, 0};
      (void)::poll(&wake, 1, static_cast<int>(backoff.count()));
      backoff = std::min(backoff * 2, std::chrono::milliseconds(2000));
      continue;
    }
    std::array<pollfd, 2> fds{{{PQsocket(conn_->get()), POLLIN, 0}, {wake_[0], POLLIN, 0}}};
    const int n = ::poll(fds.data(), fds.size(), 1000);
    if (n < 0 && errno != EINTR) break;
    if (fds[1].revents != 0) break;
    if (n > 0 && !drain()) {
      conn_->close();  // lost: reconnect on the next round
      bump(data_);     // and tell the engine now: it may not learn more until then
    }
  }
}

}  // namespace pg_detail

// --- the change feed --------------------------------------------------------------------------

using pg_detail::Connection;
using pg_detail::Params;

namespace {

std::optional<std::uint64_t> parse_u64(std::string_view t) {
  std::uint64_t v = 0;
  const auto r = std::from_chars(t.data(), t.data() + t.size(), v);
  if (r.ec != std::errc() || r.ptr != t.data() + t.size()) return std::nullopt;
  return v;
}

}  // namespace

Result<std::uint64_t> PostgresCrmStore::data_version() const {
  return impl_->listener_.data();
}

std::uint64_t PostgresCrmStore::wait_for_change(std::uint64_t seen,
                                                std::chrono::milliseconds timeout) const {
  return impl_->listener_.wait_for_change(seen, timeout);
}

Result<std::uint64_t> PostgresCrmStore::version() const {
  return impl_->listener_.directory();
}

std::uint64_t PostgresCrmStore::settings_version() const noexcept {
  return impl_->listener_.settings();
}

Result<std::uint64_t> PostgresCrmStore::change_cursor() const {
  std::lock_guard lock(impl_->read_mutex_);
  Connection& c = impl_->reader_;
  for (int attempt = 0;; ++attempt) {
    if (auto ok = c.ensure(); !ok) return fail(ok.error());
    auto r = c.query("SELECT pg_snapshot_xmin(pg_current_snapshot())::text", {},
                     "reading the change cursor");
    if (!r && attempt == 0 && c.broken()) continue;
    if (!r) return fail(r.error());
    auto v = parse_u64(r->text(0, 0));
    if (!v) return fail(Errc::internal, c.label() + ": an xmin that does not read");
    return *v;
  }
}

Result<ChangeSet> PostgresCrmStore::changes_since(std::uint64_t cursor) const {
  std::unique_lock lock(impl_->read_mutex_);
  Connection& c = impl_->reader_;
  Params p;
  p.add(std::to_string(cursor));
  for (int attempt = 0;; ++attempt) {
    if (auto ok = c.ensure(); !ok) return fail(ok.error());
    // One statement, one snapshot: its xmin is the new cursor; rows of transactions at or
    // above it (committed while an older one still runs) wait for a later call.
    auto r = c.query(
        "WITH s AS (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS x, "
        "(SELECT value FROM meta WHERE key = 'feed_truncated') AS t) "
        "SELECT s.x::text, s.t, c.entity_type, c.entity_id, c.xid < s.x "
        "FROM s LEFT JOIN changes c ON c.xid >= $1::xid8 "
        "ORDER BY c.xid, c.entity_type, c.entity_id",
        p, "reading the change log");
    if (!r && attempt == 0 && c.broken()) continue;
    if (!r) return fail(r.error());
    ChangeSet out;
    auto x = parse_u64(r->text(0, 0));
    if (!x) return fail(Errc::internal, c.label() + ": an xmin that does not read");
    out.cursor = *x;
    if (cursor > out.cursor) {  // never handed out by this cluster: the caller rebuilds
      out.complete = false;
      return out;
    }
    if (!r->is_null(0, 1)) {
      auto truncated = parse_u64(r->text(0, 1));
      if (!truncated || *truncated >= cursor) {  // a TRUNCATE names no rows
        out.complete = false;
        return out;
      }
    }
    bool held = false;
    for (int i = 0; i < r->rows(); ++i) {
      if (r->is_null(i, 2)) continue;
      if (!r->flag(i, 4)) {
        held = true;
        continue;
      }
      auto type = pg_detail::type_from_code(r->int64(i, 2));
      if (!type)
        return fail(Errc::storage_corrupt,
                    fmt::format("{}: changes: unknown entity type {}", c.label(), r->int64(i, 2)));
      out.changed.push_back({*type, r->int64(i, 3)});
    }
    lock.unlock();
    // Committed changes still above the cursor: move data_version so the engine asks again
    // (they are delayed by an older open transaction, never lost).
    if (held) impl_->listener_.bump_data();
    return out;
  }
}

TELCRM_END_NAMESPACE
