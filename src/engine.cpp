// SPDX-License-Identifier: Apache-2.0
// The compiled engine area: the CallEngine, and its implementation's one instantiation.
#include "compiled_lib.hpp"  // first: stops a build without TELCRM_COMPILED_LIB

#include <telcrm/engine/call_engine-inl.hpp>

TELCRM_BEGIN_NAMESPACE
template Result<std::unique_ptr<CallEngine>> CallEngine::create<>(IntegrationSettings, Ports,
                                                                  EngineOptions);
TELCRM_END_NAMESPACE
