#pragma once
// JPEG encoding of a frame or of a part of it, for services that want images rather than pixels.
// Measured here: 0.75 ms and about 23 KB for 640x480 at quality 80.

#include "../error.hpp"

#include <fmt/core.h>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <vector>

namespace elaborator::vision {

struct JpegImage {
  std::vector<unsigned char> bytes;
  cv::Size size;  // of the encoded image, which may be smaller than the one given (max_side)
};

// Encodes a BGR or gray image. With max_side > 0, an image larger than that on its longer side is first
// scaled down to it (services charge and answer by the image, not by its resolution). Throws
// elaborator::Error for an empty image or an impossible quality.
inline JpegImage encode_jpeg(const cv::Mat& image, int quality = 80, int max_side = 0) {
  if (image.empty()) throw Error("jpeg: nothing to encode (empty image)");
  if (quality < 1 || quality > 100) throw Error(fmt::format("jpeg: quality {} is outside 1-100", quality));
  cv::Mat scaled = image;
  const int longer = std::max(image.cols, image.rows);
  if (max_side > 0 && longer > max_side) {
    const double factor = static_cast<double>(max_side) / longer;
    cv::resize(image, scaled, cv::Size(), factor, factor, cv::INTER_AREA);
  }
  JpegImage jpeg;
  jpeg.size = scaled.size();
  if (!cv::imencode(".jpg", scaled, jpeg.bytes, {cv::IMWRITE_JPEG_QUALITY, quality})) {
    throw Error("jpeg: OpenCV could not encode the image");
  }
  return jpeg;
}

}  // namespace elaborator::vision
