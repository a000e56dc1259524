// SPDX-License-Identifier: Apache-2.0
// The compiled phone area: regions (with the generated region table), numbers, the normaliser.
#include "compiled_lib.hpp"  // first: stops a build without TELCRM_COMPILED_LIB

#include <telcrm/phone/phone_normalizer-inl.hpp>
#include <telcrm/phone/phone_number-inl.hpp>
#include <telcrm/phone/region-inl.hpp>
