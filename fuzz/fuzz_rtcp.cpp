// Fuzz target: what arrives on a stream's RTCP port (from a Janus forwarder, or from anyone who can reach it):
// the compound RTCP parser, and the RTP header check used for Janus's latching packets; and the PLI it
// answers with, which the parser must read back.
#include <elaborator/detail/rtcp.hpp>

#include <cstddef>
#include <cstdint>
#include <span>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 1472) return -1;  // the RTCP receiver reads at most one MTU-sized datagram
  const std::span<const std::uint8_t> packet(data, size);
  if (const auto summary = elaborator::detail::parse_rtcp_compound(packet)) {
    if (summary->packets == 0 || summary->packets * 8 > size) __builtin_trap();  // each packet is at least 8 bytes
  }
  (void)elaborator::detail::parse_rtp_header(packet);
  if (size >= 8) {  // the PLI elaborator sends, from any two SSRCs: one whole packet that asks for a keyframe
    namespace detail = elaborator::detail;
    const std::uint32_t sender = detail::read_u32(packet, 0);
    const auto pli = detail::parse_rtcp_compound(detail::make_pli(sender, detail::read_u32(packet, 4)));
    if (!pli || pli->packets != 1 || !pli->asks_for_keyframe || pli->sender_ssrc != sender) __builtin_trap();
  }
  return 0;
}
