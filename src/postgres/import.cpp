// SPDX-License-Identifier: Apache-2.0
// telcrm::postgres: import — a whole CRM in one transaction, each table with COPY.
#include "../compiled_lib.hpp"  // first: stops a build without TELCRM_COMPILED_LIB

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <unordered_set>

#include "store_impl.hpp"

TELCRM_BEGIN_NAMESPACE

using pg_detail::Connection;
using pg_detail::int_array;
using pg_detail::Params;
using pg_detail::Pipeline;
using pg_detail::text_array;
using pg_detail::type_code;

namespace {

constexpr std::int64_t import_lock = pg_detail::migration_lock + 3;

// --- COPY, text format -------------------------------------------------------------------------

// One table's rows for COPY … FROM STDIN, sent in chunks as they grow.
class CopyRows {
 public:
  CopyRows(Connection& c, const char* sql) : c_(c), sql_(sql) {}
  [[nodiscard]] Result<void> start() {
    PGresult* r = PQexec(c_.get(), sql_);
    pg_detail::PgResult owned(r);
    if (PQresultStatus(r) != PGRES_COPY_IN) return fail(c_.error_of(r, "import"));
    return {};
  }
  CopyRows& null() {
    sep();
    buf_ += "\\N";
    return *this;
  }
  CopyRows& text(std::string_view v) {
    sep();
    for (char ch : v) {
      switch (ch) {
        case '\\': buf_ += "\\\\"; break;
        case '\n': buf_ += "\\n"; break;
        case '\r': buf_ += "\\r"; break;
        case '\t': buf_ += "\\t"; break;
        default: buf_ += ch;
      }
    }
    return *this;
  }
  CopyRows& number(std::int64_t v) {
    sep();
    buf_ += std::to_string(v);
    return *this;
  }
  CopyRows& real(double v) {
    sep();
    buf_ += fmt::format("{}", v);
    return *this;
  }
  CopyRows& flag(bool v) {
    sep();
    buf_ += v ? 't' : 'f';
    return *this;
  }
  template <class T>
  CopyRows& opt(const std::optional<T>& v) {
    if (!v) return null();
    if constexpr (std::is_same_v<T, std::string>)
      return text(*v);
    else
      return number(*v);
  }
  [[nodiscard]] Result<void> end_row() {
    buf_ += '\n';
    first_ = true;
    if (buf_.size() < (1 << 16)) return {};
    return flush();
  }
  [[nodiscard]] Result<void> finish() {
    if (auto ok = flush(); !ok) return ok;
    if (PQputCopyEnd(c_.get(), nullptr) != 1) return fail(c_.connection_error("import"));
    pg_detail::PgResult r(PQgetResult(c_.get()));
    const bool ok = PQresultStatus(r.get()) == PGRES_COMMAND_OK;
    Error e = ok ? Error() : c_.error_of(r.get(), "import");
    while (PGresult* more = PQgetResult(c_.get())) PQclear(more);
    if (!ok) return fail(std::move(e));
    return {};
  }

