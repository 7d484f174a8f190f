#pragma once
// Which decoded frames an elaboration classifies, and what happens to them while classify() is busy; for
// audio, which windows of the stream's audio it classifies (at the end).
//
// Up to three filters pick frames, in this order:
//   every_nth  frames whose decode index is a multiple of N (the seed's sampling_rate): 0, N, 2N, ...
//   on_change  of those, frames whose picture differs from the last picked one (below), or that come
//              `max_interval` or more after it; off by default
//   max_fps    of those, at most F per second of stream time (PTS; arrival time where there is none)
// On change: both pictures are shrunk to 64 columns of gray (area averaging, which averages coding noise
// away), and a frame differs when more than `change` of those thumbnail pixels moved by more than
// `pixel_step` gray levels. A thumbnail pixel covers 20x20 pixels of a 720p picture, so the default 0.02
// (46 of 2304) is a person stepping in, or a 140x140 object appearing; camera noise stays far below it, and
// a smaller object is seen at the latest after max_interval (0.005 finds a hand-sized one at once). A scene
// cut differs everywhere and is always picked (unless max_fps refuses it, when the next frame is). The
// comparison costs about 0.2 ms per 720p frame (a tenth of a VP8 decode), on the stream's thread, and the
// thumbnail is made once per picture for all the elaborations that sample on change.
// Picked frames wait in a queue of `queue_capacity` frames for classify(). When it is full, the oldest
// waiting frame is dropped (and counted) to make room, so what gets classified is always the newest.
// queue_capacity = 1 is "newest only": latency stays bounded by about one classify() whatever the model's
// speed. A larger queue rides out short bursts; it never grows past its capacity.
// Audio: the stream's audio is cut into windows `window` long, one every `hop` (0: hop = window, windows
// side by side), and every_nth and the queue apply to windows as to frames; max_fps and on_change are for
// video. A recognizer that must hear every sample (speech to text) takes hop = window and a queue long
// enough to ride out its slowest window; a level meter takes the newest only.

#include "clock.hpp"
#include "detail/picture.hpp"
#include "error.hpp"

#include <opencv2/core.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace elaborator {

struct SamplingPolicy {
  std::uint32_t every_nth = 1;
  double max_fps = 0;  // 0: no cap
  std::size_t queue_capacity = 1;
  bool on_change = false;
  double change = 0.02;                           // fraction of thumbnail pixels that must differ
  int pixel_step = 12;                            // gray levels a thumbnail pixel must move to count
  std::chrono::milliseconds max_interval{1000};   // with on_change: a frame at least this often anyway
  std::chrono::milliseconds window{1000};         // audio: each window's length
  std::chrono::milliseconds hop{0};               // audio: from one window's start to the next; 0: window

  [[nodiscard]] std::chrono::milliseconds window_hop() const { return hop.count() > 0 ? hop : window; }

  void validate() const {
    if (every_nth == 0) throw Error("sampling: every_nth must be at least 1");
    if (max_fps < 0) throw Error("sampling: max_fps must not be negative (0 means no cap)");
    if (queue_capacity == 0) throw Error("sampling: queue_capacity must be at least 1");
    if (change < 0 || change > 1) throw Error("sampling: change must be from 0 to 1");
    if (pixel_step < 1 || pixel_step > 255) throw Error("sampling: pixel_step must be from 1 to 255");
    if (max_interval.count() <= 0) throw Error("sampling: max_interval must be positive");
    if (window.count() < 10 || window.count() > 60'000) throw Error("sampling: window must be from 10 ms to 60 s");
    if (hop.count() < 0 || hop.count() > 60'000) throw Error("sampling: hop must be from 0 (the window) to 60 s");
  }
};

// The fraction of pixels of two thumbnails of one size that differ by more than `step` gray levels; 1 when
// the sizes differ (a new resolution is a change).
inline double changed_fraction(const cv::Mat& a, const cv::Mat& b, int step) {
  if (a.size() != b.size() || a.type() != b.type() || a.empty()) return 1.0;
  cv::Mat difference;
  cv::absdiff(a, b, difference);
  return static_cast<double>(cv::countNonZero(difference > step)) / static_cast<double>(difference.total());
}

// Applies a policy's filters to a stream of frames, one decision per decoded frame, on one thread.
class Sampler {
 public:
  explicit Sampler(const SamplingPolicy& policy) : policy_(policy) { policy_.validate(); }

  // `stream_time` is the frame's PTS, or its arrival time since some fixed origin where it has none. The
  // picture is needed with on_change only.
  bool picks(std::uint64_t index, std::chrono::nanoseconds stream_time, const detail::Picture* picture = nullptr) {
    if (index % policy_.every_nth != 0) return false;
    if (policy_.on_change && picture != nullptr && !changed_or_due(*picture, stream_time)) {
      ++unchanged_;
      return false;
    }
    if (!within_fps_cap(stream_time)) return false;
    if (policy_.on_change && picture != nullptr) {
      reference_ = picture->thumbnail();
      last_pick_ = stream_time;
    }
    return true;
  }

  // Frames the change rule passed over: neither different enough nor due. Any thread may read it.
  [[nodiscard]] std::uint64_t unchanged() const { return unchanged_.load(); }

 private:
  bool changed_or_due(const detail::Picture& picture, std::chrono::nanoseconds stream_time) const {
    if (reference_.empty() || stream_time - last_pick_ >= policy_.max_interval || stream_time < last_pick_) return true;
    return changed_fraction(picture.thumbnail(), reference_, policy_.pixel_step) > policy_.change;
  }

  bool within_fps_cap(std::chrono::nanoseconds stream_time) {
    if (policy_.max_fps <= 0) return true;
    const auto period = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(1.0 / policy_.max_fps));
    // Frames are due on a fixed schedule so the output rate is exactly F on average; a frame up to a tenth of
    // a period early still counts as on time, so PTS rounding and arrival jitter do not skip a whole period.
    if (scheduled_ && stream_time < next_due_ - period / 10) return false;
    const bool resync = !scheduled_ || stream_time - next_due_ > period;
    next_due_ = (resync ? stream_time : next_due_) + period;
    scheduled_ = true;
    return true;
  }

  SamplingPolicy policy_;
  bool scheduled_ = false;  // false until the first frame is picked
  std::chrono::nanoseconds next_due_{0};
  cv::Mat reference_;  // the thumbnail of the last picked frame (shared with its picture, never written)
  std::chrono::nanoseconds last_pick_{0};
  std::atomic<std::uint64_t> unchanged_{0};
};

}  // namespace elaborator
