// SPDX-License-Identifier: Apache-2.0
#pragma once
// The office of the PBX end-to-end suite (tests/pbx/e2e: its settings and CRM), loaded once
// by the targets that drive a whole engine.
#include <telcrm/json/crm_json.hpp>
#include <telcrm/json/settings_json.hpp>
#include <telcrm/memory/memory_crm_store.hpp>

#include <memory>
#include <utility>

#include "fuzz_support.hpp"

namespace telcrm_fuzz {

struct E2eOffice {
  E2eOffice() {
    auto s = telcrm::settings_from_json(file_text(TELCRM_FUZZ_E2E_DIR "/settings.json"));
    auto c = telcrm::crm_from_json(file_text(TELCRM_FUZZ_E2E_DIR "/crm.json"));
    if (!s || !c) finding("the e2e office could not be read");
    loaded = std::move(*s);
    store = std::make_unique<telcrm::MemoryCrmStore>(*c);
  }
  telcrm::LoadedSettings loaded;
  std::unique_ptr<telcrm::MemoryCrmStore> store;
};

}  // namespace telcrm_fuzz
