// Fuzz target: fitting a result message into a datagram. The message is built by the library, but its
// detections come from user code and from remote services (labels, extra fields of any shape): whatever
// they are, the datagram is valid JSON within the limit, or nothing.
#include <elaborator/detail/datagram_fit.hpp>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2 || size > 65536) return -1;
  const std::size_t limit = 64 + (std::size_t{data[0]} << 4);  // 64 .. 4144 bytes
  auto body = nlohmann::json::parse(data + 1, data + size, nullptr, false);
  if (body.is_discarded()) return 0;
  const elaborator::Message message(std::move(body));
  if (const auto datagram = elaborator::detail::fit_datagram(message, limit)) {
    if (datagram->size() > limit) __builtin_trap();
    if (nlohmann::json::parse(*datagram, nullptr, false).is_discarded()) __builtin_trap();
  }
  return 0;
}
