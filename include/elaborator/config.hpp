#pragma once
// The one description of a process's streams and elaborations: JSON, whichever way it comes in (a
// --streams-file, the command line, which builds the same JSON, or the control API, which takes one stream
// or one elaboration object of it). One parser checks it all, so limits, defaults and error messages are
// the same everywhere. Every mistake is a ConfigError that says where it is
// ("config.streams[1].rtp.port: must be a whole number from 0 to 65535"), and unknown keys are mistakes
// too: a misspelt option must not be silently ignored.
//
//   {"stats_interval": 5,
//    "streams": [
//      {"id": "camera-1",
//       "rtp": {"port": 5004, "codec": "vp8", "payload_type": 96, "bind": "127.0.0.1", "rtcp_port": 5005,
//               "jitter_ms": 50, "allowed_sender": "127.0.0.1"},
//       "elaborations": [
//         {"kind": "face_detector", "name": "faces", "every": 1, "max_fps": 0, "queue": 1,
//          "on_change": false, "change": 0.02, "max_interval": 1, "track": false, "track_unseen": 1,
//          "udp": ["127.0.0.1:20001"], "udp_max_bytes": 1472, "jsonl": "camera-1.jsonl", "stdout": false,
//          "params": {"min_face": 60}}]},
//      {"id": "recording", "file": {"path": "video.mp4", "realtime": false}, "elaborations": [{}]},
//      {"id": "usb", "pipeline": {"launch": "v4l2src ! videoconvert ! appsink name=appsink", "live": true}}]}
//
// Or rooms to follow: every published video stream of a VideoRoom room gets a stream of its own with the
// room's elaborations, made and unmade as publishers come and go (janus/dispatcher.hpp; docs/janus.md):
//
//   {"janus": {"url": "http://127.0.0.1:8088/janus", "ports": "30000-30999", "host": "127.0.0.1",
//              "instance": "elaborator", "reconcile_seconds": 5, "replica": "0/1", "secrets_file": "secrets.env"},
//    "rooms": [{"id": 1234, "elaborations": [{"kind": "face_detector", "max_fps": 5}]}]}
//
// Defaults: a stream's id is "stream"; an elaboration's kind is the program's only kind (a program with
// several needs "kind"), its name is its kind's, and with no "udp", "jsonl" or "stdout" its results go to
// stdout. Ids and names are 1-64 letters, digits, '.', '_' or '-' (they appear in URLs and metric labels).
// "params" are checked against what the kind declares (kinds.hpp). Parsing touches nothing outside: sinks
// are opened later, by make_options().

#include "endpoint.hpp"
#include "error.hpp"
#include "kinds.hpp"
#include "options.hpp"
#include "sampling.hpp"
#include "sinks/json_lines_sink.hpp"
#include "sinks/udp_sink.hpp"
#include "source.hpp"
#include "tracking.hpp"

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
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

// The ports a dispatched publisher's stream takes, 5 each: its RTP and RTCP, its mountpoint's video, video
// RTCP and data.
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

// A VideoRoom room whose publishers are analysed: each of its published video streams gets these
// elaborations, whose results go to the stream's own Streaming mountpoint (besides their own sinks).
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

namespace detail {

// Durations are seconds in a configuration (a number, fractions allowed) and milliseconds inside.
inline double seconds_of(std::chrono::milliseconds duration) { return static_cast<double>(duration.count()) / 1000.0; }
inline std::chrono::milliseconds milliseconds_from(double seconds) {
  return std::chrono::milliseconds(std::llround(seconds * 1000));
}

// One JSON object being read, with its path for error messages.
class ConfigObject {
 public:
  ConfigObject(const nlohmann::json& json, std::string path, std::initializer_list<std::string_view> known)
      : json_(json), path_(std::move(path)) {
    if (!json.is_object()) fail("must be an object");
    for (const auto& [key, value] : json.items()) {
      bool is_known = false;
      for (const auto k : known) is_known = is_known || key == k;
      if (!is_known) throw ConfigError(fmt::format("{}.{}", path_, key), "unknown key");
    }
  }

  [[nodiscard]] bool has(const char* key) const { return json_.contains(key); }
  [[nodiscard]] const nlohmann::json& at(const char* key) const { return json_.at(key); }
  [[nodiscard]] std::string path(const char* key) const { return fmt::format("{}.{}", path_, key); }
  [[nodiscard]] const std::string& path() const { return path_; }

  [[nodiscard]] bool flag(const char* key, bool fallback) const {
    if (!has(key)) return fallback;
    if (!at(key).is_boolean()) throw ConfigError(path(key), "must be true or false");
    return at(key).get<bool>();
  }

