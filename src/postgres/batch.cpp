// SPDX-License-Identifier: Apache-2.0
// telcrm::postgres: the SQL of one batch (see batch.hpp). Created records get their ids from
// the identity columns inside the INSERT; a local reference (-1) names the id through a
// transaction-local setting ('telcrm.n<k>', see LocalNames), so no id is taken before the
// batch is known to apply: a replayed, lost or refused batch leaves no gap.
#include "../compiled_lib.hpp"  // first: stops a build without TELCRM_COMPILED_LIB

#include "batch.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>

TELCRM_BEGIN_NAMESPACE

namespace pg_detail {

namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

// FNV-1a: the same key on every node and every build, for the same text.
std::int64_t lock_key(char kind, std::string_view text) {
  std::uint64_t h = 14695981039346656037ULL;
  auto mix = [&](unsigned char c) {
    h ^= c;
    h *= 1099511628211ULL;
  };
  mix(static_cast<unsigned char>(kind));
  for (char c : text) mix(static_cast<unsigned char>(c));
  // The top nibble clear: never one of the store's constant keys (store_impl.hpp).
  return static_cast<std::int64_t>(h & 0x0FFFFFFFFFFFFFFFULL);
}

std::optional<EntityId> stored_id(std::optional<EntityId> id) {
  if (!id || *id < 0) return std::nullopt;
  return id;
}
// A reference as two parameters: the id, or the local name.
void add_ref(Params& p, LocalNames& names, EntityType t, std::optional<EntityId> id) {
  p.add(stored_id(id));
  p.add(names.of(t, id));
}

// --- the statements ---------------------------------------------------------------------------

// A reference is two parameters, $a (an id) and $b (a local name): the id, else the id the
// batch's create of that name stored in the setting 'telcrm.<name>'. A create returns its id
// and, when it names the record, stores it there; every create appends "<type>:<id>" to
// 'telcrm.created', which the claim and the receipt then carry.
constexpr const char* insert_contact = R"sql(
WITH x AS (
  INSERT INTO contacts(name, responsible, company)
  VALUES($1, $2::bigint,
         COALESCE($3::bigint, NULLIF(current_setting('telcrm.' || $4::text, true), '')::bigint))
  RETURNING id),
p AS (
  INSERT INTO phones(owner_type, owner_id, position, phone, e164, e164_key, raw_key, form,
                     suffix_key)
  SELECT 1, x.id, u.n - 1, u.phone, u.e164, u.e164_key, u.raw_key, u.form, u.suffix_key
  FROM x, unnest($5::text[], $6::text[], $7::int8[], $8::int8[], $9::text[], $10::int8[])
          WITH ORDINALITY AS u(phone, e164, e164_key, raw_key, form, suffix_key, n)),
e AS (
  INSERT INTO emails(owner_type, owner_id, position, email)
  SELECT 1, x.id, u.n - 1, u.email FROM x, unnest($11::text[]) WITH ORDINALITY AS u(email, n))
SELECT x.id,
       CASE WHEN $12::text IS NOT NULL THEN set_config('telcrm.' || $12, x.id::text, true) END,
       set_config('telcrm.created', concat_ws(',', NULLIF(current_setting('telcrm.created', true),
                                                           ''), '1:' || x.id), true)
FROM x)sql";
constexpr const char* insert_company = R"sql(
WITH x AS (
  INSERT INTO companies(title, responsible) VALUES($1, $2::bigint) RETURNING id),
p AS (
  INSERT INTO phones(owner_type, owner_id, position, phone, e164, e164_key, raw_key, form,
                     suffix_key)
  SELECT 2, x.id, u.n - 1, u.phone, u.e164, u.e164_key, u.raw_key, u.form, u.suffix_key
  FROM x, unnest($3::text[], $4::text[], $5::int8[], $6::int8[], $7::text[], $8::int8[])
          WITH ORDINALITY AS u(phone, e164, e164_key, raw_key, form, suffix_key, n)),
e AS (
  INSERT INTO emails(owner_type, owner_id, position, email)
  SELECT 2, x.id, u.n - 1, u.email FROM x, unnest($9::text[]) WITH ORDINALITY AS u(email, n))
SELECT x.id,
       CASE WHEN $10::text IS NOT NULL THEN set_config('telcrm.' || $10, x.id::text, true) END,
       set_config('telcrm.created', concat_ws(',', NULLIF(current_setting('telcrm.created', true),
                                                           ''), '2:' || x.id), true)
