// Fuzz target: a configuration file (--streams-file), which a deployment tool or a person writes, parsed
// against every kind the examples offer and one with a parameter of each type. Whatever the bytes, the
// parser answers with a configuration or an elaborator::Error, and opens nothing. A stream it accepts reads
// back (to_json, what the control API shows) as JSON that parses to the same stream.
#include "fuzzed_kinds.hpp"

#include <cstddef>
#include <cstdint>

namespace {

void check_reads_back(const elaborator::StreamConfig& stream, std::chrono::milliseconds stats_interval) {
  const nlohmann::json shown = elaborator::to_json(stream);
  try {
    if (elaborator::to_json(elaborator::parse_stream(shown, fuzzed_kinds(), stats_interval)) != shown) __builtin_trap();
  } catch (const elaborator::Error&) {
    __builtin_trap();  // what the API shows of a stream must be a stream it takes
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 65536) return -1;  // larger than any configuration; parsing time only grows
  const auto json = nlohmann::json::parse(data, data + size, nullptr, false);
  if (json.is_discarded()) return 0;
  try {
    const elaborator::Config config = elaborator::parse_config(json, fuzzed_kinds());
    for (const auto& stream : config.streams) {
      check_complete(stream.elaborations);
      check_reads_back(stream, config.stats_interval);
    }
    for (const auto& room : config.rooms) check_complete(room.elaborations);
  } catch (const elaborator::Error&) {
  }
  return 0;
}
