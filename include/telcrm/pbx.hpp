// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// A real PBX in front of the engine: the PBX protocol (pure translation of a PBX's questions
/// and reports), the capturing Telephony port, presence over a Directory, and PbxService (one
/// engine answering the PBX). Not part of the umbrella telcrm/telcrm.hpp.

#include <telcrm/pbx/capturing_telephony.hpp>
#include <telcrm/pbx/pbx_protocol.hpp>
#include <telcrm/pbx/pbx_service.hpp>
#include <telcrm/pbx/presence_directory.hpp>
#include <telcrm/pbx/sip_identity.hpp>
