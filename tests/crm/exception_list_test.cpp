// SPDX-License-Identifier: Apache-2.0
#include <telcrm/crm/exception_list.hpp>

#include <doctest/doctest.h>

#include <thread>

#include "crm/crm_fixture.hpp"

using namespace telcrm;
using telcrm_test::region;

TEST_CASE("R-X1 phones on the exception list compare in E.164, short codes by their digits") {
  ExceptionList list(region("RU"));
  CHECK(list.add_phone("8 (916) 123-45-67"));
  CHECK_FALSE(list.add_phone("+79161234567"));  // the same number
  CHECK(list.add_phone("112"));
  CHECK_FALSE(list.add_phone("no digits here"));
  CHECK(list.contains_phone("+7 916 123 45 67"));
  CHECK(list.contains_phone("112"));
  CHECK_FALSE(list.contains_phone("+79161234568"));
  CHECK(list.phones() == std::vector<std::string>{"+79161234567", "112"});
}

TEST_CASE("R-X1 e-mails are trimmed and case-insensitive") {
  ExceptionList list(region("DE"));
  CHECK(list.add_email(" Spam@Example.com\n"));
  CHECK_FALSE(list.add_email("spam@example.COM"));
  CHECK_FALSE(list.add_email("   "));
  CHECK(list.contains_email("SPAM@example.com"));
  CHECK(list.emails() == std::vector<std::string>{"spam@example.com"});
  CHECK(list.remove_email("SPAM@EXAMPLE.COM "));
  CHECK_FALSE(list.contains_email("spam@example.com"));
  CHECK_FALSE(list.remove_email("spam@example.com"));
}

TEST_CASE("R-X3 exception changes from another thread apply to the next lookup") {
  ExceptionList list(ExceptionSettings{{"+79161234567"}, {}}, region("RU"));
  std::atomic<bool> stop{false};
  std::thread reader([&] {
    while (!stop.load()) (void)list.contains_phone("+79161234567");
  });
  for (int i = 0; i < 200; ++i) {
    CHECK(list.remove_phone("+79161234567"));
    CHECK_FALSE(list.contains_phone("+79161234567"));
    CHECK(list.add_phone("+79161234567"));
    CHECK(list.contains_phone("+79161234567"));
  }
  stop = true;
  reader.join();
}
