// SPDX-License-Identifier: Apache-2.0
// telcrm::postgres: the libpq layer — connections, pipelines, errors, stable codes.
#include "../compiled_lib.hpp"  // first: stops a build without TELCRM_COMPILED_LIB

#include "db.hpp"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <cstring>

TELCRM_BEGIN_NAMESPACE

namespace pg_detail {

// --- errors -----------------------------------------------------------------------------------

Errc errc_of(std::string_view s) noexcept {
  if (s.size() != 5) return Errc::storage_unavailable;  // no SQLSTATE: the connection failed
  const std::string_view cls = s.substr(0, 2);
  if (cls == "08" || cls == "53" || cls == "57" || cls == "58") {
    // Connection lost or refused, out of resources, shut down or cancelled (57014: a
    // statement_timeout), system errors: all "try again later".
    return Errc::storage_unavailable;
  }
  if (s == "40001" || s == "40P01" || s == "55P03") return Errc::storage_unavailable;
  if (s == "42501" || s == "25006" || cls == "28") return Errc::permission_denied;
  if (s == "XX001" || s == "XX002") return Errc::storage_corrupt;
  if (s == "42P01" || s == "42703" || s == "42883") return Errc::storage_corrupt;  // not ours
  if (cls == "23") return Errc::conflict;
  if (cls == "22") return Errc::invalid_argument;
  return Errc::internal;
}

bool retryable(std::string_view s) noexcept {
  return s == "40001" || s == "40P01" || s == "23P01";
}

// --- PgResult -----------------------------------------------------------------------------------

std::int64_t PgResult::int64(int row, int col) const noexcept {
  const std::string_view t = text(row, col);
  std::int64_t v = 0;
  (void)std::from_chars(t.data(), t.data() + t.size(), v);
  return v;
}

double PgResult::real(int row, int col) const noexcept {
  const std::string_view t = text(row, col);
  double v = 0;
  (void)std::from_chars(t.data(), t.data() + t.size(), v);
  return v;
}

// --- Params and arrays ---------------------------------------------------------------------------

Params& Params::add(std::int64_t v) {
  std::array<char, 24> buf{};
  const auto end = std::to_chars(buf.data(), buf.data() + buf.size(), v).ptr;
  return text(std::string_view(buf.data(), static_cast<std::size_t>(end - buf.data())));
}

Params& Params::add(double v) {
  return text(fmt::format("{}", v));  // the shortest text that reads back as the same double
}

void Params::pointers(std::vector<const char*>& values, std::vector<int>& lengths) const {
  values.clear();
  lengths.clear();
  for (std::size_t i = 0; i < values_.size(); ++i) {
    values.push_back(null_[i] ? nullptr : values_[i].c_str());
    lengths.push_back(static_cast<int>(values_[i].size()));
  }
}

std::string int_array(const std::vector<std::int64_t>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i != 0) out += ',';
    out += std::to_string(values[i]);
  }
  return out + "}";
}

std::string int_array(const std::vector<std::optional<std::int64_t>>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i != 0) out += ',';
    out += values[i] ? std::to_string(*values[i]) : "NULL";
  }
  return out + "}";
}

namespace {
void quote_into(std::string& out, std::string_view v) {
  out += '"';
  for (char c : v) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}
}  // namespace

std::string text_array(const std::vector<std::optional<std::string>>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i != 0) out += ',';
    if (values[i])
      quote_into(out, *values[i]);
    else
      out += "NULL";
  }
  return out + "}";
}

std::string text_array(const std::vector<std::string>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i != 0) out += ',';
    quote_into(out, values[i]);
  }
  return out + "}";
}

// --- Connection ---------------------------------------------------------------------------------

