#pragma once
// Cutting faces out of a frame, for whatever looks at them next: a recognizer wants a fixed-size gray
// square, a cloud service wants some context around the face. Shared by the examples that look at faces.

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

namespace elaborator::vision {

// The largest of some rectangles (by area), or an empty one when there are none.
inline cv::Rect largest(const std::vector<cv::Rect>& rectangles) {
  const auto it = std::max_element(rectangles.begin(), rectangles.end(),
                                   [](const cv::Rect& a, const cv::Rect& b) { return a.area() < b.area(); });
  return it == rectangles.end() ? cv::Rect() : *it;
}

// A rectangle grown by `margin` times its size on every side, clipped to an image of the given size.
inline cv::Rect expanded(const cv::Rect& face, double margin, cv::Size image) {
  const int dx = static_cast<int>(std::lround(face.width * margin));
  const int dy = static_cast<int>(std::lround(face.height * margin));
  return cv::Rect(face.x - dx, face.y - dy, face.width + 2 * dx, face.height + 2 * dy) & cv::Rect({0, 0}, image);
}

// The part of `image` inside `region` (clipped to it), resized to `size`: a new image the caller owns, so
// it outlives the frame it came from. An empty region gives an empty image.
inline cv::Mat crop(const cv::Mat& image, const cv::Rect& region, cv::Size size) {
  const cv::Rect inside = region & cv::Rect({0, 0}, image.size());
  if (inside.empty()) return {};
  cv::Mat out;
  cv::resize(image(inside), out, size, 0, 0, cv::INTER_AREA);
  return out;
}

}  // namespace elaborator::vision
