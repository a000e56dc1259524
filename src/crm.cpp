// SPDX-License-Identifier: Apache-2.0
// The compiled CRM area: the index, the matcher, the exception list, employees' numbers.
#include "compiled_lib.hpp"  // first: stops a build without TELCRM_COMPILED_LIB

#include <telcrm/crm/crm_index-inl.hpp>
#include <telcrm/crm/crm_matcher-inl.hpp>
#include <telcrm/crm/data_quality-inl.hpp>
#include <telcrm/crm/employee_index-inl.hpp>
#include <telcrm/crm/exception_list-inl.hpp>
#include <telcrm/crm/index_snapshot-inl.hpp>

TELCRM_BEGIN_NAMESPACE
// The one instantiation of the rebuilds (templates only so that header-only files that never
// rebuild an index do not compile them).
template CrmIndex::Loader CrmIndex::loader<>() const;
template void CrmIndex::rebuild<>(Loader&&);
template void CrmIndex::rebuild<>(const CrmSnapshot&);
template Result<void> CrmIndex::rebuild<>(const Scan&, unsigned);
template Result<void> CrmIndex::rebuild_pipelined<>(const Scan&, unsigned, std::size_t,
                                                    std::size_t);
TELCRM_END_NAMESPACE
