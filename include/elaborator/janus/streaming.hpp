#pragma once
// Janus Streaming plugin: a mountpoint whose video or audio comes in as RTP and whose datachannel carries
// elaborator's results to every viewer. Created at run time over the HTTP API (needs the plugin's admin_key).

#include "../detail/janus_plugin_answers.hpp"
#include "../source.hpp"
#include "answers.hpp"
#include "session.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace elaborator::janus {

struct MountpointSpec {
  std::uint64_t id = 0;          // 0: Janus picks one
  std::string name = "elaborator";
  std::string description;       // what Streaming "list" shows: how the elaborator recognises its own
  std::uint16_t media_port = 0;  // RTP in, video or audio as the codec is; 0: Janus picks from its rtp_port_range
  std::uint16_t video_rtcp_port = 0;  // RTCP with the video's source, 0: none. A forward that sends its RTCP
                                      // here (rtp_forward's rtcp_port) gets the keyframe requests of viewers
                                      // who join late: without it they wait for the publisher's next keyframe
  std::uint16_t data_port = 0;   // results in (UDP, one JSON message per datagram); 0: Janus picks
  Codec codec = Codec::vp8;      // opus, pcmu, pcma: an audio mountpoint
  int payload_type = 96;
  std::string secret;            // needed later to destroy it
  std::string admin_key;         // the Streaming plugin's admin_key, if it has one
};

inline nlohmann::json mountpoint_media(const MountpointSpec& spec) {
  return nlohmann::json::array(
      {[&] {
         const std::string type(to_string(media_of(spec.codec)));
         nlohmann::json media{{"type", type}, {"mid", type.substr(0, 1)}, {"label", type}, {"port", spec.media_port},
                              {"pt", spec.payload_type}, {"codec", std::string(to_string(spec.codec))}};
         if (spec.video_rtcp_port != 0) media["rtcpport"] = spec.video_rtcp_port;
         return media;
       }(),
       // buffermsg: a viewer who joins late gets the last message at once; every result carries the whole
       // current state of its elaboration, so that one message is enough.
       {{"type", "data"}, {"mid", "d"}, {"label", "results"}, {"port", spec.data_port}, {"datatype", "text"},
        {"buffermsg", true}}});
}

inline Mountpoint create_mountpoint(Session& session, const MountpointSpec& spec) {
  nlohmann::json body{{"request", "create"}, {"type", "rtp"}, {"name", spec.name}, {"permanent", false},
                      {"media", mountpoint_media(spec)}};
  if (spec.id != 0) body["id"] = spec.id;
  if (!spec.description.empty()) body["description"] = spec.description;
  if (!spec.secret.empty()) body["secret"] = spec.secret;
  if (!spec.admin_key.empty()) body["admin_key"] = spec.admin_key;
  const auto handle = session.attach("janus.plugin.streaming");
  return detail::mountpoint_from(session.request(handle, body, fmt::format("creating mountpoint {}", spec.id)));
}

inline void destroy_mountpoint(Session& session, std::uint64_t id, const std::string& secret) {
  nlohmann::json body{{"request", "destroy"}, {"id", id}, {"permanent", false}};
  if (!secret.empty()) body["secret"] = secret;
  session.request(session.attach("janus.plugin.streaming"), body, fmt::format("destroying mountpoint {}", id));
}

// Every mountpoint the Streaming plugin has (but those it keeps private).
inline std::vector<MountpointInfo> list_mountpoints(Session& session) {
  return detail::mountpoints_from(
      session.request(session.attach("janus.plugin.streaming"), {{"request", "list"}}, "listing the mountpoints"));
}

}  // namespace elaborator::janus
