// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file The HTTP shell of `telcrm serve` (the telcrm_server library, built with exceptions
/// because cpp-httplib throws; the core stays without them): requests and responses as plain
/// values, a Router that answers them, and a Listener that carries them over one socket.
///
/// A listener knows nothing of telcrm: it hands every request to its Router. `telcrm serve`
/// runs one plain-HTTP listener on loopback with the PbxRouter; a second listener (HTTPS,
/// for a Bitrix24-compatible REST API) is another Listener with TLS options and its own
/// Router, over the same engine.

#include <telcrm/config.hpp>
#include <telcrm/result.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

TELCRM_BEGIN_NAMESPACE
namespace server {

struct HttpRequest {
  std::string method{};         ///< "GET", "POST", …
  std::string path{};           ///< without the query
  std::string authorization{};  ///< the Authorization header, empty when absent
  std::string body{};
  std::string query{};         ///< the raw query string (after `?`), empty when absent
  std::string content_type{};  ///< the Content-Type header, empty when absent
  std::string peer{};          ///< the client's address, for the log
};

struct HttpResponse {
  int status = 200;
  std::string body{};
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers{};
};

/// Answers requests; called from the listener's threads, concurrently.
class Router {
 public:
  virtual ~Router() = default;
  [[nodiscard]] virtual HttpResponse handle(const HttpRequest& request) = 0;
};

/// Where and how a Listener listens.
struct ListenerOptions {
  std::string host = "127.0.0.1";    ///< loopback unless told otherwise
  int port = 8470;                   ///< 0: any free port (see Listener::port())
  std::size_t max_body = 64 * 1024;  ///< larger bodies are refused with 413
  std::chrono::seconds read_timeout{5};
  std::chrono::seconds write_timeout{5};
  std::chrono::seconds keep_alive{5};  ///< an idle keep-alive connection is closed after this
  std::size_t keep_alive_requests = 100000;
  std::size_t threads = 16;  ///< one per open connection: the most connections served at once
  /// HTTPS with this certificate chain and key (PEM files); both empty: plain HTTP.
  std::string tls_cert{};
  std::string tls_key{};
  /// The body limit of one path, decided before the body is read (e.g. a large upload on
  /// one method only); unset: `max_body` for every path. A larger body is refused with 413.
  std::function<std::size_t(std::string_view path)> body_cap{};
  /// The JSON body of an error the listener answers itself (413, 400); unset: the PBX
  /// protocol's shape.
  std::function<std::string(int status, std::string_view message)> error_body{};
};

/// One HTTP listener (cpp-httplib underneath). Bad requests never reach the router: a body
/// over the limit is 413, a malformed request 400, each with a JSON error.
class Listener {
 public:
  /// Binds the socket. Errors: Errc::io_error (the address is taken or not ours; the TLS
  /// certificate or key cannot be read).
  [[nodiscard]] static Result<std::unique_ptr<Listener>> bind(const ListenerOptions& options,
                                                              Router& router);
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  /// Serves until stop(); returns at once if stop() came first.
  void run();
  /// Stops taking connections and makes run() return (callable from any thread).
  void stop();
  /// The port it listens on.
  [[nodiscard]] int port() const noexcept;

 private:
  class Impl;
  explicit Listener(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace server
TELCRM_END_NAMESPACE
