// Fuzz target: a configuration file (--streams-file), which a deployment tool or a person writes, parsed
// against every kind the examples offer (their params included). Whatever the bytes, the parser answers
// with a configuration or an elaborator::Error, and opens nothing.
#include <example_kinds.hpp>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const elaborator::Kinds kinds = example_kinds();
  if (size > 65536) return -1;  // larger than any configuration; parsing time only grows
  const auto json = nlohmann::json::parse(data, data + size, nullptr, false);
  if (json.is_discarded()) return 0;
  try {
    for (const auto& stream : elaborator::parse_config(json, kinds).streams) {
      for (const auto& e : stream.elaborations) {
        // The parser promises complete params of a known kind.
        if (kinds.find(e.kind) == nullptr || e.params.size() != kinds.find(e.kind)->params.size()) __builtin_trap();
      }
    }
  } catch (const elaborator::Error&) {
  }
  return 0;
}
