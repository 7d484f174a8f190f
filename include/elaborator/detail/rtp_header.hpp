#pragma once
// The fixed RTP header (RFC 3550, section 5.1), parsed from untrusted bytes. Every length is checked before
// it is used: a packet is either a valid header with a payload inside the buffer, or rejected.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace elaborator::detail {

struct RtpHeader {
  bool marker = false;
  std::uint8_t payload_type = 0;
  std::uint16_t sequence = 0;
  std::uint32_t timestamp = 0;
  std::uint32_t ssrc = 0;
  std::size_t payload_offset = 0;  // header, CSRCs and extension
  std::size_t payload_size = 0;    // without padding
};

inline std::uint16_t read_u16(std::span<const std::uint8_t> b, std::size_t at) {
  return static_cast<std::uint16_t>((b[at] << 8) | b[at + 1]);
}

inline std::uint32_t read_u32(std::span<const std::uint8_t> b, std::size_t at) {
  return (std::uint32_t{b[at]} << 24) | (std::uint32_t{b[at + 1]} << 16) | (std::uint32_t{b[at + 2]} << 8) |
         std::uint32_t{b[at + 3]};
}

// Rewrites the sequence number of a packet that parse_rtp_header() accepted.
inline void write_rtp_sequence(std::span<std::uint8_t> packet, std::uint16_t sequence) {
  packet[2] = static_cast<std::uint8_t>(sequence >> 8);
  packet[3] = static_cast<std::uint8_t>(sequence & 0xFF);
}

inline std::optional<RtpHeader> parse_rtp_header(std::span<const std::uint8_t> packet) {
  constexpr std::size_t fixed_size = 12;
  if (packet.size() < fixed_size) return std::nullopt;
  const std::uint8_t first = packet[0];
  if ((first >> 6) != 2) return std::nullopt;  // version
  const std::uint8_t second = packet[1];
  const std::uint8_t payload_type = second & 0x7F;
  // 72-76 would make this RTCP (SR, RR, SDES, BYE, APP) on a muxed port (RFC 5761, section 4).
  if (payload_type >= 72 && payload_type <= 76) return std::nullopt;
  RtpHeader h;
  h.marker = (second & 0x80) != 0;
  h.payload_type = payload_type;
  h.sequence = read_u16(packet, 2);
  h.timestamp = read_u32(packet, 4);
  h.ssrc = read_u32(packet, 8);
  std::size_t offset = fixed_size + 4 * std::size_t{first & 0x0Fu};  // CSRC list
  if (offset > packet.size()) return std::nullopt;
  if ((first & 0x10) != 0) {  // header extension: 16-bit profile, 16-bit length in 32-bit words
    if (offset + 4 > packet.size()) return std::nullopt;
    offset += 4 + 4 * std::size_t{read_u16(packet, offset + 2)};
    if (offset > packet.size()) return std::nullopt;
  }
  std::size_t padding = 0;
  if ((first & 0x20) != 0) {  // padding: the last byte counts the padding bytes, itself included
    padding = packet.back();
    if (padding == 0 || offset + padding > packet.size()) return std::nullopt;
  }
  h.payload_offset = offset;
  h.payload_size = packet.size() - offset - padding;
  return h;
}

}  // namespace elaborator::detail
