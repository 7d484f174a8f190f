#pragma once
// What Janus's VideoRoom and Streaming plugins answer, as plain values: a room's publishers and forwards, a
// forward or a mountpoint made, the mountpoints there are; and NoMediaError, the answer that a publisher has
// no stream of the medium asked for to forward. videoroom.hpp and streaming.hpp make the requests that return them.

#include "../error.hpp"

#include <cstdint>
#include <string>

namespace elaborator::janus {

struct Publisher {
  std::uint64_t id = 0;
  std::string display;
};

struct Forward {
  std::uint64_t stream_id = 0;             // to stop it later
  std::uint16_t local_rtcp_port = 0;       // Janus's own RTCP socket for this forward, 0 if none
};

// A publisher with nothing to forward in the older form of rtp_forward: no stream of the medium asked for
// (no video: its camera off; no audio: its microphone off). Janus 1.1 answers "success" with no forwarder then.
class NoMediaError : public Error {
 public:
  using Error::Error;
};

// One forward of a room, as "listforwarders" reports it.
struct ForwardInfo {
  std::uint64_t publisher_id = 0;
  std::uint64_t stream_id = 0;
  std::string host;
  std::uint16_t port = 0;
};

struct Mountpoint {
  std::uint64_t id = 0;
  std::uint16_t video_port = 0;
  std::uint16_t data_port = 0;
};

// A mountpoint as Streaming "list" shows it.
struct MountpointInfo {
  std::uint64_t id = 0;
  std::string description;
};

}  // namespace elaborator::janus
