#pragma once
// What an audio elaboration's classify() receives: a window of a stream's decoded audio, with where it
// came from and when. The audio counterpart of Frame.
//
// A window is `SamplingPolicy::window` long and starts `SamplingPolicy::hop` after the one before, so windows
// overlap when the hop is shorter than the window and leave audio out when it is longer. Its samples are
// signed 16-bit PCM, interleaved when there is more than one channel, at the stream's AudioFormat (16 kHz
// mono by default). An AudioWindow is a cheap handle: copy it freely, keep it for later.

#include "clock.hpp"
#include "detail/audio_chunk.hpp"
#include "frame.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace elaborator {

// Where a window sits in its stream.
struct WindowInfo {
  std::uint64_t index = 0;                     // windows of the stream, from 0 (with every_nth, multiples of N)
  std::string stream_id;
  std::chrono::nanoseconds start{0};           // stream time of its first sample (PTS, as Frame::stream_time)
  std::optional<std::uint32_t> rtp_timestamp;  // of the RTP packet its first sample came in; RTP sources only
  int sample_rate = 16000;
  int channels = 1;
};

class AudioWindow {
 public:
  AudioWindow(std::shared_ptr<const std::vector<std::int16_t>> samples, WindowInfo info, FrameTimes times)
      : samples_(std::move(samples)), info_(std::move(info)), times_(times) {}

  // A window made from samples in memory, for tests and offline tools.
  static AudioWindow from_samples(std::vector<std::int16_t> samples, int sample_rate, int channels = 1,
                                  std::chrono::nanoseconds start = {}, std::string stream_id = "samples") {
    const TimePoint now = Clock::now();
    return {std::make_shared<const std::vector<std::int16_t>>(std::move(samples)),
            WindowInfo{0, std::move(stream_id), start, std::nullopt, sample_rate, channels},
            FrameTimes{now, now, now, now, now}};
  }

  [[nodiscard]] std::uint64_t index() const { return info_.index; }
  [[nodiscard]] const std::string& stream_id() const { return info_.stream_id; }
  [[nodiscard]] std::span<const std::int16_t> samples() const { return *samples_; }
  [[nodiscard]] int sample_rate() const { return info_.sample_rate; }
  [[nodiscard]] int channels() const { return info_.channels; }
  // Samples per channel.
  [[nodiscard]] std::size_t frames() const { return samples_->size() / static_cast<std::size_t>(info_.channels); }
  [[nodiscard]] std::chrono::nanoseconds start() const { return info_.start; }
  [[nodiscard]] std::chrono::nanoseconds duration() const {
    return detail::duration_of(frames(), info_.sample_rate);
  }
  [[nodiscard]] std::chrono::nanoseconds end() const { return start() + duration(); }
  [[nodiscard]] std::optional<std::uint32_t> rtp_timestamp() const { return info_.rtp_timestamp; }
  // The stage times of its last sample: it arrived, was decoded, and completed the window.
  [[nodiscard]] const FrameTimes& times() const { return times_; }
  [[nodiscard]] FrameTimes& times() { return times_; }

 private:
  std::shared_ptr<const std::vector<std::int16_t>> samples_;
  WindowInfo info_;
  FrameTimes times_;
};

}  // namespace elaborator
