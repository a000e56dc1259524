// SPDX-License-Identifier: Apache-2.0
// telcrm::sqlite: opening a file, meta, the key options, transactions and write groups.
#include "../compiled_lib.hpp"  // first: stops a build without TELCRM_COMPILED_LIB

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>

#include "store_impl.hpp"

TELCRM_BEGIN_NAMESPACE

// --- transactions -----------------------------------------------------------------------------
// A write transaction: BEGIN IMMEDIATE (the write lock first, so a claim check and the
// writes it guards are one atomic step across processes), or a savepoint in a group.
Result<void> SqliteCrmStore::Impl::begin_write() {
  change_seq_.reset();
  return conn_.command(group_open_ ? "SAVEPOINT batch" : "BEGIN IMMEDIATE");
}

Result<void> SqliteCrmStore::Impl::commit_write() {
  auto ok = conn_.command(group_open_ ? "RELEASE batch" : "COMMIT");
  if (!ok) rollback_write();
  return ok;
}

void SqliteCrmStore::Impl::rollback_write() noexcept {
  const bool open = sqlite3_get_autocommit(conn_.get()) == 0;
  if (group_open_) {
    if (open) {
      (void)conn_.command("ROLLBACK TO batch");
      (void)conn_.command("RELEASE batch");
    } else {  // SQLite rolled the whole group back (e.g. an I/O error)
      group_open_ = false;
      group_lost_ =
          Error(Errc::storage_unavailable,
                fmt::format("{}: the write group was rolled back by an error", conn_.path()));
    }
  } else if (open) {
    (void)conn_.command("ROLLBACK");
  }
}

// Ends a write transaction that failed with `e`.
Unexpected SqliteCrmStore::Impl::abort_write(Error e) noexcept {
  rollback_write();
  return fail(std::move(e));
}

// --- opening --------------------------------------------------------------------------------

namespace {

// A file whose permissions allow no writing at all is read-only for everyone, root included:
// a read-write open of it is refused rather than written behind its owner's back.
Result<bool> file_exists_checked(const std::string& path, const SqliteOptions& options) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return false;
    return fail(Errc::io_error, fmt::format("{}: {}", path, std::strerror(errno)));
  }
  if (S_ISDIR(st.st_mode)) return fail(Errc::io_error, fmt::format("{}: is a directory", path));
  if (!options.read_only && ((st.st_mode & 0222) == 0 || ::access(path.c_str(), W_OK) != 0))
    return fail(Errc::permission_denied,
                fmt::format("{}: the file is read-only; open it read-only to read it", path));
  return true;
}

}  // namespace

SqliteCrmStore::SqliteCrmStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SqliteCrmStore::~SqliteCrmStore() {
  if (impl_) {
    std::lock_guard lock(impl_->mutex_);
    if (impl_->group_open_) impl_->rollback_write();
  }
}

Result<std::unique_ptr<SqliteCrmStore>> SqliteCrmStore::open(const std::string& path,
                                                             SqliteOptions options) {
  auto exists = file_exists_checked(path, options);
  if (!exists) return fail(exists.error());
  if (!*exists && (options.read_only || !options.create))
    return fail(Errc::not_found, fmt::format("{}: no such file", path));
  int flags = SQLITE_OPEN_NOMUTEX;  // the store's own mutex serialises the connection
  flags |= options.read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  auto conn = Connection::open(path, flags);
  if (!conn) return fail(conn.error());
  sqlite3_busy_timeout(conn->get(), static_cast<int>(std::clamp<std::int64_t>(
                                        options.busy_timeout.count(), 0, std::int64_t{1} << 30)));
  if (!options.read_only && sqlite3_db_readonly(conn->get(), "main") == 1)
    return fail(Errc::permission_denied, fmt::format("{}: the file is read-only", path));
  if (auto ok = sqlite_detail::prepare_schema(*conn, options); !ok) return fail(ok.error());
  auto impl = std::make_unique<Impl>(std::move(*conn), std::move(options));
  if (auto ok = impl->resolve_keys(); !ok) return fail(ok.error());
  return std::unique_ptr<SqliteCrmStore>(new SqliteCrmStore(std::move(impl)));
}

// --- write groups ---------------------------------------------------------------------------

Result<void> SqliteCrmStore::begin_group() {
  std::lock_guard lock(impl_->mutex_);
  if (impl_->group_open_)
    return fail(Errc::invalid_state, fmt::format("{}: a write group is open", path()));
  impl_->group_lost_.reset();
  if (auto ok = impl_->conn_.exec("BEGIN IMMEDIATE"); !ok) return ok;
  impl_->group_open_ = true;
  return {};
}

Result<void> SqliteCrmStore::commit_group() {
  std::lock_guard lock(impl_->mutex_);
  if (!impl_->group_open_) {
    if (impl_->group_lost_) return fail(*std::exchange(impl_->group_lost_, std::nullopt));
    return fail(Errc::invalid_state, fmt::format("{}: no write group is open", path()));
  }
  impl_->group_open_ = false;
  if (auto ok = impl_->conn_.exec("COMMIT"); !ok) {
    if (sqlite3_get_autocommit(impl_->conn_.get()) == 0) (void)impl_->conn_.exec("ROLLBACK");
    return ok;
  }
  return {};
}

void SqliteCrmStore::rollback_group() noexcept {
  std::lock_guard lock(impl_->mutex_);
  if (!impl_->group_open_) return;
  impl_->group_open_ = false;
  if (sqlite3_get_autocommit(impl_->conn_.get()) == 0) (void)impl_->conn_.exec("ROLLBACK");
}

bool SqliteCrmStore::in_group() const {
  std::lock_guard lock(impl_->mutex_);
  return impl_->group_open_;
}

const std::string& SqliteCrmStore::path() const noexcept {
  return impl_->conn_.path();
}

IndexOptions SqliteCrmStore::phone_keys() const {
  std::lock_guard lock(impl_->mutex_);
  return impl_->keys_;
}

TELCRM_END_NAMESPACE
