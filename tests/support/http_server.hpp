#pragma once
// A real HTTP server (cpp-httplib, Debian's) on 127.0.0.1, on a port the OS picks, running in the test's
// process. Tests give it handlers that answer, fail, or hang; every request it sees is recorded.

#include "wait.hpp"

#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace test_support {

struct SeenRequest {
  std::chrono::steady_clock::time_point at;
  std::string path;  // with the query
  httplib::Headers headers;
  std::string body;
};

// For HttpServer: every request waits until release() before it is answered.
enum class Hangs { no, until_released };

class HttpServer {
 public:
  using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;
  static constexpr auto longest_hang = std::chrono::seconds(30);

  // Every POST, to any path, goes to `handler` (after being recorded).
  explicit HttpServer(Handler handler, Hangs hangs = Hangs::no) : handler_(std::move(handler)) {
    server_.set_keep_alive_timeout(1);
    server_.Post(".*", [this, hangs](const httplib::Request& request, httplib::Response& response) {
      record(request);
      if (hangs == Hangs::until_released) hang();
      handler_(request, response);
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    if (port_ <= 0) throw std::runtime_error("http server: cannot bind");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // cpp-httplib 0.11 has no wait_until_ready(), and stop() before the loop runs is lost.
    if (!wait_until([this] { return server_.is_running(); }, std::chrono::seconds(10))) {
      throw std::runtime_error("http server: did not start");
    }
  }

  ~HttpServer() {
    release();
    server_.stop();
    thread_.join();
  }
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  [[nodiscard]] std::uint16_t port() const { return static_cast<std::uint16_t>(port_); }
  [[nodiscard]] std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // Lets the hanging requests (and those to come) be answered.
  void release() {
    {
      const std::lock_guard lock(mutex_);
      released_ = true;
    }
    released_changed_.notify_all();
  }

  [[nodiscard]] bool released() const {
    const std::lock_guard lock(mutex_);
    return released_;
  }

  [[nodiscard]] std::vector<SeenRequest> seen() const {
    const std::lock_guard lock(mutex_);
    return seen_;
  }

  [[nodiscard]] std::size_t seen_count() const {
    const std::lock_guard lock(mutex_);
    return seen_.size();
  }

 private:
  void hang() {
    std::unique_lock lock(mutex_);
    released_changed_.wait_for(lock, longest_hang, [this] { return released_; });
  }

  void record(const httplib::Request& request) {
    const std::lock_guard lock(mutex_);
    seen_.push_back({std::chrono::steady_clock::now(), request.target, request.headers, request.body});
  }

  Handler handler_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::condition_variable released_changed_;
  bool released_ = false;
  std::vector<SeenRequest> seen_;
};

// A TCP port on 127.0.0.1 where connections are refused: a socket bound but never listening, so that no
// other program can take the port while the test runs.
class RefusingPort {
 public:
  RefusingPort() : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      throw std::runtime_error("refusing port: cannot bind");
    }
    socklen_t length = sizeof address;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
  }
  ~RefusingPort() { ::close(fd_); }
  RefusingPort(const RefusingPort&) = delete;
  RefusingPort& operator=(const RefusingPort&) = delete;

  [[nodiscard]] std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  int fd_;
  std::uint16_t port_ = 0;
};

}  // namespace test_support
