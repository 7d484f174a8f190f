// Fuzz target: what every packet arriving on a stream's UDP port goes through before the jitter buffer: the
// RTP header parser, inside the stream's check of the packet (RTP at all, of the stream's payload type, no
// payload known to trip the depayloader: those of an H.264 stream, which has such payloads).
#include <elaborator/detail/rtp_packet_check.hpp>

#include <cstddef>
#include <cstdint>
#include <span>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 1472) return -1;  // larger than any packet a 1500-byte MTU lets through: not worth mutating
  const std::span<const std::uint8_t> packet(data, size);
  const auto header = elaborator::detail::parse_rtp_header(packet);
  // The payload the parser promises must lie inside the packet.
  if (header && header->payload_offset + header->payload_size > size) __builtin_trap();
  constexpr int payload_type = 96;  // a stream's default
  elaborator::detail::RtpPacketCheck check("", payload_type, elaborator::Codec::h264);
  const auto verdict = check.check(packet);
  // The check takes exactly the RTP packets of the stream's payload type whose payload it does not refuse,
  // and says why it refuses the others.
  const bool acceptable =
      header && header->payload_type == payload_type &&
      !elaborator::detail::payload_refusal(elaborator::Codec::h264,
                                           packet.subspan(header->payload_offset, header->payload_size));
  if (verdict.accepted != acceptable) __builtin_trap();
  if (!verdict.accepted && verdict.rejection.empty()) __builtin_trap();
  if (check.packets_received() + check.packets_rejected() != 1) __builtin_trap();
  return 0;
}
