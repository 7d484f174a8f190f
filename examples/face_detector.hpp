// face_detector: finds faces in a live video stream and sends where they are, live.
//
// The smallest useful elaboration: a derived class with two hooks (configure, classify) and the kind that
// says what configuration calls it and which parameters it takes. Everything else (RTP, decoding,
// sampling, threads, results, statistics, the command line, the control API) is the library's.
#pragma once

#include <elaborator.hpp>
#include <elaborator/vision/haar_face_detector.hpp>

#include <optional>
#include <utility>
#include <vector>

class FaceDetector : public elaborator::Elaborator<FaceDetector> {
 public:
  FaceDetector(elaborator::ElaborationOptions options, const nlohmann::json& params) : Elaborator(std::move(options)) {
    settings_.cascade_path = params.at("cascade");
    settings_.min_size = params.at("min_face");
  }

 private:
  friend Elaborator;

  // Once, before the first frame: a missing cascade stops the program (or fails the API call) here, with a
  // clear message.
  void configure() { detector_.emplace(settings_); }

  // Once per sampled frame. The gray image is the decoder's own luma plane: no conversion.
  std::vector<elaborator::Detection> classify(const elaborator::Frame& frame) {
    return detector_->detect_faces(frame.gray());
  }

  elaborator::vision::HaarSettings settings_;
  std::optional<elaborator::vision::HaarFaceDetector> detector_;
};

inline elaborator::Kind face_detector_kind() {
  return {"face_detector", "Face detection", "Finds faces with an OpenCV Haar cascade and sends their boxes.",
          {elaborator::Param::text("cascade", elaborator::vision::default_face_cascade, "Haar cascade file"),
           elaborator::Param::integer("min_face", 40, 8, 4096, "smallest face to look for, in pixels (the main cost knob)")},
          elaborator::factory<FaceDetector>()};
}
