#pragma once
// Cuts a stream's audio, as its chunks come, into the windows an elaboration classifies: `window` long, one
// every `hop` (SamplingPolicy). One per elaboration, on the stream's thread.
//
// Windows follow the stream's time. A chunk that does not start where the one before ended (a new sender,
// a gap the jitter buffer could not conceal, a format change) starts the windows afresh from it: what was
// waiting for a window to fill is dropped, so no window ever joins audio from both sides of a gap.

#include "../audio_window.hpp"
#include "../clock.hpp"
#include "../sampling.hpp"
#include "audio_chunk.hpp"

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace elaborator::detail {

class AudioWindower {
 public:
  // A chunk starting this far from where the last one ended is a gap. Opus and G.711 packets last 10-60 ms,
  // and the jitter buffer conceals each lost one; the resampler's timestamps wobble by a sample or two.
  static constexpr auto gap = std::chrono::milliseconds(30);

  explicit AudioWindower(const SamplingPolicy& policy) : window_(policy.window), hop_(policy.window_hop()) {}

  // Adds a chunk and calls `emit(AudioWindow)` for each window it completes, in order.
  template <class Emit>
  void add(const AudioChunk& chunk, Emit&& emit) {
    if (chunk.samples.empty() || chunk.sample_rate <= 0 || chunk.channels <= 0) return;
    if (!continues(chunk)) start_over(chunk);
    append(chunk);
    const std::size_t window = samples_in(window_);
    while (pending_.size() >= window) {
      emit(cut(window, chunk.info));
      advance(samples_in(hop_));
    }
  }

  // Windows cut so far: the next one's index.
  [[nodiscard]] std::uint64_t windows() const { return next_index_; }

 private:
  struct ChunkStart {
    std::uint64_t position;  // of its first sample, counted from the first sample since start_over()
    std::optional<std::uint32_t> rtp_timestamp;
  };

  [[nodiscard]] bool continues(const AudioChunk& chunk) const {
    if (!started_ || chunk.sample_rate != sample_rate_ || chunk.channels != channels_) return false;
    const auto late = chunk.info.stream_time() - expected_next_;
    return late < gap && late > -gap;
  }

  void start_over(const AudioChunk& chunk) {
    started_ = true;
    sample_rate_ = chunk.sample_rate;
    channels_ = chunk.channels;
    stream_id_ = chunk.info.stream_id;
    pending_.clear();
    starts_.clear();
    position_ = 0;
    skip_ = 0;
    pending_start_ = chunk.info.stream_time();
    expected_next_ = pending_start_;
  }

  void append(const AudioChunk& chunk) {
    const std::size_t skipped = std::min(skip_, chunk.samples.size());
    skip_ -= skipped;
    starts_.push_back({position_ + pending_.size(), chunk.info.rtp_timestamp});
    pending_.insert(pending_.end(), chunk.samples.begin() + static_cast<std::ptrdiff_t>(skipped), chunk.samples.end());
    expected_next_ = chunk.info.stream_time() + duration_of(chunk.frames(), sample_rate_);
  }

  // The window at the front of what is pending; `last` is the chunk that completed it.
  AudioWindow cut(std::size_t window, const DecodedInfo& last) {
    auto samples = std::make_shared<const std::vector<std::int16_t>>(pending_.begin(),
                                                                      pending_.begin() + static_cast<std::ptrdiff_t>(window));
    WindowInfo info{next_index_++, stream_id_, pending_start_, rtp_timestamp_at(position_), sample_rate_, channels_};
    const TimePoint now = Clock::now();
    return {std::move(samples), std::move(info), FrameTimes{last.arrival, last.decoded, now, now, now}};
  }

  // Moves the start of the next window on by `hop` samples, some of which may not have come yet.
  void advance(std::size_t hop) {
    const std::size_t dropped = std::min(hop, pending_.size());
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(dropped));
    skip_ = hop - dropped;
    position_ += hop;
    pending_start_ += duration_of(hop / static_cast<std::size_t>(channels_), sample_rate_);
    while (starts_.size() > 1 && starts_[1].position <= position_) starts_.pop_front();
  }

  // The RTP timestamp of the chunk the sample at `position` came in.
  [[nodiscard]] std::optional<std::uint32_t> rtp_timestamp_at(std::uint64_t position) const {
    std::optional<std::uint32_t> found;
    for (const auto& start : starts_) {
      if (start.position <= position) found = start.rtp_timestamp;
    }
    return found;
  }

  [[nodiscard]] std::size_t samples_in(std::chrono::milliseconds length) const {
    return static_cast<std::size_t>(static_cast<std::int64_t>(sample_rate_) * length.count() / 1000) *
           static_cast<std::size_t>(channels_);
  }

  std::chrono::milliseconds window_;
  std::chrono::milliseconds hop_;
  bool started_ = false;
  int sample_rate_ = 0;
  int channels_ = 1;
  std::string stream_id_;
  std::vector<std::int16_t> pending_;     // samples not yet past the start of the next window
  std::deque<ChunkStart> starts_;         // of the chunks in pending_, for the windows' RTP timestamps
  std::uint64_t position_ = 0;            // of pending_[0]
  std::size_t skip_ = 0;                  // samples still to drop when the hop is longer than the window
  std::chrono::nanoseconds pending_start_{0};  // stream time of pending_[0]
  std::chrono::nanoseconds expected_next_{0};  // where the next chunk should start
  std::uint64_t next_index_ = 0;
};

}  // namespace elaborator::detail