FROM x)sql";
constexpr const char* insert_lead = R"sql(
WITH x AS (
  INSERT INTO leads(title, responsible, status, modified, contact, company, source, repeat)
  VALUES($1, $2::bigint, $3, $4::bigint,
         COALESCE($5::bigint, NULLIF(current_setting('telcrm.' || $6::text, true), '')::bigint),
         COALESCE($7::bigint, NULLIF(current_setting('telcrm.' || $8::text, true), '')::bigint),
         $9, $10::boolean)
  RETURNING id),
p AS (
  INSERT INTO phones(owner_type, owner_id, position, phone, e164, e164_key, raw_key, form,
                     suffix_key)
  SELECT 3, x.id, u.n - 1, u.phone, u.e164, u.e164_key, u.raw_key, u.form, u.suffix_key
  FROM x, unnest($11::text[], $12::text[], $13::int8[], $14::int8[], $15::text[], $16::int8[])
          WITH ORDINALITY AS u(phone, e164, e164_key, raw_key, form, suffix_key, n))
SELECT x.id,
       CASE WHEN $17::text IS NOT NULL THEN set_config('telcrm.' || $17, x.id::text, true) END,
       set_config('telcrm.created', concat_ws(',', NULLIF(current_setting('telcrm.created', true),
                                                           ''), '3:' || x.id), true)
FROM x)sql";
constexpr const char* insert_deal = R"sql(
WITH x AS (
  INSERT INTO deals(title, contact, company, responsible, stage, pipeline, modified, source,
                    repeat)
  VALUES($1,
         COALESCE($2::bigint, NULLIF(current_setting('telcrm.' || $3::text, true), '')::bigint),
         COALESCE($4::bigint, NULLIF(current_setting('telcrm.' || $5::text, true), '')::bigint),
         $6::bigint, $7, $8::bigint, $9::bigint, $10, $11::boolean)
  RETURNING id)
SELECT x.id,
       CASE WHEN $12::text IS NOT NULL THEN set_config('telcrm.' || $12, x.id::text, true) END,
       set_config('telcrm.created', concat_ws(',', NULLIF(current_setting('telcrm.created', true),
                                                           ''), '4:' || x.id), true)
FROM x)sql";
constexpr const char* insert_invoice = R"sql(
WITH x AS (
  INSERT INTO invoices(amount, entity_type, entity_id, responsible, call)
  VALUES($1::float8, $2::smallint,
         COALESCE($3::bigint, NULLIF(current_setting('telcrm.' || $4::text, true), '')::bigint),
         $5::bigint, $6)
  RETURNING id)
SELECT x.id,
       CASE WHEN $7::text IS NOT NULL THEN set_config('telcrm.' || $7, x.id::text, true) END,
       set_config('telcrm.created', concat_ws(',', NULLIF(current_setting('telcrm.created', true),
                                                           ''), '5:' || x.id), true)
FROM x)sql";
constexpr const char* insert_activity = R"sql(
WITH a AS (
  INSERT INTO activities(call, subject, direction, start, duration, status, responsible,
                         recording, voicemail, comment)
  VALUES($1, $2, $3, $4::bigint, $5::bigint, $6, $7::bigint, $8, $9, $10)
  RETURNING id)
INSERT INTO activity_bindings(activity, position, entity_type, entity_id)
SELECT a.id, u.n - 1, u.t,
       COALESCE(u.i, NULLIF(current_setting('telcrm.' || u.name, true), '')::bigint)
FROM a, unnest($11::smallint[], $12::int8[], $13::text[]) WITH ORDINALITY AS u(t, i, name, n)
)sql";
#define TELCRM_REASSIGN(table)                             \
  "UPDATE " table                                          \
  " SET responsible = $1 WHERE id = COALESCE($2::bigint, " \
  "NULLIF(current_setting('telcrm.' || $3::text, true), '')::bigint)"
constexpr const char* reassign_contact = TELCRM_REASSIGN("contacts");
constexpr const char* reassign_company = TELCRM_REASSIGN("companies");
constexpr const char* reassign_lead = TELCRM_REASSIGN("leads");
constexpr const char* reassign_deal = TELCRM_REASSIGN("deals");
constexpr const char* reassign_invoice = TELCRM_REASSIGN("invoices");
constexpr const char* insert_missed =
    "INSERT INTO missed_calls(number, call, called_back_by) VALUES($1, $2, $3)";
constexpr const char* mark_called_back =
    "UPDATE missed_calls SET called_back_by = $2 WHERE number = $1 AND called_back_by IS NULL";
