#pragma once
// Result messages: the versioned JSON every sink receives. The schema is documented in docs/results.md:
//
//   {"schema": "elaborator.result/2", "stream": "cam1", "elaboration": "faces", "sequence": 17, "media": "video",
//    "frame": {"index": 42, "width": 720, "height": 528, "rtp_timestamp": 3000, "pts_ns": 1400000000},
//    "times_us": {"arrival": ..., "decoded": ..., "sampled": ..., "classify_start": ..., "classify_end": ...,
//                 "sent": ...},
//    "detections": [{"label": "face", "confidence": 0.9, "box": {"x": 0.1, "y": 0.2, "w": 0.3, "h": 0.4}}]}
//
// A result of audio has "media": "audio" and, instead of "frame", the time range of its window:
//    "window": {"index": 7, "start_ns": 700000000, "end_ns": 800000000, "sample_rate": 16000, "channels": 1,
//               "rtp_timestamp": 33600}

#include "audio_window.hpp"
#include "clock.hpp"
#include "frame.hpp"
#include "version.hpp"

#include <nlohmann/json.hpp>

#include <concepts>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace elaborator {

// A message serialised once, however many sinks send it.
class Message {
 public:
  explicit Message(nlohmann::json body) : body_(std::move(body)), text_(serialise(body_)) {}

  [[nodiscard]] const nlohmann::json& body() const { return body_; }
  [[nodiscard]] const std::string& text() const { return text_; }

  // Compact JSON; invalid UTF-8 in a user's label becomes U+FFFD instead of an exception.
  static std::string serialise(const nlohmann::json& body) {
    return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }

 private:
  nlohmann::json body_;
  std::string text_;
};

inline nlohmann::json frame_json(const Frame& frame) {
  nlohmann::json j{{"index", frame.index()}, {"width", frame.size().width}, {"height", frame.size().height}};
  if (frame.rtp_timestamp()) j["rtp_timestamp"] = *frame.rtp_timestamp();
  if (frame.pts()) j["pts_ns"] = frame.pts()->count();
  return j;
}

inline nlohmann::json window_json(const AudioWindow& window) {
  nlohmann::json j{{"index", window.index()},          {"start_ns", window.start().count()},
                   {"end_ns", window.end().count()},   {"sample_rate", window.sample_rate()},
                   {"channels", window.channels()}};
  if (window.rtp_timestamp()) j["rtp_timestamp"] = *window.rtp_timestamp();
  return j;
}

inline nlohmann::json times_json(const FrameTimes& t, TimePoint sent) {
  return {{"arrival", to_unix_micros(t.arrival)},
          {"decoded", to_unix_micros(t.decoded)},
          {"sampled", to_unix_micros(t.sampled)},
          {"classify_start", to_unix_micros(t.classify_start)},
          {"classify_end", to_unix_micros(t.classify_end)},
          {"sent", to_unix_micros(sent)}};
}

// The message for one classified frame or audio window. `Det` needs a to_json() (elaborator::Detection has
// one). A summary that is not null becomes the "summary" field.
template <class Classified, class Det>
  requires std::same_as<Classified, Frame> || std::same_as<Classified, AudioWindow>
Message make_result_message(const Classified& classified, std::string_view elaboration, std::uint64_t sequence,
                            const std::vector<Det>& detections, TimePoint sent, nlohmann::json summary = nullptr) {
  constexpr bool audio = std::same_as<Classified, AudioWindow>;
  nlohmann::json body{{"schema", result_schema},
                      {"stream", classified.stream_id()},
                      {"elaboration", elaboration},
                      {"sequence", sequence},
                      {"media", audio ? "audio" : "video"}};
  if constexpr (audio) {
    body["window"] = window_json(classified);
  } else {
    body["frame"] = frame_json(classified);
  }
  body["times_us"] = times_json(classified.times(), sent);
  body["detections"] = detections;
  if (!summary.is_null()) body["summary"] = std::move(summary);
  return Message(std::move(body));
}

}  // namespace elaborator
