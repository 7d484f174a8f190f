#pragma once
// A process's streams and elaborations, from JSON (a program's --config file). Every mistake is an
// elaborator::Error that says where it is ("streams[1].rtp.port: ..."), and unknown keys are mistakes too:
// a misspelt option must not be silently ignored.
//
//   {"stats_interval": 5,
//    "streams": [
//      {"id": "camera-1",
//       "rtp": {"port": 5004, "codec": "vp8", "payload_type": 96, "bind": "127.0.0.1", "rtcp_port": 5005,
//               "jitter_ms": 50, "allowed_sender": "127.0.0.1"},
//       "elaborations": [
//         {"name": "faces", "every": 1, "max_fps": 0, "queue": 1,
//          "udp": ["127.0.0.1:20001"], "udp_max_bytes": 1472, "jsonl": "camera-1.jsonl", "stdout": false,
//          "params": {"min_face": 60}}]},
//      {"id": "recording", "file": {"path": "video.mp4", "realtime": false}, "elaborations": [{"name": "faces"}]},
//      {"id": "usb", "pipeline": {"launch": "v4l2src ! videoconvert ! appsink name=appsink", "live": true},
//       "elaborations": [{"name": "faces"}]}]}
//
// "params" is the program's own business (what its elaborations are configured with); the library only
// hands it over. Parsing touches nothing outside: sinks are opened later, by make_options().

