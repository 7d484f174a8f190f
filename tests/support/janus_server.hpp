#pragma once
// A private Janus for a test: its own configuration folder (examples/janus/make-config), its HTTP API on a
// free port of 127.0.0.1, stopped by PID when the test ends. No browser talks to it, so it needs no network
// namespace: the API and plain RTP work on loopback.

#include "child_process.hpp"
#include "ports.hpp"
#include "temp_dir.hpp"
#include "wait.hpp"

#include <elaborator/detail/http_json.hpp>

#include <netinet/in.h>
#include <sys/socket.h>

#include <filesystem>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace test_support {

class JanusServer {
 public:
  explicit JanusServer(const std::string& make_config) : port_(free_tcp_port()) {
    if (!std::filesystem::exists("/usr/bin/janus")) throw std::runtime_error("/usr/bin/janus is missing: install Debian's janus");
    std::mt19937 random(std::random_device{}());
    const int first = 30000 + static_cast<int>(random() % 300) * 100;  // a private range, unlikely to be in use
    ChildProcess config({make_config, dir_.file("janus"), "--http-port", std::to_string(port_), "--rtp-ports",
                         std::to_string(first) + "-" + std::to_string(first + 99)},
                        dir_.file("make-config.out"), dir_.file("make-config.err"));
    if (!config.wait_exit(std::chrono::seconds(10))) throw std::runtime_error("make-config did not finish");
    for (const auto& line : lines(read_file(dir_.file("janus/secrets.env")))) {
      secrets_[line.substr(0, line.find('='))] = line.substr(line.find('=') + 1);
    }
    janus_.emplace(std::vector<std::string>{"/usr/bin/janus", "-C", dir_.file("janus/janus.jcfg"), "-F", dir_.file("janus"),
                                            "-N", "-o"},
                   dir_.file("janus.out"), dir_.file("janus.err"));
    const bool up = wait_until(
        [&] {
          try {
            return elaborator::detail::http_json(url() + "/info", nullptr, std::chrono::milliseconds(500)).status == 200;
          } catch (const elaborator::Error&) {
            return false;
          }
        },
        std::chrono::seconds(10));
    if (!up) throw std::runtime_error("Janus did not answer: " + janus_->standard_output());
  }

  [[nodiscard]] std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/janus"; }
  [[nodiscard]] std::string secret(const std::string& name) const { return secrets_.at(name); }
  [[nodiscard]] std::string secrets_file() const { return dir_.file("janus/secrets.env"); }

 private:
  static std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> result;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) result.push_back(line);
    return result;
  }

  TempDir dir_;
  std::uint16_t port_;
  std::map<std::string, std::string> secrets_;
  std::optional<ChildProcess> janus_;  // declared last: stopped first
};

}  // namespace test_support
