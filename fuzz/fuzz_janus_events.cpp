// Fuzz target: the body of a POST to the events endpoint (/v1/janus/events), as Janus's HTTP event handler
// sends it, or anyone who has the secret. Whatever the bytes, the events read from it are whole: a known
// kind, a room and a publisher, video and audio mids that are not empty.
#include <elaborator/janus/events.hpp>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 70000) return -1;  // the control API refuses bodies over 64 KiB first
  const auto body = nlohmann::json::parse(data, data + size, nullptr, false);
  if (body.is_discarded()) return 0;
  for (const auto& event : elaborator::janus::publisher_events(body)) {
    if (event.room == 0 || event.publisher == 0) __builtin_trap();
    for (const auto& mid : event.video_mids) {
      if (mid.empty()) __builtin_trap();
    }
    for (const auto& audio : event.audio) {
      if (audio.mid.empty()) __builtin_trap();
    }
  }
  return 0;
}
