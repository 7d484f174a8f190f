// Fuzz target: a request to the control API's HTTP server (control.hpp), as anyone who reaches its port, or a
// web page in the operator's browser, may send it: its method, path, headers (Host, Authorization,
// Content-Type: what the server checks before anything is read) and body, over a real connection. Whatever
// they are, the answer is an HTTP status below 500 with a JSON body (but /metrics). Two servers: one on
// loopback without a token (the Host must name this machine), with a dispatcher that never runs, whose
// events endpoint takes Basic authentication; one that requires a token and follows no rooms. Their service
// refuses every change (it may run no stream), so nothing is opened or started.
//
// Input: a first line "token" (the server that requires "Authorization: Bearer fuzz-token") or anything
// else; the method; the path; header lines "Name: value" up to an empty line; then the body.
#include <elaborator/control.hpp>
#include <example_kinds.hpp>

#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace janus = elaborator::janus;

// A control server as a program runs it, over a service that may run no stream, with or without a dispatcher
// that never runs. The events secret comes from the environment, as in a deployment.
class Server {
 public:
  Server(std::optional<elaborator::http::Secret> token, bool follows_rooms)
      : service_(example_kinds(), std::chrono::seconds(5), elaborator::RegistryLimits{0, 0}),
        dispatcher_(follows_rooms ? std::make_unique<janus::Dispatcher>(service_, janus_config(),
                                                                        std::vector{elaborator::RoomConfig{1234, {}}})
                                  : nullptr),
        server_(service_, {"127.0.0.1", 0}, std::move(token), dispatcher_.get()),
        client_("127.0.0.1", server_.endpoint().port) {}

  httplib::Result send(const httplib::Request& request) { return client_.send(request); }

 private:
  static elaborator::JanusConfig janus_config() {
    elaborator::JanusConfig janus;
    janus.url = "http://127.0.0.1:9/janus";  // never asked: the dispatcher does not run
    setenv("JANUS_EVENTS_SECRET", "fuzz-events", 1);
    return janus;
  }

  elaborator::Service service_;
  std::unique_ptr<janus::Dispatcher> dispatcher_;
  elaborator::ControlServer server_;
  httplib::Client client_;
};

// On loopback without a token, following rooms; or requiring a token, following none.
Server& server(bool with_token) {
  static Server open(std::nullopt, true);
  static Server guarded(
      [] {
        setenv("FUZZ_CONTROL_TOKEN", "fuzz-token", 1);
        return elaborator::http::Secret::from_environment("FUZZ_CONTROL_TOKEN");
      }(),
      false);
  return with_token ? guarded : open;
}

// Takes the next line off `input`.
std::string_view line_of(std::string_view& input) {
  const std::size_t end = std::min(input.find('\n'), input.size());
  const std::string_view line = input.substr(0, end);
  input.remove_prefix(std::min(end + 1, input.size()));
  return line;
}

httplib::Request request_of(std::string_view input) {
  httplib::Request request;
  request.method = line_of(input);
  request.path = line_of(input);
  for (std::string_view header = line_of(input); !header.empty(); header = line_of(input)) {
    const std::size_t colon = header.find(':');
    if (colon == std::string_view::npos) continue;
    const std::size_t value = header.find_first_not_of(' ', colon + 1);
    request.headers.emplace(header.substr(0, colon), value == std::string_view::npos ? "" : header.substr(value));
  }
  request.body = input;
  return request;
}

bool valid(const httplib::Request& request) {
  const auto printable = [](std::string_view text) {
    return !text.empty() && text.find_first_of(std::string_view("\r\n \0", 4)) == std::string_view::npos;
  };
  return printable(request.method) && printable(request.path);  // else it is no request at all
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 70000) return -1;  // the server refuses bodies over 64 KiB
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const bool with_token = line_of(input) == "token";
  const httplib::Request request = request_of(input);
  if (!valid(request)) return -1;
  const httplib::Result answer = server(with_token).send(request);
  if (!answer) return 0;  // the server closed the connection: a request httplib itself refuses
  if (answer->status < 200 || answer->status >= 500) __builtin_trap();
  const bool json = answer->get_header_value("Content-Type").starts_with("application/json") && request.method != "HEAD";
  if (json && nlohmann::json::parse(answer->body, nullptr, false).is_discarded()) __builtin_trap();
  return 0;
}
