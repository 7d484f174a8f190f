// One stream decoded once for several elaborations, several streams in one process, and the JSON
// configuration that describes them. Real RTP over 127.0.0.1 from GStreamer senders.

#include "support/counting_elaborator.hpp"
#include "support/rtp_sender.hpp"
#include "support/temp_dir.hpp"
#include "support/wait.hpp"

#include <elaborator.hpp>

#include <catch2/catch.hpp>

#include <map>
#include <sstream>
#include <thread>

using namespace std::chrono_literals;
using test_support::CountingElaborator;
using test_support::quiet_options;

namespace {

// An elaboration whose first classify() blocks for a while, as a stuck model or a slow service would.
class BlockedOnce : public elaborator::Elaborator<BlockedOnce> {
 public:
  BlockedOnce(elaborator::ElaborationOptions options, std::chrono::milliseconds block)
      : Elaborator(std::move(options)), block_(block) {}

 private:
  friend Elaborator;
  std::vector<elaborator::Detection> classify(const elaborator::Frame&) {
    if (!blocked_) {
      blocked_ = true;
      std::this_thread::sleep_for(block_);
    }
    return {};
  }
  std::chrono::milliseconds block_;
  bool blocked_ = false;
};

elaborator::RtpSource any_port() {
  elaborator::RtpSource source;
  source.port = 0;
  return source;
}

}  // namespace

TEST_CASE("an elaboration blocked for a second changes nothing for another on the same stream") {
  elaborator::Stream stream(any_port(), "camera");
  CountingElaborator steady(quiet_options("steady", {1, 0, 1000}));
  BlockedOnce blocked(quiet_options("blocked", {1, 0, 1}), 1s);
  steady.start(stream);
  blocked.start(stream);
  stream.start();
  test_support::RtpSender sender(stream.port(), test_support::test_pattern(elaborator::Codec::vp8, 90));
  REQUIRE(sender.wait_until_sent(30s));
  REQUIRE(test_support::wait_until([&] { return test_support::settled(steady) && test_support::settled(blocked); }, 10s));
  std::this_thread::sleep_for(300ms);
  steady.stop();
  blocked.stop();
  stream.stop();

  const auto decoded = stream.stats().frames_decoded;
  CHECK(decoded >= 85);
  CHECK(steady.stats().frames_classified == decoded);  // every frame, as if the other did not exist
  CHECK(steady.stats().frames_dropped == 0);
  CHECK(blocked.stats().frames_dropped >= 20);  // about a second of frames went by while it was stuck
  CHECK(blocked.stats().frames_classified + blocked.stats().frames_dropped == decoded);
}

TEST_CASE("several streams in one process keep their results apart") {
  test_support::TempDir dir;
  const auto shared = elaborator::JsonLinesSink::open(dir.file("all.jsonl"));
  elaborator::StreamSet set;
  const std::map<std::string, std::uint64_t> frames{{"north", 30}, {"south", 45}, {"west", 60}};
  for (const auto& [id, count] : frames) {
    auto& stream = set.add_stream(any_port(), id);
    set.add_elaboration(stream, std::make_unique<CountingElaborator>(quiet_options("count", {1, 0, 1000}, {shared})));
  }
  CHECK_THROWS_WITH(set.add_stream(any_port(), "north"), Catch::Contains("two streams are called 'north'"));
  set.start();
  std::vector<std::unique_ptr<test_support::RtpSender>> senders;
  for (const auto* stream : set.streams()) {
    senders.push_back(std::make_unique<test_support::RtpSender>(
        stream->port(), test_support::test_pattern(elaborator::Codec::vp8, static_cast<int>(frames.at(stream->id())))));
  }
  for (auto& sender : senders) REQUIRE(sender->wait_until_sent(30s));
  REQUIRE(test_support::wait_until(
      [&] {
        for (const auto& s : set.stats()) {
          if (s.frames_classified != s.stream.frames_decoded || s.stream.frames_received != frames.at(s.stream.id)) return false;
        }
        return true;
      },
      10s));
  set.stop();

  std::map<std::string, std::uint64_t> results;
  std::istringstream lines(test_support::read_file(dir.file("all.jsonl")));
  for (std::string line; std::getline(lines, line);) {
    const auto message = nlohmann::json::parse(line);
    const std::string stream = message["stream"];
    // Each stream's results count its own frames from 0, in order: nothing of another stream's got in.
    CHECK(message["frame"]["index"] == results[stream]);
    ++results[stream];
  }
  for (const auto& s : set.stats()) {
    INFO(s.stream.id);
    CHECK(s.stream.frames_decoded + 3 >= frames.at(s.stream.id));
    CHECK(results[s.stream.id] == s.stream.frames_decoded);
  }
}

