#pragma once
// RTCP (RFC 3550 section 6, RFC 4585) from untrusted bytes: validating a compound packet, and building the
// one packet elaborator sends, a Picture Loss Indication. Every length is checked before it is used.

#include "rtp_header.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace elaborator::detail {

struct RtcpSummary {
  std::size_t packets = 0;          // in the compound packet
  std::uint32_t sender_ssrc = 0;    // of the first packet
  bool has_sender_report = false;   // an SR: the sender is a media source
  bool asks_for_keyframe = false;   // contains a PLI or FIR
};

inline constexpr std::uint8_t rtcp_sr = 200;
inline constexpr std::uint8_t rtcp_rr = 201;
inline constexpr std::uint8_t rtcp_psfb = 206;   // payload-specific feedback: PLI (FMT 1), FIR (FMT 4)
inline constexpr std::uint8_t rtcp_first_type = 192;
inline constexpr std::uint8_t rtcp_last_type = 223;

// A compound RTCP packet: one or more packets back to back, each with version 2, a packet type in the RTCP
// range and a length that ends exactly inside the buffer, the last one exactly at its end. Returns nothing
// for anything else.
inline std::optional<RtcpSummary> parse_rtcp_compound(std::span<const std::uint8_t> bytes) {
  RtcpSummary summary;
  std::size_t offset = 0;
  while (offset < bytes.size()) {
    if (bytes.size() - offset < 8) return std::nullopt;  // header + SSRC
    const std::uint8_t first = bytes[offset];
    const std::uint8_t type = bytes[offset + 1];
    if ((first >> 6) != 2 || type < rtcp_first_type || type > rtcp_last_type) return std::nullopt;
    const std::size_t length = 4 * (std::size_t{read_u16(bytes, offset + 2)} + 1);
    // Every RTCP packet carries an SSRC after its header: 8 bytes at least (found by fuzzing: a packet of
    // length 0 made the next packet's header read as its SSRC).
    if (length < 8 || length > bytes.size() - offset) return std::nullopt;
    // Padding is only allowed on the last packet, and must fit in it.
    if ((first & 0x20) != 0 && (offset + length != bytes.size() || bytes[offset + length - 1] > length - 4)) {
      return std::nullopt;
    }
    if (summary.packets == 0) summary.sender_ssrc = read_u32(bytes, offset + 4);
    if (type == rtcp_sr) summary.has_sender_report = true;
    const std::uint8_t format = first & 0x1F;
    if (type == rtcp_psfb && (format == 1 || format == 4)) summary.asks_for_keyframe = true;
    ++summary.packets;
    offset += length;
  }
  if (summary.packets == 0) return std::nullopt;
  return summary;
}

// A Picture Loss Indication (RFC 4585 section 6.3.1): V=2, FMT=1 | PT=206 | length 2 | sender SSRC | media SSRC.
inline std::array<std::uint8_t, 12> make_pli(std::uint32_t sender_ssrc, std::uint32_t media_ssrc) {
  auto put = [](std::array<std::uint8_t, 12>& b, std::size_t at, std::uint32_t v) {
    b[at] = static_cast<std::uint8_t>(v >> 24);
    b[at + 1] = static_cast<std::uint8_t>(v >> 16);
    b[at + 2] = static_cast<std::uint8_t>(v >> 8);
    b[at + 3] = static_cast<std::uint8_t>(v);
  };
  std::array<std::uint8_t, 12> pli{0x81, rtcp_psfb, 0x00, 0x02};
  put(pli, 4, sender_ssrc);
  put(pli, 8, media_ssrc);
  return pli;
}

}  // namespace elaborator::detail
