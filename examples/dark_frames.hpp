// A complete elaboration: reports the frames of a live stream that are too dark to analyse.
#pragma once
#include <elaborator.hpp>

class DarkFrames : public elaborator::Elaborator<DarkFrames> {
 public:
  DarkFrames(elaborator::ElaborationOptions options, const nlohmann::json& params)
      : Elaborator(std::move(options)), max_brightness_(params.at("max_brightness")) {}

 private:
  friend Elaborator;  // the base calls the private hooks
  std::vector<elaborator::Detection> classify(const elaborator::Frame& frame) {
    const double brightness = cv::mean(frame.gray())[0];  // luma, video range: 16 is black
    if (brightness > max_brightness_) return {};
    return {{"dark", static_cast<float>(1.0 - brightness / 255.0), {0, 0, 1, 1}}};
  }

  double max_brightness_;
};

// What configuration calls it, the parameters it takes, how it is made.
inline elaborator::Kind dark_frames_kind() {
  return {"dark_frames", "Dark frames", "Reports frames too dark to analyse.",
          {elaborator::Param::number("max_brightness", 40, 0, 255, "mean luma at or below which a frame is dark")},
          elaborator::factory<DarkFrames>()};
}
