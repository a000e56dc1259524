// SPDX-License-Identifier: Apache-2.0
// Compiled, never run: header-only, including the umbrella must not compile the engine's
// implementation — only CallEngine::create() names it, so that a translation unit that never
// creates an engine does not pay for it (issue 11's header-only cost). The specialisations
// below are declared and never defined: if anything the umbrella includes instantiated one of
// these classes before, declaring it is an error ("specialization after instantiation"); if
// anything instantiates CallEngine::create<>() (even from a plain inline function, whose
// templates are compiled at the end of the file), it meets an incomplete type. The test
// `core.header_only_lazy_engine_check` compiles this file with TELCRM_CHECK_THE_CHECK and
// expects that error.
#include <telcrm/telcrm.hpp>

#ifdef TELCRM_COMPILED_LIB
#error "this check must be built in header-only mode"
#endif

#ifdef TELCRM_CHECK_THE_CHECK  // a regression: a header creating an engine in an inline function
inline auto create_an_engine(telcrm::Ports ports) {
  return telcrm::CallEngine::create(telcrm::IntegrationSettings{}, ports);
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
}  // namespace detail
TELCRM_END_NAMESPACE
