#pragma once
// Reading what the VideoRoom and Streaming plugins answer (plugindata.data) into the values of
// janus/answers.hpp: a list's entries that are not whole are skipped, an answer without what was made is an
// elaborator::Error. Internal: the requests of janus/videoroom.hpp and janus/streaming.hpp are the
// library's, and return these values.

#include "../error.hpp"
#include "../janus/answers.hpp"
#include "../source.hpp"
#include "janus_answer.hpp"

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace elaborator::detail {

// The publishers in the VideoRoom's answer to "listparticipants"; entries that are not whole are skipped.
inline std::vector<janus::Publisher> publishers_from(const nlohmann::json& answer) {
  std::vector<janus::Publisher> publishers;
  const auto participants = answer.find("participants");
  if (participants == answer.end() || !participants->is_array()) return publishers;
  for (const auto& p : *participants) {
    if (!p.is_object() || !p.contains("id") || !p["id"].is_number_unsigned() || !p.contains("publisher") ||
        p["publisher"] != true) {
      continue;
    }
    publishers.push_back({p["id"].get<std::uint64_t>(), string_in(p, "display", "")});
  }
  return publishers;
}

// The forward in the VideoRoom's answer to "rtp_forward", in either of its forms; the older form answers
// with one id per medium, and `media` says which was asked for.
inline janus::Forward forward_from(const nlohmann::json& answer, Media media = Media::video) {
  janus::Forward forward;
  if (const auto forwarders = answer.find("forwarders");
      forwarders != answer.end() && forwarders->is_array() && !forwarders->empty()) {
    forward.stream_id = unsigned_in((*forwarders)[0], "stream_id");
    forward.local_rtcp_port = static_cast<std::uint16_t>(unsigned_in((*forwarders)[0], "local_rtcp_port", 65535));
  } else if (const auto legacy = answer.find("rtp_stream"); legacy != answer.end()) {
    forward.stream_id = unsigned_in(*legacy, media == Media::audio ? "audio_stream_id" : "video_stream_id");
    if (forward.stream_id == 0) {
      throw janus::NoMediaError(fmt::format("rtp_forward: the publisher has no {}: {}", to_string(media), answer.dump()));
    }
  }
  if (forward.stream_id == 0) throw Error(fmt::format("rtp_forward: Janus answered without a stream id: {}", answer.dump()));
  return forward;
}

// The forwards in the VideoRoom's answer to "listforwarders"; entries that are not whole are skipped.
inline std::vector<janus::ForwardInfo> forwards_from(const nlohmann::json& answer) {
  std::vector<janus::ForwardInfo> forwards;
  const auto publishers = answer.find("publishers");
  if (publishers == answer.end() || !publishers->is_array()) return forwards;
  for (const auto& publisher : *publishers) {
    const auto id = unsigned_in(publisher, "publisher_id");
    if (id == 0 || !publisher.contains("forwarders") || !publisher["forwarders"].is_array()) continue;
    for (const auto& f : publisher["forwarders"]) {
      const janus::ForwardInfo forward{id, unsigned_in(f, "stream_id"), string_in(f, "host", ""),
                                static_cast<std::uint16_t>(unsigned_in(f, "port", 65535))};
      if (forward.stream_id != 0 && forward.port != 0) forwards.push_back(forward);
    }
  }
  return forwards;
}

// The mountpoint in the Streaming plugin's answer to "create".
inline janus::Mountpoint mountpoint_from(const nlohmann::json& answer) {
  const auto stream = answer.find("stream");
  if (stream == answer.end() || !stream->is_object() || !stream->contains("id") || !(*stream)["id"].is_number_unsigned()) {
    throw Error(fmt::format("creating a mountpoint: an answer without the stream: {}", answer.dump()));
  }
  janus::Mountpoint created;
  created.id = (*stream)["id"].get<std::uint64_t>();
  const auto ports = stream->find("ports");
  if (ports == stream->end() || !ports->is_array()) return created;
  for (const auto& port : *ports) {
    if (!port.is_object() || !port.contains("port") || !port["port"].is_number_unsigned() ||
        port["port"].get<std::uint64_t>() > 65535) {
      continue;
    }
    const auto number = static_cast<std::uint16_t>(port["port"].get<std::uint64_t>());
    const auto type = string_in(port, "type", "");
    if (type == "video") created.video_port = number;
    if (type == "data") created.data_port = number;
  }
  return created;
}

inline std::vector<janus::MountpointInfo> mountpoints_from(const nlohmann::json& answer) {
  std::vector<janus::MountpointInfo> mountpoints;
  const auto list = answer.find("list");
  if (list == answer.end() || !list->is_array()) return mountpoints;
  for (const auto& m : *list) {
    if (!m.is_object() || !m.contains("id") || !m["id"].is_number_unsigned()) continue;
    mountpoints.push_back({m["id"].get<std::uint64_t>(), string_in(m, "description", "")});
  }
  return mountpoints;
}

}  // namespace elaborator::detail
