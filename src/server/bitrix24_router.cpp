// SPDX-License-Identifier: Apache-2.0
// The Bitrix24 REST API's HTTP shell: auth, caps, parsing, and the recordings folder (uploads
// kept as they are; downloads only from public addresses, capped in size and time).
#include "../compiled_lib.hpp"  // first: stops a build without TELCRM_COMPILED_LIB

#include <telcrm/server/bitrix24_router.hpp>

#include <fmt/format.h>
#include <httplib.h>
#include <netdb.h>
#include <sys/socket.h>

#include <chrono>
#include <filesystem>
#include <fstream>

TELCRM_BEGIN_NAMESPACE
namespace server {

namespace {

using bitrix24::api_fail;
using bitrix24::ApiError;
using bitrix24::ApiResult;

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

HttpResponse error_response(const ApiError& e) {
  HttpResponse r;
  r.status = e.status;
  r.body = bitrix24::format_error(e);
  return r;
}

// A name safe in one folder: letters, digits, `.`, `-`, `_`; nothing else survives.
std::string safe_name(std::string_view s) {
  std::string out;
  for (char c : s)
    out +=
        (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_') ? c : '_';
  while (!out.empty() && out.front() == '.') out.erase(out.begin());
  return out.substr(0, 120);
}

// The numeric addresses `host` resolves to (all of them: each is checked).
std::vector<std::string> resolve(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  std::vector<std::string> out;
  if (getaddrinfo(host.c_str(), nullptr, &hints, &list) != 0) return out;
  for (addrinfo* a = list; a != nullptr; a = a->ai_next) {
    char text[NI_MAXHOST];
    if (getnameinfo(a->ai_addr, a->ai_addrlen, text, sizeof text, nullptr, 0, NI_NUMERICHOST) == 0)
      out.emplace_back(text);
  }
  freeaddrinfo(list);
  return out;
}

}  // namespace

std::size_t Bitrix24Router::body_cap(std::string_view path, std::size_t attach) {
  auto route = bitrix24::parse_route(path);
  if (route && route->method == "telephony.externalcall.attachrecord") return attach;
  return bitrix24_small_body;
}

HttpResponse Bitrix24Router::handle(const HttpRequest& request) {
  HttpResponse out = answer(request);
  metrics_.request("bitrix24", out.status);
  return out;
}

HttpResponse Bitrix24Router::answer(const HttpRequest& request) {
  const double started = unix_now();
  if (request.method != "POST" && request.method != "GET")
    return error_response({405, "METHOD_NOT_ALLOWED", "Use POST (or GET)"});
  auto route = bitrix24::parse_route(request.path);
  if (!route) return error_response({404, "NOT_FOUND", "Not an inbound-webhook path"});
  // Both compared whole, in time that does not depend on where they differ.
  const bool user_ok = bitrix24::same_secret(route->user, user_);
  const bool secret_ok = bitrix24::same_secret(route->secret, secret_);
  if (!(user_ok && secret_ok)) {
    log_.write(
        fmt::format("bitrix24 {} 401 wrong credentials from {}", route->method, request.peer));
    return error_response({401, "INVALID_CREDENTIALS", std::string(bitrix24::text::bad_auth)});
  }
  if (!bitrix24::Service::has_method(route->method))
    return error_response(
        {404, "ERROR_METHOD_NOT_FOUND", std::string(bitrix24::text::method_not_found)});
  auto params = bitrix24::parse_params(request.body, request.content_type, request.query);
  if (!params) return error_response(params.error());
  auto answer = service_.call(route->method, *params);
  const double finished = unix_now();
  if (!answer) {
    log_.write(fmt::format("bitrix24 {} {} {}: {}", route->method, answer.error().status,
                           answer.error().code, answer.error().description));
    return error_response(answer.error());
  }
  log_.write(fmt::format("bitrix24 {} 200 {:.1f}ms", route->method, (finished - started) * 1000.0));
  HttpResponse out;
  out.body =
      bitrix24::format_result(answer->result, {started, finished}, answer->total, answer->next);
  return out;
}

ApiResult<std::string> RecordingFolder::path_for(std::string_view call_id,
                                                 std::string_view filename) {
  std::error_code ec;
  std::filesystem::create_directories(options_.folder, ec);
  if (ec) return api_fail("cannot create the recordings folder", "ERROR_CORE", 500);
  return (std::filesystem::path(options_.folder) / (safe_name(call_id) + "-" + safe_name(filename)))
      .string();
}

ApiResult<std::string> RecordingFolder::store(std::string_view call_id, std::string_view filename,
                                              std::string_view bytes) {
  if (bytes.size() > options_.max_bytes)
    return api_fail(fmt::format("the recording is larger than {} bytes", options_.max_bytes),
                    "INVALID_ARGUMENT", 413);
  auto path = path_for(call_id, filename);
  if (!path) return path;
  const std::string temp = *path + ".part";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) return api_fail("cannot write the recording", "ERROR_CORE", 500);
  }
  std::error_code ec;
  std::filesystem::rename(temp, *path, ec);  // a repeat replaces it whole
  if (ec) return api_fail("cannot write the recording", "ERROR_CORE", 500);
  return path;
}

