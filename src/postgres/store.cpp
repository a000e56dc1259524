// SPDX-License-Identifier: Apache-2.0
// telcrm::postgres: opening a store, its sessions, and the small public methods.
#include "../compiled_lib.hpp"  // first: stops a build without TELCRM_COMPILED_LIB

#include <fmt/format.h>

#include "store_impl.hpp"

TELCRM_BEGIN_NAMESPACE

namespace pg_detail {

Session session_of(const PostgresOptions& options, bool read_only) {
  Session s;
  s.connect_timeout_s =
      static_cast<int>(std::max<std::int64_t>(1, options.connect_timeout.count()));
  // Read committed is what the store's locking relies on (each statement sees what committed
  // before it, e.g. the receipt another node just wrote); the rest is the host's options.
  s.setup_sql = fmt::format(
      "SET client_encoding = 'UTF8'; SET default_transaction_isolation = 'read committed'; "
      "SET synchronous_commit = {}; SET lock_timeout = {}; SET statement_timeout = {}; "
      "SET default_transaction_read_only = {}",
      options.synchronous_commit ? "on" : "off", options.lock_timeout.count(),
      options.statement_timeout.count(), read_only ? "on" : "off");
  return s;
}

}  // namespace pg_detail

Result<void> PostgresCrmStore::Impl::ensure_writer() {
  const bool was_broken = writer_.broken();
  if (auto ok = writer_.ensure(); !ok) return ok;
  if (was_broken) {
    writer_pid_.store(writer_.backend_pid());
    if (group_open_) {  // the group's transaction died with the old connection
      group_open_ = false;
      group_lost_ = Error(Errc::storage_unavailable,
                          writer_.label() + ": the write group was lost with the connection");
      return fail(*group_lost_);
    }
  }
  return {};
}

PostgresCrmStore::PostgresCrmStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

PostgresCrmStore::~PostgresCrmStore() {
  if (!impl_) return;
  if (impl_->options_.listen) pg_detail::leave_peers(impl_->peer_key_, &impl_->listener_);
  impl_->listener_.stop();
  std::lock_guard lock(impl_->write_mutex_);
  if (impl_->group_open_ && !impl_->writer_.broken())
    (void)impl_->writer_.exec("ROLLBACK", "rolling back the write group");
}

Result<std::unique_ptr<PostgresCrmStore>> PostgresCrmStore::open(const std::string& conninfo,
                                                                 PostgresOptions options) {
  auto writer =
      pg_detail::Connection::open(conninfo, pg_detail::session_of(options, options.read_only));
  if (!writer) return fail(writer.error());
  if (auto ok = pg_detail::prepare_schema(*writer, options); !ok) return fail(ok.error());
  auto reader = pg_detail::Connection::open(conninfo, pg_detail::session_of(options, true));
  if (!reader) return fail(reader.error());
  auto impl = std::make_unique<Impl>(options, std::move(*writer), std::move(*reader));
  if (auto ok = impl->resolve_options(); !ok) return fail(ok.error());
  if (options.listen) {
    auto schema = impl->writer_.query("SELECT current_schema()", {}, "opening");
    if (!schema) return fail(schema.error());
    impl->peer_key_ = fmt::format("{}/{}", impl->writer_.label(), schema->text(0, 0));
    if (auto ok = impl->listener_.start(conninfo, pg_detail::session_of(options, true),
                                        &impl->writer_pid_);
        !ok)
      return fail(ok.error());
    pg_detail::join_peers(impl->peer_key_, &impl->listener_);
  }
  return std::unique_ptr<PostgresCrmStore>(new PostgresCrmStore(std::move(impl)));
}

const std::string& PostgresCrmStore::describe() const noexcept {
  return impl_->writer_.label();
}

IndexOptions PostgresCrmStore::phone_keys() const {
  return impl_->keys();
}

Seconds PostgresCrmStore::claim_window() const {
  std::lock_guard lock(impl_->keys_mutex_);
  return impl_->claim_window_;
}

std::uint64_t PostgresCrmStore::reconnects() const {
  std::uint64_t n = impl_->listener_.reconnects();
  {
    std::lock_guard lock(impl_->write_mutex_);
    n += impl_->writer_.reconnects();
  }
  std::lock_guard lock(impl_->read_mutex_);
  return n + impl_->reader_.reconnects();
}

TELCRM_END_NAMESPACE
