#pragma once
// The HTTP control API of a long-running process (detail/control_api.hpp has its routes), served with
// cpp-httplib: a maintained C++ server Debian packages, already the tests' HTTP server, with the limits an
// API open to a network needs built in (request body size, read and write timeouts, a fixed pool of
// threads). libmicrohttpd, Janus's choice, would serve as well but asks for C callbacks to assemble bodies.
//
// Loopback by default. On any other address it requires a bearer token ("Authorization: Bearer T"), which
// comes from ELABORATOR_CONTROL_TOKEN or a file, never from the command line; with a token, every request
// but GET /healthz must carry it. Without one, the Host header must name this machine. POST bodies must be
// declared JSON and are limited to 64 KiB; a request that breaks a rule is answered with an error and
// changes nothing. Requests are served on the server's own threads: the frame loop never waits for them.

#include "detail/control_api.hpp"
#include "detail/log.hpp"
#include "endpoint.hpp"
#include "error.hpp"
#include "http/secret.hpp"
#include "service.hpp"

#include <fmt/core.h>
#include <httplib.h>

#include <atomic>
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

namespace elaborator {

class ControlServer {
 public:
  static constexpr std::size_t max_body_bytes = 64 * 1024;
  static constexpr std::size_t threads = 4;

  // Listens on `where` (port 0: the OS picks; endpoint() tells which) and serves until stop(). Throws
  // ConflictError for a port in use, Error for an address other than loopback without a token.
  // With a dispatcher (--janus), also its state and the events endpoint Janus's event handler posts to.
  ControlServer(Service& service, const Endpoint& where, std::optional<http::Secret> token,
                janus::Dispatcher* dispatcher = nullptr)
      : service_(service), token_(std::move(token)), dispatcher_(dispatcher) {
    if (!is_loopback(where.host) && !token_) {
      throw Error(fmt::format("--control {}:{}: an address other than loopback needs a token: set "
                              "ELABORATOR_CONTROL_TOKEN or give --control-token-file",
                              where.host, where.port));
    }
    configure();
    const int port = where.port == 0 ? server_.bind_to_any_port(where.host) : bind_to(where);
    if (port <= 0) {
      throw ConflictError(fmt::format("--control {}:{}: cannot listen (an address of this machine, with a free port?)",
                                      where.host, where.port));
    }
    endpoint_ = {where.host, static_cast<std::uint16_t>(port)};
    thread_ = std::thread([this] {
      server_.listen_after_bind();
      served_ = true;
    });
    // stop() does nothing to a server that is not running yet, which would then run for ever: so it runs
    // before the constructor returns (listen_after_bind() sets a flag first thing).
    while (!server_.is_running() && !served_) std::this_thread::yield();
    detail::log("control API on http://{}:{}/v1/streams{}", endpoint_.host, endpoint_.port, token_ ? " (token required)" : "");
  }

  ~ControlServer() { stop(); }
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  // Stops listening and waits for requests in progress. Idempotent.
  void stop() {
    if (!thread_.joinable()) return;
    server_.stop();
    thread_.join();
  }

  [[nodiscard]] const Endpoint& endpoint() const { return endpoint_; }

 private:
  static bool is_loopback(const std::string& host) {
    return host == "localhost" || host == "::1" || host.starts_with("127.");
  }

  int bind_to(const Endpoint& where) { return server_.bind_to_port(where.host, where.port) ? where.port : -1; }

  void configure() {
    server_.new_task_queue = [] { return new httplib::ThreadPool(threads); };
    server_.set_payload_max_length(max_body_bytes);
    server_.set_read_timeout(std::chrono::seconds(5));
    server_.set_write_timeout(std::chrono::seconds(5));
    server_.set_keep_alive_timeout(2);
    server_.set_pre_routing_handler([this](const httplib::Request& request, httplib::Response& response) {
      if (auto refused = refusal(request)) {
        if (refused->status == 401) response.set_header("WWW-Authenticate", "Bearer");
        answer(response, *refused);
        return httplib::Server::HandlerResponse::Handled;
      }
      return httplib::Server::HandlerResponse::Unhandled;
    });
    const auto serve = [this](const httplib::Request& request, httplib::Response& response) {
      answer(response, detail::handle_api_request(request.method, request.path, request.body, service_, dispatcher_));
    };
    server_.Get(".*", serve).Post(".*", serve).Delete(".*", serve).Put(".*", serve).Patch(".*", serve);
    // What the server refuses before a handler runs (a body over the limit, a malformed request): JSON too.
    server_.set_error_handler([](const httplib::Request&, httplib::Response& response) {
      if (!response.body.empty()) return;
      const int status = response.status;
      answer(response, detail::error_response(status, status == 413 ? fmt::format("the body is larger than {} bytes", max_body_bytes)
                                                                     : fmt::format("refused (HTTP {})", status)));
    });
  }

