// SPDX-License-Identifier: Apache-2.0
#include "words.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace telcrm::cli {

std::string clock_time(Timestamp t, std::chrono::minutes offset) {
  using namespace std::chrono;
  const auto local = t + offset;
  const hh_mm_ss hms(local - floor<days>(local));
  return fmt::format("{:02}:{:02}", hms.hours().count(), hms.minutes().count());
}

std::string calendar_day(Timestamp t) {
  using namespace std::chrono;
  const auto day = floor<days>(t);
  const year_month_day ymd(day);
  const weekday wd(day);
  constexpr std::array<std::string_view, 7> names{"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                  "Thursday", "Friday", "Saturday"};
  return fmt::format("{:04}-{:02}-{:02} ({})", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                     names[wd.c_encoding()]);
}

std::string talk_time(std::int64_t seconds) {
  if (seconds < 60) return fmt::format("{} s", seconds);
  const std::int64_t h = seconds / 3600;
  const std::int64_t m = seconds % 3600 / 60;
  const std::int64_t s = seconds % 60;
  if (h > 0) return m > 0 ? fmt::format("{} h {} min", h, m) : fmt::format("{} h", h);
  return s > 0 ? fmt::format("{} min {} s", m, s) : fmt::format("{} min", m);
}

std::string count(int n, std::string_view noun) {
  if (n == 1) return fmt::format("1 {}", noun);
  if (noun.ends_with('y')) return fmt::format("{} {}ies", n, noun.substr(0, noun.size() - 1));
  return fmt::format("{} {}s", n, noun);
}

std::string one_line(std::string_view text) {
  std::string out(text);
  std::replace(out.begin(), out.end(), '\n', '/');
  return out;
}

std::string status_text(CallStatus status) {
  const auto words = describe(status);
  return words == "other" ? fmt::format("code {}", status)
                          : fmt::format("code {} ({})", status, words);
}

std::optional<RouteReason> read_route_reason(std::string_view why) {
  if (why.starts_with("queue:")) return RouteReason::for_queue(std::string(why.substr(6)));
  // The enum is small and closed: trying each spelling keeps this in step with format_as.
  for (auto w = RouteWhy::responsible;;
       w = static_cast<RouteWhy>(static_cast<std::uint8_t>(w) + 1)) {
    if (w != RouteWhy::queue && format_as(w) == why) return RouteReason(w);
    if (w == RouteWhy::queue_cycle) return std::nullopt;
  }
}

std::string creation_words(const CallResult& call, const LineSettings* line) {
  if (call.creation == CreationReason::not_in_crm) return "";
  const std::string_view words = describe(call.creation);
  if (call.creation != CreationReason::direction_excluded || line == nullptr)
    return std::string(words);
  return fmt::format("{} (it creates for {} calls only; this one is {})", words, line->create_for,
                     call.direction);
}

}  // namespace telcrm::cli
