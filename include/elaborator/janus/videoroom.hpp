#pragma once
// Janus VideoRoom plugin: finding a room's publishers and forwarding one's video as plain RTP to an
// elaborator (rtp_forward), with an RTCP port so the elaborator can ask for keyframes.

#include "../error.hpp"
#include "session.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace elaborator::janus {

struct Publisher {
  std::uint64_t id = 0;
  std::string display;
};

}  // namespace elaborator::janus

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

}  // namespace elaborator::detail

namespace elaborator::janus {

// The participants of a room that are publishing right now.
inline std::vector<Publisher> list_publishers(Session& session, std::uint64_t room) {
  return detail::publishers_from(session.request(session.attach("janus.plugin.videoroom"),
                                                 {{"request", "listparticipants"}, {"room", room}},
                                                 fmt::format("listing the publishers of room {}", room)));
}

struct ForwardSpec {
  std::uint64_t room = 0;
  std::uint64_t publisher_id = 0;
  std::string secret;                      // the room's secret
  std::string host = "127.0.0.1";          // where the elaborator listens
  std::uint16_t port = 0;                  // its RTP port
  std::optional<std::uint16_t> rtcp_port;  // its RTCP port: Janus latches to it and accepts PLI from it
  int payload_type = 96;
  std::string mid;                         // the publisher's video stream; empty: its first video stream
};

struct Forward {
  std::uint64_t stream_id = 0;             // to stop it later
  std::uint16_t local_rtcp_port = 0;       // Janus's own RTCP socket for this forward, 0 if none
};

// A publisher with nothing to forward in the older form of rtp_forward: no video stream (its camera off,
// audio only). Janus 1.1 answers "success" with no forwarder then.
class NoVideoError : public Error {
 public:
  using Error::Error;
};

}  // namespace elaborator::janus

namespace elaborator::detail {

inline std::uint64_t unsigned_in(const nlohmann::json& object, const char* key, std::uint64_t most) {
  if (!object.is_object() || !object.contains(key) || !object[key].is_number_unsigned()) return 0;
  const auto value = object[key].get<std::uint64_t>();
  return value <= most ? value : 0;
}

// The forward in the VideoRoom's answer to "rtp_forward", in either of its forms.
inline janus::Forward forward_from(const nlohmann::json& answer) {
  janus::Forward forward;
  if (const auto forwarders = answer.find("forwarders");
      forwarders != answer.end() && forwarders->is_array() && !forwarders->empty()) {
    forward.stream_id = unsigned_in((*forwarders)[0], "stream_id", UINT64_MAX);
    forward.local_rtcp_port = static_cast<std::uint16_t>(unsigned_in((*forwarders)[0], "local_rtcp_port", 65535));
  } else if (const auto legacy = answer.find("rtp_stream"); legacy != answer.end()) {
    forward.stream_id = unsigned_in(*legacy, "video_stream_id", UINT64_MAX);
    if (forward.stream_id == 0) throw janus::NoVideoError(fmt::format("rtp_forward: the publisher has no video: {}", answer.dump()));
  }
  if (forward.stream_id == 0) throw Error(fmt::format("rtp_forward: Janus answered without a stream id: {}", answer.dump()));
  return forward;
}

}  // namespace elaborator::detail

namespace elaborator::janus {

// Forwards a publisher's video. With a mid, the Janus 1.x "streams" form; without, the older form that
// picks the first video stream (Janus 1.1 still accepts it and answers with a "deprecated_api" warning).
inline Forward rtp_forward(Session& session, const ForwardSpec& spec) {
  nlohmann::json body{{"request", "rtp_forward"}, {"room", spec.room}, {"publisher_id", spec.publisher_id},
                      {"host", spec.host}, {"host_family", spec.host.find(':') == std::string::npos ? "ipv4" : "ipv6"}};
  if (!spec.secret.empty()) body["secret"] = spec.secret;
  if (!spec.mid.empty()) {
    nlohmann::json stream{{"mid", spec.mid}, {"port", spec.port}, {"pt", spec.payload_type}};
    if (spec.rtcp_port) stream["rtcp_port"] = *spec.rtcp_port;
    body["streams"] = nlohmann::json::array({stream});
  } else {
    body["video_port"] = spec.port;
    body["video_pt"] = spec.payload_type;
    if (spec.rtcp_port) body["video_rtcp_port"] = *spec.rtcp_port;
  }
  return detail::forward_from(session.request(session.attach("janus.plugin.videoroom"), body,
                                              fmt::format("forwarding publisher {} of room {}", spec.publisher_id, spec.room)));
}

inline void stop_rtp_forward(Session& session, std::uint64_t room, std::uint64_t publisher_id, std::uint64_t stream_id,
                             const std::string& secret) {
  nlohmann::json body{{"request", "stop_rtp_forward"}, {"room", room}, {"publisher_id", publisher_id},
                      {"stream_id", stream_id}};
  if (!secret.empty()) body["secret"] = secret;
  session.request(session.attach("janus.plugin.videoroom"), body,
                  fmt::format("stopping forward {} of publisher {}", stream_id, publisher_id));
}

// One forward of a room, as "listforwarders" reports it.
struct ForwardInfo {
  std::uint64_t publisher_id = 0;
  std::uint64_t stream_id = 0;
  std::string host;
  std::uint16_t port = 0;
};

}  // namespace elaborator::janus

namespace elaborator::detail {

// The forwards in the VideoRoom's answer to "listforwarders"; entries that are not whole are skipped.
inline std::vector<janus::ForwardInfo> forwards_from(const nlohmann::json& answer) {
  std::vector<janus::ForwardInfo> forwards;
  const auto publishers = answer.find("publishers");
  if (publishers == answer.end() || !publishers->is_array()) return forwards;
  for (const auto& publisher : *publishers) {
    const auto id = unsigned_in(publisher, "publisher_id", UINT64_MAX);
    if (id == 0 || !publisher.contains("forwarders") || !publisher["forwarders"].is_array()) continue;
    for (const auto& f : publisher["forwarders"]) {
      const janus::ForwardInfo forward{id, unsigned_in(f, "stream_id", UINT64_MAX), string_in(f, "host", ""),
                                static_cast<std::uint16_t>(unsigned_in(f, "port", 65535))};
      if (forward.stream_id != 0 && forward.port != 0) forwards.push_back(forward);
    }
  }
  return forwards;
}

}  // namespace elaborator::detail

namespace elaborator::janus {

// Every forward of a room's publishers (needs the room's secret).
inline std::vector<ForwardInfo> list_forwards(Session& session, std::uint64_t room, const std::string& secret) {
  nlohmann::json body{{"request", "listforwarders"}, {"room", room}};
  if (!secret.empty()) body["secret"] = secret;
  return detail::forwards_from(
      session.request(session.attach("janus.plugin.videoroom"), body, fmt::format("listing the forwards of room {}", room)));
}

}  // namespace elaborator::janus
