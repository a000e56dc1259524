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
    : service_(service), engine_(engine), metrics_(metrics), token_(std::move(token)) {}

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

HttpResponse PbxRouter::handle(const HttpRequest& request) {
  const auto endpoint = pbx::endpoint_of(request.path);
  const std::string name = endpoint                     ? std::string(format_as(*endpoint))
                           : request.path == "/health"  ? std::string("health")
                           : request.path == "/metrics" ? std::string("metrics")
                                                        : std::string("other");
  auto answer = [&](HttpResponse r) {
    metrics_.request(name, r.status);
    return r;
  };
  if (!authorized(request)) {
    HttpResponse r = json(401, pbx::format_error("missing or wrong bearer token"));
    r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"telcrm\"");
    return answer(std::move(r));
  }
  if (request.path == "/health") {
    if (request.method != "GET") return answer(method_not_allowed("GET"));
    const bool ready = engine_.ready();
    const char* status = stopping_.load() ? "stopping" : ready ? "ready" : "loading";
    pbx::flat_json::Writer w;
    w.field("status", status);
    return answer(json(ready && !stopping_.load() ? 200 : 503, w.finish()));
  }
  if (request.path == "/metrics") {
    if (request.method != "GET") return answer(method_not_allowed("GET"));
    HttpResponse r = json(200, metrics_.render(engine_.stats(), service_.stats(), engine_.ready()));
    r.content_type = "text/plain; version=0.0.4";
    return answer(std::move(r));
  }
  if (!endpoint) return answer(json(404, pbx::format_error("no such path: " + request.path)));
  if (request.method != "POST") return answer(method_not_allowed("POST"));

  const bool decision = *endpoint == pbx::Endpoint::call || *endpoint == pbx::Endpoint::failed;
  const auto started = std::chrono::steady_clock::now();
  pbx::Reply reply = service_.handle(*endpoint, request.body);
  if (decision && reply.status == 200)
    metrics_.decision(std::chrono::steady_clock::now() - started);
  return answer(json(reply.status, std::move(reply.body)));
}

}  // namespace server
TELCRM_END_NAMESPACE
