#pragma once
// Reading one event of an event handler's POST (janus/events.hpp) into a janus::PublisherEvent: only a
// VideoRoom publisher's "published", "updated", "unpublished", "leaving" and "kicked" count, anything else
// or malformed is left out. Internal: janus::publisher_events() is the library's, for a whole POST body.

#include "../janus/publisher_event.hpp"
#include "janus_answer.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace elaborator::detail {

// The active streams of one medium ("video", "audio") in a "published" or "updated" event, each as Janus
// describes it; those without a mid are left out.
inline std::vector<nlohmann::json> active_streams_in(const nlohmann::json& data, const std::string& type) {
  std::vector<nlohmann::json> streams;
  if (!data.contains("streams") || !data["streams"].is_array()) return streams;
  for (const auto& stream : data["streams"]) {
    if (!stream.is_object() || stream.value("type", nlohmann::json()) != type) continue;
    if (stream.contains("disabled") && stream["disabled"] == true) continue;
    if (!stream.contains("mid") || !stream["mid"].is_string() || stream["mid"].get<std::string>().empty()) continue;
    streams.push_back(stream);
  }
  return streams;
}

inline std::vector<std::string> video_mids_in(const nlohmann::json& data) {
  std::vector<std::string> mids;
  for (const auto& stream : active_streams_in(data, "video")) mids.push_back(stream["mid"].get<std::string>());
  return mids;
}

inline std::vector<janus::PublishedAudio> audio_in(const nlohmann::json& data) {
  std::vector<janus::PublishedAudio> audio;
  for (const auto& stream : active_streams_in(data, "audio")) {
    audio.push_back({stream["mid"].get<std::string>(), string_in(stream, "codec", "")});
  }
  return audio;
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
  parsed.room = unsigned_in(data, "room");
  parsed.publisher = unsigned_in(data, "id");
  if (parsed.room == 0 || parsed.publisher == 0) return;
  if (what == "published" || what == "updated") {
    parsed.kind = janus::PublisherEvent::Kind::publishing;
    parsed.video_mids = video_mids_in(data);
    parsed.audio = audio_in(data);
  } else if (what == "unpublished" || what == "leaving" || what == "kicked") {
    parsed.kind = janus::PublisherEvent::Kind::gone;
  } else {
    return;
  }
  out.push_back(std::move(parsed));
}

}  // namespace elaborator::detail
