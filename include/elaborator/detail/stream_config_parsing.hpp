#pragma once
// Reading a stream object of a configuration (config.hpp): its source, and its elaborations with their
// sampling, tracking, sinks and the parameters their kind declares. Internal: parse_stream() and
// parse_elaboration() are the library's; the pieces here are how they read each part.

#include "../config_types.hpp"
#include "../endpoint.hpp"
#include "../error.hpp"
#include "../kinds.hpp"
#include "../sampling.hpp"
#include "../sinks/udp_sink.hpp"
#include "../source.hpp"
#include "../tracking.hpp"
#include "config_object.hpp"

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace elaborator::detail {

// An audio stream's PCM format: "sample_rate" and "channels", which a video stream refuses.
inline AudioFormat audio_format_from(const ConfigObject& source, Media media) {
  AudioFormat format;
  if (media == Media::video) {
    for (const char* key : {"sample_rate", "channels"}) {
      if (source.has(key)) throw ConfigError(source.path(key), "is for audio, and this stream is video");
    }
    return format;
  }
  format.sample_rate = static_cast<int>(source.integer("sample_rate", format.sample_rate, 8000, 192000));
  format.channels = static_cast<int>(source.integer("channels", format.channels, 1, 8));
  return format;
}

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
  source.payload_type = static_cast<int>(rtp.integer("payload_type", default_payload_type(source.codec), 0, 127));
  source.bind_address = rtp.text("bind", source.bind_address);
  source.jitter_latency = std::chrono::milliseconds(rtp.integer("jitter_ms", source.jitter_latency.count(), 0, 10000));
  if (rtp.has("rtcp_port")) source.rtcp_port = static_cast<std::uint16_t>(rtp.integer("rtcp_port", 0, 0, 65535));
  source.allowed_sender = rtp.text("allowed_sender", "");
  source.audio = audio_format_from(rtp, media_of(source.codec));
  return source;
}

inline FileSource file_source_from(const ConfigObject& file) {
  if (!file.has("path")) file.fail("needs a \"path\"");
  FileSource source;
  source.path = file.text("path", "");
  source.realtime = file.flag("realtime", false);
  const std::string media = file.text("media", "video");
  if (media != "video" && media != "audio") throw ConfigError(file.path("media"), "must be \"video\" or \"audio\"");
  source.media = media == "audio" ? Media::audio : Media::video;
  source.audio = audio_format_from(file, source.media);
  return source;
}

inline Source source_from(const ConfigObject& stream) {
  const int kinds = static_cast<int>(stream.has("rtp")) + static_cast<int>(stream.has("file")) +
                    static_cast<int>(stream.has("pipeline"));
  if (kinds != 1) stream.fail("needs exactly one of \"rtp\", \"file\" or \"pipeline\"");
  if (stream.has("rtp")) {
    return rtp_source_from(ConfigObject(stream.at("rtp"), stream.path("rtp"),
                                        {"port", "codec", "payload_type", "bind", "rtcp_port", "jitter_ms", "allowed_sender",
                                         "sample_rate", "channels"}));
  }
  if (stream.has("file")) {
    return file_source_from(ConfigObject(stream.at("file"), stream.path("file"),
                                         {"path", "realtime", "media", "sample_rate", "channels"}));
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
  sampling.window = std::chrono::milliseconds(e.integer("window_ms", sampling.window.count(), 10, 60'000));
  sampling.hop = std::chrono::milliseconds(e.integer("hop_ms", sampling.hop.count(), 0, 60'000));
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

// One elaboration object (parse_elaboration()); `implied_sink`: it has a sink it is not configured with.
inline ElaborationConfig elaboration_from(const nlohmann::json& json, const Kinds& kinds,
                                          std::chrono::milliseconds report_interval, const std::string& path,
                                          bool implied_sink) {
  const ConfigObject e(json, path,
                       {"kind", "name", "every", "max_fps", "queue", "on_change", "change", "max_interval", "window_ms", "hop_ms", "track",
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
  config.sampling = sampling_from(e, kind->sampling);
  config.tracking = tracking_from(e, kind->tracking);
  config.sinks = sinks_from(e, implied_sink);
  config.report_interval = report_interval;
  config.params = params_from(e, *kind);
  return config;
}

// The "elaborations" list of a stream or a room: names unique.
inline std::vector<ElaborationConfig> elaborations_from(const ConfigObject& owner, const Kinds& kinds,
                                                        std::chrono::milliseconds report_interval, bool implied_sink) {
  std::vector<ElaborationConfig> elaborations;
  if (!owner.has("elaborations")) return elaborations;
  const auto& list = owner.at("elaborations");
  if (!list.is_array()) throw ConfigError(owner.path("elaborations"), "must be a list");
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string where = fmt::format("{}[{}]", owner.path("elaborations"), i);
    ElaborationConfig e = elaboration_from(list[i], kinds, report_interval, where, implied_sink);
    for (const auto& other : elaborations) {
      if (other.name == e.name) throw ConfigError(where, fmt::format("a second elaboration called '{}'", e.name));
    }
    elaborations.push_back(std::move(e));
  }
  return elaborations;
}

}  // namespace elaborator::detail
