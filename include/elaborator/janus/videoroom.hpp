#pragma once
// Janus VideoRoom plugin: finding a room's publishers and forwarding one's video or audio as plain RTP to an
// elaborator (rtp_forward), for video with an RTCP port so the elaborator can ask for keyframes.

#include "../detail/janus_plugin_answers.hpp"
#include "../source.hpp"
#include "answers.hpp"
#include "session.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

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
  Media media = Media::video;
  std::string mid;                         // the publisher's stream; empty: its first stream of `media`
};

// Forwards a publisher's stream. With a mid, the Janus 1.x "streams" form; without, the older form that
// picks the first stream of the medium (Janus 1.1 still accepts it and answers with a "deprecated_api" warning).
inline Forward rtp_forward(Session& session, const ForwardSpec& spec) {
  nlohmann::json body{{"request", "rtp_forward"}, {"room", spec.room}, {"publisher_id", spec.publisher_id},
                      {"host", spec.host}, {"host_family", spec.host.find(':') == std::string::npos ? "ipv4" : "ipv6"}};
  if (!spec.secret.empty()) body["secret"] = spec.secret;
  if (!spec.mid.empty()) {
    nlohmann::json stream{{"mid", spec.mid}, {"port", spec.port}, {"pt", spec.payload_type}};
    if (spec.rtcp_port) stream["rtcp_port"] = *spec.rtcp_port;
    body["streams"] = nlohmann::json::array({stream});
  } else {
    const std::string medium(to_string(spec.media));
    body[medium + "_port"] = spec.port;
    body[medium + "_pt"] = spec.payload_type;
    if (spec.rtcp_port) body[medium + "_rtcp_port"] = *spec.rtcp_port;
  }
  return detail::forward_from(session.request(session.attach("janus.plugin.videoroom"), body,
                                              fmt::format("forwarding publisher {} of room {}", spec.publisher_id, spec.room)),
                              spec.media);
}

inline void stop_rtp_forward(Session& session, std::uint64_t room, std::uint64_t publisher_id, std::uint64_t stream_id,
                             const std::string& secret) {
  nlohmann::json body{{"request", "stop_rtp_forward"}, {"room", room}, {"publisher_id", publisher_id},
                      {"stream_id", stream_id}};
  if (!secret.empty()) body["secret"] = secret;
  session.request(session.attach("janus.plugin.videoroom"), body,
                  fmt::format("stopping forward {} of publisher {}", stream_id, publisher_id));
}

// Every forward of a room's publishers (needs the room's secret).
inline std::vector<ForwardInfo> list_forwards(Session& session, std::uint64_t room, const std::string& secret) {
  nlohmann::json body{{"request", "listforwarders"}, {"room", room}};
  if (!secret.empty()) body["secret"] = secret;
  return detail::forwards_from(
      session.request(session.attach("janus.plugin.videoroom"), body, fmt::format("listing the forwards of room {}", room)));
}

}  // namespace elaborator::janus
