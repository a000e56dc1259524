// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file The umbrella header: the whole core library (not the json / sqlite components,
/// which have their own headers under telcrm/json/ and telcrm/sqlite/).

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
#include <telcrm/ports/observer.hpp>
#include <telcrm/ports/outbox_journal.hpp>
#include <telcrm/ports/telephony.hpp>

#include <telcrm/engine/call_engine.hpp>
#include <telcrm/engine/call_events.hpp>
#include <telcrm/engine/call_result.hpp>
#include <telcrm/engine/engine_worker.hpp>

#include <telcrm/memory/memory_crm_store.hpp>
#include <telcrm/memory/memory_directory.hpp>
#include <telcrm/memory/memory_outbox_journal.hpp>

#include <telcrm/sim/null_telephony.hpp>
#include <telcrm/sim/replay.hpp>
#include <telcrm/sim/scenario.hpp>
#include <telcrm/sim/simulated_pbx.hpp>

#include <telcrm/pbx/capturing_telephony.hpp>
#include <telcrm/pbx/pbx_protocol.hpp>
#include <telcrm/pbx/pbx_service.hpp>
#include <telcrm/pbx/presence_directory.hpp>
#include <telcrm/pbx/sip_identity.hpp>