constexpr const char* insert_history =
    "INSERT INTO history(call, direction, number, line, start, duration, status_code, employee, "
    "crm) VALUES($1, $2, $3, $4, $5::bigint, $6::bigint, $7::integer, $8::bigint, $9)";
constexpr const char* attach_recording = "UPDATE activities SET recording = $2 WHERE call = $1";
constexpr const char* reset_created = "SELECT set_config('telcrm.created', '', true)";
constexpr const char* insert_claim =
    "INSERT INTO claims(number, at, call, created, span) VALUES($1, $2::bigint, $3, "
    "coalesce(current_setting('telcrm.created', true), ''), $4::int8range)";
constexpr const char* put_receipt =
    "INSERT INTO receipts(call, seq, at, created, claimed_by) VALUES($1, $2::bigint, $3::bigint, "
    "coalesce(current_setting('telcrm.created', true), ''), NULL) ON CONFLICT (call, seq) DO "
    "UPDATE SET created = excluded.created, claimed_by = NULL, at = excluded.at";
constexpr const char* put_lost_receipt =
    "INSERT INTO receipts(call, seq, at, created, claimed_by) VALUES($1, $2::bigint, $3::bigint, "
    "$4, $5) ON CONFLICT (call, seq) DO UPDATE SET created = excluded.created, "
    "claimed_by = excluded.claimed_by, at = excluded.at";
constexpr const char* read_receipt =
    "SELECT created, claimed_by FROM receipts WHERE call = $1 AND seq = $2::bigint";
constexpr const char* read_claim =
    "SELECT call, created FROM claims WHERE number = $1 AND at BETWEEN $2::bigint AND $3::bigint "
    "AND call <> $4 ORDER BY id LIMIT 1";
constexpr const char* read_recordings =
    "SELECT DISTINCT call FROM activities WHERE call = ANY($1::text[])";
constexpr std::array<const char*, 5> read_exists{
    "SELECT id FROM contacts WHERE id = ANY($1::int8[]) FOR KEY SHARE",
    "SELECT id FROM companies WHERE id = ANY($1::int8[]) FOR KEY SHARE",
    "SELECT id FROM leads WHERE id = ANY($1::int8[]) FOR KEY SHARE",
    "SELECT id FROM deals WHERE id = ANY($1::int8[]) FOR KEY SHARE",
    "SELECT id FROM invoices WHERE id = ANY($1::int8[]) FOR KEY SHARE"};

}  // namespace

namespace {

// The phones of a record, as six array parameters.
void add_phones(const PostgresCrmStore::Impl& impl, Params& p, const IndexOptions& keys,
                const std::vector<std::string>& phones) {
  std::vector<std::optional<std::string>> text, e164, form;
  std::vector<std::optional<std::int64_t>> e164_key, raw_key, suffix_key;
  for (const auto& phone : phones) {
    text.emplace_back(phone);
    impl.phone_columns(phone, keys, e164, e164_key, raw_key, form, suffix_key);
  }
  p.add(text_array(text));
  p.add(text_array(e164));
  p.add(int_array(e164_key));
  p.add(int_array(raw_key));
  p.add(text_array(form));
  p.add(int_array(suffix_key));
}
}  // namespace

Reads add_reads(Pipeline& p, const WriteBatch& b, bool savepoint) {
  Reads r;
  r.first = p.size();
  if (savepoint) p.add(batch_savepoint);
  Params key;
  key.add(b.call).add(b.seq);
  r.receipt = p.add(read_receipt, key);
  if (b.claim) {
    Params c;
    const std::int64_t at = seconds_of(b.claim->at), w = b.claim->window.count();
    c.add(b.claim->number).add(at - w).add(at + w).add(b.call);
    r.claim = p.add(read_claim, c);
  }
  std::array<std::vector<std::int64_t>, 5> ids;
  for (const auto& op : b.ops)
    for_each_reference(op, [&](EntityType t, const std::optional<EntityId>& id) {
      if (id && *id >= 0) ids[static_cast<std::size_t>(type_code(t) - 1)].push_back(*id);
    });
  for (std::size_t t = 0; t < ids.size(); ++t) {
    if (ids[t].empty()) continue;
    std::sort(ids[t].begin(), ids[t].end());
    ids[t].erase(std::unique(ids[t].begin(), ids[t].end()), ids[t].end());
    Params q;
    q.add(int_array(ids[t]));
    r.exists[t] = p.add(read_exists[t], q);
  }
  std::vector<std::string> calls;
  for (const auto& op : b.ops)
    if (const auto* a = std::get_if<AttachRecording>(&op)) calls.push_back(a->call);
  if (!calls.empty()) {
    Params q;
    q.add(text_array(calls));
    r.recordings = p.add(read_recordings, q);
  }
  r.last = p.size();
  return r;
}