  // Why a request is refused before it is read, if it is. The API can run any pipeline and write files as
  // this process's user, so a web page the operator's browser shows must not reach it: a page can send a
  // POST that is not JSON without asking first, and can reach 127.0.0.1 under a name of its own (DNS
  // rebinding). So bodies must say they are JSON, and without a token the Host must be this machine.
  std::optional<detail::ApiResponse> refusal(const httplib::Request& request) const {
    // Events are Janus's: checked its way. (Without a dispatcher, or another method, the route answers 404 or
    // 405 as for any other path.)
    if (request.path == events_path && request.method == "POST" && dispatcher_ != nullptr) return events_refusal(request);
    if (token_ && request.path != "/healthz" &&
        !constant_time_equal(request.get_header_value("Authorization"), "Bearer " + token_->reveal())) {
      return detail::error_response(401, "this API needs \"Authorization: Bearer <token>\"");
    }
    if (!token_ && !is_loopback(host_of(request.get_header_value("Host")))) {
      return detail::error_response(403, "the Host header must name this machine (127.0.0.1, localhost or ::1)");
    }
    if (request.method == "POST" && !request.get_header_value("Content-Type").starts_with("application/json")) {
      return detail::error_response(415, "a request body is JSON: send \"Content-Type: application/json\"");
    }
    return std::nullopt;
  }

  // Janus's HTTP event handler can send only Basic authentication (backend_user, backend_pwd): the events
  // endpoint takes user "janus" with the shared JANUS_EVENTS_SECRET, and nothing without it.
  std::optional<detail::ApiResponse> events_refusal(const httplib::Request& request) const {
    const std::string secret = dispatcher_->events_secret();
    if (secret.empty()) {
      return detail::error_response(403, "no events are taken: set JANUS_EVENTS_SECRET (and backend_pwd in Janus's "
                                         "janus.eventhandler.sampleevh.jcfg)");
    }
    if (!constant_time_equal(request.get_header_value("Authorization"), "Basic " + base64("janus:" + secret))) {
      return detail::error_response(401, "events need Basic authentication: user janus, password JANUS_EVENTS_SECRET");
    }
    if (!request.get_header_value("Content-Type").starts_with("application/json")) {
      return detail::error_response(415, "a request body is JSON: send \"Content-Type: application/json\"");
    }
    return std::nullopt;
  }

  static std::string base64(std::string_view bytes) {
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string text;
    for (std::size_t i = 0; i < bytes.size(); i += 3) {
      const std::size_t n = std::min<std::size_t>(3, bytes.size() - i);
      std::uint32_t group = 0;
      for (std::size_t k = 0; k < 3; ++k) group = (group << 8) | (k < n ? static_cast<unsigned char>(bytes[i + k]) : 0U);
      for (std::size_t k = 0; k < 4; ++k) text += k <= n ? alphabet[(group >> (18 - 6 * k)) & 0x3F] : '=';
    }
    return text;
  }

  // "127.0.0.1:8080" -> "127.0.0.1", "[::1]:8080" -> "::1".
  static std::string host_of(const std::string& header) {
    if (header.starts_with('[')) return header.substr(1, header.find(']') - 1);
    return header.substr(0, header.find(':'));
  }

  // Comparing a secret must not take longer the more of it is right.
  static bool constant_time_equal(const std::string& given, const std::string& expected) {
    unsigned difference = given.size() == expected.size() ? 0U : 1U;
    for (std::size_t i = 0; i < expected.size(); ++i) {
      difference |= static_cast<unsigned char>(expected[i]) ^ static_cast<unsigned char>(i < given.size() ? given[i] : 0);
    }
    return difference == 0;
  }

  static void answer(httplib::Response& response, const detail::ApiResponse& api) {
    response.status = api.status;
    if (!api.allow.empty()) response.set_header("Allow", api.allow);
    response.set_content(api.body, api.content_type.c_str());
  }

  static constexpr const char* events_path = "/v1/janus/events";

  Service& service_;
  std::optional<http::Secret> token_;
  janus::Dispatcher* dispatcher_;
  httplib::Server server_;
  Endpoint endpoint_;
  std::atomic<bool> served_{false};
  std::thread thread_;
};

}  // namespace elaborator
