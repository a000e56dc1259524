// SPDX-License-Identifier: Apache-2.0
// The compiled CRM area: the index, the matcher, the exception list, employees' numbers.
#include "compiled_lib.hpp"  // first: stops a build without TELCRM_COMPILED_LIB

#include <telcrm/crm/crm_index-inl.hpp>
#include <telcrm/crm/crm_matcher-inl.hpp>
#include <telcrm/crm/data_quality-inl.hpp>
#include <telcrm/crm/employee_index-inl.hpp>
#include <telcrm/crm/exception_list-inl.hpp>
#include <telcrm/crm/index_snapshot-inl.hpp>
