// SPDX-License-Identifier: Apache-2.0
// The compiled engine area: the CallEngine.
#include <telcrm/impl/call_engine-inl.hpp>