std::optional<std::string> LocalNames::of(EntityType type, std::optional<EntityId> id) {
  if (!id || *id >= 0) return std::nullopt;
  const EntityRef ref{type, *id};
  const auto at = std::find(seen_.begin(), seen_.end(), ref);
  const auto k = static_cast<std::size_t>(at - seen_.begin());
  if (at == seen_.end()) seen_.push_back(ref);
  return fmt::format("n{}", k);
}

void queue_writes(const PostgresCrmStore::Impl& impl, Pipeline& next, const WriteBatch& b,
                  const IndexOptions& keys, Seconds window, LocalNames& names, Writes& writes) {
  next.add(reset_created);
  auto created = [&](std::size_t at, EntityType t) {
    writes.creates.push_back(at);
    writes.types.push_back(t);
  };
  for (const auto& op : b.ops) {
    std::visit(Overloaded{
                   [&](const CreateContact& v) {
                     Params q;
                     q.add(v.contact.name).add(v.contact.responsible);
                     add_ref(q, names, EntityType::company, v.contact.company);
                     add_phones(impl, q, keys, v.contact.phones);
                     q.add(text_array(v.contact.emails));
                     q.add(names.of(EntityType::contact, v.contact.id));
                     created(next.add(insert_contact, q), EntityType::contact);
                   },
                   [&](const CreateCompany& v) {
                     Params q;
                     q.add(v.company.title).add(v.company.responsible);
                     add_phones(impl, q, keys, v.company.phones);
                     q.add(text_array(v.company.emails));
                     q.add(names.of(EntityType::company, v.company.id));
                     created(next.add(insert_company, q), EntityType::company);
                   },
                   [&](const CreateLead& v) {
                     const Lead& l = v.lead;
                     Params q;
                     q.add(l.title).add(l.responsible).add(format_as(l.status));
                     q.add(l.modified ? std::optional<std::int64_t>(seconds_of(*l.modified))
                                      : std::nullopt);
                     add_ref(q, names, EntityType::contact, l.contact);
                     add_ref(q, names, EntityType::company, l.company);
                     q.add(l.source).add(l.repeat);
                     add_phones(impl, q, keys, l.phones);
                     q.add(names.of(EntityType::lead, l.id));
                     created(next.add(insert_lead, q), EntityType::lead);
                   },
                   [&](const CreateDeal& v) {
                     const Deal& d = v.deal;
                     Params q;
                     q.add(d.title);
                     add_ref(q, names, EntityType::contact, d.contact);
                     add_ref(q, names, EntityType::company, d.company);
                     q.add(d.responsible).add(format_as(d.stage)).add(d.pipeline);
                     q.add(d.modified ? std::optional<std::int64_t>(seconds_of(*d.modified))
                                      : std::nullopt);
                     q.add(d.source).add(d.repeat);
                     q.add(names.of(EntityType::deal, d.id));
                     created(next.add(insert_deal, q), EntityType::deal);
                   },
                   [&](const CreateInvoice& v) {
                     const Invoice& i = v.invoice;
                     Params q;
                     q.add(i.amount).add(type_code(i.entity.type));
                     add_ref(q, names, i.entity.type, i.entity.id);
                     q.add(i.responsible).add(i.call);
                     q.add(names.of(EntityType::invoice, i.id));
                     created(next.add(insert_invoice, q), EntityType::invoice);
                   },
                   [&](const Reassign& v) {
                     const char* sql = reassign_contact;
                     switch (v.entity.type) {
                       case EntityType::contact: sql = reassign_contact; break;
                       case EntityType::company: sql = reassign_company; break;
                       case EntityType::lead: sql = reassign_lead; break;
                       case EntityType::deal: sql = reassign_deal; break;
                       case EntityType::invoice: sql = reassign_invoice; break;
                     }
                     Params q;
                     q.add(v.to);
                     add_ref(q, names, v.entity.type, v.entity.id);
                     next.add(sql, q);
                   },
                   [&](const WriteActivity& v) {
                     const CallActivity& a = v.activity;
                     Params q;
                     q.add(a.call).add(a.subject).add(format_as(a.direction));
                     q.add(seconds_of(a.start)).add(std::int64_t{a.duration.count()});
                     q.add(format_as(a.status)).add(a.responsible);
                     q.add(a.recording).add(a.voicemail).add(a.comment);
                     std::vector<std::optional<std::int64_t>> types, ids;
                     std::vector<std::optional<std::string>> locals;
                     for (const auto& bound : a.bindings) {
                       types.emplace_back(type_code(bound.type));
                       ids.push_back(stored_id(bound.id));
                       locals.push_back(names.of(bound.type, bound.id));
                     }
                     q.add(int_array(types)).add(int_array(ids)).add(text_array(locals));
                     next.add(insert_activity, q);
                   },
                   [&](const RecordMissedCall& v) {
                     Params q;
                     q.add(v.missed.number).add(v.missed.call).add(v.missed.called_back_by);
                     next.add(insert_missed, q);
                   },
                   [&](const MarkCalledBack& v) {
                     Params q;
                     q.add(v.number).add(v.call);
                     next.add(mark_called_back, q);
                   },
                   [&](const RecordCall& v) {
                     const CallRecord& h = v.record;
                     Params q;
                     q.add(h.call).add(format_as(h.direction)).add(h.number).add(h.line);
                     q.add(seconds_of(h.start)).add(std::int64_t{h.duration.count()});
                     q.add(code_of(h.status)).add(h.employee).add(format_as(h.crm));
                     next.add(insert_history, q);
                   },
                   [&](const AttachRecording& v) {
                     Params q;
                     q.add(v.call).add(v.recording);
                     next.add(attach_recording, q);
                   },
               },
               op);
  }
  if (b.claim) {
    Params q;
    const std::int64_t at = seconds_of(b.claim->at);
    q.add(b.claim->number).add(at).add(b.call);
    // The backstop covers the claims made with the shared window (see the schema).
    if (b.claim->window == window)
      q.add(fmt::format("[{},{}]", at, at + b.claim->window.count()));
    else
      q.add(std::nullopt);
    next.add(insert_claim, q);
  }
  Params r;
  r.add(b.call).add(b.seq).add(seconds_of(b.at));
  next.add(put_receipt, r);
}

