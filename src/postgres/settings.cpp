// SPDX-License-Identifier: Apache-2.0
// telcrm::postgres: what every node shares besides the CRM — the directory, the settings,
// the phone keys and the claim window, kept in `meta` and announced to the other nodes.
#include "../compiled_lib.hpp"  // first: stops a build without TELCRM_COMPILED_LIB

#include <telcrm/json/settings_json.hpp>

#include <fmt/format.h>

#include "store_impl.hpp"

TELCRM_BEGIN_NAMESPACE

using pg_detail::Connection;
using pg_detail::int_array;
using pg_detail::Params;
using pg_detail::Pipeline;
using pg_detail::text_array;

namespace {

bool same_keys(const IndexOptions& a, const IndexOptions& b) {
  return a.default_region == b.default_region && a.suffix_digits == b.suffix_digits;
}

// Rolls back the writer's open transaction (after a failure), if any.
void roll_back(Connection& c) {
  if (!c.broken() && PQtransactionStatus(c.get()) != PQTRANS_IDLE)
    (void)c.exec("ROLLBACK", "rolling back");
}

}  // namespace

// --- the directory --------------------------------------------------------------------------

Result<void> PostgresCrmStore::Impl::put_employees(const std::vector<Employee>& staff) {
  std::vector<std::int64_t> ids;
  std::vector<std::string> names, presence, workday;
  std::vector<std::optional<std::string>> active, mobile, personal, work, extension;
  for (const auto& e : staff) {
    ids.push_back(e.id);
    names.push_back(e.name);
    active.emplace_back(e.active ? "t" : "f");
    presence.emplace_back(format_as(e.presence));
    workday.emplace_back(format_as(e.workday));
    mobile.push_back(e.phones.mobile);
    personal.push_back(e.phones.personal);
    work.push_back(e.phones.work);
    extension.push_back(e.extension);
  }
  Pipeline p(writer_);
  // One replacement at a time across nodes (reads go on): two interleaved delete-and-insert
  // would meet on the primary key.
  p.add("LOCK TABLE employees IN SHARE ROW EXCLUSIVE MODE");
  p.add("DELETE FROM employees");
  Params q;
  q.add(int_array(ids)).add(text_array(names)).add(text_array(active));
  q.add(text_array(presence)).add(text_array(workday)).add(text_array(mobile));
  q.add(text_array(personal)).add(text_array(work)).add(text_array(extension));
  p.add(
      "INSERT INTO employees(id, name, active, presence, workday, mobile, personal, work, "
      "extension) SELECT * FROM unnest($1::int8[], $2::text[], $3::boolean[], $4::text[], "
      "$5::text[], $6::text[], $7::text[], $8::text[], $9::text[])",
      q);
  return p.run("writing employees");
}

Result<void> PostgresCrmStore::set_employees(const std::vector<Employee>& employees) {
  std::lock_guard lock(impl_->write_mutex_);
  Impl& e = *impl_;
  if (e.group_open_)
    return fail(Errc::invalid_state, e.writer_.label() + ": a write group is open");
  if (auto ok = e.ensure_writer(); !ok) return ok;
  if (auto ok = e.writer_.exec("BEGIN", "writing employees"); !ok) return fail(ok.error());
  if (auto ok = e.put_employees(employees); !ok) {
    roll_back(e.writer_);
    return ok;
  }
  if (auto ok = e.writer_.exec("COMMIT", "writing employees"); !ok) {
    roll_back(e.writer_);
    return fail(ok.error());
  }
  e.listener_.bump_directory();
  e.wrote(false, true, false);
  return {};
}

Result<bool> PostgresCrmStore::Impl::set_employee_field(const char* sql, EmployeeId id,
                                                        std::string_view value) {
  if (auto ok = ensure_writer(); !ok) return fail(ok.error());
  Params p;
  p.add(id).add(value);
  auto r = writer_.query(sql, p, "writing employees");
  if (!r) return fail(r.error());
  const bool changed = r->rows() > 0;
  if (changed) {
    listener_.bump_directory();
    wrote(false, true, false);
  }
  return changed;
}

