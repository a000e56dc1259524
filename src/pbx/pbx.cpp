// SPDX-License-Identifier: Apache-2.0
// The compiled PBX protocol area: SIP identities, the protocol's documents, the capturing
// Telephony port, the presence overlay and the service (no sockets, no HTTP).
#include "../compiled_lib.hpp"  // first: stops a build without TELCRM_COMPILED_LIB

#include <telcrm/pbx/capturing_telephony-inl.hpp>
#include <telcrm/pbx/pbx_protocol-inl.hpp>
#include <telcrm/pbx/pbx_service-inl.hpp>
#include <telcrm/pbx/presence_directory-inl.hpp>
#include <telcrm/pbx/sip_identity-inl.hpp>