  [[nodiscard]] std::string text(const char* key, std::string fallback) const {
    if (!has(key)) return fallback;
    if (!at(key).is_string()) throw ConfigError(path(key), "must be a string");
    return at(key).get<std::string>();
  }

  // A number within [low, high].
  [[nodiscard]] double number(const char* key, double fallback, double low, double high) const {
    if (!has(key)) return fallback;
    if (!at(key).is_number() || !(at(key).get<double>() >= low && at(key).get<double>() <= high)) {
      throw ConfigError(path(key), fmt::format("must be a number from {} to {}", low, high));
    }
    return at(key).get<double>();
  }

  // A whole number within [low, high].
  [[nodiscard]] std::int64_t integer(const char* key, std::int64_t fallback, std::int64_t low, std::int64_t high) const {
    if (!has(key)) return fallback;
    const auto& value = at(key);
    if (!value.is_number_integer() || value.get<std::int64_t>() < low || value.get<std::int64_t>() > high ||
        (value.is_number_unsigned() && value.get<std::uint64_t>() > static_cast<std::uint64_t>(high))) {
      throw ConfigError(path(key), fmt::format("must be a whole number from {} to {}", low, high));
    }
    return value.get<std::int64_t>();
  }

  // An id or a name: it appears in URLs, file names and metric labels, so only a safe alphabet.
  [[nodiscard]] std::string identifier(const char* key, std::string fallback) const {
    std::string value = text(key, std::move(fallback));
    constexpr std::string_view allowed = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-";
    if (value.empty() || value.size() > 64 || value.find_first_not_of(allowed) != std::string::npos) {
      throw ConfigError(path(key), "must be 1 to 64 letters, digits, '.', '_' or '-'");
    }
    return value;
  }

  [[noreturn]] void fail(std::string reason) const { throw ConfigError(path_, std::move(reason)); }

