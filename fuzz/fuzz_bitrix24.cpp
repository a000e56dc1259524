// SPDX-License-Identifier: Apache-2.0
// The Bitrix24 REST API's request parsing (src/bitrix24/protocol.cpp) and its methods: the
// input is "PATH\nContent-Type\nquery string\nbody". The path goes through parse_route, the
// body and query through parse_params (JSON or form-encoded with PHP brackets), the
// parameters through every typed parser, then the method through a Service over a live engine
// and the end-to-end suite's office (tests/pbx/e2e); state carries over between inputs, as
// in a server. Properties: no crash or undefined behaviour; a route's method is lower-case;
// parameters are an object; every answer and error is written as a JSON document that reads
// back; a timestamp parsed from ISO-8601 is written and read back the same.
#include <telcrm/bitrix24/protocol.hpp>
#include <telcrm/bitrix24/service.hpp>
#include <telcrm/engine/call_engine.hpp>
#include <telcrm/sim/null_telephony.hpp>

#include <cctype>
#include <memory>
#include <string>

#include "e2e_office.hpp"
#include "fuzz_support.hpp"

using namespace telcrm;
using namespace telcrm::bitrix24;

namespace {

// Recordings are refused: the target must touch neither the disk nor the network.
struct NoRecordings final : RecordingSink {
  ApiResult<std::string> store(std::string_view, std::string_view, std::string_view) override {
    return api_fail("not kept", "ERROR_CORE", 500);
  }
  ApiResult<std::string> fetch(std::string_view, std::string_view, std::string_view) override {
    return api_fail("not fetched", "ACCESS_DENIED", 403);
  }
};

struct Api {
  Api() {
    auto e = CallEngine::create(loaded.settings, Ports{store, *loaded.directory, telephony, clock,
                                                       nullptr, &office.journal});
    if (!e) telcrm_fuzz::finding("no engine", e.error().message());
    engine = std::move(*e);
    std::vector<std::string> lines;
    for (const auto& line : loaded.settings.lines) lines.push_back(line.number);
    service = std::make_unique<Service>(*engine, store, *loaded.directory, clock, recordings,
                                        std::move(lines),
                                        ServiceOptions{.region = loaded.settings.default_region});
  }
  telcrm_fuzz::E2eOffice office;  // declared first, destroyed last: the engine uses its store
  LoadedSettings& loaded = office.loaded;
  MemoryCrmStore& store = *office.store;
  NullTelephony telephony;
  SystemClock clock;
  NoRecordings recordings;
  std::unique_ptr<CallEngine> engine;
  std::unique_ptr<Service> service;
};

// A document we wrote must read back as JSON.
void check_document(const std::string& text, std::string_view what) {
  if (Json::parse(text, nullptr, false).is_discarded()) telcrm_fuzz::finding(what, text);
}

void typed(const Json& params) {
  (void)parse_register(params);
  (void)parse_finish(params);
  (void)parse_attach_record(params);
  (void)parse_card(params);
  (void)parse_user_query(params);
  for (auto it = params.begin(); it != params.end(); ++it) {
    const Json* value = &*it;
    (void)int_of(value);
    (void)flag_of(value);
    (void)ids_of(value);
    (void)status_code_of(value);
    if (auto text = text_of(value)) {
      if (auto at = parse_iso8601(*text)) {
        const std::string written = format_iso8601(*at);
        if (parse_iso8601(written) != at)
          telcrm_fuzz::finding("a timestamp changed in a round trip", *text + " -> " + written);
      }
      (void)decode_base64(*text);
      if (auto url = parse_url(*text)) (void)resolve_location(*url, "../x?y");
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Api api;
  std::string_view rest;
  const std::string_view path = telcrm_fuzz::first_line(telcrm_fuzz::text_of(data, size), rest);
  const std::string_view content_type = telcrm_fuzz::first_line(rest, rest);
  std::string_view body;
  const std::string_view query = telcrm_fuzz::first_line(rest, body);

  const auto route = parse_route(path);
  if (route)
    for (const char c : route->method)
      if (std::isupper(static_cast<unsigned char>(c)))
        telcrm_fuzz::finding("a route's method is not lower-case", route->method);

  auto params = parse_params(body, content_type, query);
  if (!params) {
    check_document(format_error(params.error()), "an error written is not JSON");
    return 0;
  }
  if (!params->is_object()) telcrm_fuzz::finding("parameters that are not an object");
  typed(*params);
  if (!route || !Service::has_method(route->method)) return 0;
  auto answer = api.service->call(route->method, *params);
  if (answer)
    check_document(format_result(answer->result, {1, 2}, answer->total, answer->next),
                   "an answer written is not JSON");
  else
    check_document(format_error(answer.error()), "an error written is not JSON");
  api.engine->flush();
  return 0;
}