Result<bool> PostgresCrmStore::set_presence(EmployeeId id, Presence presence) {
  std::lock_guard lock(impl_->write_mutex_);
  return impl_->set_employee_field(
      "UPDATE employees SET presence = $2 WHERE id = $1::bigint RETURNING id", id,
      format_as(presence));
}

Result<bool> PostgresCrmStore::set_workday(EmployeeId id, Workday workday) {
  std::lock_guard lock(impl_->write_mutex_);
  return impl_->set_employee_field(
      "UPDATE employees SET workday = $2 WHERE id = $1::bigint RETURNING id", id,
      format_as(workday));
}

// --- phone keys and the claim window
// --------------------------------------------------------------

Result<void> PostgresCrmStore::Impl::reload_keys_locked() {
  auto r = writer_.query(
      "SELECT (SELECT value FROM meta WHERE key = 'key_region'), "
      "(SELECT value FROM meta WHERE key = 'key_suffix_digits'), "
      "(SELECT value FROM meta WHERE key = 'key_version'), "
      "(SELECT value FROM meta WHERE key = 'claim_window')",
      {}, "reading the key options");
  if (!r) return fail(r.error());
  std::lock_guard lock(keys_mutex_);
  if (!r->is_null(0, 0)) {
    IndexOptions o;
    const auto code = r->text(0, 0);
    if (!code.empty()) {
      auto region = Region::from_code(code);
      if (!region)
        return fail(Errc::storage_corrupt,
                    fmt::format("{}: unknown key region '{}'", writer_.label(), code));
      o.default_region = *region;
    }
    o.suffix_digits = r->is_null(0, 1) ? 0 : static_cast<int>(r->int64(0, 1));
    keys_ = o;
  }
  key_version_ = r->is_null(0, 2) ? 0 : r->int64(0, 2);
  if (!r->is_null(0, 3)) claim_window_ = Seconds(r->int64(0, 3));
  return {};
}

Result<void> PostgresCrmStore::Impl::rekey_locked(const IndexOptions& fresh) {
  // Writers hold this lock shared while they write phones: the re-key waits for them, and
  // they then read the new options before writing any phone.
  if (auto ok = writer_.exec("SELECT pg_advisory_xact_lock(5787286014313365506)", "re-keying"); !ok)
    return fail(ok.error());
  auto all = writer_.query("SELECT owner_type, owner_id, position, phone FROM phones", {},
                           "re-keying phones");
  if (!all) return fail(all.error());
  std::vector<std::int64_t> types, ids, positions;
  std::vector<std::optional<std::string>> e164, form;
  std::vector<std::optional<std::int64_t>> e164_key, raw_key, suffix_key;
  for (int i = 0; i < all->rows(); ++i) {
    types.push_back(all->int64(i, 0));
    ids.push_back(all->int64(i, 1));
    positions.push_back(all->int64(i, 2));
    phone_columns(all->text(i, 3), fresh, e164, e164_key, raw_key, form, suffix_key);
  }
  Pipeline p(writer_);
  if (!types.empty()) {
    Params q;
    q.add(int_array(types)).add(int_array(ids)).add(int_array(positions));
    q.add(text_array(e164)).add(int_array(e164_key)).add(int_array(raw_key));
    q.add(text_array(form)).add(int_array(suffix_key));
    p.add(
        "UPDATE phones SET e164 = u.e164, e164_key = u.e164_key, raw_key = u.raw_key, "
        "form = u.form, suffix_key = u.suffix_key FROM unnest($1::int8[], $2::int8[], "
        "$3::int8[], $4::text[], $5::int8[], $6::int8[], $7::text[], $8::int8[]) "
        "AS u(t, i, n, e164, e164_key, raw_key, form, suffix_key) "
        "WHERE owner_type = u.t AND owner_id = u.i AND position = u.n",
        q);
  }
  Params m;
  m.add(std::string(fresh.default_region.code())).add(std::int64_t{fresh.suffix_digits});
  const auto version = p.add(
      "INSERT INTO meta(key, value) VALUES('key_region', $1), ('key_suffix_digits', $2), "
      "('key_version', '1') ON CONFLICT (key) DO UPDATE SET value = CASE WHEN meta.key = "
      "'key_version' THEN (meta.value::bigint + 1)::text ELSE excluded.value END "
      "RETURNING key, value",
      m);
  if (auto ok = p.run("re-keying phones"); !ok) return ok;
  std::lock_guard lock(keys_mutex_);
  keys_ = fresh;
  for (int i = 0; i < p[version].rows(); ++i)
    if (p[version].text(i, 0) == "key_version") key_version_ = p[version].int64(i, 1);
  return {};
}

