// SPDX-License-Identifier: Apache-2.0
// The compiled in-memory ports.
#include "compiled_lib.hpp"  // first: stops a build without TELCRM_COMPILED_LIB

#include <telcrm/memory/memory_crm_store-inl.hpp>
#include <telcrm/memory/memory_directory-inl.hpp>
