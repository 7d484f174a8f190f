#pragma once
// The ready file (--ready-file): one JSON object, written once everything listens and again whenever the
// streams change, so scripts and tests learn the ports the OS picked without reading a log:
//   {"control": "127.0.0.1:40123", "streams": [{"id": "camera-1", "rtp_port": 5004, "rtcp_port": 5005}]}
// ("control" is null without the API; a port a stream does not have is null.) It is replaced atomically
// (written beside, then renamed), so a reader never sees half of it.

#include "../endpoint.hpp"
#include "../error.hpp"
#include "../registry.hpp"

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace elaborator::detail {

inline nlohmann::json ready_json(const std::optional<Endpoint>& control, const std::vector<StreamState>& streams) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& s : streams) {
    const auto* rtp = std::get_if<RtpSource>(&s.source);
    list.push_back({{"id", s.id},
                    {"rtp_port", rtp != nullptr ? nlohmann::json(rtp->port) : nlohmann::json(nullptr)},
                    {"rtcp_port", rtp != nullptr && rtp->rtcp_port ? nlohmann::json(*rtp->rtcp_port) : nlohmann::json(nullptr)}});
  }
  return {{"control", control ? nlohmann::json(fmt::format("{}:{}", control->host, control->port)) : nlohmann::json(nullptr)},
          {"streams", list}};
}

inline void write_file_atomically(const std::string& path, const std::string& text) {
  const std::string partial = path + ".partial";
  {
    std::ofstream out(partial, std::ios::trunc);
    out << text << '\n';
    if (!out.flush()) throw Error(fmt::format("ready file {}: cannot write {}", path, partial));
  }
  if (std::rename(partial.c_str(), path.c_str()) != 0) throw Error(fmt::format("ready file {}: cannot rename {} to it", path, partial));
}

// The ready file of a running process: update() may be called from any thread (the API's after a change,
// the main one at start); one writes at a time, each what runs at that moment, so the last write is the
// newest state. Nothing is written before enable() (not everything listens yet), and disable() removes it.
class ReadyFile {
 public:
  ReadyFile(std::string path, const Registry& registry) : path_(std::move(path)), registry_(registry) {}

  void enable(std::optional<Endpoint> control) {
    {
      const std::lock_guard lock(mutex_);
      control_ = std::move(control);
      enabled_ = !path_.empty();
    }
    update();
  }

  void update() {
    const std::lock_guard lock(mutex_);
    if (enabled_) write_file_atomically(path_, ready_json(control_, registry_.streams()).dump());
  }

  void disable() {
    const std::lock_guard lock(mutex_);
    if (enabled_) std::remove(path_.c_str());
    enabled_ = false;
  }

 private:
  std::string path_;
  const Registry& registry_;
  std::mutex mutex_;
  std::optional<Endpoint> control_;
  bool enabled_ = false;
};

}  // namespace elaborator::detail
