// SPDX-License-Identifier: Apache-2.0
// Compiled, never run: header-only, including the umbrella must not compile the engine's
// implementation — only CallEngine::create() names it, so that a translation unit that never
// creates an engine does not pay for it (issue 11's header-only cost). Declaring these
// specializations is an error ("specialization after instantiation") as soon as anything the
// umbrella includes instantiates them, so the build fails when that changes.
#include <telcrm/telcrm.hpp>

#ifdef TELCRM_COMPILED_LIB
#error "this check must be built in header-only mode"
#endif

#ifdef TELCRM_CHECK_THE_CHECK  // what a regression looks like: the build must fail with it
inline std::size_t flush_now(telcrm::detail::EngineImpl<void>& engine) {
  return engine.flush();
}
#endif

TELCRM_BEGIN_NAMESPACE
template <>
Result<CallProgress> detail::EngineImpl<void>::start_call(const CallStart& event);
template <>
Result<CallResult> detail::EngineImpl<void>::end_call(const CallEnd& event);
template <>
std::size_t detail::EngineImpl<void>::flush();
template <>
void detail::EngineImpl<void>::finish(Call& c, const CallEnd& end);
template <>
void detail::BasicOutbox<void>::enqueue(WriteBatch batch);
TELCRM_END_NAMESPACE
