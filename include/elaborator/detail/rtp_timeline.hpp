#pragma once
// Ties decoded pictures back to the RTP packets that carried them: when the first packet of each RTP
// timestamp arrived, and which RTP timestamp the jitter buffer turned into which PTS. Both are small rings
// of recent entries; pictures are looked up within a few frames of their packets.

#include "../clock.hpp"

#include <array>
#include <atomic>
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

  // A packet arrived: the first one of each RTP timestamp sets that timestamp's arrival time. Called for every
  // packet, on the receiving thread: the packets of a frame after its first cost one atomic load, and the
  // first packet of a new frame (a timestamp after the newest) is added without a search.
  void note_packet(std::uint32_t rtp_timestamp, TimePoint now) {
    if (last_arrival_.load(std::memory_order_relaxed) == rtp_timestamp) return;
    const std::lock_guard lock(arrivals_mutex_);
    last_arrival_.store(rtp_timestamp, std::memory_order_relaxed);
    const Arrival& newest = arrivals_[(next_arrival_ + depth - 1) % depth];
    const bool after_newest = !newest.used || static_cast<std::int32_t>(rtp_timestamp - newest.rtp_timestamp) > 0;
    if (!after_newest && newest_first(arrivals_, next_arrival_, [&](const Arrival& a) {
          return a.rtp_timestamp == rtp_timestamp;
        }) != nullptr) {
      return;  // a late packet of a frame already seen
    }
    arrivals_[next_arrival_] = {true, rtp_timestamp, now};
    next_arrival_ = (next_arrival_ + 1) % arrivals_.size();
  }

  // Whether the last packet out of the jitter buffer had this PTS already (more packets of the same frame):
  // the caller need not read the packet's RTP timestamp then.
  [[nodiscard]] bool noted_pts(std::uint64_t pts) const { return last_pts_.load(std::memory_order_relaxed) == pts; }

  // A packet left the jitter buffer with this PTS.
  void note_pts(std::uint64_t pts, std::uint32_t rtp_timestamp) {
    if (noted_pts(pts)) return;
    const std::lock_guard lock(pts_mutex_);
    last_pts_.store(pts, std::memory_order_relaxed);
    pts_[next_pts_] = {true, pts, rtp_timestamp};
    next_pts_ = (next_pts_ + 1) % pts_.size();
  }

  // Where the picture with this PTS came from, if its packets are still remembered. Pictures are decoded a
  // few frames after their packets, so both searches go from the newest entry back and stop at the first match.
  [[nodiscard]] std::optional<Origin> find(std::uint64_t pts) const {
    std::optional<std::uint32_t> rtp_timestamp;
    {
      const std::lock_guard lock(pts_mutex_);
      if (const Pts* p = newest_first(pts_, next_pts_, [&](const Pts& e) { return e.pts == pts; })) {
        rtp_timestamp = p->rtp_timestamp;
      }
    }
    if (!rtp_timestamp) return std::nullopt;
    const std::lock_guard lock(arrivals_mutex_);
    if (const Arrival* a = newest_first(arrivals_, next_arrival_, [&](const Arrival& e) {
          return e.rtp_timestamp == *rtp_timestamp;
        })) {
      return Origin{a->rtp_timestamp, a->arrival};
    }
    return std::nullopt;
  }

  // Where the audio starting at this PTS came from: the packet with the latest PTS at or before it, if its
  // packets are still remembered (resampled audio starts between packets).
  [[nodiscard]] std::optional<Origin> find_at_or_before(std::uint64_t pts) const {
    std::optional<std::uint64_t> nearest;
    {
      const std::lock_guard lock(pts_mutex_);
      for (const auto& p : pts_) {
        if (p.used && p.pts <= pts && (!nearest || p.pts > *nearest)) nearest = p.pts;
      }
    }
    return nearest ? find(*nearest) : std::nullopt;
  }

  // A new sender (SSRC): its timestamps start anywhere, so the old ones mean nothing.
  void reset() {
    const std::scoped_lock lock(arrivals_mutex_, pts_mutex_);
    arrivals_ = {};
    pts_ = {};
    last_arrival_.store(none);
    last_pts_.store(none);
  }

 private:
  static constexpr std::size_t depth = 128;
  static constexpr std::uint64_t none = UINT64_MAX;  // no RTP timestamp (32 bits) and no PTS GStreamer gives
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

  // The newest entry of a ring that `matches`, or null. `next` is where the ring writes next; entries are
  // written in order, so the first unused one going back is where the ring's history ends.
  template <class Entry, class Matches>
  static const Entry* newest_first(const std::array<Entry, depth>& ring, std::size_t next, Matches matches) {
    for (std::size_t back = 1; back <= depth; ++back) {
      const Entry& entry = ring[(next + depth - back) % depth];
      if (!entry.used) return nullptr;
      if (matches(entry)) return &entry;
    }
    return nullptr;
  }

  // Packets arrive on one thread and leave the jitter buffer on another: each ring has its own lock, so the
  // two never wait for each other (find(), once per picture, takes both in turn).
  mutable std::mutex arrivals_mutex_;
  mutable std::mutex pts_mutex_;
  std::array<Arrival, depth> arrivals_{};
  std::array<Pts, depth> pts_{};
  std::size_t next_arrival_ = 0;
  std::size_t next_pts_ = 0;
  std::atomic<std::uint64_t> last_arrival_{none};
  std::atomic<std::uint64_t> last_pts_{none};
};

}  // namespace elaborator::detail