 private:
  void sep() {
    if (!first_) buf_ += '\t';
    first_ = false;
  }
  [[nodiscard]] Result<void> flush() {
    if (!buf_.empty() && PQputCopyData(c_.get(), buf_.data(), static_cast<int>(buf_.size())) != 1)
      return fail(c_.connection_error("import"));
    buf_.clear();
    return {};
  }
  Connection& c_;
  const char* sql_;
  std::string buf_;
  bool first_ = true;
};

Result<void> check_snapshot(const CrmSnapshot& crm) {
  std::array<std::unordered_set<EntityId>, 5> ids;
  auto ids_of = [&](EntityType t) -> std::unordered_set<EntityId>& {
    return ids[static_cast<std::size_t>(t)];
  };
  auto add = [&](EntityType t, EntityId id) -> Result<void> {
    if (!ids_of(t).insert(id).second)
      return fail(Errc::invalid_argument, fmt::format("snapshot: {} {} appears twice", t, id));
    return {};
  };
  for (const auto& c : crm.contacts)
    if (auto ok = add(EntityType::contact, c.id); !ok) return ok;
  for (const auto& c : crm.companies)
    if (auto ok = add(EntityType::company, c.id); !ok) return ok;
  for (const auto& l : crm.leads)
    if (auto ok = add(EntityType::lead, l.id); !ok) return ok;
  for (const auto& d : crm.deals)
    if (auto ok = add(EntityType::deal, d.id); !ok) return ok;
  for (const auto& i : crm.invoices)
    if (auto ok = add(EntityType::invoice, i.id); !ok) return ok;
  std::unordered_set<EntityId> activities;
  for (const auto& a : crm.activities)
    if (!activities.insert(a.id).second)
      return fail(Errc::invalid_argument, fmt::format("snapshot: activity {} appears twice", a.id));
  auto ref = [&](EntityRef owner, EntityType type,
                 const std::optional<EntityId>& id) -> Result<void> {
    if (id && ids_of(type).count(*id) == 0)
      return fail(Errc::invalid_argument, fmt::format("snapshot: {} {}: {} {} does not exist",
                                                      owner.type, owner.id, type, *id));
    return {};
  };
  for (const auto& c : crm.contacts)
    if (auto ok = ref({EntityType::contact, c.id}, EntityType::company, c.company); !ok) return ok;
  for (const auto& l : crm.leads) {
    if (auto ok = ref({EntityType::lead, l.id}, EntityType::contact, l.contact); !ok) return ok;
    if (auto ok = ref({EntityType::lead, l.id}, EntityType::company, l.company); !ok) return ok;
  }
  for (const auto& d : crm.deals) {
    if (auto ok = ref({EntityType::deal, d.id}, EntityType::contact, d.contact); !ok) return ok;
    if (auto ok = ref({EntityType::deal, d.id}, EntityType::company, d.company); !ok) return ok;
  }
  for (const auto& i : crm.invoices)
    if (auto ok = ref({EntityType::invoice, i.id}, i.entity.type, i.entity.id); !ok) return ok;
  for (const auto& a : crm.activities)
    for (const auto& b : a.bindings)
      if (ids_of(b.type).count(b.id) == 0)
        return fail(Errc::invalid_argument,
                    fmt::format("snapshot: activity {}: {} {} does not exist", a.id, b.type, b.id));
  return {};
}

}  // namespace

// --- import -------------------------------------------------------------------------------------

