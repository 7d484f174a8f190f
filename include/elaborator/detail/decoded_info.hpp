#pragma once
// Where and when a decoded picture or buffer of audio came from: what a Frame or an AudioWindow reports of it.

#include "../clock.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace elaborator::detail {

struct DecodedInfo {
  std::uint64_t index = 0;                       // decode order within the stream, from 0
  std::string stream_id;
  std::optional<std::uint32_t> rtp_timestamp;    // of the RTP packet(s) that carried it
  std::optional<std::chrono::nanoseconds> pts;   // GStreamer presentation time (stream time)
  TimePoint arrival;                             // first packet received (or decoder output, see docs)
  TimePoint decoded;                             // decoder output reached the library

  // Its time in its stream: its PTS, or its arrival where it has none (as for everything in its stream).
  [[nodiscard]] std::chrono::nanoseconds stream_time() const {
    return pts.value_or(std::chrono::duration_cast<std::chrono::nanoseconds>(arrival.time_since_epoch()));
  }
};

}  // namespace elaborator::detail
