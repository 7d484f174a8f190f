// Fuzz target: the checks every packet arriving on a stream's RTP port passes before the jitter buffer
// (RtpPacketCheck: the allowed sender, RTP at all, the payload type, payloads that trip the depayloader, new
// senders, losses, frames) of an H.264 stream, the codec with such payloads, over a sequence of packets from
// anyone. Whatever they are, each is accepted or rejected with a reason, the counters add up, and a sender's
// packets are handed on with its own numbers shifted by one amount, which only a new sender changes, to go on
// from the last number handed on.
//
// Input: a byte, the expected payload type (low 7 bits) and whether only 127.0.0.1 may send (top bit); then
// packets, each prefixed by its 16-bit big-endian length, as fuzz_rtp_pipeline takes them. A length with its
// top bit set is a packet from another address (10.0.0.1).
#include <elaborator/detail/rtp_packet_check.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1 || size > 200000) return -1;  // as fuzz_rtp_pipeline
  elaborator::detail::RtpPacketCheck check(data[0] & 0x80 ? "127.0.0.1" : "", data[0] & 0x7F, elaborator::Codec::h264);
  std::uint64_t packets = 0;
  std::optional<std::uint16_t> shift;        // the current sender's
  std::optional<std::uint16_t> last_handed;  // the number of the last packet handed on
  for (std::size_t offset = 1; offset + 2 <= size; ++packets) {
    const unsigned prefix = (unsigned{data[offset]} << 8) | data[offset + 1];
    const std::size_t length = std::min<std::size_t>(prefix & 0x7FFF, size - offset - 2);
    const std::span<const std::uint8_t> packet(data + offset + 2, length);
    offset += 2 + length;
    const auto verdict = check.check(packet, check.checks_sender() ? (prefix & 0x8000 ? "10.0.0.1" : "127.0.0.1") : "");
    if (verdict.accepted != verdict.rejection.empty()) __builtin_trap();  // a reason exactly when rejected
    if (verdict.accepted && (verdict.header.payload_type != (data[0] & 0x7F) ||
                             verdict.header.payload_offset + verdict.header.payload_size > length)) {
      __builtin_trap();
    }
    if (verdict.new_ssrc && verdict.previous_ssrc == verdict.header.ssrc) __builtin_trap();
    if (!verdict.accepted) continue;
    const auto sender_shift = static_cast<std::uint16_t>(verdict.sequence - verdict.header.sequence);
    if (verdict.new_ssrc && verdict.previous_ssrc && last_handed) {
      // A new sender goes on right after the newest number handed on, never in the past.
      const auto ahead = static_cast<std::uint16_t>(verdict.sequence - *last_handed);
      if (ahead == 0 || ahead > elaborator::detail::RtpPacketCheck::largest_gap) __builtin_trap();
    } else if (!verdict.new_ssrc && shift != sender_shift) {
      __builtin_trap();
    }
    shift = sender_shift;
    last_handed = verdict.sequence;
  }
  const std::uint64_t received = check.packets_received();
  if (received + check.packets_rejected() != packets || check.frames_received() > received ||
      check.ssrc_changes() > received || check.packets_lost() > received * elaborator::detail::RtpPacketCheck::largest_gap) {
    __builtin_trap();
  }
  return 0;
}
