// SPDX-License-Identifier: Apache-2.0
// telcrm::sqlite: receipts (R-I1) and claims (R-I2), and their retention: rows a retention
// older than the newest batch are deleted as batches are applied, a bounded number per
// transaction, found by the indexes on `at` (schema version 3).
#include "../compiled_lib.hpp"  // first: stops a build without TELCRM_COMPILED_LIB

#include <fmt/format.h>

#include <algorithm>
#include <mutex>

#include "store_impl.hpp"

TELCRM_BEGIN_NAMESPACE

namespace {

// At most this many receipts, and as many claims, are deleted by one transaction: a backlog
// (a file migrated with years of receipts) is worked off over many batches, none slowed much.
constexpr std::int64_t prune_limit = 256;

}  // namespace

Result<std::optional<WriteReceipt>> SqliteCrmStore::Impl::find_receipt(
    const WriteBatch& batch) const {
  auto s = stmt("SELECT created, claimed_by FROM receipts WHERE call = ?1 AND seq = ?2");
  if (!s) return fail(s.error());
  Use use(**s);
  use->bind(1, batch.call);
  use->bind(2, std::int64_t{batch.seq});
  const int rc = use->step();
  if (rc == SQLITE_DONE) return std::optional<WriteReceipt>{};
  if (rc != SQLITE_ROW) return fail(error(rc, "reading receipts"));
  auto created = sqlite_detail::decode_refs(use->text(0));
  if (!created)
    return fail(Errc::storage_corrupt, fmt::format("{}: receipt {}#{} does not read", conn_.path(),
                                                   batch.call, batch.seq));
  WriteReceipt r;
  r.created = std::move(*created);
  r.claimed_by = use->opt_text(1);
  return std::optional<WriteReceipt>(std::move(r));
}

Result<void> SqliteCrmStore::Impl::put_receipt(const WriteBatch& batch, const WriteReceipt& r) {
  auto s =
      stmt("INSERT INTO receipts(call, seq, created, claimed_by, at) VALUES(?1, ?2, ?3, ?4, ?5)");
  if (!s) return fail(s.error());
  (*s)->bind(1, batch.call);
  (*s)->bind(2, std::int64_t{batch.seq});
  (*s)->bind(3, sqlite_detail::encode_refs(r.created));
  (*s)->bind(4, r.claimed_by);
  (*s)->bind(5, seconds_of(batch.at));
  if (auto ok = conn_.run(**s, "writing a receipt"); !ok) return ok;
  if (oldest_) oldest_ = std::min(*oldest_, seconds_of(batch.at));
  return {};
}

// The first claim (in the order claims were made) on the number by another call within the
// window, as the receipt the losing batch gets.
Result<std::optional<WriteReceipt>> SqliteCrmStore::Impl::lost_claim(
    const WriteBatch& batch) const {
  const UnknownCallerClaim& c = *batch.claim;
  auto s = stmt(
      "SELECT call, created FROM claims WHERE number = ?1 AND at BETWEEN ?2 AND ?3 "
      "AND call <> ?4 ORDER BY id LIMIT 1");
  if (!s) return fail(s.error());
  Use use(**s);
  use->bind(1, c.number);
  use->bind(2, seconds_of(c.at) - c.window.count());
  use->bind(3, seconds_of(c.at) + c.window.count());
  use->bind(4, batch.call);
  const int rc = use->step();
  if (rc == SQLITE_DONE) return std::optional<WriteReceipt>{};
  if (rc != SQLITE_ROW) return fail(error(rc, "reading claims"));
  auto created = sqlite_detail::decode_refs(use->text(1));
  if (!created)
    return fail(Errc::storage_corrupt, fmt::format("{}: a claim does not read", conn_.path()));
  WriteReceipt lost;
  lost.created = std::move(*created);
  lost.claimed_by = std::string(use->text(0));
  return std::optional<WriteReceipt>(std::move(lost));
}

