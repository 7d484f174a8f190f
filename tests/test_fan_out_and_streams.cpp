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
      std::this_thread::sleep_for(block_);  // the behaviour under test (a stuck model), not synchronisation
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
  // Every frame arrived, the last ones are out of the decoder (nothing new for a while), and both have dealt
  // with every frame they picked: no frame is decoded after they stop, and the counts are final.
  REQUIRE(test_support::wait_until_steady(
      [&] { return stream.stats().frames_decoded; },
      [&] {
        return stream.stats().frames_received == 90 && test_support::settled(steady) && test_support::settled(blocked);
      },
      500ms, 10s));
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
  elaborator::Registry registry;
  const std::map<std::string, std::uint64_t> frames{{"north", 30}, {"south", 45}, {"west", 60}};
  for (const auto& [id, count] : frames) {
    std::vector<std::unique_ptr<elaborator::Elaboration>> counting;
    counting.push_back(std::make_unique<CountingElaborator>(quiet_options("count", {1, 0, 1000}, {shared})));
    registry.add_stream(id, any_port(), std::move(counting));
  }
  CHECK_THROWS_WITH(registry.add_stream("north", any_port(), {}), Catch::Contains("a stream called 'north' runs already"));
  std::vector<std::unique_ptr<test_support::RtpSender>> senders;
  for (const auto& stream : registry.streams()) {
    const auto port = std::get<elaborator::RtpSource>(stream.source).port;
    senders.push_back(std::make_unique<test_support::RtpSender>(
        port, test_support::test_pattern(elaborator::Codec::vp8, static_cast<int>(frames.at(stream.id)))));
  }
  for (auto& sender : senders) REQUIRE(sender->wait_until_sent(30s));
  REQUIRE(test_support::wait_until(
      [&] {
        for (const auto& stream : registry.streams()) {
          const auto& s = stream.elaborations.at(0);
          if (s.frames_classified != stream.stats.frames_decoded || stream.stats.frames_received != frames.at(stream.id)) return false;
        }
        return true;
      },
      10s));
  registry.stop();

  std::map<std::string, std::uint64_t> results;
  std::istringstream lines(test_support::read_file(dir.file("all.jsonl")));
  for (std::string line; std::getline(lines, line);) {
    const auto message = nlohmann::json::parse(line);
    const std::string stream = message["stream"];
    // Each stream's results count its own frames from 0, in order: nothing of another stream's got in.
    CHECK(message["frame"]["index"] == results[stream]);
    ++results[stream];
  }
  for (const auto& stream : registry.streams()) {
    INFO(stream.id);
    CHECK(stream.stats.frames_decoded + 3 >= frames.at(stream.id));
    CHECK(results[stream.id] == stream.stats.frames_decoded);
  }
}