 private:
  const nlohmann::json& json_;
  std::string path_;
};

inline RtpSource rtp_source_from(const ConfigObject& rtp) {
  RtpSource source;
  if (!rtp.has("port")) rtp.fail("needs a \"port\"");
  source.port = static_cast<std::uint16_t>(rtp.integer("port", 0, 0, 65535));
  try {
    source.codec = parse_codec(rtp.text("codec", std::string(to_string(source.codec))));
  } catch (const ConfigError&) {
    throw;
  } catch (const Error& error) {
    throw ConfigError(rtp.path("codec"), error.what());
  }
  source.payload_type = static_cast<int>(rtp.integer("payload_type", source.payload_type, 0, 127));
  source.bind_address = rtp.text("bind", source.bind_address);
  source.jitter_latency = std::chrono::milliseconds(rtp.integer("jitter_ms", source.jitter_latency.count(), 0, 10000));
  if (rtp.has("rtcp_port")) source.rtcp_port = static_cast<std::uint16_t>(rtp.integer("rtcp_port", 0, 0, 65535));
  source.allowed_sender = rtp.text("allowed_sender", "");
  return source;
}

inline Source source_from(const ConfigObject& stream) {
  const int kinds = static_cast<int>(stream.has("rtp")) + static_cast<int>(stream.has("file")) +
                    static_cast<int>(stream.has("pipeline"));
  if (kinds != 1) stream.fail("needs exactly one of \"rtp\", \"file\" or \"pipeline\"");
  if (stream.has("rtp")) {
    return rtp_source_from(ConfigObject(stream.at("rtp"), stream.path("rtp"),
                                        {"port", "codec", "payload_type", "bind", "rtcp_port", "jitter_ms", "allowed_sender"}));
  }
  if (stream.has("file")) {
    const ConfigObject file(stream.at("file"), stream.path("file"), {"path", "realtime"});
    if (!file.has("path")) file.fail("needs a \"path\"");
    return FileSource{file.text("path", ""), file.flag("realtime", false)};
  }
  const ConfigObject pipeline(stream.at("pipeline"), stream.path("pipeline"), {"launch", "live"});
  if (!pipeline.has("launch")) pipeline.fail("needs a \"launch\" description");
  return PipelineSource{pipeline.text("launch", ""), pipeline.flag("live", true)};
}

inline SamplingPolicy sampling_from(const ConfigObject& e, SamplingPolicy sampling) {
  sampling.every_nth = static_cast<std::uint32_t>(e.integer("every", sampling.every_nth, 1, 1'000'000));
  sampling.max_fps = e.number("max_fps", sampling.max_fps, 0, 1000);
  sampling.queue_capacity = static_cast<std::size_t>(e.integer("queue", static_cast<std::int64_t>(sampling.queue_capacity), 1, 1000));
  sampling.on_change = e.flag("on_change", sampling.on_change);
  sampling.change = e.number("change", sampling.change, 0, 1);
  sampling.max_interval = milliseconds_from(e.number("max_interval", seconds_of(sampling.max_interval), 0.01, 3600));
  return sampling;
}

inline TrackingPolicy tracking_from(const ConfigObject& e, TrackingPolicy tracking) {
  tracking.enabled = e.flag("track", tracking.enabled);
  tracking.unseen = milliseconds_from(e.number("track_unseen", seconds_of(tracking.unseen), 0.01, 3600));
  return tracking;
}

// `implied`: the elaboration has a sink it is not configured with (a room's publishers' mountpoints).
inline SinkSpec sinks_from(const ConfigObject& e, bool implied) {
  SinkSpec sinks;
  sinks.udp_max_bytes = static_cast<std::size_t>(
      e.integer("udp_max_bytes", UdpSink::default_max_datagram, 64, UdpSink::largest_ipv4_datagram));
  if (e.has("udp")) {
    const auto& targets = e.at("udp");
    if (!targets.is_array()) throw ConfigError(e.path("udp"), "must be a list of \"HOST:PORT\"");
    for (const auto& target : targets) {
      if (!target.is_string()) throw ConfigError(e.path("udp"), "must be a list of \"HOST:PORT\"");
      Endpoint endpoint;
      try {
        endpoint = parse_endpoint(target.get<std::string>());
      } catch (const Error& error) {
        throw ConfigError(e.path("udp"), error.what());
      }
      for (const auto& other : sinks.udp) {
        if (other.host == endpoint.host && other.port == endpoint.port) {
          throw ConfigError(e.path("udp"), fmt::format("{} twice", target.get<std::string>()));
        }
      }
      sinks.udp.push_back(std::move(endpoint));
    }
  }
  sinks.jsonl = e.text("jsonl", "");
  sinks.standard_output = e.flag("stdout", false);
  // Results that go nowhere are a mistake nobody would notice: with no sink named, they go to stdout.
  if (sinks.udp.empty() && sinks.jsonl.empty() && !implied) sinks.standard_output = sinks.standard_output || !e.has("stdout");
  return sinks;
}

// The kind's parameters: each given one checked, each missing one its default.
inline nlohmann::json params_from(const ConfigObject& e, const Kind& kind) {
  nlohmann::json params = nlohmann::json::object();
  const nlohmann::json none = nlohmann::json::object();
  const nlohmann::json& given = e.has("params") ? e.at("params") : none;
  const std::string path = e.path("params");
  if (!given.is_object()) throw ConfigError(path, "must be an object");
  for (const auto& item : given.items()) {
    const std::string& key = item.key();
    const nlohmann::json& value = item.value();
    const auto declared = std::find_if(kind.params.begin(), kind.params.end(), [&](const Param& p) { return p.name == key; });
    if (declared == kind.params.end()) {
      throw ConfigError(fmt::format("{}.{}", path, key), fmt::format("unknown key: kind {} takes no such parameter", kind.name));
    }
    if (!declared->accepts(value)) throw ConfigError(fmt::format("{}.{}", path, key), declared->expected());
    if (!declared->check) continue;
    try {
      declared->check(value);
    } catch (const Error& e) {
      throw ConfigError(fmt::format("{}.{}", path, key), e.what());
    }
  }
  for (const auto& param : kind.params) params[param.name] = given.contains(param.name) ? given.at(param.name) : param.fallback;
  return params;
}

}  // namespace detail

// One elaboration object, as a stream's "elaborations" list or the control API holds it; `path` names it
// in errors.
inline ElaborationConfig parse_elaboration(const nlohmann::json& json, const Kinds& kinds,
                                           std::chrono::milliseconds report_interval, const std::string& path = "elaboration",
                                           bool implied_sink = false) {
  const detail::ConfigObject e(json, path,
                               {"kind", "name", "every", "max_fps", "queue", "on_change", "change", "max_interval", "track",
                                "track_unseen", "udp", "udp_max_bytes", "jsonl", "stdout", "params"});
  ElaborationConfig config;
  const Kind* kind = nullptr;
  try {
    kind = &kinds.resolve(e.text("kind", ""));
  } catch (const ConfigError&) {
    throw;
  } catch (const Error& error) {
    throw ConfigError(e.has("kind") ? e.path("kind") : path, error.what());
  }
  config.kind = kind->name;
  config.name = e.identifier("name", kind->name);
  config.sampling = detail::sampling_from(e, kind->sampling);
  config.tracking = detail::tracking_from(e, kind->tracking);
  config.sinks = detail::sinks_from(e, implied_sink);
  config.report_interval = report_interval;
  config.params = detail::params_from(e, *kind);
  return config;
}