namespace {

// libpq prints notices ("extension … already exists, skipping") to stderr by default; a
// library must not write to the host's stderr.
void quiet(void*, const char*) {}

std::string trimmed(const char* text) {
  std::string s = text == nullptr ? "" : text;
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  // libpq's connection messages span lines ("connection to server … failed: …\n\t…").
  for (auto& c : s)
    if (c == '\n' || c == '\t') c = ' ';
  return s;
}

// A failed connection attempt has no SQLSTATE in libpq 15; its message tells what happened.
// Anything not recognised is "try again later", the safe default for a host's outbox.
Errc errc_of_connect(const std::string& message) {
  for (const char* denied :
       {"authentication failed", "no pg_hba.conf entry", "permission denied", "password"})
    if (message.find(denied) != std::string::npos) return Errc::permission_denied;
  if (message.find("does not exist") != std::string::npos) return Errc::not_found;
  if (message.find("invalid connection option") != std::string::npos ||
      message.find("missing \"=\"") != std::string::npos ||
      message.find("invalid URI") != std::string::npos ||
      message.find("invalid integer value") != std::string::npos)
    return Errc::invalid_argument;
  return Errc::storage_unavailable;
}

}  // namespace

Result<PGconn*> Connection::connect(const std::string& conninfo, const Session& s) {
  const std::string timeout = std::to_string(s.connect_timeout_s);
  // Our defaults first: the host's conninfo (expanded from "dbname") comes last and wins.
  const std::array<const char*, 8> keys{
      "application_name",    "connect_timeout",  "keepalives", "keepalives_idle",
      "keepalives_interval", "keepalives_count", "dbname",     nullptr};
  const std::array<const char*, 8> values{
      s.application_name.c_str(), timeout.c_str(), "1", "30", "10", "3", conninfo.c_str(), nullptr};
  PGconn* c = PQconnectdbParams(keys.data(), values.data(), 1);
  if (c == nullptr) return fail(Errc::storage_unavailable, "postgres: out of memory");
  if (PQstatus(c) != CONNECTION_OK) {
    const std::string message = trimmed(PQerrorMessage(c));
    PQfinish(c);
    return fail(errc_of_connect(message), "postgres: cannot connect: " + message);
  }
  PQsetNoticeProcessor(c, quiet, nullptr);
  if (!s.setup_sql.empty()) {
    PgResult r(PQexec(c, s.setup_sql.c_str()));
    if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
      const char* state = PQresultErrorField(r.get(), PG_DIAG_SQLSTATE);
      const std::string message = trimmed(PQerrorMessage(c));
      PQfinish(c);
      return fail(errc_of(state == nullptr ? "" : state),
                  "postgres: setting up the session: " + message);
    }
  }
  return c;
}

Result<Connection> Connection::open(const std::string& conninfo, Session session) {
  auto c = connect(conninfo, session);
  if (!c) return fail(c.error());
  Connection out;
  out.conn_ = *c;
  out.conninfo_ = conninfo;
  out.session_ = std::move(session);
  const char* host = PQhost(out.conn_);
  out.label_ =
      fmt::format("postgres {}@{}:{}", PQdb(out.conn_), host ? host : "", PQport(out.conn_));
  return out;
}

void Connection::close() noexcept {
  if (conn_ != nullptr) PQfinish(conn_);
  conn_ = nullptr;
  prepared_.clear();
}

Result<void> Connection::ensure() {
  if (!broken()) return {};
  // A new connection (not PQreset): nothing of the old one's state — pipeline mode, prepared
  // statements, an aborted transaction — comes along.
  auto c = connect(conninfo_, session_);
  if (!c) return fail(Errc::storage_unavailable, label_ + ": reconnecting: " + c.error().message());
  if (conn_ != nullptr) PQfinish(conn_);
  conn_ = *c;
  prepared_.clear();
  ++reconnects_;
  return {};
}

const std::string* Connection::prepared(const char* sql) const {
  auto it = prepared_.find(sql);
  return it == prepared_.end() ? nullptr : &it->second;
}

std::string Connection::name_for(const char* sql) const {
  // The address of the literal is unique within the process and stable: a good name.
  return fmt::format("telcrm_{}", static_cast<const void*>(sql));
}

Error Connection::error_of(const PGresult* r, std::string_view context) const {
  const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  if (state == nullptr) return connection_error(context);
  const char* primary = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
  return Error(errc_of(state), fmt::format("{}: {}: {} (SQLSTATE {})", label_, context,
                                           primary ? primary : "error", state));
}

