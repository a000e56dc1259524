// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// Time values: telcrm works in UTC seconds; local time exists only in WorkHours.

#include <telcrm/config.hpp>

#include <chrono>

TELCRM_BEGIN_NAMESPACE

/// A moment in UTC, to the second (calls are logged to the second).
using Timestamp = std::chrono::sys_seconds;
/// A length of time in whole seconds (ring times, talk durations).
using Seconds = std::chrono::seconds;

TELCRM_END_NAMESPACE