namespace detail {

// The "elaborations" list of a stream or a room: names unique.
inline std::vector<ElaborationConfig> elaborations_from(const ConfigObject& owner, const Kinds& kinds,
                                                        std::chrono::milliseconds report_interval, bool implied_sink) {
  std::vector<ElaborationConfig> elaborations;
  if (!owner.has("elaborations")) return elaborations;
  const auto& list = owner.at("elaborations");
  if (!list.is_array()) throw ConfigError(owner.path("elaborations"), "must be a list");
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string where = fmt::format("{}[{}]", owner.path("elaborations"), i);
    ElaborationConfig e = parse_elaboration(list[i], kinds, report_interval, where, implied_sink);
    for (const auto& other : elaborations) {
      if (other.name == e.name) throw ConfigError(where, fmt::format("a second elaboration called '{}'", e.name));
    }
    elaborations.push_back(std::move(e));
  }
  return elaborations;
}

// "A<separator>B" with A and B whole numbers written in digits only (no sign, no space), else nothing.
inline std::optional<std::pair<unsigned, unsigned>> number_pair(std::string_view text, char separator) {
  const auto at = text.find(separator);
  if (at == std::string_view::npos) return std::nullopt;
  const auto number = [](std::string_view digits) -> std::optional<unsigned> {
    unsigned value = 0;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (digits.empty() || error != std::errc{} || end != digits.data() + digits.size()) return std::nullopt;
    return value;
  };
  const auto first = number(text.substr(0, at));
  const auto second = number(text.substr(at + 1));
  if (!first || !second) return std::nullopt;
  return std::pair{*first, *second};
}

inline PortRange port_range_from(const ConfigObject& janus) {
  const std::string text = janus.text("ports", "30000-30999");
  const auto range = number_pair(text, '-');
  if (!range || range->first < 1024 || range->second > 65535 || range->first > range->second ||
      range->second - range->first < 4) {
    throw ConfigError(janus.path("ports"), fmt::format("'{}' is not FIRST-LAST: ports from 1024 to 65535, at least 5", text));
  }
  return {static_cast<std::uint16_t>(range->first), static_cast<std::uint16_t>(range->second)};
}

inline JanusConfig janus_from(const ConfigObject& janus) {
  JanusConfig config;
  if (!janus.has("url")) janus.fail("needs a \"url\": Janus's HTTP API, e.g. http://127.0.0.1:8088/janus");
  config.url = janus.text("url", "");
  if (!config.url.starts_with("http://") && !config.url.starts_with("https://")) {
    throw ConfigError(janus.path("url"), fmt::format("'{}' is not an http:// or https:// URL", config.url));
  }
  config.ports = port_range_from(janus);
  config.host = janus.text("host", config.host);
  config.instance = janus.identifier("instance", config.instance);
  config.reconcile = milliseconds_from(janus.number("reconcile_seconds", seconds_of(config.reconcile), 0.5, 30));
  const std::string replica = janus.text("replica", "0/1");
  const auto share = number_pair(replica, '/');
  if (!share || share->second < 1 || share->second > 1000 || share->first >= share->second) {
    throw ConfigError(janus.path("replica"), fmt::format("'{}' is not I/N with 0 <= I < N <= 1000", replica));
  }
  config.replica = share->first;
  config.replicas = share->second;
  config.secrets_file = janus.text("secrets_file", "");
  return config;
}

}  // namespace detail

// One stream object, as a streams file's "streams" list or the control API holds it.
inline StreamConfig parse_stream(const nlohmann::json& json, const Kinds& kinds, std::chrono::milliseconds report_interval,
                                 const std::string& path = "stream") {
  const detail::ConfigObject stream(json, path, {"id", "rtp", "file", "pipeline", "elaborations"});
  StreamConfig config;
  config.id = stream.identifier("id", config.id);
  config.source = detail::source_from(stream);
  config.elaborations = detail::elaborations_from(stream, kinds, report_interval, false);
  return config;
}

