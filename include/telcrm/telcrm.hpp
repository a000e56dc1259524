// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// The umbrella header: the core library — phone numbers, the CRM model and matching,
/// settings, routing, leads, the ports and the engine. Not here: the in-memory ports
/// (telcrm/memory.hpp), the simulation (telcrm/sim.hpp), and the json / sqlite components
/// (telcrm/json/, telcrm/sqlite/), which have their own headers.
///
/// What the library decides is specified rule by rule: docs/rules.md (installed with the
/// documentation) lists every rule id (R-N1 … R-P2) that the code comments and tests cite.

#include <telcrm/config.hpp>
#include <telcrm/fwd.hpp>
#include <telcrm/result.hpp>
#include <telcrm/time.hpp>
#include <telcrm/version.hpp>

#include <telcrm/phone/phone_normalizer.hpp>
#include <telcrm/phone/phone_number.hpp>
#include <telcrm/phone/region.hpp>

#include <telcrm/crm/activity.hpp>
#include <telcrm/crm/crm_index.hpp>
#include <telcrm/crm/crm_matcher.hpp>
#include <telcrm/crm/data_quality.hpp>
#include <telcrm/crm/employee.hpp>
#include <telcrm/crm/employee_index.hpp>
#include <telcrm/crm/entity.hpp>
#include <telcrm/crm/exception_list.hpp>
#include <telcrm/crm/index_keys.hpp>
#include <telcrm/crm/match_result.hpp>
#include <telcrm/crm/snapshot.hpp>

#include <telcrm/settings/access.hpp>
#include <telcrm/settings/line_region.hpp>
#include <telcrm/settings/settings.hpp>
#include <telcrm/settings/validate.hpp>

#include <telcrm/routing/queue_stats.hpp>
#include <telcrm/routing/roster.hpp>
#include <telcrm/routing/route_step.hpp>
#include <telcrm/routing/routing_policy.hpp>
#include <telcrm/routing/work_hours.hpp>

#include <telcrm/leads/creation_plan.hpp>
#include <telcrm/leads/lead_factory.hpp>
#include <telcrm/leads/mode_strategy.hpp>

#include <telcrm/calllog/call_log.hpp>

#include <telcrm/ports/clock.hpp>
#include <telcrm/ports/crm_change_feed.hpp>
#include <telcrm/ports/crm_inspection.hpp>
#include <telcrm/ports/crm_store.hpp>
#include <telcrm/ports/directory.hpp>
#include <telcrm/ports/linked_batches.hpp>
#include <telcrm/ports/observer.hpp>
#include <telcrm/ports/outbox_journal.hpp>
#include <telcrm/ports/telephony.hpp>

#include <telcrm/engine/call_engine.hpp>
#include <telcrm/engine/call_events.hpp>
#include <telcrm/engine/call_result.hpp>
#include <telcrm/engine/engine_worker.hpp>
