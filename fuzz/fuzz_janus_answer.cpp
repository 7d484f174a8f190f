// Fuzz target: the body of an answer from the Janus HTTP API (or from whatever answers on that port), as
// elaborator_janus and the dispatcher read it: Janus errors, ids, plugin data, mountpoints, publishers, forwards,
// the lists of forwards and of mountpoints.
#include <elaborator/janus/streaming.hpp>
#include <elaborator/janus/videoroom.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 65536) return -1;
  namespace detail = elaborator::detail;
  try {
    const auto answer = detail::parse_answer(std::string(reinterpret_cast<const char*>(data), size), "fuzz");
    try {
      (void)detail::id_in(answer, "fuzz");
    } catch (const elaborator::Error&) {
    }
    const auto plugin = detail::plugin_data(answer, "fuzz");
    (void)detail::publishers_from(plugin);
    for (const auto& f : detail::forwards_from(plugin)) {
      if (f.stream_id == 0 || f.port == 0 || f.publisher_id == 0) __builtin_trap();  // only whole entries
    }
    (void)detail::mountpoints_from(plugin);
    try {
      (void)detail::mountpoint_from(plugin);
    } catch (const elaborator::Error&) {
    }
    (void)detail::forward_from(plugin);
  } catch (const elaborator::Error&) {
  }
  return 0;
}
