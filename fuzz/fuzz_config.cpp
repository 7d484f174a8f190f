// Fuzz target: a configuration file (--config), which a deployment tool or a person writes. Whatever the
// bytes, the parser answers with streams or an elaborator::Error, and opens nothing.
#include <elaborator/config.hpp>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 65536) return -1;  // larger than any configuration; parsing time only grows
  const auto json = nlohmann::json::parse(data, data + size, nullptr, false);
  if (json.is_discarded()) return 0;
  try {
    for (const auto& stream : elaborator::parse_config(json)) {
      if (stream.elaborations.empty()) __builtin_trap();  // the parser promises at least one
    }
  } catch (const elaborator::Error&) {
  }
  return 0;
}
