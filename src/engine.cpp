// SPDX-License-Identifier: Apache-2.0
// The compiled engine area: the CallEngine.
#include <telcrm/engine/call_engine-inl.hpp>
