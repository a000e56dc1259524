// SPDX-License-Identifier: Apache-2.0
#pragma once
// The office of the PBX end-to-end suite (tests/pbx/e2e: its settings and CRM), loaded once
// by the targets that drive a whole engine.
#include <telcrm/json/crm_json.hpp>
#include <telcrm/json/outbox_json.hpp>
#include <telcrm/json/settings_json.hpp>
#include <telcrm/memory/memory_crm_store.hpp>
#include <telcrm/memory/memory_outbox_journal.hpp>

#include <memory>
#include <utility>

#include "fuzz_support.hpp"

namespace telcrm_fuzz {

// An outbox journal that writes each batch as the file journal does (a JSON line) and reads
// it back, keeping the pending batches in memory: the engine's writes meet the JSON writer
// with whatever a request carried (a byte string that is no UTF-8 aborted it once).
// Property: write → read → write gives the same line.
class JsonJournal final : public telcrm::OutboxJournal {
 public:
  telcrm::Result<void> append(const telcrm::WriteBatch& batch) override {
    const std::string line = telcrm::write_batch_to_json(batch);
    auto back = telcrm::write_batch_from_json(line);
    if (!back) finding("a journaled batch does not read back", back.error().message());
    if (telcrm::write_batch_to_json(*back) != line) finding("a journaled batch changes", line);
    return kept_.append(batch);
  }
  telcrm::Result<void> remove(std::string_view call, std::uint32_t seq) override {
    return kept_.remove(call, seq);
  }
  telcrm::Result<std::vector<telcrm::WriteBatch>> pending() const override {
    return kept_.pending();
  }

 private:
  telcrm::MemoryOutboxJournal kept_;
};

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
  JsonJournal journal;
};

}  // namespace telcrm_fuzz
