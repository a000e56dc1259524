// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file PbxRouter: the routes of `telcrm serve`'s listener — the PBX protocol under /pbx/,
/// `GET /health`, `GET /metrics` — behind a bearer token (docs/pbx-protocol.md).

#include <telcrm/config.hpp>
#include <telcrm/engine/call_engine.hpp>
#include <telcrm/pbx/pbx_service.hpp>
#include <telcrm/pbx/presence_directory.hpp>
#include <telcrm/server/http.hpp>
#include <telcrm/server/metrics.hpp>

#include <atomic>
#include <optional>
#include <string>

TELCRM_BEGIN_NAMESPACE
namespace server {

class PbxRouter final : public Router {
 public:
  /// A router over a running service. `token`: the bearer token every request must carry;
  /// nullopt accepts every request.
  PbxRouter(pbx::PbxService& service, const CallEngine& engine, Metrics& metrics,
            std::optional<std::string> token);

  /// A router whose engine is still being built (its CRM index loads): until attach(),
  /// `/health` is 503 `{"status":"loading"}`, `/metrics` works, `/pbx/presence` goes to
  /// `presence` (registrations are not lost meanwhile), and every other /pbx/ request is 503,
  /// which the PBX takes as "telcrm unavailable" (its fallback routes the call; nothing is
  /// created in the CRM). `presence` must outlive the router.
  PbxRouter(pbx::PresenceDirectory& presence, Metrics& metrics, std::optional<std::string> token);

  /// From now on requests go to `service` over `engine` (both must outlive the router, or
  /// the listener be stopped first). Called once, from any thread.
  void attach(pbx::PbxService& service, const CallEngine& engine) noexcept;

  [[nodiscard]] HttpResponse handle(const HttpRequest& request) override;

  /// /health answers 503 "stopping" from now on.
  void stopping() noexcept { stopping_.store(true); }

 private:
  [[nodiscard]] bool authorized(const HttpRequest& request) const noexcept;
  [[nodiscard]] HttpResponse loading(const HttpRequest& request, bool pbx_endpoint,
                                     pbx::Endpoint endpoint);

  std::atomic<pbx::PbxService*> service_{nullptr};
  std::atomic<const CallEngine*> engine_{nullptr};
  pbx::PresenceDirectory* presence_ = nullptr;
  Metrics& metrics_;
  std::optional<std::string> token_;
  std::atomic<bool> stopping_{false};
};

}  // namespace server
TELCRM_END_NAMESPACE
