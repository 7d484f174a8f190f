// Fuzz target: Janus's answers as they reach elaborator_janus and the dispatcher, over HTTP, from a server
// (here, in this process) that answers each request with the next part of the input: a session created,
// a mountpoint created, listed and destroyed (Streaming), a room's publishers listed, one forwarded in both
// forms, its forwards listed and stopped (VideoRoom), the session destroyed. Whatever the answers, every
// request gives its result or an elaborator::Error, soon.
//
// Input: a first line "full" (requests with every optional field: ids, secrets, RTCP ports), "down" (a
// Janus that does not answer at all: nothing listens there) or anything else (the bare requests); then the
// answers, each "STATUS\nBODY", separated by lines "--".
#include <elaborator/janus/streaming.hpp>
#include <elaborator/janus/videoroom.hpp>

#include <httplib.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

namespace {

namespace janus = elaborator::janus;

// An HTTP server on 127.0.0.1 that answers every POST with the next answer given, or 503 when none is left.
class FakeJanus {
 public:
  FakeJanus() {
    server_.Post(".*", [this](const httplib::Request&, httplib::Response& response) {
      const std::lock_guard lock(mutex_);
      if (answers_.empty()) {
        response.status = 503;
        return;
      }
      response.status = answers_.front().first;
      response.set_content(answers_.front().second, "application/json");
      answers_.pop_front();
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::yield();
  }
  ~FakeJanus() {
    server_.stop();
    thread_.join();
  }
  FakeJanus(const FakeJanus&) = delete;
  FakeJanus& operator=(const FakeJanus&) = delete;

  [[nodiscard]] std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/janus"; }

  // The parts of the input, each "STATUS\nBODY" (a status that is not one is 200).
  void answer_with(std::string_view parts) {
    const std::lock_guard lock(mutex_);
    answers_.clear();
    for (std::size_t start = 0; start <= parts.size();) {
      const std::size_t end = std::min(parts.find("\n--\n", start), parts.size());
      const std::string_view part = parts.substr(start, end - start);
      const std::string_view line = part.substr(0, part.find('\n'));
      int status = 0;
      const auto [rest, error] = std::from_chars(line.data(), line.data() + line.size(), status);
      const bool given = error == std::errc{} && rest == line.data() + line.size() && status >= 100 && status <= 599;
      answers_.emplace_back(given ? status : 200, part.substr(given ? std::min(line.size() + 1, part.size()) : 0));
      start = end + 4;
    }
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mutex_;
  std::deque<std::pair<int, std::string>> answers_;
};

// One request: its result, or the Error that says what Janus did wrong. Nothing else may come out.
template <class Request>
void ask(Request request) {
  try {
    (void)request();
  } catch (const elaborator::Error&) {
  }
}

void converse(janus::Session& session, bool full) {
  janus::MountpointSpec mountpoint;
  if (full) {
    mountpoint = {7, "m", "elaborator/fuzz/1", 30000, 30001, 30002, elaborator::Codec::h264, 97, "secret", "admin"};
  }
  ask([&] { return janus::create_mountpoint(session, mountpoint); });
  ask([&] { return janus::list_mountpoints(session); });
  ask([&] { janus::destroy_mountpoint(session, 7, full ? "secret" : ""); });
  ask([&] { return janus::list_publishers(session, 1234); });
  janus::ForwardSpec forward{1234, 42, full ? "room-secret" : "", full ? "::1" : "127.0.0.1", 30003, std::nullopt,
                             96, elaborator::Media::video, "0"};
  if (full) forward.rtcp_port = 30004;
  ask([&] { return janus::rtp_forward(session, forward); });
  forward.mid.clear();  // the older form, for each medium
  ask([&] { return janus::rtp_forward(session, forward); });
  forward.media = elaborator::Media::audio;
  ask([&] { return janus::rtp_forward(session, forward); });
  ask([&] { return janus::list_forwards(session, 1234, forward.secret); });
  ask([&] { janus::stop_rtp_forward(session, 1234, 42, 99, forward.secret); });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 65536) return -1;  // a few answers of a few kilobytes
  static FakeJanus server;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t first = std::min(input.find('\n'), input.size());
  server.answer_with(input.substr(std::min(first + 1, input.size())));
  const std::string_view how = input.substr(0, first);
  try {
    janus::Session session(how == "down" ? "http://127.0.0.1:1/janus" : server.url(), std::chrono::seconds(5));
    converse(session, how == "full");
  } catch (const elaborator::Error&) {  // no session
  }
  return 0;
}
