// SPDX-License-Identifier: Apache-2.0
#include "../compiled_lib.hpp"  // first: stops a build without TELCRM_COMPILED_LIB

#include <telcrm/pbx/detail/flat_json.hpp>
#include <telcrm/server/pbx_router.hpp>

#include <chrono>

TELCRM_BEGIN_NAMESPACE
namespace server {

namespace {

HttpResponse json(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

HttpResponse method_not_allowed(const char* allow) {
  HttpResponse r = json(405, pbx::format_error(std::string("use ") + allow));
  r.headers.emplace_back("Allow", allow);
  return r;
}

}  // namespace

PbxRouter::PbxRouter(pbx::PbxService& service, const CallEngine& engine, Metrics& metrics,
                     std::optional<std::string> token)
    : service_(&service), engine_(&engine), metrics_(metrics), token_(std::move(token)) {}

PbxRouter::PbxRouter(pbx::PresenceDirectory& presence, Metrics& metrics,
                     std::optional<std::string> token)
    : presence_(&presence), metrics_(metrics), token_(std::move(token)) {}

void PbxRouter::attach(pbx::PbxService& service, const CallEngine& engine) noexcept {
  engine_.store(&engine, std::memory_order_release);
  service_.store(&service, std::memory_order_release);  // last: handle() tests this one
}

bool PbxRouter::authorized(const HttpRequest& request) const noexcept {
  if (!token_) return true;
  constexpr std::string_view scheme = "Bearer ";
  const std::string_view given(request.authorization);
  if (given.size() != scheme.size() + token_->size() || given.substr(0, scheme.size()) != scheme)
    return false;
  // In constant time: how long a wrong guess takes must not tell how much of it was right.
  unsigned char diff = 0;
  for (std::size_t i = 0; i < token_->size(); ++i)
    diff |= static_cast<unsigned char>(given[scheme.size() + i] ^ (*token_)[i]);
  return diff == 0;
}

// While the engine is built: the answers of a node that cannot route yet.
HttpResponse PbxRouter::loading(const HttpRequest& request, bool pbx_endpoint,
                                pbx::Endpoint endpoint) {
  if (request.path == "/health") {
    if (request.method != "GET") return method_not_allowed("GET");
    pbx::flat_json::Writer w;
    w.field("status", stopping_.load() ? "stopping" : "loading");
    return json(503, w.finish());
  }
  if (request.path == "/metrics") {
    if (request.method != "GET") return method_not_allowed("GET");
    HttpResponse r = json(200, metrics_.render(EngineStats{}, pbx::ServiceStats{}, false));
    r.content_type = "text/plain; version=0.0.4";
    return r;
  }
  if (!pbx_endpoint) return json(404, pbx::format_error("no such path: " + request.path));
  if (request.method != "POST") return method_not_allowed("POST");
  if (endpoint == pbx::Endpoint::presence && presence_ != nullptr) {
    // Registrations come while the index loads: they must count once calls are routed.
    pbx::Reply reply = pbx::report_presence(*presence_, request.body);
    return json(reply.status, std::move(reply.body));
  }
  // No call exists yet: the PBX's fallback takes this one, and nothing is created for it.
  return json(503, pbx::format_error("telcrm is loading its CRM index: it routes no call yet"));
}

HttpResponse PbxRouter::handle(const HttpRequest& request) {
  const auto endpoint = pbx::endpoint_of(request.path);
  const std::string_view name = endpoint                     ? format_as(*endpoint)
                                : request.path == "/health"  ? std::string_view("health")
                                : request.path == "/metrics" ? std::string_view("metrics")
                                                             : std::string_view("other");
  auto answer = [&](HttpResponse r) {
    metrics_.request(name, r.status);
    return r;
  };
  if (!authorized(request)) {
    HttpResponse r = json(401, pbx::format_error("missing or wrong bearer token"));
    r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"telcrm\"");
    return answer(std::move(r));
  }
  pbx::PbxService* service = service_.load(std::memory_order_acquire);
  if (service == nullptr)
    return answer(loading(request, endpoint.has_value(), endpoint.value_or(pbx::Endpoint::call)));
  const CallEngine& engine = *engine_.load(std::memory_order_acquire);
  if (request.path == "/health") {
    if (request.method != "GET") return answer(method_not_allowed("GET"));
    const bool ready = engine.ready();
    const char* status = stopping_.load() ? "stopping" : ready ? "ready" : "loading";
    pbx::flat_json::Writer w;
    w.field("status", status);
    return answer(json(ready && !stopping_.load() ? 200 : 503, w.finish()));
  }
  if (request.path == "/metrics") {
    if (request.method != "GET") return answer(method_not_allowed("GET"));
    HttpResponse r = json(200, metrics_.render(engine.stats(), service->stats(), engine.ready()));
    r.content_type = "text/plain; version=0.0.4";
    return answer(std::move(r));
  }
  if (!endpoint) return answer(json(404, pbx::format_error("no such path: " + request.path)));
  if (request.method != "POST") return answer(method_not_allowed("POST"));

  const bool decision = *endpoint == pbx::Endpoint::call || *endpoint == pbx::Endpoint::failed;
  const auto started = std::chrono::steady_clock::now();
  pbx::Reply reply = service->handle(*endpoint, request.body);
  if (decision && reply.status == 200)
    metrics_.decision(std::chrono::steady_clock::now() - started);
  return answer(json(reply.status, std::move(reply.body)));
}

}  // namespace server
TELCRM_END_NAMESPACE
