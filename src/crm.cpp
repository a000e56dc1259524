// SPDX-License-Identifier: Apache-2.0
// The compiled CRM area: the index, the matcher, the exception list, employees' numbers.
#include <telcrm/impl/crm_index-inl.hpp>
#include <telcrm/impl/crm_matcher-inl.hpp>
#include <telcrm/impl/data_quality-inl.hpp>
#include <telcrm/impl/employee_index-inl.hpp>
#include <telcrm/impl/exception_list-inl.hpp>
