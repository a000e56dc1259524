// SPDX-License-Identifier: Apache-2.0
// Listener over cpp-httplib: every request goes to the Router through one catch-all route.
#include "../compiled_lib.hpp"  // first: stops a build without TELCRM_COMPILED_LIB

#include <telcrm/pbx/pbx_protocol.hpp>
#include <telcrm/server/http.hpp>

#include <httplib.h>
#include <sys/socket.h>

#include <atomic>
#include <cstdlib>
#include <exception>
#include <functional>
#include <memory>
#include <string>

TELCRM_BEGIN_NAMESPACE
namespace server {

namespace {

// cpp-httplib 0.11 listens with a backlog of 5 (CPPHTTPLIB_LISTEN_BACKLOG, compiled into
// Debian's library). A PBX opens a connection per question (Kamailio's http_client_query
// keeps none), so a burst of calls overflows it and the kernel drops the extra SYNs: those
// connections wait a whole second for the retransmission — past Kamailio's timeout. Linux
// lets listen() be called again on a listening socket to widen its queue. Debian's library
// is built with OpenSSL, so the same holds for the HTTPS listener.
template <class Base>
class Widened final : public Base {
 public:
  using Base::Base;
  bool widen_backlog() { return ::listen(this->svr_sock_, SOMAXCONN) == 0; }
};
using PlainServer = Widened<httplib::Server>;
using TlsServer = Widened<httplib::SSLServer>;

}  // namespace

class Listener::Impl {
 public:
  Impl(const ListenerOptions& options, Router& router) : router_(router) {
    if (!options.tls_cert.empty() || !options.tls_key.empty()) {
      auto tls = std::make_unique<TlsServer>(options.tls_cert.c_str(), options.tls_key.c_str());
      tls_ok_ = tls->is_valid();
      widen_ = [s = tls.get()] { return s->widen_backlog(); };
      server_ = std::move(tls);
    } else {
      auto plain = std::make_unique<PlainServer>();
      widen_ = [s = plain.get()] { return s->widen_backlog(); };
      server_ = std::move(plain);
    }
    httplib::Server& server = *server_;
    const std::size_t threads = options.threads == 0 ? 1 : options.threads;
    server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    server.set_payload_max_length(options.max_body);
    server.set_read_timeout(options.read_timeout);
    server.set_write_timeout(options.write_timeout);
    server.set_keep_alive_timeout(static_cast<time_t>(options.keep_alive.count()));
    server.set_keep_alive_max_count(options.keep_alive_requests);
    server.set_tcp_nodelay(true);  // small answers must not wait for Nagle

    auto error_body = options.error_body ? options.error_body : [](int, std::string_view message) {
      return pbx::format_error(std::string(message));
    };
    auto request_of = [](const httplib::Request& req) {
      HttpRequest request;
      request.method = req.method;
      request.path = req.path;
      request.authorization = req.get_header_value("Authorization");
      request.content_type = req.get_header_value("Content-Type");
      request.peer = req.remote_addr;
      if (const auto q = req.target.find('?'); q != std::string::npos)
        request.query = req.target.substr(q + 1);
      return request;
    };
    auto answer = [this](const HttpRequest& request, httplib::Response& res) {
      HttpResponse out = router_.handle(request);
      res.status = out.status;
      for (auto& [name, value] : out.headers) res.set_header(name, value);
      res.set_content(std::move(out.body), out.content_type);
    };
    auto handler = [request_of, answer](const httplib::Request& req, httplib::Response& res) {
      HttpRequest request = request_of(req);
      request.body = req.body;
      answer(request, res);
    };
    // One pattern per method: the Router dispatches by exact path, so httplib matches a
    // single regular expression per request.
    server.Get(".*", handler);
    if (options.body_cap) {
      // The path's own cap, known before a byte of the body is read.
      server.Post(".*", [request_of, answer, error_body, cap_of = options.body_cap](
                            const httplib::Request& req, httplib::Response& res,
                            const httplib::ContentReader& read) {
        const std::size_t cap = cap_of(req.path);
        auto too_large = [&] {
          res.status = 413;
          res.set_header("Connection", "close");
          res.set_content(
              error_body(413, "the body is larger than " + std::to_string(cap) + " bytes"),
              "application/json");
        };
        const std::string length = req.get_header_value("Content-Length");
        if (!length.empty() && std::strtoull(length.c_str(), nullptr, 10) > cap) return too_large();
        HttpRequest request = request_of(req);
        bool over = false;
        const bool complete = read([&](const char* data, std::size_t size) {
          if (request.body.size() + size > cap) {
            over = true;
            return false;
          }
          request.body.append(data, size);
          return true;
        });
        if (over) return too_large();
        if (!complete) {
          res.status = 400;
          res.set_content(error_body(400, "the body could not be read"), "application/json");
          return;
        }
        answer(request, res);
      });
    } else {
      server.Post(".*", handler);
    }
    server.Put(".*", handler);
    server.Delete(".*", handler);
    server.Patch(".*", handler);
    // What httplib refuses itself (413, 400, a method it does not route) gets a JSON body too.
    server.set_error_handler(
        [max = options.max_body, error_body](const httplib::Request&, httplib::Response& res) {
          if (!res.body.empty()) return;
          std::string message = "HTTP " + std::to_string(res.status);
          if (res.status == 413)
            message = "the body is larger than " + std::to_string(max) + " bytes";
          else if (res.status == 400)
            message = "malformed HTTP request";
          res.set_content(error_body(res.status, message), "application/json");
        });
    server.set_exception_handler(
        [error_body](const httplib::Request&, httplib::Response& res, std::exception_ptr error) {
          std::string what = "internal error";
          try {
            if (error) std::rethrow_exception(error);
          } catch (const std::exception& e) {
            what += std::string(": ") + e.what();
          } catch (...) {
          }
          res.status = 500;
          res.set_content(error_body(500, what), "application/json");
        });
  }

  bool tls_ok() const noexcept { return tls_ok_; }

  bool bind(const ListenerOptions& options) {
    if (options.port == 0) {
      port_ = server_->bind_to_any_port(options.host);
      if (port_ <= 0) return false;
    } else {
      port_ = options.port;
      if (!server_->bind_to_port(options.host, options.port)) return false;
    }
    return widen_();
  }

  void run() {
    if (stopped_.load()) return;
    server_->listen_after_bind();
  }
  void stop() {
    stopped_.store(true);
    server_->stop();
  }
  [[nodiscard]] int port() const noexcept { return port_; }

 private:
  Router& router_;
  std::unique_ptr<httplib::Server> server_;
  std::function<bool()> widen_;
  bool tls_ok_ = true;
  int port_ = 0;
  std::atomic<bool> stopped_{false};
};

Result<std::unique_ptr<Listener>> Listener::bind(const ListenerOptions& options, Router& router) {
  auto impl = std::make_unique<Impl>(options, router);
  if (!impl->tls_ok())
    return fail(Errc::io_error, "cannot use the TLS certificate " + options.tls_cert +
                                    " with the key " + options.tls_key +
                                    " (unreadable, not PEM, or not a pair)");
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
