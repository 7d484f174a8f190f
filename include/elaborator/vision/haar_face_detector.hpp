#pragma once
// Face detection with one of OpenCV's Haar cascades (Debian package opencv-data), on the gray image the
// decoder already gives for free. Shared by the examples that look at faces.
//
// The minimum face size dominates the cost (measured here at 640x480: 91 ms with no minimum, 50 ms with
// 60 px, one thread), so it is an option with a sensible default rather than an afterthought.

#include "../detection.hpp"
#include "../error.hpp"

#include <fmt/core.h>
#include <opencv2/objdetect.hpp>

#include <string>
#include <vector>

namespace elaborator::vision {

inline constexpr const char* default_face_cascade = "/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml";

struct HaarSettings {
  std::string cascade_path = default_face_cascade;
  int min_size = 40;           // pixels; smaller faces are not looked for
  double scale_factor = 1.1;   // image pyramid step
  int min_neighbors = 4;       // overlapping hits needed to report a face
};

class HaarFaceDetector {
 public:
  explicit HaarFaceDetector(HaarSettings settings = {}) : settings_(std::move(settings)) {
    if (settings_.min_size < 1) throw Error("face detector: the minimum face size must be at least 1 pixel");
    if (!(settings_.scale_factor > 1.0)) throw Error("face detector: the scale factor must be greater than 1");
    if (!cascade_.load(settings_.cascade_path)) {
      throw Error(fmt::format("face detector: cannot load the cascade '{}' (Debian package opencv-data installs "
                              "them under /usr/share/opencv4/haarcascades/)",
                              settings_.cascade_path));
    }
  }

  // Faces in a gray image, in its pixels.
  [[nodiscard]] std::vector<cv::Rect> detect(const cv::Mat& gray) {
    std::vector<cv::Rect> faces;
    cascade_.detectMultiScale(gray, faces, settings_.scale_factor, settings_.min_neighbors, 0,
                              cv::Size(settings_.min_size, settings_.min_size));
    return faces;
  }

  // The same, as detections labelled "face" with boxes normalised to the image. A cascade gives no score:
  // confidence is 1.
  [[nodiscard]] std::vector<Detection> detect_faces(const cv::Mat& gray) {
    std::vector<Detection> detections;
    for (const cv::Rect& face : detect(gray)) detections.push_back({"face", 1.0F, Box::from_pixels(face, gray.size())});
    return detections;
  }

 private:
  HaarSettings settings_;
  cv::CascadeClassifier cascade_;
};

}  // namespace elaborator::vision
