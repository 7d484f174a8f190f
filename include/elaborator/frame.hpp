#pragma once
// What classify() receives: one decoded frame of a stream, with where it came from and when.
//
// A Frame is a cheap handle (copy it freely, keep it for later): the picture behind it is shared by every
// elaboration of the stream and never copied. Its images are views that cost nothing until used:
//   gray()  the decoder's luma plane, no conversion and no copy (what face detectors want); it is video
//           range, 16 (black) to 235 (white), as decoders give it, not the 0-255 of cvtColor(BGR2GRAY);
//   bgr()   converted from the decoder's I420 once, on first use, then shared.
// Both are read-only: an elaboration that draws on its frame works on a copy, `frame.bgr().clone()`.

#include "clock.hpp"
#include "detail/picture.hpp"

#include <opencv2/core.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>

namespace elaborator {

// When a frame went through each stage on its way to a result (steady clock; see docs/results.md).
struct FrameTimes {
  TimePoint arrival;         // first RTP packet of the frame received; decoder output for non-RTP sources
  TimePoint decoded;         // decoded picture handed to the library by GStreamer
  TimePoint sampled;         // picked by this elaboration's sampling policy and queued
  TimePoint classify_start;  // taken from the queue; preprocess() and classify() begin
  TimePoint classify_end;    // classify() returned
};

class Frame {
 public:
  Frame(std::shared_ptr<const detail::Picture> picture, FrameTimes times)
      : picture_(std::move(picture)), times_(times) {}

  // A frame made from an image in memory, for tests, offline tools and training.
  static Frame from_image(cv::Mat bgr, std::uint64_t index = 0, std::string stream_id = "image") {
    const TimePoint now = Clock::now();
    detail::DecodedInfo info{index, std::move(stream_id), std::nullopt, std::nullopt, now, now};
    return {std::make_shared<const detail::Picture>(std::move(info), std::move(bgr)), FrameTimes{now, now, now, now, now}};
  }

  [[nodiscard]] std::uint64_t index() const { return picture_->info().index; }
  [[nodiscard]] const std::string& stream_id() const { return picture_->info().stream_id; }
  [[nodiscard]] std::optional<std::uint32_t> rtp_timestamp() const { return picture_->info().rtp_timestamp; }
  [[nodiscard]] std::optional<std::chrono::nanoseconds> pts() const { return picture_->info().pts; }
  // The frame's time in its stream: its PTS, or its arrival where it has none (the same for all its frames).
  [[nodiscard]] std::chrono::nanoseconds stream_time() const { return picture_->info().stream_time(); }
  [[nodiscard]] cv::Size size() const { return picture_->size(); }
  [[nodiscard]] const cv::Mat& gray() const { return picture_->gray(); }
  [[nodiscard]] const cv::Mat& bgr() const { return picture_->bgr(); }
  [[nodiscard]] const FrameTimes& times() const { return times_; }
  [[nodiscard]] FrameTimes& times() { return times_; }

 private:
  std::shared_ptr<const detail::Picture> picture_;
  FrameTimes times_;
};

}  // namespace elaborator
