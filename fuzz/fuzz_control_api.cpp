// Fuzz target: a request to the control API (method, path and body, as anyone who reaches the port may send
// them), understood against every kind the examples offer, then carried out. Whatever the bytes, the answer
// is a call or an error response, and every answer is JSON (but /metrics) with a status that says what
// happened. Carried out on a service that refuses every change (it may run no stream), so nothing is opened
// or started: carrying out a change is the registry's, tested with real streams. Both as a process that
// follows no Janus rooms and as one that does, with a dispatcher that never runs (events are only queued).
//
// Input: the method, a newline, the path, a newline, the body.
#include <elaborator/detail/control_api.hpp>
#include <example_kinds.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace {

namespace detail = elaborator::detail;

void check_answer(const detail::ApiResponse& answer) {
  if (answer.status < 200 || answer.status >= 500) __builtin_trap();
  if (answer.content_type == "application/json" && nlohmann::json::parse(answer.body, nullptr, false).is_discarded()) {
    __builtin_trap();
  }
}

// As the server does it: understood again, then carried out.
void carry_out(std::string_view method, std::string_view path, std::string_view body, const elaborator::Kinds& kinds) {
  elaborator::Service service(kinds, std::chrono::seconds(5), elaborator::RegistryLimits{0, 0});
  check_answer(detail::handle_api_request(method, path, body, service));
  elaborator::JanusConfig janus;
  janus.url = "http://127.0.0.1:9/janus";  // never asked: the dispatcher does not run
  elaborator::janus::Dispatcher dispatcher(service, janus, {elaborator::RoomConfig{1234, {}}});
  check_answer(detail::handle_api_request(method, path, body, service, &dispatcher));
}

}  // namespace

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
  const auto answer = detail::parse_api_request(method, path, body, kinds, std::chrono::seconds(5));
  if (const auto* error = std::get_if<detail::ApiResponse>(&answer)) {
    if (error->status < 400) __builtin_trap();
    check_answer(*error);
  } else {
    carry_out(method, path, body, kinds);
  }
  return 0;
}
