// SPDX-License-Identifier: Apache-2.0
// The compiled leads area: the LeadFactory and the CRM modes.
#include "compiled_lib.hpp"  // first: stops a build without TELCRM_COMPILED_LIB

#include <telcrm/leads/lead_factory-inl.hpp>
#include <telcrm/leads/mode_strategy-inl.hpp>
