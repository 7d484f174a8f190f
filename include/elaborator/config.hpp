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
//      {"id": "speaker-1", "rtp": {"port": 5006, "codec": "opus", "sample_rate": 16000, "channels": 1},
//       "elaborations": [{"kind": "sound_level", "window_ms": 50, "hop_ms": 0, "queue": 100}]},
//      {"id": "usb", "pipeline": {"launch": "v4l2src ! videoconvert ! appsink name=appsink", "live": true}}]}
//
// Or rooms to follow: every published video (audio) stream of a VideoRoom room gets a stream of its own with
// the room's video (audio) elaborations, made and unmade as publishers come and go (janus/dispatcher.hpp; docs/janus.md):
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

#include "config_types.hpp"
#include "detail/config_object.hpp"
#include "detail/room_config_parsing.hpp"
#include "detail/stream_config_parsing.hpp"
#include "kinds.hpp"
#include "source.hpp"

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstddef>
#include <string>
#include <utility>
#include <variant>

namespace elaborator {

// One elaboration object, as a stream's "elaborations" list or the control API holds it; `path` names it
// in errors.
inline ElaborationConfig parse_elaboration(const nlohmann::json& json, const Kinds& kinds,
                                           std::chrono::milliseconds report_interval, const std::string& path = "elaboration",
                                           bool implied_sink = false) {
  return detail::elaboration_from(json, kinds, report_interval, path, implied_sink);
}

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
      if (media_of(s.codec) == Media::audio) add_audio_format(rtp, s.audio);
      return {{"rtp", rtp}};
    }
    nlohmann::json operator()(const FileSource& s) const {
      nlohmann::json file = {{"path", s.path}, {"realtime", s.realtime}, {"media", to_string(s.media)}};
      if (s.media == Media::audio) add_audio_format(file, s.audio);
      return {{"file", file}};
    }
    static void add_audio_format(nlohmann::json& source, const AudioFormat& format) {
      source["sample_rate"] = format.sample_rate;
      source["channels"] = format.channels;
    }
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
          {"window_ms", e.sampling.window.count()},
          {"hop_ms", e.sampling.hop.count()},
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