Result<void> PostgresCrmStore::Impl::import_locked(const CrmSnapshot& crm,
                                                   const PostgresProgress& progress) {
  if (auto ok = check_snapshot(crm); !ok) return ok;
  std::size_t phones = 0;
  for (const auto& c : crm.contacts) phones += c.phones.size();
  for (const auto& c : crm.companies) phones += c.phones.size();
  for (const auto& l : crm.leads) phones += l.phones.size();
  const std::size_t total = crm.contacts.size() + crm.companies.size() + crm.leads.size() +
                            crm.deals.size() + crm.invoices.size() + crm.activities.size() +
                            crm.missed_calls.size() + crm.history.size();
  const std::size_t every = std::max<std::size_t>(1, total / 200);
  std::size_t done = 0;
  auto step = [&] {
    ++done;
    if (progress && (done % every == 0 || done == total)) progress(done, total);
  };
  if (progress) progress(0, total);
  if (auto ok = ensure_writer(); !ok) return ok;
  Connection& c = writer_;
  // Nodes importing at once: one imports, the others find its records (already_exists).
  if (auto ok = begin_unit(c, "import"); !ok) return fail(ok.error());
  {
    Params p;
    p.add(import_lock);
    auto locked = c.query(
        "SELECT pg_advisory_xact_lock($1::bigint), EXISTS(SELECT 1 FROM contacts) OR "
        "EXISTS(SELECT 1 FROM companies) OR EXISTS(SELECT 1 FROM leads) OR "
        "EXISTS(SELECT 1 FROM deals) OR EXISTS(SELECT 1 FROM invoices) OR "
        "EXISTS(SELECT 1 FROM activities) OR EXISTS(SELECT 1 FROM missed_calls) OR "
        "EXISTS(SELECT 1 FROM history)",
        p, "import");
    if (!locked) {
      abort_unit(c);
      return fail(locked.error());
    }
    if (locked->flag(0, 1)) {
      abort_unit(c);
      return fail(
          Errc::already_exists,
          fmt::format("{}: already holds CRM records; import into an empty database", c.label()));
    }
  }
  const IndexOptions keys = this->keys();
  auto copy = [&](const char* sql, auto&& rows) -> Result<void> {
    CopyRows out(c, sql);
    if (auto ok = out.start(); !ok) return ok;
    if (auto ok = rows(out); !ok) {
      (void)PQputCopyEnd(c.get(), "import failed");
      while (PGresult* more = PQgetResult(c.get())) PQclear(more);
      return ok;
    }
    return out.finish();
  };
  auto each = [&](auto& out, const auto& list, auto&& row) -> Result<void> {
    for (const auto& v : list) {
      row(out, v);
      if (auto ok = out.end_row(); !ok) return ok;
      step();
    }
    return {};
  };
  // Companies first: contacts, leads and deals refer to them (foreign keys).
  std::vector<Result<void>> steps;
  auto run = [&]() -> Result<void> {
    if (auto copied = copy("COPY companies(id, title, responsible) FROM STDIN",
                           [&](CopyRows& out) {
                             return each(out, crm.companies, [](CopyRows& o, const Company& v) {
                               o.number(v.id).text(v.title).opt(v.responsible);
                             });
                           });
        !copied)
      return copied;
    if (auto copied = copy("COPY contacts(id, name, responsible, company) FROM STDIN",
                           [&](CopyRows& out) {
                             return each(out, crm.contacts, [](CopyRows& o, const Contact& v) {
                               o.number(v.id).text(v.name).opt(v.responsible).opt(v.company);
                             });
                           });
        !copied)
      return copied;
    if (auto copied =
            copy("COPY leads(id, title, responsible, status, modified, contact, company, source, "
                 "repeat) FROM STDIN",
                 [&](CopyRows& out) {
                   return each(out, crm.leads, [](CopyRows& o, const Lead& v) {
                     o.number(v.id).text(v.title).opt(v.responsible).text(format_as(v.status));
                     if (v.modified)
                       o.number(v.modified->time_since_epoch().count());
                     else
                       o.null();
                     o.opt(v.contact).opt(v.company).opt(v.source).flag(v.repeat);
                   });
                 });
        !copied)
      return copied;
    if (auto copied =
            copy("COPY deals(id, title, contact, company, responsible, stage, pipeline, modified, "
                 "source, repeat) FROM STDIN",
                 [&](CopyRows& out) {
                   return each(out, crm.deals, [](CopyRows& o, const Deal& v) {
                     o.number(v.id).text(v.title).opt(v.contact).opt(v.company).opt(v.responsible);
                     o.text(format_as(v.stage)).number(v.pipeline);
                     if (v.modified)
                       o.number(v.modified->time_since_epoch().count());
                     else
                       o.null();
                     o.opt(v.source).flag(v.repeat);
                   });
                 });
        !copied)
      return copied;
    if (auto copied =
            copy("COPY invoices(id, amount, entity_type, entity_id, responsible, call) FROM STDIN",
                 [&](CopyRows& out) {
                   return each(out, crm.invoices, [](CopyRows& o, const Invoice& v) {
                     o.number(v.id).real(v.amount).number(type_code(v.entity.type));
                     o.number(v.entity.id).opt(v.responsible).text(v.call);
                   });
                 });
        !copied)
      return copied;
    if (auto copied =
            copy("COPY activities(id, call, subject, direction, start, duration, status, "
                 "responsible, recording, voicemail, comment) FROM STDIN",
                 [&](CopyRows& out) {
                   return each(out, crm.activities, [](CopyRows& o, const CallActivity& v) {
                     o.number(v.id).text(v.call).text(v.subject).text(format_as(v.direction));
                     o.number(v.start.time_since_epoch().count()).number(v.duration.count());
                     o.text(format_as(v.status)).opt(v.responsible).opt(v.recording);
                     o.opt(v.voicemail).opt(v.comment);
                   });
                 });
        !copied)
      return copied;
    if (auto copied =
            copy("COPY activity_bindings(activity, position, entity_type, entity_id) FROM STDIN",
                 [&](CopyRows& out) -> Result<void> {
                   for (const auto& a : crm.activities)
                     for (std::size_t i = 0; i < a.bindings.size(); ++i) {
                       out.number(a.id).number(static_cast<std::int64_t>(i));
                       out.number(type_code(a.bindings[i].type)).number(a.bindings[i].id);
                       if (auto ok = out.end_row(); !ok) return ok;
                     }
                   return {};
                 });
        !copied)
      return copied;
    if (auto copied = copy("COPY missed_calls(number, call, called_back_by) FROM STDIN",
                           [&](CopyRows& out) {
                             return each(out, crm.missed_calls,
                                         [](CopyRows& o, const MissedCall& v) {
                                           o.text(v.number).text(v.call).opt(v.called_back_by);
                                         });
                           });
        !copied)
      return copied;
    if (auto copied =
            copy("COPY history(call, direction, number, line, start, duration, status_code, "
                 "employee, crm) FROM STDIN",
                 [&](CopyRows& out) {
                   return each(out, crm.history, [](CopyRows& o, const CallRecord& v) {
                     o.text(v.call).text(format_as(v.direction)).text(v.number).text(v.line);
                     o.number(v.start.time_since_epoch().count()).number(v.duration.count());
                     o.number(code_of(v.status)).opt(v.employee).text(format_as(v.crm));
                   });
                 });
        !copied)
      return copied;
    if (auto copied = copy(
            "COPY phones(owner_type, owner_id, position, phone, e164, e164_key, raw_key, form, "
            "suffix_key) FROM STDIN",
            [&](CopyRows& out) -> Result<void> {
              std::vector<std::optional<std::string>> e164, form;
              std::vector<std::optional<std::int64_t>> e164_key, raw_key, suffix_key;
              auto rows = [&](EntityType t, EntityId id,
                              const std::vector<std::string>& list) -> Result<void> {
                for (std::size_t i = 0; i < list.size(); ++i) {
                  e164.clear(), form.clear(), e164_key.clear(), raw_key.clear(), suffix_key.clear();
                  phone_columns(list[i], keys, e164, e164_key, raw_key, form, suffix_key);
                  out.number(type_code(t)).number(id).number(static_cast<std::int64_t>(i));
                  out.text(list[i]).opt(e164[0]).opt(e164_key[0]).opt(raw_key[0]);
                  out.opt(form[0]).opt(suffix_key[0]);
                  if (auto ok = out.end_row(); !ok) return ok;
                }
                return {};
              };
              for (const auto& v : crm.contacts)
                if (auto ok = rows(EntityType::contact, v.id, v.phones); !ok) return ok;
              for (const auto& v : crm.companies)
                if (auto ok = rows(EntityType::company, v.id, v.phones); !ok) return ok;
              for (const auto& v : crm.leads)
                if (auto ok = rows(EntityType::lead, v.id, v.phones); !ok) return ok;
              return {};
            });
        !copied)
      return copied;
    if (auto copied = copy("COPY emails(owner_type, owner_id, position, email) FROM STDIN",
                           [&](CopyRows& out) -> Result<void> {
                             auto rows = [&](EntityType t, EntityId id,
                                             const std::vector<std::string>& list) -> Result<void> {
                               for (std::size_t i = 0; i < list.size(); ++i) {
                                 out.number(type_code(t)).number(id);
                                 out.number(static_cast<std::int64_t>(i)).text(list[i]);
                                 if (auto ok = out.end_row(); !ok) return ok;
                               }
                               return {};
                             };
                             for (const auto& v : crm.contacts)
                               if (auto ok = rows(EntityType::contact, v.id, v.emails); !ok)
                                 return ok;
                             for (const auto& v : crm.companies)
                               if (auto ok = rows(EntityType::company, v.id, v.emails); !ok)
                                 return ok;
                             return {};
                           });
        !copied)
      return copied;
    // The identity columns continue after the ids loaded (nodes then create beyond them).
    if (auto ok = c.exec(
            "SELECT setval(pg_get_serial_sequence('contacts', 'id'), max(id)) FROM contacts "
            "HAVING max(id) IS NOT NULL;"
            "SELECT setval(pg_get_serial_sequence('companies', 'id'), max(id)) FROM companies "
            "HAVING max(id) IS NOT NULL;"
            "SELECT setval(pg_get_serial_sequence('leads', 'id'), max(id)) FROM leads "
            "HAVING max(id) IS NOT NULL;"
            "SELECT setval(pg_get_serial_sequence('deals', 'id'), max(id)) FROM deals "
            "HAVING max(id) IS NOT NULL;"
            "SELECT setval(pg_get_serial_sequence('invoices', 'id'), max(id)) FROM invoices "
            "HAVING max(id) IS NOT NULL;"
            "SELECT setval(pg_get_serial_sequence('activities', 'id'), max(id)) FROM activities "
            "HAVING max(id) IS NOT NULL",
            "import");
        !ok)
      return fail(ok.error());
    return {};
  };
  (void)phones;
  if (auto ok = run(); !ok) {
    abort_unit(c);
    return ok;
  }
  if (auto ok = end_unit(c, "import"); !ok) {
    abort_unit(c);
    return fail(ok.error());
  }
  wrote(true, false, false);
  return {};
}

Result<void> PostgresCrmStore::import(const CrmSnapshot& crm, const PostgresProgress& progress) {
  std::lock_guard lock(impl_->write_mutex_);
  return impl_->import_locked(crm, progress);  // inside an open group: a savepoint of it
}

TELCRM_END_NAMESPACE
