// SPDX-License-Identifier: Apache-2.0
// telcrm::sqlite: the Directory port (employees) and the stored settings.
#include "../compiled_lib.hpp"  // first: stops a build without TELCRM_COMPILED_LIB

#include <telcrm/json/settings_json.hpp>

#include <fmt/format.h>

#include <mutex>

#include "store_impl.hpp"

TELCRM_BEGIN_NAMESPACE

namespace {

Employee read_employee(Row& r) {
  Employee e;
  e.id = r.int64(0);
  e.name = r.text(1);
  e.active = r.flag(2);
  e.presence = r.one_of(3, presences);
  e.workday = r.one_of(4, workdays);
  e.phones.mobile = r.opt_text(5);
  e.phones.personal = r.opt_text(6);
  e.phones.work = r.opt_text(7);
  e.extension = r.opt_text(8);
  return e;
}

}  // namespace

Result<std::optional<IntegrationSettings>> SqliteCrmStore::Impl::load_settings_locked() const {
  auto text = meta_text("settings");
  if (!text) return fail(text.error());
  if (!*text) return std::optional<IntegrationSettings>{};
  auto settings = settings_from_json(**text, "settings");
  if (!settings)
    return fail(Errc::storage_corrupt, fmt::format("{}: the stored settings do not read: {}",
                                                   conn_.path(), settings.error().message()));
  return std::optional<IntegrationSettings>(std::move(settings->settings));
}

Result<std::vector<Employee>> SqliteCrmStore::Impl::employees_locked() const {
  auto s = stmt("SELECT " TELCRM_EMPLOYEE_COLUMNS " FROM employees ORDER BY id");
  if (!s) return fail(s.error());
  Use use(**s);
  return read_all<Employee>(*use, "employees", read_employee);
}

// --- the directory -------------------------------------------------------------------------
Result<void> SqliteCrmStore::Impl::put_employees(const std::vector<Employee>& staff) {
  if (auto ok = conn_.exec("DELETE FROM employees"); !ok) return ok;
  auto s = stmt("INSERT INTO employees(" TELCRM_EMPLOYEE_COLUMNS
                ") VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  if (!s) return fail(s.error());
  for (const auto& e : staff) {
    Statement& st = **s;
    st.bind(1, e.id);
    st.bind(2, e.name);
    st.bind(3, e.active);
    st.bind(4, format_as(e.presence));
    st.bind(5, format_as(e.workday));
    st.bind(6, e.phones.mobile);
    st.bind(7, e.phones.personal);
    st.bind(8, e.phones.work);
    st.bind(9, e.extension);
    if (auto ok = conn_.run(st, "writing employees"); !ok) return ok;
  }
  return bump_directory();
}

template <class V>
Result<bool> SqliteCrmStore::Impl::set_employee_field(const char* sql, EmployeeId id, V value) {
  if (auto ok = begin_write(); !ok) return fail(ok.error());
  auto s = stmt(sql);
  if (!s) return abort_write(s.error());
  (*s)->bind(1, id);
  (*s)->bind(2, format_as(value));
  if (auto ok = conn_.run(**s, "writing employees"); !ok) return abort_write(ok.error());
  const bool changed = sqlite3_changes(conn_.get()) > 0;
  if (changed)
    if (auto ok = bump_directory(); !ok) return abort_write(ok.error());
  if (auto ok = commit_write(); !ok) return fail(ok.error());
  return changed;
}

// --- Directory ------------------------------------------------------------------------------

Result<std::vector<Employee>> SqliteCrmStore::employees() const {
  std::lock_guard lock(impl_->mutex_);
  return impl_->employees_locked();
}

Result<std::optional<Employee>> SqliteCrmStore::find_employee(EmployeeId id) const {
  std::lock_guard lock(impl_->mutex_);
  return impl_->find_one<Employee>("SELECT " TELCRM_EMPLOYEE_COLUMNS
                                   " FROM employees WHERE id = ?1",
                                   id, "employees", read_employee);
}

Result<std::uint64_t> SqliteCrmStore::version() const {
  std::lock_guard lock(impl_->mutex_);
  auto v = impl_->conn_.query_int("SELECT value FROM meta WHERE key = 'directory_version'");
  if (!v) return fail(v.error());
  return static_cast<std::uint64_t>(v->value_or(0)) + 1;
}

Result<void> SqliteCrmStore::set_employees(const std::vector<Employee>& employees) {
  std::lock_guard lock(impl_->mutex_);
  if (auto ok = impl_->begin_write(); !ok) return ok;
  if (auto ok = impl_->put_employees(employees); !ok) return impl_->abort_write(ok.error());
  return impl_->commit_write();
}

Result<bool> SqliteCrmStore::set_presence(EmployeeId id, Presence presence) {
  std::lock_guard lock(impl_->mutex_);
  return impl_->set_employee_field("UPDATE employees SET presence = ?2 WHERE id = ?1", id,
                                   presence);
}

Result<bool> SqliteCrmStore::set_workday(EmployeeId id, Workday workday) {
  std::lock_guard lock(impl_->mutex_);
  return impl_->set_employee_field("UPDATE employees SET workday = ?2 WHERE id = ?1", id, workday);
}

// --- settings -------------------------------------------------------------------------------

Result<void> SqliteCrmStore::save_settings(const IntegrationSettings& settings,
                                           std::span<const Employee> employees) {
  const std::string text = settings_to_json(settings);  // employees: the directory's table
  std::lock_guard lock(impl_->mutex_);
  Impl& e = *impl_;
  if (auto ok = e.begin_write(); !ok) return ok;
  if (auto ok = e.put_meta("settings", text); !ok) return e.abort_write(ok.error());
  if (auto ok = e.put_employees({employees.begin(), employees.end()}); !ok)
    return e.abort_write(ok.error());
  const IndexOptions wanted{settings.default_region, settings.match_suffix_digits};
  const IndexOptions before = e.keys_;
  if (!e.options_.phone_keys && !same_keys(wanted, e.keys_))
    if (auto ok = e.rekey_locked(wanted); !ok) return e.abort_write(ok.error());
  if (auto ok = e.commit_write(); !ok) {
    e.keys_ = before;
    return ok;
  }
  return {};
}

Result<std::optional<IntegrationSettings>> SqliteCrmStore::load_settings() const {
  std::lock_guard lock(impl_->mutex_);
  Impl::ReadScope read(*impl_);
  return impl_->load_settings_locked();
}
TELCRM_END_NAMESPACE