ApiResult<std::string> RecordingFolder::fetch(std::string_view call_id, std::string_view filename,
                                              std::string_view url_text) {
  auto url = bitrix24::parse_url(url_text);
  if (!url) return api_fail("RECORD_URL must be an http or https URL", "INVALID_ARGUMENT");
  const auto deadline = std::chrono::steady_clock::now() + options_.fetch_timeout;
  for (int hop = 0; hop <= options_.max_redirects; ++hop) {
    // Resolved here, every address checked, and the connection pinned to the one checked:
    // a name that resolves differently a moment later (DNS rebinding) changes nothing.
    const auto addresses = resolve(url->host);
    if (addresses.empty())
      return api_fail(fmt::format("cannot resolve {}", url->host), "INVALID_ARGUMENT");
    if (!options_.allow_private)
      for (const auto& a : addresses)
        if (!bitrix24::is_public_address(a))
          return api_fail(
              "RECORD_URL points at a loopback, private or link-local address (refused; see "
              "--allow-private-record-urls)",
              "ACCESS_DENIED", 403);
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return api_fail("the download took too long", "ERROR_CORE", 504);
    const bool v6 = url->host.find(':') != std::string::npos;
    httplib::Client client(
        fmt::format("{}://{}:{}", url->scheme, v6 ? "[" + url->host + "]" : url->host, url->port));
    client.set_hostname_addr_map({{url->host, addresses.front()}});
    client.set_follow_location(false);  // each redirect is checked like the first address
    const auto secs = static_cast<time_t>(left.count() / 1000);
    const auto usecs = static_cast<time_t>((left.count() % 1000) * 1000);
    client.set_connection_timeout(secs, usecs);
    client.set_read_timeout(secs, usecs);
    client.set_write_timeout(secs, usecs);
    std::string body;
    bool too_large = false, too_slow = false;
    const std::size_t max = options_.max_bytes;
    auto result = client.Get(
        url->target, httplib::Headers{},
        [&](const httplib::Response& r) {
          const auto length = r.get_header_value("Content-Length");
          if (!length.empty() && std::strtoull(length.c_str(), nullptr, 10) > max) {
            too_large = true;
            return false;
          }
          return true;
        },
        [&](const char* data, std::size_t size) {
          if (body.size() + size > max) {
            too_large = true;
            return false;
          }
          if (std::chrono::steady_clock::now() > deadline) {
            too_slow = true;
            return false;
          }
          body.append(data, size);
          return true;
        });
    if (too_large)
      return api_fail(fmt::format("the recording is larger than {} bytes", max), "INVALID_ARGUMENT",
                      413);
    if (too_slow) return api_fail("the download took too long", "ERROR_CORE", 504);
    if (!result)
      return api_fail(
          fmt::format("cannot download RECORD_URL: {}", httplib::to_string(result.error())),
          "ERROR_CORE");
    const int status = result->status;
    if (status >= 300 && status < 400 && result->has_header("Location")) {
      auto next = bitrix24::resolve_location(*url, result->get_header_value("Location"));
      if (!next) return api_fail("a redirect to a URL that is not http(s)", "INVALID_ARGUMENT");
      url = std::move(next);
      continue;
    }
    if (status != 200) return api_fail(fmt::format("Server returns HTTP error code {}", status));
    return store(call_id, filename, body);
  }
  return api_fail("too many redirects", "ERROR_CORE");
}

}  // namespace server
TELCRM_END_NAMESPACE
