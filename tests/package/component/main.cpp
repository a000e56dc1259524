// SPDX-License-Identifier: Apache-2.0
// A host that keeps its CRM in telcrm's SQLite store: open a database, add a contact, find it.
#include <telcrm/sqlite/sqlite_crm_store.hpp>
#include <telcrm/telcrm.hpp>

#include <cstdio>

static_assert(__cplusplus == 202002L, "a C++20 consumer of telcrm must stay C++20");

int main() {
  std::remove(CONSUMER_DB);
  auto store = telcrm::SqliteCrmStore::open(CONSUMER_DB);
  if (!store) {
    std::printf("open: %s\n", store.error().message().c_str());
    return 1;
  }
  auto contact = (*store)->find_contact(1);
  if (!contact) {
    std::printf("find_contact: %s\n", contact.error().message().c_str());
    return 1;
  }
  std::printf("empty database: %s\n", contact->has_value() ? "no" : "yes");
  return contact->has_value() ? 1 : 0;
}
