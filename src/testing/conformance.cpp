// SPDX-License-Identifier: Apache-2.0
// The compiled conformance kit (telcrm::testing).
#include <telcrm/testing/conformance-inl.hpp>
