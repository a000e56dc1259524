// SPDX-License-Identifier: Apache-2.0
// Compiled, never run: header-only, including the umbrella must not compile the engine's
// implementation nor the index's full rebuild — only CallEngine::create<>() and the
// CrmIndex::rebuild<>() family name them, so that a translation unit that never creates an
// engine or rebuilds an index does not pay for them (issue 11's header-only cost). The
// specialisations below are declared and never defined: if anything the umbrella includes
// instantiated one of these classes before, declaring it is an error ("specialization after
// instantiation"); if anything instantiates create<>() or a rebuild (even from a plain inline
// function, whose templates are compiled at the end of the file), it meets an incomplete type.
// The tests `core.header_only_lazy_engine_check` and `core.header_only_lazy_rebuild_check`
// compile this file with such a regression (TELCRM_CHECK_ENGINE, TELCRM_CHECK_REBUILD) and
// expect that error.
#include <telcrm/telcrm.hpp>

#ifdef TELCRM_COMPILED_LIB
#error "this check must be built in header-only mode"
#endif

#ifdef TELCRM_CHECK_ENGINE  // a regression: a header creating an engine in an inline function
inline auto create_an_engine(telcrm::Ports ports) {
  return telcrm::CallEngine::create(telcrm::IntegrationSettings{}, ports);
}
#endif
#ifdef TELCRM_CHECK_REBUILD  // a regression: a header rebuilding an index in an inline function
inline auto rebuild_an_index(telcrm::CrmIndex& index, const telcrm::CrmIndex::Scan& scan) {
  return index.rebuild(scan, 2);
}
#endif

TELCRM_BEGIN_NAMESPACE
namespace detail {
template <>
class EngineImpl<void>;
template <>
class BasicOutbox<void>;
template <>
class BasicCallRegistry<void>;
template <>
class BulkBuild<void>;
template <>
class RebuildWork<void>;
template <>
struct ScanChunk<void>;
}  // namespace detail
TELCRM_END_NAMESPACE
