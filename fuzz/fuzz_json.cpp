// SPDX-License-Identifier: Apache-2.0
// Every JSON reader on any text: settings, CRM snapshot, scenario, an outbox journal line.
// One program per reader (TELCRM_FUZZ_READER picks it at compile time). Properties: no crash
// or undefined behaviour; what a reader accepts, its writer writes and the reader reads back
// equal (settings, CRM, journal lines); an accepted scenario replays without a crash when it
// is small.
#include <telcrm/json/crm_json.hpp>
#include <telcrm/json/outbox_json.hpp>
#include <telcrm/json/scenario_json.hpp>
#include <telcrm/json/settings_json.hpp>
#include <telcrm/sim/replay.hpp>

#include "fuzz_support.hpp"

using namespace telcrm;

#define TELCRM_READER_settings 1
#define TELCRM_READER_crm 2
#define TELCRM_READER_scenario 3
#define TELCRM_READER_outbox 4
#define TELCRM_READER_(x) TELCRM_READER_##x
#define TELCRM_READER(x) TELCRM_READER_(x)

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = telcrm_fuzz::text_of(data, size);
#if TELCRM_READER(TELCRM_FUZZ_READER) == 1
  auto s = settings_from_json(text);
  if (!s) return 0;
  auto staff = s->directory->employees();
  if (!staff) return 0;
  const std::string written = settings_to_json(s->settings, *staff);
  auto back = settings_from_json(written);
  if (!back)
    telcrm_fuzz::finding("settings written could not be read back", back.error().message());
  if (!(back->settings == s->settings))
    telcrm_fuzz::finding("settings changed in a round trip", written);
#elif TELCRM_READER(TELCRM_FUZZ_READER) == 2
  auto c = crm_from_json(text);
  if (!c) return 0;
  const std::string written = crm_to_json(*c);
  auto back = crm_from_json(written);
  if (!back) telcrm_fuzz::finding("a CRM written could not be read back", back.error().message());
  if (!(*back == *c)) telcrm_fuzz::finding("a CRM changed in a round trip", written);
#elif TELCRM_READER(TELCRM_FUZZ_READER) == 3
  auto sc = scenario_from_json(text);
  if (!sc || sc->calls.size() > 8 || sc->crm.contacts.size() > 64) return 0;
  (void)replay(*sc);  // errors are fine; crashes are not
#elif TELCRM_READER(TELCRM_FUZZ_READER) == 4
  auto b = write_batch_from_json(text);
  if (!b) return 0;
  const std::string written = write_batch_to_json(*b);
  auto back = write_batch_from_json(written);
  if (!back)
    telcrm_fuzz::finding("a journal line written could not be read back", back.error().message());
  if (write_batch_to_json(*back) != written)
    telcrm_fuzz::finding("a journal line changed in a round trip", written);
#else
#error "TELCRM_FUZZ_READER: settings, crm, scenario or outbox"
#endif
  return 0;
}
