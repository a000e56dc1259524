// SPDX-License-Identifier: Apache-2.0
#pragma once
// The scenario format's expectation rule: the actual document *contains* the expected one.
// Every key of an expected object must be present with a matching value; arrays match
// element by element with equal length; scalars must be equal.

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace telcrm_test {

/// The first difference as `$.calls[1].route[0].users: expected [3], got [1]`, or nullopt.
inline std::optional<std::string> first_difference(const nlohmann::ordered_json& expected,
                                                   const nlohmann::ordered_json& actual,
                                                   const std::string& path = "$") {
  auto mismatch = [&] { return path + ": expected " + expected.dump() + ", got " + actual.dump(); };
  if (expected.is_object()) {
    if (!actual.is_object()) return mismatch();
    for (const auto& [key, value] : expected.items()) {
      auto it = actual.find(key);
      if (it == actual.end()) return path + "." + key + ": missing (expected " + value.dump() + ")";
      if (auto d = first_difference(value, *it, path + "." + key)) return d;
    }
    return std::nullopt;
  }
  if (expected.is_array()) {
    if (!actual.is_array() || actual.size() != expected.size()) return mismatch();
    // A list of plain values is reported whole ("users: expected [3], got [1]"); objects and
    // lists inside it by their own path.
    for (std::size_t i = 0; i < expected.size(); ++i) {
      if (!expected[i].is_structured()) {
        if (first_difference(expected[i], actual[i])) return mismatch();
        continue;
      }
      if (auto d = first_difference(expected[i], actual[i], path + "[" + std::to_string(i) + "]"))
        return d;
    }
    return std::nullopt;
  }
  if (expected.is_number() && actual.is_number()) {
    if (expected.get<double>() == actual.get<double>()) return std::nullopt;
    return mismatch();
  }
  if (expected != actual) return mismatch();
  return std::nullopt;
}

}  // namespace telcrm_test
