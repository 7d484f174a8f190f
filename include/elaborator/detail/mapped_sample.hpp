#pragma once
// A decoded GStreamer sample mapped for reading, kept mapped for as long as a Picture points into it.

#include "gst.hpp"
#include "picture.hpp"

#include <gst/video/video.h>

namespace elaborator::detail {

class MappedSample {
 public:
  MappedSample(SamplePtr sample, const GstVideoInfo& info) : sample_(std::move(sample)) {
    GstBuffer* buffer = gst_sample_get_buffer(sample_.get());
    mapped_ = buffer != nullptr && gst_video_frame_map(&frame_, &info, buffer, GST_MAP_READ) == TRUE;
  }
  ~MappedSample() {
    if (mapped_) gst_video_frame_unmap(&frame_);
  }
  MappedSample(const MappedSample&) = delete;
  MappedSample& operator=(const MappedSample&) = delete;

  [[nodiscard]] bool mapped() const { return mapped_; }

  // Headers over the mapped I420 planes, strides included: nothing is copied.
  [[nodiscard]] I420Planes planes() {
    return {plane(0), plane(1), plane(2)};
  }

 private:
  cv::Mat plane(int index) {
    return {GST_VIDEO_FRAME_COMP_HEIGHT(&frame_, index), GST_VIDEO_FRAME_COMP_WIDTH(&frame_, index), CV_8UC1,
            GST_VIDEO_FRAME_PLANE_DATA(&frame_, index),
            static_cast<std::size_t>(GST_VIDEO_FRAME_PLANE_STRIDE(&frame_, index))};
  }

  SamplePtr sample_;
  GstVideoFrame frame_{};
  bool mapped_ = false;
};

}  // namespace elaborator::detail
