#pragma once
// The checks every RTP packet of a stream passes on arrival, before the jitter buffer: from the allowed
// sender, RTP at all, of the expected payload type, with no payload known to trip a depayloader; then what it says about the sender (a new SSRC: it
// started again) and the network (gaps in sequence numbers: losses; the marker bit: a frame's last packet).
// A sender that started again is renumbered to go on from the one before (below, `sequence`).
// Plain code over RtpHeader, with no GStreamer: Stream calls it from its pad probe and acts on the verdict
// (logs, keyframe requests, the timeline of arrivals). Counters are atomics: statistics read them from
// other threads; check() itself is called from one thread at a time (udpsrc's).

#include "../source.hpp"
#include "rtp_header.hpp"

#include <fmt/core.h>

#include <atomic>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace elaborator::detail {

// Why a payload must not reach its depayloader, or nothing. Only payloads that GStreamer's own depayloaders
// mishandle: an H.264 fragmentation unit (FU-A, FU-B: RFC 6184, 5.8) too short for its FU header makes
// rtph264depay of GStreamer 1.22 (Debian 12) compute its length as -1, then allocate and copy 4 GB from a
// packet of 13 bytes: a crash a single sender can cause (found by fuzz_rtp_pipeline; the reproducer is
// fuzz/corpus/rtp_pipeline/crash-h264-fu-a-without-fu-header).
inline std::optional<std::string> payload_refusal(Codec codec, std::span<const std::uint8_t> payload) {
  if (codec != Codec::h264 || payload.empty()) return std::nullopt;
  constexpr std::uint8_t fu_a = 28;
  constexpr std::uint8_t fu_b = 29;
  const std::uint8_t nal_type = payload[0] & 0x1F;
  const std::size_t header = nal_type == fu_a ? 2 : nal_type == fu_b ? 4 : 0;
  if (payload.size() >= header) return std::nullopt;
  return fmt::format("with an H.264 fragmentation unit of {} bytes, shorter than its {}-byte header", payload.size(),
                     header);
}

struct PacketVerdict {
  bool accepted = false;
  std::string rejection;               // why not, for the log: "not RTP", "of payload type 97, not 96", ...
  RtpHeader header{};                  // when accepted
  bool new_ssrc = false;               // the first packet, or a sender that started again
  std::optional<std::uint32_t> previous_ssrc;  // with new_ssrc: the SSRC before, unless this is the first
  // The sequence number to hand on, when accepted: header.sequence, shifted for a sender after the first so
  // that its numbers go on from the last ones handed on. GStreamer's jitter buffer does not reset on a new
  // SSRC (it only logs it) and judges the new numbers against the old ones: from a random start a little
  // behind, it dropped the new sender's packets as late until its numbers caught up; a few hundred ahead, it
  // took the start for a gap and dropped the first packet, the keyframe's.
  std::uint16_t sequence = 0;
  [[nodiscard]] bool renumbered() const { return accepted && sequence != header.sequence; }
};

class RtpPacketCheck {
 public:
  // A sequence number this far from the expected one either way is a sender that started again, not a loss.
  static constexpr std::uint16_t largest_gap = 3000;

  // `allowed_sender`: the only IP address (as text) packets may come from; empty: any.
  RtpPacketCheck(std::string allowed_sender, int payload_type, Codec codec)
      : allowed_sender_(std::move(allowed_sender)), payload_type_(payload_type), codec_(codec) {}

  // Whether check() needs the sender's address (finding it costs a lookup per packet).
  [[nodiscard]] bool checks_sender() const { return !allowed_sender_.empty(); }

  // `sender`: the packet's source address, when checks_sender().
  PacketVerdict check(std::span<const std::uint8_t> packet, std::string_view sender = {}) {
    if (checks_sender() && sender != allowed_sender_) {
      return reject(fmt::format("from {}, not from the allowed sender {}",
                                sender.empty() ? "an unknown address" : sender, allowed_sender_));
    }
    const auto header = parse_rtp_header(packet);
    if (!header) return reject("that is not RTP");
    if (header->payload_type != payload_type_) {
      return reject(fmt::format("of payload type {}, not {}", header->payload_type, payload_type_));
    }
    if (auto refusal = payload_refusal(codec_, packet.subspan(header->payload_offset, header->payload_size))) {
      return reject(std::move(*refusal));
    }
    ++packets_received_;
    PacketVerdict verdict;
    verdict.accepted = true;
    verdict.header = *header;
    if (!ssrc_ || *ssrc_ != header->ssrc) {
      verdict.new_ssrc = true;
      verdict.previous_ssrc = ssrc_;
      if (ssrc_) ++ssrc_changes_;
      ssrc_ = header->ssrc;
      if (next_sequence_) shift_ = static_cast<std::uint16_t>(*next_sequence_ + shift_ - header->sequence);
      next_sequence_.reset();
    }
    verdict.sequence = static_cast<std::uint16_t>(header->sequence + shift_);
    count_losses(header->sequence);
    // The marker bit ends a video frame (RFC 3551, 7587, 6184). Counting distinct timestamps would not do:
    // some encoders give two frames the same timestamp.
    if (header->marker) ++frames_received_;
    return verdict;
  }

  [[nodiscard]] std::uint64_t packets_received() const { return packets_received_.load(); }
  [[nodiscard]] std::uint64_t packets_rejected() const { return packets_rejected_.load(); }
  [[nodiscard]] std::uint64_t packets_lost() const { return packets_lost_.load(); }
  [[nodiscard]] std::uint64_t frames_received() const { return frames_received_.load(); }
  [[nodiscard]] std::uint64_t ssrc_changes() const { return ssrc_changes_.load(); }

 private:
  PacketVerdict reject(std::string reason) {
    ++packets_rejected_;
    PacketVerdict verdict;
    verdict.rejection = std::move(reason);
    return verdict;
  }

  // Sequence numbers skipped ahead of the next expected one are lost packets. A packet a little behind is
  // late or a duplicate; a jump far either way is a sender that started again: follow it, count nothing.
  void count_losses(std::uint16_t sequence) {
    if (next_sequence_) {
      const auto ahead = static_cast<std::uint16_t>(sequence - *next_sequence_);
      if (ahead > 0x10000 - largest_gap) return;
      if (ahead < largest_gap) packets_lost_ += ahead;
    }
    next_sequence_ = static_cast<std::uint16_t>(sequence + 1);
  }

  std::string allowed_sender_;
  int payload_type_;
  Codec codec_;
  std::optional<std::uint32_t> ssrc_;  // these three only touched by check()'s thread
  std::optional<std::uint16_t> next_sequence_;  // in the sender's own numbers
  std::uint16_t shift_ = 0;                      // from the sender's numbers to those handed on
  std::atomic<std::uint64_t> packets_received_{0};
  std::atomic<std::uint64_t> packets_rejected_{0};
  std::atomic<std::uint64_t> packets_lost_{0};
  std::atomic<std::uint64_t> frames_received_{0};
  std::atomic<std::uint64_t> ssrc_changes_{0};
};

}  // namespace elaborator::detail
