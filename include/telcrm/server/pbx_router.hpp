// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file PbxRouter: the routes of `telcrm serve`'s listener — the PBX protocol under /pbx/,
/// `GET /health`, `GET /metrics` — behind a bearer token (docs/pbx-protocol.md).

#include <telcrm/config.hpp>
#include <telcrm/engine/call_engine.hpp>
#include <telcrm/pbx/pbx_service.hpp>
#include <telcrm/server/http.hpp>
#include <telcrm/server/metrics.hpp>

#include <atomic>
#include <optional>
#include <string>

TELCRM_BEGIN_NAMESPACE
namespace server {

class PbxRouter final : public Router {
 public:
  /// `token`: the bearer token every request must carry; nullopt accepts every request.
  PbxRouter(pbx::PbxService& service, const CallEngine& engine, Metrics& metrics,
            std::optional<std::string> token);

  [[nodiscard]] HttpResponse handle(const HttpRequest& request) override;

  /// /health answers 503 "stopping" from now on.
  void stopping() noexcept { stopping_.store(true); }

 private:
  [[nodiscard]] bool authorized(const HttpRequest& request) const noexcept;

  pbx::PbxService& service_;
  const CallEngine& engine_;
  Metrics& metrics_;
  std::optional<std::string> token_;
  std::atomic<bool> stopping_{false};
};

}  // namespace server
TELCRM_END_NAMESPACE
