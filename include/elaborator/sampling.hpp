#pragma once
// Which decoded frames an elaboration classifies, and what happens to them while classify() is busy.
//
// Two filters pick frames, in this order:
//   every_nth  frames whose decode index is a multiple of N (the seed's sampling_rate): 0, N, 2N, ...
//   max_fps    of those, at most F per second of stream time (PTS; arrival time where there is none)
// Picked frames wait in a queue of `queue_capacity` frames for classify(). When it is full, the oldest
// waiting frame is dropped (and counted) to make room, so what gets classified is always the newest.
// queue_capacity = 1 is "newest only": latency stays bounded by about one classify() whatever the model's
// speed. A larger queue rides out short bursts; it never grows past its capacity.

#include "clock.hpp"
#include "error.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace elaborator {

struct SamplingPolicy {
  std::uint32_t every_nth = 1;
  double max_fps = 0;  // 0: no cap
  std::size_t queue_capacity = 1;

  void validate() const {
    if (every_nth == 0) throw Error("sampling: every_nth must be at least 1");
    if (max_fps < 0) throw Error("sampling: max_fps must not be negative (0 means no cap)");
    if (queue_capacity == 0) throw Error("sampling: queue_capacity must be at least 1");
  }
};

// Applies a policy's two filters to a stream of frames, one decision per decoded frame.
class Sampler {
 public:
  explicit Sampler(const SamplingPolicy& policy) : policy_(policy) { policy_.validate(); }

  // `stream_time` is the frame's PTS, or its arrival time since some fixed origin where it has none.
  bool picks(std::uint64_t index, std::chrono::nanoseconds stream_time) {
    if (index % policy_.every_nth != 0) return false;
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

 private:
  SamplingPolicy policy_;
  bool scheduled_ = false;  // false until the first frame is picked
  std::chrono::nanoseconds next_due_{0};
};

}  // namespace elaborator