TEST_CASE("a JSON configuration describes streams with sources, sampling and sinks") {
  const auto streams = elaborator::parse_config(nlohmann::json::parse(R"({
    "stats_interval": 2,
    "streams": [
      {"id": "camera-1", "rtp": {"port": 5004, "codec": "h264", "rtcp_port": 5005, "payload_type": 100},
       "elaborations": [
         {"name": "faces", "every": 3, "max_fps": 5, "queue": 2, "udp": ["127.0.0.1:20001", "[::1]:20002"],
          "udp_max_bytes": 1200, "params": {"min_face": 60}},
         {"name": "objects", "jsonl": "objects.jsonl", "stdout": true}]},
      {"id": "archive", "file": {"path": "/tmp/video.mp4", "realtime": true}, "elaborations": [{"name": "faces"}]}]})"));
  REQUIRE(streams.size() == 2);
  const auto& rtp = std::get<elaborator::RtpSource>(streams[0].source);
  CHECK(rtp.port == 5004);
  CHECK(rtp.codec == elaborator::Codec::h264);
  CHECK(rtp.rtcp_port == 5005);
  CHECK(rtp.payload_type == 100);
  const auto& faces = streams[0].elaborations[0];
  CHECK(faces.name == "faces");
  CHECK(faces.sampling.every_nth == 3);
  CHECK(faces.sampling.max_fps == 5);
  CHECK(faces.sampling.queue_capacity == 2);
  CHECK(faces.sinks.udp.size() == 2);
  CHECK(faces.sinks.udp[1].host == "::1");
  CHECK(faces.sinks.udp_max_bytes == 1200);
  CHECK(faces.report_interval == 2s);
  CHECK(faces.params["min_face"] == 60);
  CHECK(streams[0].elaborations[1].sinks.jsonl == "objects.jsonl");
  CHECK(streams[0].elaborations[1].sinks.standard_output);
  const auto& file = std::get<elaborator::FileSource>(streams[1].source);
  CHECK(file.path == "/tmp/video.mp4");
  CHECK(file.realtime);
}

TEST_CASE("a configuration mistake is an error that says where it is") {
  auto error_of = [](const char* text) {
    try {
      elaborator::parse_config(nlohmann::json::parse(text));
    } catch (const elaborator::Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(error_of(R"({"streams": []})") == "config: needs \"streams\": a list of at least one stream");
  CHECK(error_of(R"({"streams": [{"id": "a", "rtp": {"prot": 5004}, "elaborations": [{}]}]})") ==
        "config.streams[0].rtp.prot: unknown key");
  CHECK(error_of(R"({"streams": [{"id": "a", "rtp": {"port": 70000}, "elaborations": [{}]}]})") ==
        "config.streams[0].rtp.port: must be a whole number from 0 to 65535");
  CHECK(error_of(R"({"streams": [{"id": "a", "rtp": {"port": 1, "codec": "av1"}, "elaborations": [{}]}]})") ==
        "config.streams[0].rtp.codec: unknown codec 'av1': expected vp8, vp9 or h264");
  CHECK(error_of(R"({"streams": [{"id": "a", "file": {"path": "x"}, "rtp": {"port": 1}, "elaborations": [{}]}]})") ==
        "config.streams[0]: needs exactly one of \"rtp\", \"file\" or \"pipeline\"");
  CHECK(error_of(R"({"streams": [{"id": "a", "file": {"path": "x"}, "elaborations": [{"every": 0}]}]})") ==
        "config.streams[0].elaborations[0].every: must be a whole number from 1 to 4294967295");
  CHECK(error_of(R"({"streams": [{"id": "a", "file": {"path": "x"}, "elaborations": [{"udp": ["nowhere"]}]}]})") ==
        "config.streams[0].elaborations[0].udp: 'nowhere' is not HOST:PORT");
  CHECK(error_of(R"({"streams": [{"id": "a", "file": {"path": "x"}, "elaborations": [{}]},
                                 {"id": "a", "file": {"path": "y"}, "elaborations": [{}]}]})") ==
        "config.streams[1]: a second stream called 'a'");
  CHECK(error_of(R"([1, 2])") == "config: must be an object");
}
