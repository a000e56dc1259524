// SPDX-License-Identifier: Apache-2.0
#include <telcrm/crm/exception_list.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include "crm/crm_fixture.hpp"

using namespace telcrm;
using telcrm_test::region;

TEST_CASE("R-X1 phones on the exception list compare in E.164, short codes by their digits") {
  const ExceptionList empty(region("RU"));
  const ExceptionList list =
      empty.with_phone("8 (916) 123-45-67").with_phone("+79161234567").with_phone("112");
  CHECK(list.with_phone("no digits here") == list);  // nothing to list: the same list
  CHECK(list.size() == 2);                           // the same number once
  CHECK(list.contains_phone("+7 916 123 45 67"));
  CHECK(list.contains_phone("112"));
  CHECK_FALSE(list.contains_phone("+79161234568"));
  CHECK(list.phones() == std::vector<std::string>{"+79161234567", "112"});
  CHECK(empty.size() == 0);  // a value: with_phone() left it as it was
}

TEST_CASE("R-X1 e-mails are trimmed and case-insensitive") {
  const ExceptionList list = ExceptionList(region("DE")).with_email(" Spam@Example.com\n");
  CHECK(list.with_email("spam@example.COM") == list);
  CHECK(list.with_email("   ") == list);
  CHECK(list.contains_email("SPAM@example.com"));
  CHECK(list.emails() == std::vector<std::string>{"spam@example.com"});
  const ExceptionList without = list.without_email("SPAM@EXAMPLE.COM ");
  CHECK_FALSE(without.contains_email("spam@example.com"));
  CHECK(without.without_email("spam@example.com") == without);
  CHECK(list.contains_email("spam@example.com"));
}

TEST_CASE("R-X1 a list built from settings equals the same entries added one by one") {
  const ExceptionSettings settings{{"+7 916 123-45-67", "8 (916) 123-45-67", "112", "n/a"},
                                   {"A@b.c", " a@B.c"}};
  const ExceptionList built(settings, region("RU"));
  ExceptionList one_by_one(region("RU"));
  for (const auto& p : settings.phones) one_by_one = one_by_one.with_phone(p);
  for (const auto& e : settings.emails) one_by_one = one_by_one.with_email(e);
  CHECK(built == one_by_one);
  CHECK(built.phones() == std::vector<std::string>{"+79161234567", "112"});
  CHECK(built.emails() == std::vector<std::string>{"a@b.c"});
}

TEST_CASE("R-X3 a list read on one thread while another builds the next is never half-changed") {
  // A reader holds a value: whatever the writer builds meanwhile, the reader's list stays as
  // it was, whole.
  ExceptionSettings many;
  for (int i = 0; i < 2000; ++i) many.phones.push_back("+7916" + std::to_string(1000000 + i));
  const ExceptionList full(many, region("RU"));
  std::atomic<bool> stop{false};
  std::atomic<int> torn{0};
  std::thread reader([&] {
    const ExceptionList mine = full;
    while (!stop.load())
      if (!mine.contains_phone("+79161000000") || !mine.contains_phone("+79161001999") ||
          mine.size() != 2000)
        ++torn;
  });
  ExceptionList next = full;
  for (int i = 0; i < 2000; ++i) next = next.without_phone("+7916" + std::to_string(1000000 + i));
  stop = true;
  reader.join();
  CHECK(torn.load() == 0);
  CHECK(next.size() == 0);
  CHECK(full.size() == 2000);
}
