#pragma once
// Ties decoded pictures back to the RTP packets that carried them: when the first packet of each RTP
// timestamp arrived, and which RTP timestamp the jitter buffer turned into which PTS. Both are small rings
// of recent entries; pictures are looked up within a few frames of their packets.

#include "../clock.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>

namespace elaborator::detail {

class RtpTimeline {
 public:
  struct Origin {
    std::uint32_t rtp_timestamp = 0;
    TimePoint arrival;
  };

  // A packet arrived: the first one of each RTP timestamp sets that timestamp's arrival time.
  void note_packet(std::uint32_t rtp_timestamp, TimePoint now) {
    const std::lock_guard lock(mutex_);
    for (const auto& entry : arrivals_) {
      if (entry.used && entry.rtp_timestamp == rtp_timestamp) return;
    }
    arrivals_[next_arrival_] = {true, rtp_timestamp, now};
    next_arrival_ = (next_arrival_ + 1) % arrivals_.size();
  }

  // A packet left the jitter buffer with this PTS.
  void note_pts(std::uint64_t pts, std::uint32_t rtp_timestamp) {
    const std::lock_guard lock(mutex_);
    const std::size_t last = (next_pts_ + pts_.size() - 1) % pts_.size();
    if (pts_[last].used && pts_[last].pts == pts) return;  // more packets of the same frame
    pts_[next_pts_] = {true, pts, rtp_timestamp};
    next_pts_ = (next_pts_ + 1) % pts_.size();
  }

  // Where the picture with this PTS came from, if its packets are still remembered.
  [[nodiscard]] std::optional<Origin> find(std::uint64_t pts) const {
    const std::lock_guard lock(mutex_);
    for (const auto& p : pts_) {
      if (!p.used || p.pts != pts) continue;
      for (const auto& a : arrivals_) {
        if (a.used && a.rtp_timestamp == p.rtp_timestamp) return Origin{a.rtp_timestamp, a.arrival};
      }
      return std::nullopt;
    }
    return std::nullopt;
  }

  // A new sender (SSRC): its timestamps start anywhere, so the old ones mean nothing.
  void reset() {
    const std::lock_guard lock(mutex_);
    arrivals_ = {};
    pts_ = {};
  }

 private:
  static constexpr std::size_t depth = 128;
  struct Arrival {
    bool used = false;
    std::uint32_t rtp_timestamp = 0;
    TimePoint arrival;
  };
  struct Pts {
    bool used = false;
    std::uint64_t pts = 0;
    std::uint32_t rtp_timestamp = 0;
  };

  mutable std::mutex mutex_;
  std::array<Arrival, depth> arrivals_{};
  std::array<Pts, depth> pts_{};
  std::size_t next_arrival_ = 0;
  std::size_t next_pts_ = 0;
};

}  // namespace elaborator::detail