Result<void> SqliteCrmStore::Impl::put_claim(const WriteBatch& batch,
                                             const std::vector<EntityRef>& created) {
  auto s = stmt("INSERT INTO claims(number, at, call, created) VALUES(?1, ?2, ?3, ?4)");
  if (!s) return fail(s.error());
  (*s)->bind(1, batch.claim->number);
  (*s)->bind(2, seconds_of(batch.claim->at));
  (*s)->bind(3, batch.call);
  (*s)->bind(4, sqlite_detail::encode_refs(created));
  if (auto ok = conn_.run(**s, "writing a claim"); !ok) return ok;
  const std::int64_t at = seconds_of(batch.claim->at);
  if (oldest_) oldest_ = std::min(*oldest_, at);
  return {};
}

// Reads an integer that may be NULL (an aggregate over no row).
Result<std::optional<std::int64_t>> SqliteCrmStore::Impl::nullable_int(const char* sql) const {
  auto s = stmt(sql);
  if (!s) return fail(s.error());
  Use use(**s);
  const int rc = use->step();
  if (rc == SQLITE_DONE) return std::optional<std::int64_t>{};
  if (rc != SQLITE_ROW) return fail(error(rc, "reading receipts"));
  return use->opt_int64(0);
}

Result<void> SqliteCrmStore::Impl::age(Timestamp at) {
  if (!newest_) {
    auto newest = nullable_int("SELECT max(at) FROM receipts");
    if (!newest) return fail(newest.error());
    newest_ = newest->value_or(seconds_of(at));
  }
  newest_ = std::max(*newest_, seconds_of(at));
  const std::int64_t retention = options_.receipt_retention.count();
  const std::int64_t cutoff = *newest_ - retention;
  // Rows are left a little past the retention (a sixteenth of it) so that each pruning
  // transaction deletes many rows rather than every batch deleting one.
  if (oldest_ && *oldest_ >= cutoff - std::max<std::int64_t>(1, retention / 16)) return {};
  // Receipts from before schema version 3 carry no time: they count from now.
  auto stamp = stmt("UPDATE receipts SET at = ?1 WHERE at IS NULL");
  if (!stamp) return fail(stamp.error());
  (*stamp)->bind(1, *newest_);
  if (auto ok = conn_.run(**stamp, "dating old receipts"); !ok) return ok;
  auto receipts = stmt(
      "DELETE FROM receipts WHERE (call, seq) IN "
      "(SELECT call, seq FROM receipts WHERE at < ?1 ORDER BY at LIMIT ?2)");
  if (!receipts) return fail(receipts.error());
  (*receipts)->bind(1, cutoff);
  (*receipts)->bind(2, prune_limit);
  if (auto ok = conn_.run(**receipts, "pruning receipts"); !ok) return ok;
  auto claims = stmt(
      "DELETE FROM claims WHERE id IN (SELECT id FROM claims WHERE at < ?1 ORDER BY at LIMIT ?2)");
  if (!claims) return fail(claims.error());
  (*claims)->bind(1, cutoff);
  (*claims)->bind(2, prune_limit);
  if (auto ok = conn_.run(**claims, "pruning claims"); !ok) return ok;
  auto oldest = nullable_int(
      "SELECT min(m) FROM (SELECT min(at) AS m FROM receipts UNION ALL SELECT min(at) FROM "
      "claims)");
  if (!oldest) return fail(oldest.error());
  oldest_ = oldest->value_or(*newest_);
  return {};
}

Result<std::size_t> SqliteCrmStore::remembered() const {
  std::lock_guard lock(impl_->mutex_);
  auto n = impl_->conn_.query_int(
      "SELECT (SELECT count(*) FROM receipts) + (SELECT count(*) FROM claims)");
  if (!n) return fail(n.error());
  return static_cast<std::size_t>(n->value_or(0));
}

TELCRM_END_NAMESPACE
