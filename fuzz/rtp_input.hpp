#pragma once
// The input of the rtp_pipeline fuzz target, and the mutations its custom mutator makes of it.
// An input is a codec byte, then RTP packets, each prefixed by its 16-bit big-endian length (a length past the
// end is cut to what is left, so any bytes are an input). The mutations change mostly the payloads (the
// VP8/VP9/H.264 payload descriptors and data the depayloaders and decoders parse), sometimes the headers the
// way networks and senders do (losses, reordering, duplicates, timestamp jumps, a new sender), and always
// leave packets the stream's check accepts (rtp_packet_check.hpp): mutations that the check would reject at
// the door would never reach the parsers behind it. Plain code: the byte-level mutation is passed in.

#include <elaborator/detail/rtp_header.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <random>
#include <span>
#include <utility>
#include <vector>

namespace fuzz {

using Packet = std::vector<std::uint8_t>;

struct RtpInput {
  std::uint8_t codec = 0;  // the first byte as it came; the target takes it modulo the number of codecs
  std::vector<Packet> packets;

  bool operator==(const RtpInput&) const = default;
};

inline RtpInput parse_input(std::span<const std::uint8_t> data) {
  RtpInput input;
  if (data.empty()) return input;
  input.codec = data[0];
  for (std::size_t offset = 1; offset + 2 <= data.size();) {
    const std::size_t length =
        std::min<std::size_t>(elaborator::detail::read_u16(data, offset), data.size() - offset - 2);
    offset += 2;
    input.packets.emplace_back(data.begin() + static_cast<std::ptrdiff_t>(offset),
                               data.begin() + static_cast<std::ptrdiff_t>(offset + length));
    offset += length;
  }
  return input;
}

inline std::size_t serialized_size(const RtpInput& input) {
  std::size_t size = 1;
  for (const Packet& packet : input.packets) size += 2 + packet.size();
  return size;
}

// The input as bytes, at most `max_size` of them: the packets that do not fit are left out of both.
inline std::vector<std::uint8_t> serialize(RtpInput& input, std::size_t max_size) {
  std::vector<std::uint8_t> bytes{input.codec};
  std::size_t fitting = 0;
  for (const Packet& packet : input.packets) {
    if (bytes.size() + 2 + packet.size() > max_size || packet.size() > 0xFFFF) break;
    bytes.push_back(static_cast<std::uint8_t>(packet.size() >> 8));
    bytes.push_back(static_cast<std::uint8_t>(packet.size()));
    bytes.insert(bytes.end(), packet.begin(), packet.end());
    ++fitting;
  }
  input.packets.resize(fitting);
  return bytes;
}

// Mutates data[0, size) in place into at most max_size bytes and returns the new size, as LLVMFuzzerMutate.
using MutateBytes = std::size_t (*)(std::uint8_t* data, std::size_t size, std::size_t max_size);

class RtpMutator {
 public:
  static constexpr std::size_t fixed_header = 12;
  static constexpr std::size_t max_packet = 1472;  // what one 1500-byte MTU carries, as Janus forwards it

  RtpMutator(unsigned seed, MutateBytes mutate_bytes, std::uint8_t payload_type)
      : random_(seed), mutate_bytes_(mutate_bytes), payload_type_(payload_type) {}

  // One mutation of `input`, which must stay within `max_size` bytes once serialized.
  void mutate(RtpInput& input, std::size_t max_size) {
    if (input.packets.empty()) input.packets.emplace_back();  // made a valid empty packet by normalize()
    normalize(input);
    const std::size_t at = below(input.packets.size());
    std::vector<Packet>& packets = input.packets;
    // The payload two times in three: the parsers of payloads are where most of the code is.
    switch (below(24)) {
      case 0: packets[at][1] ^= 0x80; break;  // marker: a frame ends early, or runs into the next one
      case 1: add_from(packets, at, sequence_at, 2, sequence_jump()); break;
      case 2: add_from(packets, at, timestamp_at, 4, timestamp_jump()); break;
      case 3: add_from(packets, at, ssrc_at, 4, 1 + below(0xFFFFFFFE)); break;  // the sender started again
      case 4: if (at + 1 < packets.size()) std::swap(packets[at], packets[at + 1]); break;
      case 5: packets.erase(packets.begin() + static_cast<std::ptrdiff_t>(at)); break;
      case 6: packets.insert(packets.begin() + static_cast<std::ptrdiff_t>(at), Packet(packets[at])); break;
      case 7: insert_after(packets, at); break;
      default: mutate_payload(packets[at], room(input, max_size)); break;
    }
    normalize(input);
  }

