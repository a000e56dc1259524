// SPDX-License-Identifier: Apache-2.0
// `telcrm serve`'s request handling (src/server): the router over a parsed request, in front
// of a real engine and PBX service over the end-to-end suite's office (tests/pbx/e2e). The
// input is "METHOD PATH\nAuthorization\nbody". State carries over between inputs (calls stay
// in progress), as it does in a server. Properties: no crash or undefined behaviour; every
// answer is a status from 200 to 599 with a JSON body (or /metrics' text).
#include <telcrm/engine/call_engine.hpp>
#include <telcrm/pbx/capturing_telephony.hpp>
#include <telcrm/pbx/pbx_service.hpp>
#include <telcrm/pbx/presence_directory.hpp>
#include <telcrm/server/metrics.hpp>
#include <telcrm/server/pbx_router.hpp>

#include <memory>
#include <string>

#include "e2e_office.hpp"
#include "fuzz_support.hpp"

using namespace telcrm;

namespace {

struct Server {
  Server() {
    presence = std::make_unique<pbx::PresenceDirectory>(*loaded.directory);
    (void)presence->refresh();
    auto e = CallEngine::create(
        loaded.settings, Ports{store, *presence, telephony, clock, nullptr, &office.journal});
    if (!e) telcrm_fuzz::finding("no engine", e.error().message());
    engine = std::move(*e);
    service = std::make_unique<pbx::PbxService>(*engine, telephony, *presence, clock);
    router = std::make_unique<server::PbxRouter>(*service, *engine, metrics, "secret");
  }
  telcrm_fuzz::E2eOffice office;  // declared first, destroyed last: the engine uses its store
  LoadedSettings& loaded = office.loaded;
  MemoryCrmStore& store = *office.store;
  std::unique_ptr<pbx::PresenceDirectory> presence;
  pbx::CapturingTelephony telephony;
  SystemClock clock;
  std::unique_ptr<CallEngine> engine;
  std::unique_ptr<pbx::PbxService> service;
  server::Metrics metrics;
  std::unique_ptr<server::PbxRouter> router;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Server server;
  std::string_view rest;
  const std::string_view start = telcrm_fuzz::first_line(telcrm_fuzz::text_of(data, size), rest);
  std::string_view body;
  const std::string_view auth = telcrm_fuzz::first_line(rest, body);
  server::HttpRequest request;
  const auto space = start.find(' ');
  request.method = std::string(start.substr(0, space));
  request.path = space == std::string_view::npos ? "/" : std::string(start.substr(space + 1));
  request.authorization = std::string(auth);
  request.body = std::string(body);
  const server::HttpResponse r = server.router->handle(request);
  if (r.status < 200 || r.status > 599)
    telcrm_fuzz::finding("an HTTP status out of range", std::to_string(r.status));
  if (r.content_type == "application/json" && !r.body.empty() && r.body.front() != '{' &&
      r.body.front() != '[')
    telcrm_fuzz::finding("a JSON answer that is not a document", r.body);
  server.engine->flush();
  return 0;
}