Error Connection::connection_error(std::string_view context) const {
  const std::string message = conn_ ? trimmed(PQerrorMessage(conn_)) : "not connected";
  return Error(Errc::storage_unavailable,
               fmt::format("{}: {}: {}", label_, context,
                           message.empty() ? "the connection was lost" : message));
}

Result<PgResult> Connection::exec(const char* sql, std::string_view context) {
  if (auto ok = ensure(); !ok) return fail(ok.error());
  PgResult r(PQexec(conn_, sql));
  const auto status = PQresultStatus(r.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    return fail(error_of(r.get(), context));
  return r;
}

Result<PgResult> Connection::query(const char* sql, const Params& params,
                                   std::string_view context) {
  if (auto ok = ensure(); !ok) return fail(ok.error());
  Pipeline p(*this);
  const auto i = p.add(sql, params);
  if (auto ok = p.run(context); !ok) return fail(ok.error());
  PgResult out(PQcopyResult(p[i].get(), PG_COPYRES_ATTRS | PG_COPYRES_TUPLES));
  return out;
}

// --- Pipeline ---------------------------------------------------------------------------------

bool Pipeline::begin() {
  if (sending_) return true;
  if (c_.broken() || PQenterPipelineMode(c_.get()) != 1) return false;
  sending_ = true;
  return true;
}

std::size_t Pipeline::add(const char* sql, const Params& params) {
  Item item;
  item.sql = sql;
  if (refused_ || params.has_nul()) {  // the server would skip it and the rest anyway
    if (!refused_) refused_ = items_.size();
    items_.push_back(std::move(item));
    return items_.size() - 1;
  }
  if (!send_failed_ && !begin()) send_failed_ = true;
  if (const std::string* name = c_.prepared(sql)) {
    item.name = *name;
  } else {
    item.name = c_.name_for(sql);
    // Prepared once per pipeline: a second use of the same text waits for the first's answer.
    bool pending = false;
    for (const auto& other : items_) pending = pending || (other.sql == sql && other.prepare);
    if (!pending) {
      item.prepare = true;
      if (!send_failed_ && PQsendPrepare(c_.get(), item.name.c_str(), sql, 0, nullptr) != 1)
        send_failed_ = true;
    }
  }
  std::vector<const char*> values;
  std::vector<int> lengths;
  params.pointers(values, lengths);
  if (!send_failed_ && PQsendQueryPrepared(c_.get(), item.name.c_str(), params.size(),
                                           values.data(), lengths.data(), nullptr, 0) != 1)
    send_failed_ = true;
  item.sent = true;
  items_.push_back(std::move(item));
  return items_.size() - 1;
}

Result<void> Pipeline::run(std::string_view context) {
  failed_ = items_.size();
  if (items_.empty()) return {};
  if (refused_ && !sending_) {  // nothing was sent
    failed_ = *refused_;
    sqlstate_ = "22021";
    return fail(Errc::invalid_argument,
                fmt::format("{}: {}: a text value holds a NUL character", c_.label(), context));
  }
  if (send_failed_ || PQpipelineSync(c_.get()) != 1) {
    sending_ = false;  // nothing more can be read from a broken connection
    return fail(c_.connection_error(context));
  }
  std::optional<Error> first;
  bool lost = false;
  auto next = [&]() -> PgResult {
    if (lost) return PgResult();
    PgResult r(PQgetResult(c_.get()));
    if (r.get() == nullptr && c_.broken()) lost = true;
    return r;
  };
  auto end_of_result = [&] {  // each statement's results end with a null
    while (!lost) {
      PgResult extra = next();
      if (extra.get() == nullptr) break;
    }
  };
  for (std::size_t i = 0; i < items_.size() && !lost; ++i) {
    Item& item = items_[i];
    if (!item.sent) break;
    if (item.prepare) {
      PgResult prepared = next();
      if (PQresultStatus(prepared.get()) == PGRES_COMMAND_OK) {
        c_.mark_prepared(item.sql, item.name);
      } else if (PQresultStatus(prepared.get()) == PGRES_FATAL_ERROR && !first) {
        first = c_.error_of(prepared.get(), context);
        const char* state = PQresultErrorField(prepared.get(), PG_DIAG_SQLSTATE);
        sqlstate_ = state ? state : "";
        failed_ = i;
      }
      end_of_result();
    }
    item.result = next();
    const auto status = PQresultStatus(item.result.get());
    item.ok =
        item.result.get() != nullptr && (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK);
    if (status == PGRES_FATAL_ERROR && !first) {
      first = c_.error_of(item.result.get(), context);
      const char* state = PQresultErrorField(item.result.get(), PG_DIAG_SQLSTATE);
      sqlstate_ = state ? state : "";
      failed_ = i;
    }
    if (item.result.get() != nullptr) end_of_result();
  }
  if (!lost) {
    PgResult sync = next();  // the sync point
    if (PQresultStatus(sync.get()) != PGRES_PIPELINE_SYNC) lost = true;
  }
  sending_ = false;
  if (lost || c_.broken()) {
    sqlstate_.clear();
    return fail(c_.connection_error(context));
  }
  if (PQexitPipelineMode(c_.get()) != 1) return fail(c_.connection_error(context));
  if (first) return fail(std::move(*first));
  if (refused_) {
    failed_ = *refused_;
    sqlstate_ = "22021";
    return fail(Errc::invalid_argument,
                fmt::format("{}: {}: a text value holds a NUL character", c_.label(), context));
  }
  for (std::size_t i = 0; i < items_.size(); ++i)
    if (!items_[i].ok) {  // skipped after an error the server reported to no statement
      failed_ = i;
      return fail(c_.connection_error(context));
    }
  return {};
}

Pipeline::~Pipeline() {
  if (!sending_) return;
  // Abandoned before run(): collect what was sent, so the connection can be used again.
  if (!c_.broken() && PQpipelineSync(c_.get()) == 1) {
    for (int nulls = 0; !c_.broken();) {
      PgResult r(PQgetResult(c_.get()));
      if (r.get() == nullptr) {
        if (++nulls > 2 * static_cast<int>(items_.size()) + 2) break;
        continue;
      }
      if (PQresultStatus(r.get()) == PGRES_PIPELINE_SYNC) break;
    }
    (void)PQexitPipelineMode(c_.get());
  }
}

// --- stable codes
// ---------------------------------------------------------------------------------

std::int64_t type_code(EntityType t) noexcept {
  switch (t) {
    case EntityType::contact: return 1;
    case EntityType::company: return 2;
    case EntityType::lead: return 3;
    case EntityType::deal: return 4;
    case EntityType::invoice: return 5;
  }
  return 0;
}

std::optional<EntityType> type_from_code(std::int64_t code) noexcept {
  switch (code) {
    case 1: return EntityType::contact;
    case 2: return EntityType::company;
    case 3: return EntityType::lead;
    case 4: return EntityType::deal;
    case 5: return EntityType::invoice;
    default: return std::nullopt;
  }
}

std::string encode_refs(const std::vector<EntityRef>& refs) {
  std::string out;
  for (const auto& r : refs) {
    if (!out.empty()) out += ',';
    out += fmt::format("{}:{}", type_code(r.type), r.id);
  }
  return out;
}

std::optional<std::vector<EntityRef>> decode_refs(std::string_view text) {
  std::vector<EntityRef> out;
  while (!text.empty()) {
    const auto comma = text.find(',');
    const std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    const auto colon = item.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    std::int64_t code = 0;
    EntityId id = 0;
    const auto a = std::from_chars(item.data(), item.data() + colon, code);
    const auto b = std::from_chars(item.data() + colon + 1, item.data() + item.size(), id);
    if (a.ec != std::errc() || b.ec != std::errc() || b.ptr != item.data() + item.size())
      return std::nullopt;
    auto type = type_from_code(code);
    if (!type) return std::nullopt;
    out.push_back({*type, id});
  }
  return out;
}

}  // namespace pg_detail

TELCRM_END_NAMESPACE
