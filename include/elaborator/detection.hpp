#pragma once
// The stock result of a classification: a label, a confidence and a box normalised to the frame.
//
// Users extend it with their own fields by deriving from it and giving the new type its own JSON form:
//
//   struct Emotion : elaborator::Detection { std::map<std::string, float> scores; };
//   void to_json(nlohmann::json& j, const Emotion& e) {
//     to_json(j, static_cast<const elaborator::Detection&>(e));
//     j["emotions"] = e.scores;
//   }

#include <nlohmann/json.hpp>
#include <opencv2/core/types.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>

namespace elaborator {

// A rectangle in coordinates normalised to the frame: (0,0) is the top left corner, (1,1) the bottom right.
// Normalised boxes stay valid when a viewer scales the video, and when the stream changes resolution.
struct Box {
  float x = 0;
  float y = 0;
  float width = 0;
  float height = 0;

  // From pixels of a frame of the given size; clipped to the frame, since detectors may return boxes that
  // reach past its edges.
  static Box from_pixels(const cv::Rect2f& pixels, cv::Size frame) {
    const auto w = static_cast<float>(frame.width);
    const auto h = static_cast<float>(frame.height);
    if (w <= 0 || h <= 0) return {};
    const float left = std::clamp(pixels.x / w, 0.0F, 1.0F);
    const float top = std::clamp(pixels.y / h, 0.0F, 1.0F);
    const float right = std::clamp((pixels.x + pixels.width) / w, 0.0F, 1.0F);
    const float bottom = std::clamp((pixels.y + pixels.height) / h, 0.0F, 1.0F);
    return {left, top, right - left, bottom - top};
  }

  // Back to pixels of a frame of the given size, rounded to the nearest pixel.
  [[nodiscard]] cv::Rect to_pixels(cv::Size frame) const {
    const auto w = static_cast<float>(frame.width);
    const auto h = static_cast<float>(frame.height);
    const cv::Point top_left(cvRound(x * w), cvRound(y * h));
    const cv::Point bottom_right(cvRound((x + width) * w), cvRound((y + height) * h));
    return {top_left, bottom_right};
  }

  friend bool operator==(const Box&, const Box&) = default;
};

// Where a detection's object has been: set by tracking (tracking.hpp) when the elaboration tracks.
struct Track {
  std::uint64_t id = 0;               // the same object keeps its id from result to result; ids start at 1
  std::chrono::milliseconds age{0};   // since the object was first detected, in stream time
  float velocity_x = 0;               // of the box centre, in frame widths per second
  float velocity_y = 0;               // in frame heights per second
};

struct Detection {
  std::string label;
  float confidence = 0;
  Box box;
  std::optional<Track> track{};  // with tracking on (--track); otherwise none
};

// Four decimals: a tenth of a pixel at 1000 pixels, ample for a confidence, and short messages (a float
// printed as a double would otherwise carry noise such as 0.1609848439693451).
inline double four_decimals(float value) { return std::round(static_cast<double>(value) * 1e4) / 1e4; }

inline void to_json(nlohmann::json& j, const Box& b) {
  j = nlohmann::json{{"x", four_decimals(b.x)},
                     {"y", four_decimals(b.y)},
                     {"w", four_decimals(b.width)},
                     {"h", four_decimals(b.height)}};
}

inline void from_json(const nlohmann::json& j, Box& b) {
  j.at("x").get_to(b.x);
  j.at("y").get_to(b.y);
  j.at("w").get_to(b.width);
  j.at("h").get_to(b.height);
}

inline void to_json(nlohmann::json& j, const Track& t) {
  j = nlohmann::json{{"id", t.id},
                     {"age_ms", t.age.count()},
                     {"velocity", {{"x", four_decimals(t.velocity_x)}, {"y", four_decimals(t.velocity_y)}}}};
}

inline void from_json(const nlohmann::json& j, Track& t) {
  j.at("id").get_to(t.id);
  t.age = std::chrono::milliseconds(j.at("age_ms").get<std::int64_t>());
  j.at("velocity").at("x").get_to(t.velocity_x);
  j.at("velocity").at("y").get_to(t.velocity_y);
}

inline void to_json(nlohmann::json& j, const Detection& d) {
  j = nlohmann::json{{"label", d.label}, {"confidence", four_decimals(d.confidence)}, {"box", d.box}};
  if (d.track) j["track"] = *d.track;
}

inline void from_json(const nlohmann::json& j, Detection& d) {
  j.at("label").get_to(d.label);
  j.at("confidence").get_to(d.confidence);
  j.at("box").get_to(d.box);
  if (j.contains("track")) d.track = j.at("track").get<Track>();
}

}  // namespace elaborator
