#pragma once
// Face detection with one of OpenCV's Haar cascades (Debian package opencv-data), on the gray image the
// decoder already gives for free. Shared by the examples that look at faces.
//
// The minimum face size dominates the cost (measured here at 640x480: 91 ms with no minimum, 50 ms with
// 60 px, one thread), so it is an option with a sensible default rather than an afterthought.
//
// Images come from strangers (a sender picks its resolution, a training folder holds what it holds), and the
// cascade's memory follows the image: it builds a pyramid whose largest layer is the image scaled by its
// window (24 pixels) over the smallest face, in a scratch buffer that it keeps from image to image and only
// ever grows, to about the widest layer's width times the tallest one's height. Measured: a 1280x720 frame
// holds 19 MB; a 176x12000 image 45 MB, but 419 MB after a 12000x176 one; fuzzing a mix of shapes asked for
// 5.6 GB. So the detector bounds the largest layer to `max_search_pixels` (in a huge image, faces too small
// for that are not looked for), and starts a fresh cascade (14 ms) when the buffer it has would be more than
// twice what the image needs.

#include "../detection.hpp"
#include "../error.hpp"

#include <fmt/core.h>
#include <opencv2/objdetect.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace elaborator::vision {

inline constexpr const char* default_face_cascade = "/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml";

struct HaarSettings {
  std::string cascade_path = default_face_cascade;
  int min_size = 40;           // pixels; smaller faces are not looked for
  double scale_factor = 1.1;   // image pyramid step
  int min_neighbors = 4;       // overlapping hits needed to report a face
  double max_search_pixels = 1 << 22;  // the largest pyramid layer, 4 Mpixel: about 250 MB of scratch memory
};

class HaarFaceDetector {
 public:
  explicit HaarFaceDetector(HaarSettings settings = {}) : settings_(std::move(settings)) {
    if (settings_.min_size < 1) throw Error("face detector: the minimum face size must be at least 1 pixel");
    if (!(settings_.scale_factor > 1.0)) throw Error("face detector: the scale factor must be greater than 1");
    if (!(settings_.max_search_pixels >= 1 << 16)) throw Error("face detector: the search budget must be at least 65536 pixels");
    load_cascade();
  }

  // Faces in a gray image, in its pixels.
  [[nodiscard]] std::vector<cv::Rect> detect(const cv::Mat& gray) {
    fit_scratch_buffer_to(gray.size());
    const int min_size = smallest_face_for(gray.size());
    std::vector<cv::Rect> faces;
    cascade_.detectMultiScale(gray, faces, settings_.scale_factor, settings_.min_neighbors, 0, cv::Size(min_size, min_size));
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
  void load_cascade() {
    cascade_ = cv::CascadeClassifier();
    if (!cascade_.load(settings_.cascade_path)) {
      throw Error(fmt::format("face detector: cannot load the cascade '{}' (Debian package opencv-data installs "
                              "them under /usr/share/opencv4/haarcascades/)",
                              settings_.cascade_path));
    }
  }

  // The configured smallest face, or a larger one where the largest layer would pass the budget: a layer
  // is the image scaled by (window side / smallest face).
  int smallest_face_for(cv::Size image) const {
    const cv::Size window = cascade_.getOriginalWindowSize();
    const double pixels = static_cast<double>(image.width) * image.height;
    const double needed = std::min(window.width, window.height) * std::sqrt(pixels / settings_.max_search_pixels);
    return std::max(settings_.min_size, static_cast<int>(std::ceil(needed)));
  }

  void fit_scratch_buffer_to(cv::Size image) {
    const auto area = [](cv::Size size) { return static_cast<std::int64_t>(size.width) * size.height; };
    const cv::Size grown(std::max(scratch_.width, image.width), std::max(scratch_.height, image.height));
    if (area(grown) > 2 * area(image)) {
      load_cascade();
      scratch_ = image;
    } else {
      scratch_ = grown;
    }
  }

  HaarSettings settings_;
  cv::CascadeClassifier cascade_;
  cv::Size scratch_;  // the image size the cascade's scratch buffer has grown to
};

}  // namespace elaborator::vision