Result<void> PostgresCrmStore::Impl::resolve_options() {
  if (auto ok = reload_keys_locked(); !ok) return ok;
  auto stored_region = writer_.query("SELECT value FROM meta WHERE key = 'key_region'", {},
                                     "reading the key options");
  if (!stored_region) return fail(stored_region.error());
  const bool stored = stored_region->rows() > 0;
  if (options_.read_only) return {};
  if (options_.claim_window && *options_.claim_window != claim_window_) {
    Params w;
    w.add(std::int64_t{options_.claim_window->count()});
    if (auto ok = writer_.query("INSERT INTO meta(key, value) VALUES('claim_window', $1) "
                                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                                w, "writing the claim window");
        !ok)
      return fail(ok.error());
    std::lock_guard lock(keys_mutex_);
    claim_window_ = *options_.claim_window;
  }
  std::optional<IndexOptions> wanted = options_.phone_keys;
  if (!wanted && !stored) {
    auto settings = load_settings_with(writer_);
    if (!settings) return fail(settings.error());
    IndexOptions o;
    if (*settings) {
      o.default_region = (*settings)->default_region;
      o.suffix_digits = (*settings)->match_suffix_digits;
    }
    wanted = o;
  }
  if (!wanted || (stored && same_keys(keys(), *wanted))) return {};
  if (auto ok = writer_.exec("BEGIN", "re-keying"); !ok) return fail(ok.error());
  if (auto ok = rekey_locked(*wanted); !ok) {
    roll_back(writer_);
    return ok;
  }
  if (auto ok = writer_.exec("COMMIT", "re-keying"); !ok) {
    roll_back(writer_);
    return fail(ok.error());
  }
  return {};
}

// --- settings -----------------------------------------------------------------------------------

Result<void> PostgresCrmStore::Impl::save_settings_locked(const IntegrationSettings& settings,
                                                          std::span<const Employee> employees) {
  const std::string text = settings_to_json(settings);  // employees: the directory's table
  if (auto ok = ensure_writer(); !ok) return ok;
  if (auto ok = begin_unit(writer_, "saving the settings"); !ok) return fail(ok.error());
  Params p;
  p.add(text);
  if (auto ok = writer_.query("INSERT INTO meta(key, value) VALUES('settings', $1) "
                              "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                              p, "saving the settings");
      !ok) {
    abort_unit(writer_);
    return fail(ok.error());
  }
  if (auto ok = put_employees({employees.begin(), employees.end()}); !ok) {
    abort_unit(writer_);
    return ok;
  }
  const IndexOptions wanted{settings.default_region, settings.match_suffix_digits};
  const IndexOptions before = keys();
  const std::int64_t version_before = key_version_;
  if (!options_.phone_keys && !same_keys(wanted, before))
    if (auto ok = rekey_locked(wanted); !ok) {
      abort_unit(writer_);
      std::lock_guard lock(keys_mutex_);
      keys_ = before;
      key_version_ = version_before;
      return ok;
    }
  if (auto ok = end_unit(writer_, "saving the settings"); !ok) {
    abort_unit(writer_);
    std::lock_guard lock(keys_mutex_);
    keys_ = before;
    key_version_ = version_before;
    return fail(ok.error());
  }
  listener_.bump_directory();
  wrote(false, true, true);
  return {};
}

Result<void> PostgresCrmStore::save_settings(const IntegrationSettings& settings,
                                             std::span<const Employee> employees) {
  std::lock_guard lock(impl_->write_mutex_);
  return impl_->save_settings_locked(settings, employees);  // inside an open group: a savepoint
}

TELCRM_END_NAMESPACE