  // The first packets of one input followed by the last ones of another, as when a sender starts again.
  RtpInput cross(RtpInput first, const RtpInput& second) {
    first.packets.resize(below(first.packets.size() + 1));
    const std::size_t from = below(second.packets.size() + 1);
    first.packets.insert(first.packets.end(), second.packets.begin() + static_cast<std::ptrdiff_t>(from),
                         second.packets.end());
    normalize(first);
    return first;
  }

  // Whether every packet is one the stream's check accepts, as mutate() and cross() leave them.
  [[nodiscard]] bool accepted(const RtpInput& input) const {
    return std::all_of(input.packets.begin(), input.packets.end(), [this](const Packet& packet) {
      const auto header = elaborator::detail::parse_rtp_header(packet);
      return header && header->payload_type == payload_type_;
    });
  }

 private:
  static constexpr std::size_t sequence_at = 2;
  static constexpr std::size_t timestamp_at = 4;
  static constexpr std::size_t ssrc_at = 8;

  std::uint32_t below(std::uint64_t bound) { return static_cast<std::uint32_t>(random_() % bound); }

  // A loss of one or two packets, one packet back (reordered or repeated), or anywhere.
  std::uint32_t sequence_jump() {
    constexpr std::uint32_t jumps[] = {1, 2, 0xFFFF};
    const std::uint32_t pick = below(4);
    return pick < 3 ? jumps[pick] : below(0x10000);
  }

  // The next frame at 30 fps, or anywhere.
  std::uint32_t timestamp_jump() { return below(2) == 0 ? 3000 : static_cast<std::uint32_t>(random_()); }

  // Adds `delta` to the big-endian header field of `width` bytes at `offset`.
  static void add_to(Packet& packet, std::size_t offset, std::size_t width, std::uint32_t delta) {
    std::uint32_t value = 0;
    for (std::size_t i = 0; i < width; ++i) value = value << 8 | packet[offset + i];
    value += delta;
    for (std::size_t i = width; i-- > 0; value >>= 8) packet[offset + i] = static_cast<std::uint8_t>(value);
  }

  // The same in every packet from `at` on.
  static void add_from(std::vector<Packet>& packets, std::size_t at, std::size_t offset, std::size_t width,
                       std::uint32_t delta) {
    for (std::size_t i = at; i < packets.size(); ++i) add_to(packets[i], offset, width, delta);
  }

  // A packet the sender never sent: a copy of packet `at` with other payload, numbered as the next one (the
  // packets after it move up a number).
  void insert_after(std::vector<Packet>& packets, std::size_t at) {
    Packet inserted = packets[at];
    add_to(inserted, sequence_at, 2, 1);
    mutate_payload(inserted, 0);
    add_from(packets, at + 1, sequence_at, 2, 1);
    packets.insert(packets.begin() + static_cast<std::ptrdiff_t>(at + 1), std::move(inserted));
  }

  static std::size_t room(const RtpInput& input, std::size_t max_size) {
    return max_size - std::min(max_size, serialized_size(input));
  }

  // Mutates what follows the header, growing the packet by at most `room` bytes and to at most max_packet.
  void mutate_payload(Packet& packet, std::size_t room) {
    const std::size_t offset = elaborator::detail::parse_rtp_header(packet)->payload_offset;
    const std::size_t size = packet.size();
    const std::size_t capacity = std::max(size, std::min(max_packet, size + room));
    if (capacity <= offset) return;
    packet.resize(capacity);
    packet.resize(offset + mutate_bytes_(packet.data() + offset, size - offset, capacity - offset));
  }

  // Makes every packet one the stream's check accepts: version 2, the stream's payload type, and no CSRCs,
  // extension or padding where they would not fit (the fixed header always does).
  void normalize(RtpInput& input) const {
    for (Packet& packet : input.packets) {
      if (packet.size() < fixed_header) packet.resize(fixed_header);
      packet[0] = static_cast<std::uint8_t>(0x80 | (packet[0] & 0x3F));
      packet[1] = static_cast<std::uint8_t>((packet[1] & 0x80) | payload_type_);
      if (!elaborator::detail::parse_rtp_header(packet)) packet[0] &= 0xC0;
    }
  }

  std::minstd_rand random_;
  MutateBytes mutate_bytes_;
  std::uint8_t payload_type_;
};

}  // namespace fuzz
