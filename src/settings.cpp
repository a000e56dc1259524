// SPDX-License-Identifier: Apache-2.0
// The compiled settings area: validation, lint, access rights and the settings service.
#include "compiled_lib.hpp"  // first: stops a build without TELCRM_COMPILED_LIB

#include <telcrm/settings/access-inl.hpp>
#include <telcrm/settings/validate-inl.hpp>