#include "endpoint.hpp"
#include "error.hpp"
#include "options.hpp"
#include "sampling.hpp"
#include "sinks/json_lines_sink.hpp"
#include "sinks/udp_sink.hpp"
#include "source.hpp"

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace elaborator {

// Where an elaboration's results go, before anything is opened.
struct SinkSpec {
  std::vector<Endpoint> udp;
  std::size_t udp_max_bytes = UdpSink::default_max_datagram;
  std::string jsonl;  // empty: none
  bool standard_output = false;
};

struct ElaborationConfig {
  std::string name = "elaboration";
  SamplingPolicy sampling;
  SinkSpec sinks;
  std::chrono::milliseconds report_interval{5000};
  nlohmann::json params = nlohmann::json::object();

  // The options to construct the elaboration with: opens its sinks (throws elaborator::Error if one cannot
  // be opened). Call once per elaboration.
  [[nodiscard]] ElaborationOptions make_options() const {
    ElaborationOptions options;
    options.name = name;
    options.sampling = sampling;
    options.report_interval = report_interval;
    for (const auto& target : sinks.udp) {
      options.sinks.push_back(std::make_shared<UdpSink>(target.host, target.port, sinks.udp_max_bytes));
    }
    if (!sinks.jsonl.empty()) options.sinks.push_back(JsonLinesSink::open(sinks.jsonl));
    if (sinks.standard_output) options.sinks.push_back(JsonLinesSink::standard_output());
    return options;
  }
};

struct StreamConfig {
  std::string id;
  Source source;
  std::vector<ElaborationConfig> elaborations;
};

namespace detail {

// One JSON object being read, with its path for error messages.
class ConfigObject {
 public:
  ConfigObject(const nlohmann::json& json, std::string path, std::initializer_list<std::string_view> known)
      : json_(json), path_(std::move(path)) {
    if (!json.is_object()) fail("must be an object");
    for (const auto& [key, value] : json.items()) {
      bool is_known = false;
      for (const auto k : known) is_known = is_known || key == k;
      if (!is_known) throw Error(fmt::format("{}.{}: unknown key", path_, key));
    }
  }

  [[nodiscard]] bool has(const char* key) const { return json_.contains(key); }
  [[nodiscard]] const nlohmann::json& at(const char* key) const { return json_.at(key); }
  [[nodiscard]] std::string path(const char* key) const { return fmt::format("{}.{}", path_, key); }

  template <class T>
  T get(const char* key, T fallback) const {
    if (!json_.contains(key)) return fallback;
    const auto& value = json_.at(key);
    if constexpr (std::is_same_v<T, bool>) {
      if (!value.is_boolean()) throw Error(fmt::format("{}: must be true or false", path(key)));
      return value.get<bool>();
    } else if constexpr (std::is_same_v<T, std::string>) {
      if (!value.is_string()) throw Error(fmt::format("{}: must be a string", path(key)));
      return value.get<std::string>();
    } else {
      if (!value.is_number()) throw Error(fmt::format("{}: must be a number", path(key)));
      return value.get<T>();
    }
  }

  // A whole number within [low, high].
  std::int64_t integer(const char* key, std::int64_t fallback, std::int64_t low, std::int64_t high) const {
    if (!json_.contains(key)) return fallback;
    const auto& value = json_.at(key);
    if (!value.is_number_integer() || value.get<std::int64_t>() < low || value.get<std::int64_t>() > high) {
      throw Error(fmt::format("{}: must be a whole number from {} to {}", path(key), low, high));
    }
    return value.get<std::int64_t>();
  }

  [[noreturn]] void fail(std::string_view reason) const { throw Error(fmt::format("{}: {}", path_, reason)); }

 private:
  const nlohmann::json& json_;
  std::string path_;
};

inline RtpSource rtp_source_from(const ConfigObject& rtp) {
  RtpSource source;
  source.port = static_cast<std::uint16_t>(rtp.integer("port", -1, 0, 65535));
  try {
    source.codec = parse_codec(rtp.get<std::string>("codec", "vp8"));
  } catch (const Error& error) {
    throw Error(fmt::format("{}: {}", rtp.path("codec"), error.what()));
  }
  source.payload_type = static_cast<int>(rtp.integer("payload_type", 96, 0, 127));
  source.bind_address = rtp.get<std::string>("bind", source.bind_address);
  source.jitter_latency = std::chrono::milliseconds(rtp.integer("jitter_ms", 50, 0, 10000));
  if (rtp.has("rtcp_port")) source.rtcp_port = static_cast<std::uint16_t>(rtp.integer("rtcp_port", 0, 0, 65535));
  source.allowed_sender = rtp.get<std::string>("allowed_sender", "");
  return source;
}

inline Source source_from(const ConfigObject& stream) {
  const int kinds = static_cast<int>(stream.has("rtp")) + static_cast<int>(stream.has("file")) +
                    static_cast<int>(stream.has("pipeline"));
  if (kinds != 1) stream.fail("needs exactly one of \"rtp\", \"file\" or \"pipeline\"");
  if (stream.has("rtp")) {
    const ConfigObject rtp(stream.at("rtp"), stream.path("rtp"),
                           {"port", "codec", "payload_type", "bind", "rtcp_port", "jitter_ms", "allowed_sender"});
    if (!rtp.has("port")) rtp.fail("needs a \"port\"");
    return rtp_source_from(rtp);
  }
  if (stream.has("file")) {
    const ConfigObject file(stream.at("file"), stream.path("file"), {"path", "realtime"});
    if (!file.has("path")) file.fail("needs a \"path\"");
    return FileSource{file.get<std::string>("path", ""), file.get<bool>("realtime", false)};
  }
  const ConfigObject pipeline(stream.at("pipeline"), stream.path("pipeline"), {"launch", "live"});
  if (!pipeline.has("launch")) pipeline.fail("needs a \"launch\" description");
  return PipelineSource{pipeline.get<std::string>("launch", ""), pipeline.get<bool>("live", true)};
}

inline ElaborationConfig elaboration_from(const ConfigObject& e, std::chrono::milliseconds report_interval) {
  ElaborationConfig config;
  config.name = e.get<std::string>("name", config.name);
  config.sampling.every_nth = static_cast<std::uint32_t>(e.integer("every", 1, 1, std::numeric_limits<std::uint32_t>::max()));
  config.sampling.max_fps = e.get<double>("max_fps", 0);
  if (!(config.sampling.max_fps >= 0 && config.sampling.max_fps <= 1000)) {
    throw Error(fmt::format("{}: must be from 0 (no cap) to 1000", e.path("max_fps")));
  }
  config.sampling.queue_capacity = static_cast<std::size_t>(e.integer("queue", 1, 1, 1'000'000));
  config.report_interval = report_interval;
  config.sinks.udp_max_bytes = static_cast<std::size_t>(
      e.integer("udp_max_bytes", UdpSink::default_max_datagram, 64, UdpSink::largest_ipv4_datagram));
  if (e.has("udp")) {
    const auto& targets = e.at("udp");
    if (!targets.is_array()) throw Error(fmt::format("{}: must be a list of \"HOST:PORT\"", e.path("udp")));
    for (const auto& target : targets) {
      if (!target.is_string()) throw Error(fmt::format("{}: must be a list of \"HOST:PORT\"", e.path("udp")));
      try {
        config.sinks.udp.push_back(parse_endpoint(target.get<std::string>()));
      } catch (const Error& error) {
        throw Error(fmt::format("{}: {}", e.path("udp"), error.what()));
      }
    }
  }
  config.sinks.jsonl = e.get<std::string>("jsonl", "");
  config.sinks.standard_output = e.get<bool>("stdout", false);
  if (e.has("params")) {
    if (!e.at("params").is_object()) throw Error(fmt::format("{}: must be an object", e.path("params")));
    config.params = e.at("params");
  }
  return config;
}

}  // namespace detail

// The streams of a configuration. Throws elaborator::Error, saying where, for anything that cannot work.
inline std::vector<StreamConfig> parse_config(const nlohmann::json& json) {
  const detail::ConfigObject root(json, "config", {"streams", "stats_interval"});
  const double interval = root.get<double>("stats_interval", 5.0);
  if (!(interval >= 0 && interval <= 86400)) root.fail("stats_interval must be from 0 to 86400 seconds");
  const auto report_interval = std::chrono::milliseconds(static_cast<long long>(interval * 1000));
  if (!root.has("streams") || !root.at("streams").is_array() || root.at("streams").empty()) {
    root.fail("needs \"streams\": a list of at least one stream");
  }
  std::vector<StreamConfig> streams;
  const auto& list = root.at("streams");
  for (std::size_t i = 0; i < list.size(); ++i) {
    const detail::ConfigObject stream(list[i], fmt::format("config.streams[{}]", i),
                                      {"id", "rtp", "file", "pipeline", "elaborations"});
    StreamConfig config;
    config.id = stream.get<std::string>("id", fmt::format("stream-{}", i));
    for (const auto& other : streams) {
      if (other.id == config.id) stream.fail(fmt::format("a second stream called '{}'", config.id));
    }
    config.source = detail::source_from(stream);
    if (!stream.has("elaborations") || !stream.at("elaborations").is_array() || stream.at("elaborations").empty()) {
      stream.fail("needs \"elaborations\": a list of at least one elaboration");
    }
    const auto& elaborations = stream.at("elaborations");
    for (std::size_t j = 0; j < elaborations.size(); ++j) {
      const detail::ConfigObject e(elaborations[j], fmt::format("{}[{}]", stream.path("elaborations"), j),
                                   {"name", "every", "max_fps", "queue", "udp", "udp_max_bytes", "jsonl", "stdout",
                                    "params"});
      config.elaborations.push_back(detail::elaboration_from(e, report_interval));
    }
    streams.push_back(std::move(config));
  }
  return streams;
}

}  // namespace elaborator
