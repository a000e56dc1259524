// SPDX-License-Identifier: Apache-2.0
#include <telcrm/result.hpp>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <string>

namespace {

telcrm::Result<int> ring_seconds(int rings) {
  if (rings < 2 || rings > 7)
    return telcrm::fail(telcrm::Errc::invalid_argument,
                        fmt::format("rings: {} is outside 2..7", rings));
  return rings * 5;
}

telcrm::Result<void> require_positive(int value) {
  if (value <= 0) return telcrm::fail(telcrm::Errc::out_of_range, fmt::format("{} <= 0", value));
  return {};
}

}  // namespace

TEST_CASE("Result carries a value or an Error with code and context") {
  auto ok = ring_seconds(3);
  REQUIRE(ok.has_value());
  CHECK(*ok == 15);

  auto bad = ring_seconds(9);
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().code() == telcrm::Errc::invalid_argument);
  CHECK(bad.error().message() == "rings: 9 is outside 2..7");
  CHECK(bad.error().with_context("queues[0]").message() == "queues[0]: rings: 9 is outside 2..7");
}

// Only the subset every backend has is used (GCC 12's std::expected has no and_then/transform).
TEST_CASE("Result<void> and value_or behave as std::expected") {
  CHECK(require_positive(1).has_value());
  auto failed = require_positive(0);
  REQUIRE_FALSE(failed);
  CHECK(failed.error().code() == telcrm::Errc::out_of_range);

  CHECK(ring_seconds(8).value_or(-1) == -1);
}

TEST_CASE("Errc and Error are formattable with fmt, with stable names and values") {
  CHECK(fmt::format("{}", telcrm::Errc::permission_denied) == "permission_denied");
  CHECK(static_cast<int>(telcrm::Errc::permission_denied) == 6);
  CHECK(static_cast<int>(telcrm::Errc::storage_unavailable) == 7);
  telcrm::Error e(telcrm::Errc::not_found, "line +74951234567: queue 'sales' does not exist");
  CHECK(fmt::format("{}", e) == "not_found: line +74951234567: queue 'sales' does not exist");
  CHECK_FALSE(telcrm::result_backend().empty());
}

#define TELCRM_TEST_STR2(x) #x
#define TELCRM_TEST_STR(x) TELCRM_TEST_STR2(x)

TEST_CASE("the ABI namespace carries the version's major and minor and the Result backend") {
  const std::string abi = TELCRM_TEST_STR(TELCRM_ABI_NAMESPACE);
  const std::string version = fmt::format("v{}_{}_", TELCRM_VERSION_MAJOR, TELCRM_VERSION_MINOR);
  CHECK(abi.rfind(version, 0) == 0);
  const std::string backend = abi.substr(version.size());
  CHECK(backend == (telcrm::result_backend() == "tl::expected"    ? "tl"
                    : telcrm::result_backend() == "std::expected" ? "std"
                                                                  : "own"));
  CHECK(std::string(TELCRM_VERSION_STRING) ==
        fmt::format("{}.{}.{}", TELCRM_VERSION_MAJOR, TELCRM_VERSION_MINOR, TELCRM_VERSION_PATCH));
}
