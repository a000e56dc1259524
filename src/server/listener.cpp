// SPDX-License-Identifier: Apache-2.0
// Listener over cpp-httplib: every request goes to the Router through one catch-all route.
#include "../compiled_lib.hpp"  // first: stops a build without TELCRM_COMPILED_LIB

#include <telcrm/pbx/pbx_protocol.hpp>
#include <telcrm/server/http.hpp>

#include <httplib.h>
#include <sys/socket.h>

#include <atomic>
#include <exception>
#include <string>

TELCRM_BEGIN_NAMESPACE
namespace server {

namespace {

// cpp-httplib 0.11 listens with a backlog of 5 (CPPHTTPLIB_LISTEN_BACKLOG, compiled into
// Debian's library). A PBX opens a connection per question (Kamailio's http_client_query
// keeps none), so a burst of calls overflows it and the kernel drops the extra SYNs: those
// connections wait a whole second for the retransmission — past Kamailio's timeout. Linux
// lets listen() be called again on a listening socket to widen its queue.
class Server final : public httplib::Server {
 public:
  bool widen_backlog() { return ::listen(svr_sock_, SOMAXCONN) == 0; }
};

}  // namespace

class Listener::Impl {
 public:
  Impl(const ListenerOptions& options, Router& router) : router_(router) {
    const std::size_t threads = options.threads == 0 ? 1 : options.threads;
    server_.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    server_.set_payload_max_length(options.max_body);
    server_.set_read_timeout(options.read_timeout);
    server_.set_write_timeout(options.write_timeout);
    server_.set_keep_alive_timeout(static_cast<time_t>(options.keep_alive.count()));
    server_.set_keep_alive_max_count(options.keep_alive_requests);
    server_.set_tcp_nodelay(true);  // small answers must not wait for Nagle

    auto handler = [this](const httplib::Request& req, httplib::Response& res) {
      HttpRequest request;
      request.method = req.method;
      request.path = req.path;
      request.authorization = req.get_header_value("Authorization");
      request.body = req.body;
      HttpResponse out = router_.handle(request);
      res.status = out.status;
      for (auto& [name, value] : out.headers) res.set_header(name, value);
      res.set_content(std::move(out.body), out.content_type);
    };
    // One pattern per method: the Router dispatches by exact path, so httplib matches a
    // single regular expression per request.
    server_.Get(".*", handler);
    server_.Post(".*", handler);
    server_.Put(".*", handler);
    server_.Delete(".*", handler);
    server_.Patch(".*", handler);
    // What httplib refuses itself (413, 400, a method it does not route) gets a JSON body too.
    server_.set_error_handler(
        [max = options.max_body](const httplib::Request&, httplib::Response& res) {
          if (!res.body.empty()) return;
          std::string message = "HTTP " + std::to_string(res.status);
          if (res.status == 413)
            message = "the body is larger than " + std::to_string(max) + " bytes";
          else if (res.status == 400)
            message = "malformed HTTP request";
          res.set_content(pbx::format_error(message), "application/json");
        });
    server_.set_exception_handler(
        [](const httplib::Request&, httplib::Response& res, std::exception_ptr error) {
          std::string what = "internal error";
          try {
            if (error) std::rethrow_exception(error);
          } catch (const std::exception& e) {
            what += std::string(": ") + e.what();
          } catch (...) {
          }
          res.status = 500;
          res.set_content(pbx::format_error(what), "application/json");
        });
  }

  bool bind(const ListenerOptions& options) {
    if (options.port == 0) {
      port_ = server_.bind_to_any_port(options.host);
      if (port_ <= 0) return false;
    } else {
      port_ = options.port;
      if (!server_.bind_to_port(options.host, options.port)) return false;
    }
    return server_.widen_backlog();
  }

  void run() {
    if (stopped_.load()) return;
    server_.listen_after_bind();
  }
  void stop() {
    stopped_.store(true);
    server_.stop();
  }
  [[nodiscard]] int port() const noexcept { return port_; }

 private:
  Router& router_;
  Server server_;
  int port_ = 0;
  std::atomic<bool> stopped_{false};
};

Result<std::unique_ptr<Listener>> Listener::bind(const ListenerOptions& options, Router& router) {
  auto impl = std::make_unique<Impl>(options, router);
  if (!impl->bind(options))
    return fail(Errc::io_error, "cannot listen on " + options.host + ":" +
                                    std::to_string(options.port) +
                                    " (the port is in use, or the address is not this machine's)");
  return std::unique_ptr<Listener>(new Listener(std::move(impl)));
}

Listener::Listener(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Listener::~Listener() = default;
void Listener::run() {
  impl_->run();
}
void Listener::stop() {
  impl_->stop();
}
int Listener::port() const noexcept {
  return impl_->port();
}

}  // namespace server
TELCRM_END_NAMESPACE
