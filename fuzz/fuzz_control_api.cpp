// Fuzz target: a request to the control API (method, path and body, as anyone who reaches the port may send
// them), understood against every kind the examples offer. Whatever the bytes, the answer is a call or an
// error response, and nothing is touched: carrying a call out is the registry's, tested with real streams.
//
// Input: the method, a newline, the path, a newline, the body.
#include <elaborator/detail/control_api.hpp>
#include <example_kinds.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const elaborator::Kinds kinds = example_kinds();
  if (size > 70000) return -1;  // the server refuses bodies over 64 KiB before they get here
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto first = input.find('\n');
  const std::string_view method = input.substr(0, first);
  input.remove_prefix(first == std::string_view::npos ? input.size() : first + 1);
  const auto second = input.find('\n');
  const std::string_view path = input.substr(0, second);
  const std::string_view body = second == std::string_view::npos ? std::string_view() : input.substr(second + 1);
  const auto answer = elaborator::detail::parse_api_request(method, path, body, kinds, std::chrono::seconds(5));
  if (const auto* error = std::get_if<elaborator::detail::ApiResponse>(&answer)) {
    if (error->status < 400 || nlohmann::json::parse(error->body, nullptr, false).is_discarded()) __builtin_trap();
  }
  return 0;
}
