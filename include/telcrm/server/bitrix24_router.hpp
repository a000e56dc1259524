// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file Bitrix24Router: the Bitrix24-compatible REST API of `telcrm serve --bitrix24`
/// (docs/bitrix24-api.md) — inbound-webhook paths, the secret compared in constant time,
/// per-method body caps, and the recordings folder with its download rules.

#include <telcrm/bitrix24/service.hpp>
#include <telcrm/config.hpp>
#include <telcrm/server/http.hpp>
#include <telcrm/server/log_observer.hpp>
#include <telcrm/server/metrics.hpp>

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

TELCRM_BEGIN_NAMESPACE
namespace server {

/// Limits of the recordings a connector attaches.
struct RecordingOptions {
  std::string folder{};                      ///< where uploaded and fetched recordings are kept
  std::size_t max_bytes = 50 * 1024 * 1024;  ///< the largest recording (upload or download)
  std::chrono::seconds fetch_timeout{30};    ///< a whole download, redirects included
  int max_redirects = 3;
  /// Lets RECORD_URL name loopback, private and link-local addresses (a PBX on the same
  /// network); off: such URLs are refused, checked on every connection and redirect.
  bool allow_private = false;
};

/// Keeps recordings in a folder: uploads as they are, downloads under the SSRF rules.
class RecordingFolder final : public bitrix24::RecordingSink {
 public:
  explicit RecordingFolder(RecordingOptions options) : options_(std::move(options)) {}
  [[nodiscard]] bitrix24::ApiResult<std::string> store(std::string_view call_id,
                                                       std::string_view filename,
                                                       std::string_view bytes) override;
  [[nodiscard]] bitrix24::ApiResult<std::string> fetch(std::string_view call_id,
                                                       std::string_view filename,
                                                       std::string_view url) override;

 private:
  bitrix24::ApiResult<std::string> path_for(std::string_view call_id, std::string_view filename);
  RecordingOptions options_;
};

/// The largest body of a method other than attachRecord.
inline constexpr std::size_t bitrix24_small_body = 256 * 1024;

class Bitrix24Router final : public Router {
 public:
  /// `user`, `secret`: the inbound webhook's (`/rest/<user>/<secret>/…`). Every answer is
  /// counted in `metrics` under the endpoint `bitrix24` (the PBX listener's /metrics).
  Bitrix24Router(bitrix24::Service& service, std::string user, std::string secret, LineLog& log,
                 Metrics& metrics)
      : service_(service),
        user_(std::move(user)),
        secret_(std::move(secret)),
        log_(log),
        metrics_(metrics) {}
  [[nodiscard]] HttpResponse handle(const HttpRequest& request) override;

  /// The body cap of a path: `attach` for attachRecord, bitrix24_small_body otherwise.
  [[nodiscard]] static std::size_t body_cap(std::string_view path, std::size_t attach);

 private:
  [[nodiscard]] HttpResponse answer(const HttpRequest& request);

  bitrix24::Service& service_;
  std::string user_;
  std::string secret_;
  LineLog& log_;
  Metrics& metrics_;
};

}  // namespace server
TELCRM_END_NAMESPACE
