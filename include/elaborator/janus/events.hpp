#pragma once
// What Janus's event handlers tell about VideoRoom publishers. Debian's janus ships the HTTP event handler
// (libjanus_sampleevh), which POSTs events as JSON, one object or (grouped) an array of them:
//
//   {"emitter": "...", "type": 64, "timestamp": ..., "session_id": ..., "handle_id": ...,
//    "event": {"plugin": "janus.plugin.videoroom",
//              "data": {"event": "published", "room": 1234, "id": 42, "display": "...",
//                       "streams": [{"type": "video", "mindex": 0, "mid": "0", "codec": "vp8"}, ...]}}}
//
// Only the publishers' comings and goings matter here: "published" and "updated" (with the video streams
// they carry now), "unpublished", "leaving" and "kicked". Everything else, and anything malformed, is left
// out: the body comes from the network.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace elaborator::janus {

struct PublisherEvent {
  enum class Kind { publishing, gone };
  Kind kind = Kind::gone;
  std::uint64_t room = 0;
  std::uint64_t publisher = 0;
  std::vector<std::string> video_mids;  // publishing: the mids of its video streams that are on
};

}  // namespace elaborator::janus

namespace elaborator::detail {

inline std::uint64_t positive_id(const nlohmann::json& object, const char* key) {
  if (!object.is_object() || !object.contains(key) || !object[key].is_number_unsigned()) return 0;
  return object[key].get<std::uint64_t>();
}

// The active video streams of a "published" or "updated" event.
inline std::vector<std::string> video_mids_in(const nlohmann::json& data) {
  std::vector<std::string> mids;
  if (!data.contains("streams") || !data["streams"].is_array()) return mids;
  for (const auto& stream : data["streams"]) {
    if (!stream.is_object() || stream.value("type", nlohmann::json()) != "video") continue;
    if (stream.contains("disabled") && stream["disabled"] == true) continue;
    if (!stream.contains("mid") || !stream["mid"].is_string() || stream["mid"].get<std::string>().empty()) continue;
    mids.push_back(stream["mid"].get<std::string>());
  }
  return mids;
}

inline void add_publisher_event(const nlohmann::json& event, std::vector<janus::PublisherEvent>& out) {
  if (!event.is_object() || !event.contains("event") || !event["event"].is_object()) return;
  const auto& body = event["event"];
  if (!body.contains("plugin") || body["plugin"] != "janus.plugin.videoroom") return;
  if (!body.contains("data") || !body["data"].is_object()) return;
  const auto& data = body["data"];
  if (!data.contains("event") || !data["event"].is_string()) return;
  const std::string what = data["event"].get<std::string>();
  janus::PublisherEvent parsed;
  parsed.room = positive_id(data, "room");
  parsed.publisher = positive_id(data, "id");
  if (parsed.room == 0 || parsed.publisher == 0) return;
  if (what == "published" || what == "updated") {
    parsed.kind = janus::PublisherEvent::Kind::publishing;
    parsed.video_mids = video_mids_in(data);
  } else if (what == "unpublished" || what == "leaving" || what == "kicked") {
    parsed.kind = janus::PublisherEvent::Kind::gone;
  } else {
    return;
  }
  out.push_back(std::move(parsed));
}

}  // namespace elaborator::detail

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