std::vector<std::int64_t> lock_keys_of(std::span<const WriteBatch> batches,
                                       const PostgresTestHooks& hooks) {
  std::vector<std::int64_t> keys;
  for (const auto& b : batches) {
    if (b.claim && !hooks.claims_without_lock) keys.push_back(lock_key('n', b.claim->number));
    for (const auto& op : b.ops) {
      if (const auto* r = std::get_if<Reassign>(&op); r && r->entity.id >= 0)
        keys.push_back(
            lock_key('r', fmt::format("{}:{}", type_code(r->entity.type), r->entity.id)));
      if (const auto* m = std::get_if<MarkCalledBack>(&op))
        keys.push_back(lock_key('m', m->number));
      if (const auto* a = std::get_if<AttachRecording>(&op)) keys.push_back(lock_key('a', a->call));
    }
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

void queue_lost_receipt(Pipeline& next, const WriteBatch& b, const WriteReceipt& lost) {
  Params r;
  r.add(b.call).add(b.seq).add(seconds_of(b.at));
  r.add(encode_refs(lost.created)).add(lost.claimed_by.value_or(std::string()));
  next.add(put_lost_receipt, r);
}

}  // namespace pg_detail

// --- phone keys

void PostgresCrmStore::Impl::phone_columns(
    std::string_view phone, const IndexOptions& keys, std::vector<std::optional<std::string>>& e164,
    std::vector<std::optional<std::int64_t>>& e164_key,
    std::vector<std::optional<std::int64_t>>& raw_key,
    std::vector<std::optional<std::string>>& form,
    std::vector<std::optional<std::int64_t>>& suffix_key) const {
  const PhoneNumber n = normalizer_.normalize(phone, keys.default_region);
  e164.push_back(n.is_dialable() ? std::optional<std::string>(std::string(n.e164()))
                                 : std::nullopt);
  std::optional<std::int64_t> k164, kraw, ksuffix;
  std::optional<std::string> written;
  for (const auto& k : CrmIndex::keys_of(phone, keys, normalizer_)) {
    switch (k.kind) {
      case KeyKind::e164:
        k164 = std::bit_cast<std::int64_t>(k.key);
        written = std::string(format_as(k.form));
        break;
      case KeyKind::raw:
        kraw = std::bit_cast<std::int64_t>(k.key);
        written = std::string(format_as(k.form));
        break;
      case KeyKind::suffix: ksuffix = std::bit_cast<std::int64_t>(k.key); break;
    }
  }
  e164_key.push_back(k164);
  raw_key.push_back(kraw);
  form.push_back(written);
  suffix_key.push_back(ksuffix);
}

TELCRM_END_NAMESPACE
