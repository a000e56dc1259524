// SPDX-License-Identifier: Apache-2.0
// The compiled phone area: regions (with the generated region table), numbers, the normaliser.
#include <telcrm/impl/phone_normalizer-inl.hpp>
#include <telcrm/impl/phone_number-inl.hpp>
#include <telcrm/impl/region-inl.hpp>
