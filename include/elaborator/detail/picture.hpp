#pragma once
// One decoded picture, shared by every elaboration of its stream. It holds the decoder's planes without
// copying them and converts to BGR at most once, on first use, whichever thread asks first.

#include "decoded_info.hpp"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace elaborator::detail {

// The three planes of an I420 picture, as cv::Mat headers that may point into someone else's memory.
struct I420Planes {
  cv::Mat y;
  cv::Mat u;
  cv::Mat v;
};

// Copies I420 planes into the single contiguous buffer cv::cvtColor expects, padding odd sizes to even by
// repeating the last row or column, and converts it to BGR of the original size.
inline cv::Mat i420_to_bgr(const I420Planes& planes) {
  const int width = planes.y.cols;
  const int height = planes.y.rows;
  const bool canonical = width % 2 == 0 && height % 2 == 0 && planes.y.isContinuous() && planes.u.isContinuous() &&
                         planes.v.isContinuous() && planes.u.data == planes.y.dataend &&
                         planes.v.data == planes.u.dataend;
  cv::Mat bgr;
  if (canonical) {
    const cv::Mat packed(height * 3 / 2, width, CV_8UC1, planes.y.data);
    cv::cvtColor(packed, bgr, cv::COLOR_YUV2BGR_I420);
    return bgr;
  }
  const int even_width = width + width % 2;
  const int even_height = height + height % 2;
  cv::Mat packed(even_height * 3 / 2, even_width, CV_8UC1);
  const cv::Size chroma(even_width / 2, even_height / 2);
  cv::Mat y(even_height, even_width, CV_8UC1, packed.data);
  cv::Mat u(chroma, CV_8UC1, packed.data + y.total());
  cv::Mat v(chroma, CV_8UC1, u.data + u.total());
  cv::copyMakeBorder(planes.y, y, 0, even_height - height, 0, even_width - width, cv::BORDER_REPLICATE);
  cv::resize(planes.u, u, chroma, 0, 0, cv::INTER_NEAREST);
  cv::resize(planes.v, v, chroma, 0, 0, cv::INTER_NEAREST);
  cv::cvtColor(packed, bgr, cv::COLOR_YUV2BGR_I420);
  return bgr(cv::Rect(0, 0, width, height));
}

class Picture {
 public:
  // A decoder's picture: the planes point into memory that `owner` keeps alive (a mapped GStreamer buffer).
  Picture(DecodedInfo info, I420Planes planes, std::shared_ptr<const void> owner)
      : info_(std::move(info)), owner_(std::move(owner)), planes_(std::move(planes)) {}

  // A picture from an image already in memory (tests, offline tools, training).
  Picture(DecodedInfo info, cv::Mat bgr) : info_(std::move(info)), bgr_(std::move(bgr)) {
    std::call_once(bgr_once_, [] {});
  }

  Picture(const Picture&) = delete;
  Picture& operator=(const Picture&) = delete;

  [[nodiscard]] const DecodedInfo& info() const { return info_; }

  [[nodiscard]] cv::Size size() const { return planes_.y.empty() ? bgr_.size() : planes_.y.size(); }

  // The luma plane of a decoder's picture is already a gray image: no conversion, no copy.
  [[nodiscard]] const cv::Mat& gray() const {
    if (!planes_.y.empty()) return planes_.y;
    std::call_once(gray_once_, [this] { cv::cvtColor(bgr_, gray_, cv::COLOR_BGR2GRAY); });
    return gray_;
  }

  [[nodiscard]] const cv::Mat& bgr() const {
    std::call_once(bgr_once_, [this] { bgr_ = i420_to_bgr(planes_); });
    return bgr_;
  }

  // The gray picture shrunk to `thumbnail_width` columns (area averaging, which also averages the coding
  // noise away): what change-driven sampling compares. Made once, for every elaboration that asks.
  static constexpr int thumbnail_width = 64;
  [[nodiscard]] const cv::Mat& thumbnail() const {
    std::call_once(thumbnail_once_, [this] {
      const cv::Mat& g = gray();
      if (g.empty()) return;
      const int width = std::min(thumbnail_width, g.cols);
      const int height = std::max(1, cvRound(static_cast<double>(g.rows) * width / g.cols));
      cv::resize(g, thumbnail_, cv::Size(width, height), 0, 0, cv::INTER_AREA);
    });
    return thumbnail_;
  }

 private:
  DecodedInfo info_;
  std::shared_ptr<const void> owner_;
  I420Planes planes_;
  mutable std::once_flag gray_once_;
  mutable std::once_flag bgr_once_;
  mutable std::once_flag thumbnail_once_;
  mutable cv::Mat gray_;
  mutable cv::Mat bgr_;
  mutable cv::Mat thumbnail_;
};

}  // namespace elaborator::detail