namespace detail {

// "janus" and "rooms": the publishers of these VideoRoom rooms are analysed as they come and go.
inline void parse_rooms(const ConfigObject& root, const Kinds& kinds, Config& config) {
  if (root.has("janus")) config.janus = janus_from(ConfigObject(root.at("janus"), root.path("janus"),
                                                                {"url", "ports", "host", "instance", "reconcile_seconds",
                                                                 "replica", "secrets_file"}));
  if (!root.has("rooms")) {
    if (config.janus) root.fail("\"janus\" needs \"rooms\": the VideoRoom rooms whose publishers to analyse");
    return;
  }
  if (!config.janus) root.fail("\"rooms\" needs \"janus\": where the rooms are");
  const auto& list = root.at("rooms");
  if (!list.is_array() || list.empty()) throw ConfigError(root.path("rooms"), "must be a list of at least one room");
  for (std::size_t i = 0; i < list.size(); ++i) {
    const ConfigObject room(list[i], fmt::format("config.rooms[{}]", i), {"id", "elaborations"});
    RoomConfig parsed;
    if (!room.has("id")) room.fail("needs an \"id\": the VideoRoom room's number");
    parsed.id = static_cast<std::uint64_t>(room.integer("id", 0, 1, std::int64_t{1} << 53));
    for (const auto& other : config.rooms) {
      if (other.id == parsed.id) room.fail(fmt::format("a second room {}", parsed.id));
    }
    parsed.elaborations = elaborations_from(room, kinds, config.stats_interval, true);
    if (parsed.elaborations.empty()) room.fail("needs \"elaborations\": what each of its publishers gets");
    config.rooms.push_back(std::move(parsed));
  }
}

}  // namespace detail

// A whole configuration (a --streams-file). Throws ConfigError, saying where, for anything that cannot work.
inline Config parse_config(const nlohmann::json& json, const Kinds& kinds) {
  const detail::ConfigObject root(json, "config", {"streams", "stats_interval", "janus", "rooms"});
  Config config;
  config.stats_interval = detail::milliseconds_from(root.number("stats_interval", 5.0, 0, 86400));
  if (root.has("streams") && !root.at("streams").is_array()) throw ConfigError(root.path("streams"), "must be a list");
  const auto& list = root.has("streams") ? root.at("streams") : nlohmann::json::array();
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string where = fmt::format("config.streams[{}]", i);
    StreamConfig stream = parse_stream(list[i], kinds, config.stats_interval, where);
    for (const auto& other : config.streams) {
      if (other.id == stream.id) throw ConfigError(where, fmt::format("a second stream called '{}'", stream.id));
    }
    config.streams.push_back(std::move(stream));
  }
  parse_rooms(root, kinds, config);
  return config;
}

// The JSON a configuration reads back as: every key, defaults filled in (what the control API shows).
inline nlohmann::json to_json(const Source& source) {
  struct Writer {
    nlohmann::json operator()(const RtpSource& s) const {
      nlohmann::json rtp = {{"port", s.port},       {"codec", to_string(s.codec)}, {"payload_type", s.payload_type},
                            {"bind", s.bind_address}, {"jitter_ms", s.jitter_latency.count()},
                            {"allowed_sender", s.allowed_sender}};
      if (s.rtcp_port) rtp["rtcp_port"] = *s.rtcp_port;
      return {{"rtp", rtp}};
    }
    nlohmann::json operator()(const FileSource& s) const { return {{"file", {{"path", s.path}, {"realtime", s.realtime}}}}; }
    nlohmann::json operator()(const PipelineSource& s) const {
      return {{"pipeline", {{"launch", s.launch}, {"live", s.live}}}};
    }
  };
  return std::visit(Writer{}, source);
}

inline nlohmann::json to_json(const ElaborationConfig& e) {
  nlohmann::json udp = nlohmann::json::array();
  for (const auto& target : e.sinks.udp) udp.push_back(fmt::format("{}:{}", target.host, target.port));
  return {{"kind", e.kind},
          {"name", e.name},
          {"every", e.sampling.every_nth},
          {"max_fps", e.sampling.max_fps},
          {"queue", e.sampling.queue_capacity},
          {"on_change", e.sampling.on_change},
          {"change", e.sampling.change},
          {"max_interval", detail::seconds_of(e.sampling.max_interval)},
          {"track", e.tracking.enabled},
          {"track_unseen", detail::seconds_of(e.tracking.unseen)},
          {"udp", udp},
          {"udp_max_bytes", e.sinks.udp_max_bytes},
          {"jsonl", e.sinks.jsonl},
          {"stdout", e.sinks.standard_output},
          {"params", e.params}};
}

inline nlohmann::json to_json(const StreamConfig& s) {
  nlohmann::json json = to_json(s.source);
  json["id"] = s.id;
  json["elaborations"] = nlohmann::json::array();
  for (const auto& e : s.elaborations) json["elaborations"].push_back(to_json(e));
  return json;
}

}  // namespace elaborator
