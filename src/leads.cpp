// SPDX-License-Identifier: Apache-2.0
// The compiled leads area: the LeadFactory and the CRM modes.
#include <telcrm/impl/lead_factory-inl.hpp>
#include <telcrm/impl/mode_strategy-inl.hpp>
