// SPDX-License-Identifier: Apache-2.0
// The compiled in-memory ports.
#include <telcrm/impl/memory_crm_store-inl.hpp>
#include <telcrm/impl/memory_directory-inl.hpp>
