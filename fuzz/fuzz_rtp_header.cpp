// Fuzz target: the RTP header parser that sees every packet arriving on a stream's UDP port.
#include <elaborator/detail/rtp_header.hpp>

#include <cstddef>
#include <cstdint>
#include <span>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 1472) return -1;  // larger than any packet a 1500-byte MTU lets through: not worth mutating
  const std::span<const std::uint8_t> packet(data, size);
  if (const auto header = elaborator::detail::parse_rtp_header(packet)) {
    // The payload the parser promises must lie inside the packet.
    if (header->payload_offset + header->payload_size > size) __builtin_trap();
  }
  return 0;
}
