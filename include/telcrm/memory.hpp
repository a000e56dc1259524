// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// The in-memory ports shipped beside the core: MemoryCrmStore, MemoryDirectory and
/// MemoryOutboxJournal (the reference implementations of the ports, for tests and examples).
/// Not part of the umbrella telcrm/telcrm.hpp, so hosts with their own ports do not pay
/// for compiling them.

#include <telcrm/memory/memory_crm_store.hpp>
#include <telcrm/memory/memory_directory.hpp>
#include <telcrm/memory/memory_outbox_journal.hpp>
