// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file The umbrella header: everything in the core library (not the json/sqlite components).

#include <telcrm/config.hpp>
#include <telcrm/result.hpp>
#include <telcrm/version.hpp>

#include <telcrm/phone/phone_normalizer.hpp>
#include <telcrm/phone/phone_number.hpp>
#include <telcrm/phone/region.hpp>

#include <telcrm/routing/queue_stats.hpp>
#include <telcrm/routing/roster.hpp>
#include <telcrm/routing/route_step.hpp>
#include <telcrm/routing/routing_policy.hpp>
#include <telcrm/routing/work_hours.hpp>
#include <telcrm/settings/access.hpp>
#include <telcrm/settings/settings.hpp>
#include <telcrm/settings/validate.hpp>
