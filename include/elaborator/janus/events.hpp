#pragma once
// What Janus's event handlers tell about VideoRoom publishers. Debian's janus ships the HTTP event handler
// (libjanus_sampleevh), which POSTs events as JSON, one object or (grouped) an array of them:
//
//   {"emitter": "...", "type": 64, "timestamp": ..., "session_id": ..., "handle_id": ...,
//    "event": {"plugin": "janus.plugin.videoroom",
//              "data": {"event": "published", "room": 1234, "id": 42, "display": "...",
//                       "streams": [{"type": "video", "mindex": 0, "mid": "0", "codec": "vp8"}, ...]}}}
//
// Only the publishers' comings and goings matter here: "published" and "updated" (with the video and audio
// streams they carry now), "unpublished", "leaving" and "kicked". Everything else, and anything malformed, is left
// out: the body comes from the network.

#include "../detail/janus_publisher_events.hpp"
#include "publisher_event.hpp"

#include <nlohmann/json.hpp>

#include <vector>

namespace elaborator::janus {

// The publisher events in the body of an event handler's POST, in their order.
inline std::vector<PublisherEvent> publisher_events(const nlohmann::json& body) {
  std::vector<PublisherEvent> events;
  if (body.is_array()) {
    for (const auto& event : body) detail::add_publisher_event(event, events);
  } else {
    detail::add_publisher_event(body, events);
  }
  return events;
}

}  // namespace elaborator::janus
