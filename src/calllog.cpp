// SPDX-License-Identifier: Apache-2.0
// The compiled definitions of the calllog area.
#include <telcrm/calllog/call_log-inl.hpp>
