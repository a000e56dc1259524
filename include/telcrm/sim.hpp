// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// The simulation: scenarios, SimulatedPbx, replay() (what `telcrm replay` runs) and
/// NullTelephony. Not part of the umbrella telcrm/telcrm.hpp; replay() also brings the
/// in-memory ports.

#include <telcrm/sim/null_telephony.hpp>
#include <telcrm/sim/replay.hpp>
#include <telcrm/sim/scenario.hpp>
#include <telcrm/sim/simulated_pbx.hpp>
