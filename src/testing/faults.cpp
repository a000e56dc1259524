// SPDX-License-Identifier: Apache-2.0
// The compiled fault wrapper and fault soak (telcrm::testing).
#include "../compiled_lib.hpp"  // first: stops a build without TELCRM_COMPILED_LIB

#include <telcrm/testing/fault_soak-inl.hpp>
#include <telcrm/testing/faulty_crm_store-inl.hpp>
