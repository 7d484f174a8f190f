#pragma once
// The configuration of a process's streams and elaborations, as the program holds it once config.hpp has read
// it from JSON (or a program has filled it itself), and the ConfigError that says where a configuration is
// wrong. ElaborationConfig::make_options() turns one elaboration's into what it is constructed with.

#include "endpoint.hpp"
#include "error.hpp"
#include "options.hpp"
#include "sampling.hpp"
#include "sinks/json_lines_sink.hpp"
#include "sinks/udp_sink.hpp"
#include "source.hpp"
#include "tracking.hpp"

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace elaborator {

// A mistake in a configuration: where (a path into the JSON) and what is wrong with it.
class ConfigError : public Error {
 public:
  ConfigError(std::string path, std::string reason)
      : Error(fmt::format("{}: {}", path, reason)), path_(std::move(path)), reason_(std::move(reason)) {}
  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] const std::string& reason() const { return reason_; }

 private:
  std::string path_;
  std::string reason_;
};

// Where an elaboration's results go, before anything is opened.
struct SinkSpec {
  std::vector<Endpoint> udp;
  std::size_t udp_max_bytes = UdpSink::default_max_datagram;
  std::string jsonl;  // empty: none
  bool standard_output = false;
};

struct ElaborationConfig {
  std::string kind;
  std::string name;
  SamplingPolicy sampling;
  TrackingPolicy tracking;
  SinkSpec sinks;
  std::chrono::milliseconds report_interval{5000};
  nlohmann::json params = nlohmann::json::object();  // complete: every parameter of the kind, checked

  // The options to construct the elaboration with: opens its sinks (throws elaborator::Error if one cannot
  // be opened). Call once per elaboration.
  [[nodiscard]] ElaborationOptions make_options() const {
    ElaborationOptions options;
    options.name = name;
    options.kind = kind;
    options.sampling = sampling;
    options.tracking = tracking;
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
  std::string id = "stream";
  Source source;
  std::vector<ElaborationConfig> elaborations;
};

// The ports a dispatched publisher's stream takes: 5 for video (its RTP and RTCP, its mountpoint's video,
// video RTCP and data), 3 for audio (its RTP, its mountpoint's audio and data).
struct PortRange {
  std::uint16_t first = 30000;
  std::uint16_t last = 30999;
};

// Where the Janus server is whose rooms are followed (janus/dispatcher.hpp), and how.
struct JanusConfig {
  std::string url;                                 // its HTTP API, e.g. http://127.0.0.1:8088/janus
  PortRange ports;
  std::string host = "127.0.0.1";                  // this machine's address as Janus reaches it, and the bind address
  std::string instance = "elaborator";             // names what this process makes in Janus, to find it again
  std::chrono::milliseconds reconcile{5000};       // how often the rooms are compared with what runs; at most
                                                   // 30 s, since Janus ends a session idle for 60 s
  unsigned replica = 0;                            // scale-out: this process takes the publishers whose hash
  unsigned replicas = 1;                           // modulo `replicas` is `replica`
  std::string secrets_file;                        // NAME=value lines; the environment wins
};

// A VideoRoom room whose publishers are analysed: each of its published video streams gets its video
// elaborations and each published audio stream its audio ones (by what their kind classifies), whose results
// go to the stream's own Streaming mountpoint (besides their own sinks).
struct RoomConfig {
  std::uint64_t id = 0;
  std::vector<ElaborationConfig> elaborations;
};

struct Config {
  std::chrono::milliseconds stats_interval{5000};  // each elaboration's report_interval; 0: no statistics lines
  std::vector<StreamConfig> streams;
  std::optional<JanusConfig> janus;
  std::vector<RoomConfig> rooms;
};

}  // namespace elaborator
