// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// Working hours (R-R5): is a moment inside a line's working time?

#include <telcrm/config.hpp>
#include <telcrm/settings/settings.hpp>
#include <telcrm/time.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>

TELCRM_BEGIN_NAMESPACE

/// The day of the week of a date (ISO order, Monday first).
constexpr Weekday weekday_of(std::chrono::sys_days day) noexcept {
  return static_cast<Weekday>(std::chrono::weekday(day).iso_encoding() - 1);
}

/// True when `at` falls within `hours`: read in the line's UTC offset, the day is a working
/// day and not a holiday (day.month, every year), and the time of day is in [from, to).
/// `from` ≥ `to` is an empty interval: nothing is within it (there are no overnight shifts;
/// lint() warns). Pure, constexpr.
constexpr bool is_within_work_hours(const WorkHours& hours, Timestamp at) noexcept {
  using namespace std::chrono;
  const sys_seconds local = at + duration_cast<seconds>(hours.utc_offset);
  const sys_days day = floor<days>(local);
  if (!hours.days[static_cast<std::size_t>(weekday_of(day))]) return false;
  const year_month_day date(day);
  const MonthDay today{static_cast<std::uint8_t>(static_cast<unsigned>(date.day())),
                       static_cast<std::uint8_t>(static_cast<unsigned>(date.month()))};
  if (std::find(hours.holidays.begin(), hours.holidays.end(), today) != hours.holidays.end())
    return false;
  const minutes time_of_day = floor<minutes>(local - day);
  return time_of_day >= hours.from && time_of_day < hours.to;
}

TELCRM_END_NAMESPACE
