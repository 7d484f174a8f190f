#pragma once
// One buffer of decoded audio as the stream hands it to every elaboration: interleaved signed 16-bit PCM in
// the stream's AudioFormat, usually one RTP packet's worth (20 ms of Opus). Copied out of GStreamer's buffer:
// it is small, and each elaboration cuts it into windows of its own anyway.

#include "decoded_info.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace elaborator::detail {

struct AudioChunk {
  DecodedInfo info;
  int sample_rate = 16000;
  int channels = 1;
  std::vector<std::int16_t> samples;

  [[nodiscard]] std::size_t frames() const { return samples.size() / static_cast<std::size_t>(channels); }
};

// How long `frames` samples per channel last at `sample_rate`.
inline std::chrono::nanoseconds duration_of(std::size_t frames, int sample_rate) {
  return std::chrono::nanoseconds(static_cast<std::int64_t>(frames) * 1'000'000'000 / sample_rate);
}

}  // namespace elaborator::detail
