// SPDX-License-Identifier: Apache-2.0
#pragma once
// The conformance kit's entry points; the checks are in detail/store_kit*.hpp.

#include <telcrm/testing/conformance.hpp>
#include <telcrm/testing/detail/store_kit.hpp>
#include <telcrm/testing/detail/store_kit_state.hpp>
#include <telcrm/testing/detail/store_kit_writes.hpp>

#include <fmt/core.h>

TELCRM_BEGIN_NAMESPACE
// --- the entry points ---------------------------------------------------------------------------

TELCRM_INLINE std::string to_string(const ConformanceFailure& failure) {
  return fmt::format("{}: expected {}; seen {}", failure.rule, failure.expected, failure.seen);
}

TELCRM_INLINE std::vector<ConformanceFailure> check_crm_store(const StoreFactory& make,
                                                              const ConformanceOptions& options) {
  return conformance_detail::StoreKit(make, options).run();
}

TELCRM_INLINE std::vector<std::string_view> crm_store_rules() {
  return {"factory",
          "scan.round-trip",
          "find.round-trip",
          "find.missing",
          "receipt.order",
          "ids.positive",
          "ids.unique-per-type",
          "refs.local",
          "refs.unnamed",
          "refs.named-twice",
          "apply.all-or-nothing",
          "apply.failed-leaves-no-receipt",
          "R-I1 replay",
          "R-I1 batches of a call",
          "R-I1 many calls",
          "R-I2 claim window",
          "R-I2 outside the window",
          "R-I2 loser binds to the winner",
          "R-I2 own claim",
          "R-I2 repeat of a lost batch",
          "R-I2 a lost claim claims nothing",
          "R-I2 claims per number",
          "R-I1 replay across connections",
          "R-I2 across connections",
          "R-I2 concurrent",
          "retention.replay-within",
          "retention.stays-correct",
          "retention.prunes",
          "op.Reassign",
          "op.WriteActivity",
          "op.AttachRecording",
          "op.RecordMissedCall",
          "op.RecordCall",
          "op.MarkCalledBack",
          "op.CreateInvoice",
          "apply_all.equals-one-by-one",
          "apply_consuming.as-apply",
          "apply_linked.resolves-earlier",
          "apply_linked_consuming.as-apply-linked",
          "feed.changes-since",
          "feed.change-cursor",
          "feed.unknown-cursor",
          "feed.data-version",
          "inspection.snapshot",
          "inspection.open-deals",
          "inspection.open-repeat-leads"};
}

TELCRM_INLINE std::vector<std::string_view> directory_rules() {
  return {"directory.ordered",        "directory.find",   "directory.find-missing",
          "directory.version-stable", "directory.change", "directory.version-moves"};
}

TELCRM_INLINE std::vector<ConformanceFailure> check_directory(const Directory& directory,
                                                              const DirectoryChange& change) {
  std::vector<ConformanceFailure> out;
  auto report = [&](std::string_view rule, std::string expected, std::string seen) {
    out.push_back({std::string(rule), std::move(expected), std::move(seen)});
  };
  auto describe_error = [](const Error& e) { return conformance_detail::describe(e); };
  // Ordered by id (so unique), and find_employee() agrees with employees().
  auto consistent = [&](std::string_view when) -> std::optional<std::vector<Employee>> {
    auto all = directory.employees();
    if (!all) {
      report("directory.ordered", fmt::format("employees() {}", when), describe_error(all.error()));
      return std::nullopt;
    }
    for (std::size_t i = 1; i < all->size(); ++i)
      if (!((*all)[i - 1].id < (*all)[i].id))
        report("directory.ordered", fmt::format("employees() {} ordered by id, each once", when),
               fmt::format("{} before {}", (*all)[i - 1].id, (*all)[i].id));
    for (const auto& e : *all) {
      auto one = directory.find_employee(e.id);
      if (!one || !*one || **one != e)
        report("directory.find",
               fmt::format("find_employee({}) {} equal to what employees() lists", e.id, when),
               !one ? describe_error(one.error()) : (*one ? "another employee" : "nullopt"));
    }
    const EmployeeId above = all->empty() ? 1 : all->back().id + 1;
    const EmployeeId below = all->empty() ? -1 : all->front().id - 1;
    for (EmployeeId id : {above, below}) {
      auto none = directory.find_employee(id);
      if (!none || *none)
        report("directory.find-missing",
               fmt::format("find_employee({}) of an id employees() does not list: nullopt", id),
               !none ? describe_error(none.error()) : "an employee");
    }
    return std::move(*all);
  };
  auto v0 = directory.version();
  auto before = consistent("at first");
  auto v1 = directory.version();
  if (!v0 || !v1 || *v0 != *v1)
    report("directory.version-stable", "version() unchanged while nothing changes",
           !v0 ? describe_error(v0.error())
               : (!v1 ? describe_error(v1.error()) : fmt::format("{} then {}", *v0, *v1)));
  if (!change || !before || !v1) return out;
  if (auto changed = change(); !changed) {
    report("directory.change", "the host's change to succeed", describe_error(changed.error()));
    return out;
  }
  auto after = consistent("after the change");
  auto v2 = directory.version();
  if (!after || !v2) {
    if (!v2)
      report("directory.version-moves", "version() after the change", describe_error(v2.error()));
    return out;
  }
  if (*after == *before) {
    report("directory.change", "the host's change to change what employees() lists",
           "the same employees");
    return out;
  }
  if (*v1 == 0)
    report("directory.version-moves",
           "version() 0 means the directory never changes, but employees() changed",
           fmt::format("version {} before and after", *v2));
  else if (*v2 == *v1)
    report("directory.version-moves", "version() to change when an employee changes",
           fmt::format("{} before and after", *v2));
  return out;
}

TELCRM_END_NAMESPACE
