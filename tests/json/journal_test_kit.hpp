// SPDX-License-Identifier: Apache-2.0
#pragma once
// What the journal tests share: opening a journal, a numbered batch, the calls of batches.
#include <telcrm/json/outbox_json.hpp>

#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

namespace journal_test {

inline std::unique_ptr<telcrm::FileOutboxJournal> open_journal(const std::string& path) {
  auto j = telcrm::FileOutboxJournal::open(path);
  REQUIRE_MESSAGE(j.has_value(), j.error().message());
  return std::move(*j);
}

// Batch n: call "c<n>", seq 1, one missed call.
inline telcrm::WriteBatch batch(int n) {
  telcrm::MissedCall m{"+7916" + std::to_string(1000000 + n), "c" + std::to_string(n),
                       std::nullopt};
  return telcrm::WriteBatch{
      "c" + std::to_string(n), 1, std::nullopt, {telcrm::RecordMissedCall{m}}};
}

inline std::vector<std::string> calls_of(const std::vector<telcrm::WriteBatch>& batches) {
  std::vector<std::string> out;
  for (const auto& b : batches) out.push_back(b.call);
  return out;
}

}  // namespace journal_test
