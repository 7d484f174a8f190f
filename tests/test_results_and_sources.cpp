// Result messages through real sinks (a UDP socket in the test, JSON Lines files, /dev/full) and the
// non-RTP sources (a media file from Debian's opencv-doc, a gst-launch pipeline), which are deterministic:
// a file is read as fast as the elaboration goes and no frame is dropped.

#include "support/counting_elaborator.hpp"
#include "support/own_stream.hpp"
#include "support/temp_dir.hpp"
#include "support/udp_receiver.hpp"

#include <elaborator.hpp>

#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <optional>
#include <thread>
#include <sstream>

using namespace std::chrono_literals;
using test_support::CountingElaborator;
using test_support::quiet_options;

namespace {

const std::string megamind = "/usr/share/doc/opencv-doc/examples/data/Megamind.avi";  // 270 frames, 720x528

// Runs an elaboration over Megamind.avi to its end.
template <class Elaboration>
void run_over_megamind(Elaboration& elaboration) {
  if (!std::filesystem::exists(megamind)) FAIL("missing " << megamind << ": install Debian's opencv-doc");
  test_support::OwnStream own_stream(elaboration, elaborator::FileSource{megamind, false}, "megamind");
  REQUIRE(elaboration.wait_for(60s));
  elaboration.stop();
}

std::vector<nlohmann::json> parse_lines(const std::string& text) {
  std::vector<nlohmann::json> messages;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) messages.push_back(nlohmann::json::parse(line));
  return messages;
}

std::int64_t time_of(const nlohmann::json& message, const char* stage) { return message["times_us"][stage].get<std::int64_t>(); }

}  // namespace

TEST_CASE("a media file is decoded whole and every sampled frame is classified") {
  CountingElaborator counting(quiet_options("every-10th", {10, 0, 1}));
  run_over_megamind(counting);
  const auto s = counting.stats();
  CHECK(s.stream.ended);
  CHECK(s.stream.frames_decoded == 270);
  CHECK(s.frames_sampled == 27);
  CHECK(s.frames_classified == 27);
  CHECK(s.frames_dropped == 0);
}

TEST_CASE("results arrive as one datagram each, with the versioned schema, and the same in JSON Lines") {
  test_support::TempDir dir;
  test_support::UdpReceiver receiver;
  const auto jsonl = elaborator::JsonLinesSink::open(dir.file("results.jsonl"));
  const auto udp = std::make_shared<elaborator::UdpSink>("127.0.0.1", receiver.port());
  CountingElaborator counting(quiet_options("faces", {10, 0, 1}, {udp, jsonl}));
  run_over_megamind(counting);

  const auto datagrams = receiver.receive_all(500ms);
  const auto lines = parse_lines(test_support::read_file(dir.file("results.jsonl")));
  REQUIRE(datagrams.size() == 27);
  REQUIRE(lines.size() == 27);
  for (std::size_t i = 0; i < datagrams.size(); ++i) {
    const auto message = nlohmann::json::parse(datagrams[i]);
    INFO(datagrams[i]);
    CHECK(message == lines[i]);
    CHECK(message["schema"] == elaborator::result_schema);
    CHECK(message["stream"] == "megamind");
    CHECK(message["elaboration"] == "faces");
    CHECK(message["sequence"] == i);
    CHECK(message["frame"]["index"] == 10 * i);
    CHECK(message["frame"]["width"] == 720);
    CHECK(message["frame"]["height"] == 528);
    CHECK(message["detections"][0]["label"] == std::to_string(10 * i));
    CHECK(time_of(message, "arrival") <= time_of(message, "decoded"));
    CHECK(time_of(message, "decoded") <= time_of(message, "sampled"));
    CHECK(time_of(message, "sampled") <= time_of(message, "classify_start"));
    CHECK(time_of(message, "classify_start") <= time_of(message, "classify_end"));
    CHECK(time_of(message, "classify_end") <= time_of(message, "sent"));
  }
  CHECK(udp->stats().written == 27);
  CHECK(jsonl->stats().written == 27);
}

TEST_CASE("a result too big for a datagram is sent with its most confident detections and marked truncated") {
  test_support::TempDir dir;
  test_support::UdpReceiver receiver;
  const auto udp = std::make_shared<elaborator::UdpSink>("127.0.0.1", receiver.port(), 700);
  const auto jsonl = elaborator::JsonLinesSink::open(dir.file("results.jsonl"));
  CountingElaborator crowded(quiet_options("crowd", {30, 0, 1}, {udp, jsonl}), 0ms, 60);
  run_over_megamind(crowded);

  const auto datagrams = receiver.receive_all(500ms);
  REQUIRE(datagrams.size() == 9);
  for (const auto& datagram : datagrams) {
    CHECK(datagram.size() <= 700);
    const auto message = nlohmann::json::parse(datagram);
    CHECK(message["truncated"]["detections_total"] == 60);
    CHECK(message["truncated"]["detections_sent"] == message["detections"].size());
    for (const auto& d : message["detections"]) CHECK(d["confidence"].get<double>() >= 0.5);
  }
  CHECK(udp->stats().truncated == 9);
  for (const auto& line : parse_lines(test_support::read_file(dir.file("results.jsonl")))) {
    CHECK(line["detections"].size() == 60);  // files get the whole message
    CHECK_FALSE(line.contains("truncated"));
  }
}

TEST_CASE("a full disk and an absent UDP receiver are counted failures and the other sinks lose nothing") {
  test_support::UdpReceiver receiver;
  const auto full_disk = elaborator::JsonLinesSink::open("/dev/full");
  const auto nobody = std::make_shared<elaborator::UdpSink>("127.0.0.1", test_support::free_udp_port());
  const auto good = std::make_shared<elaborator::UdpSink>("127.0.0.1", receiver.port());
  CountingElaborator counting(quiet_options("faults", {10, 0, 1}, {full_disk, nobody, good}));
  run_over_megamind(counting);

  CHECK(counting.stats().frames_classified == 27);
  CHECK(full_disk->stats().failed == 27);
  CHECK(full_disk->stats().written == 0);
  // The kernel reports an absent receiver (ICMP port unreachable) on the send after the one that caused it.
  CHECK(nobody->stats().failed > 0);
  CHECK(nobody->stats().failed + nobody->stats().written == 27);
  CHECK(receiver.receive_all(500ms).size() == 27);
  CHECK(good->stats().written == 27);
}

TEST_CASE("a sink that cannot be opened is an error naming it") {
  CHECK_THROWS_WITH(elaborator::JsonLinesSink::open("/nonexistent-dir/results.jsonl"), Catch::Contains("/nonexistent-dir"));
  CHECK_THROWS_WITH(elaborator::UdpSink("127.0.0.1", 5000, 10), Catch::Contains("datagram limit"));
}

TEST_CASE("a gst-launch pipeline ending in an appsink is a source") {
  CountingElaborator counting(quiet_options("pipeline", {1, 0, 1}));
  test_support::OwnStream own_stream(counting,
                                     elaborator::PipelineSource{"videotestsrc num-buffers=30 ! video/x-raw,width=160,height=120 ! "
                                                                "videoconvert ! appsink name=appsink",
                                                                false},
                                     "test-pattern");
  REQUIRE(counting.wait_for(30s));
  counting.stop();
  CHECK(counting.stats().stream.frames_decoded == 30);
  CHECK(counting.stats().frames_classified == 30);
}

TEST_CASE("a source that cannot work is an error at start that says why") {
  CountingElaborator counting(quiet_options("broken", {}));
  using test_support::OwnStream;
  CHECK_THROWS_WITH(OwnStream(counting, elaborator::FileSource{"/nonexistent.avi", false}), Catch::Contains("/nonexistent.avi"));
  CHECK_THROWS_WITH(OwnStream(counting, elaborator::PipelineSource{"videotestsrc ! fakesink", true}),
                    Catch::Contains("appsink name=appsink"));
  CHECK_THROWS_WITH(OwnStream(counting, elaborator::PipelineSource{"no_such_element ! appsink name=appsink", true}),
                    Catch::Contains("no_such_element"));
}

TEST_CASE("an undecodable file ends its stream with a counted error instead of hanging") {
  test_support::TempDir dir;
  {
    std::ofstream garbage(dir.file("garbage.avi"), std::ios::binary);
    for (int i = 0; i < 100000; ++i) garbage.put(static_cast<char>(i * 7919 % 251));
  }
  CountingElaborator counting(quiet_options("garbage", {}));
  std::optional<test_support::OwnStream> own_stream;
  try {
    own_stream.emplace(counting, elaborator::FileSource{dir.file("garbage.avi"), false}, "garbage");
  } catch (const elaborator::Error&) {
    // refusing at start is as good as failing later: either way it is reported
  }
  if (own_stream) {
    REQUIRE(counting.wait_for(10s));
    counting.stop();
    CHECK(counting.stats().stream.ended);
    CHECK(counting.stats().stream.decode_errors > 0);
  }
  CHECK(counting.stats().frames_classified == 0);
}

namespace {

// Publishes nothing while classifying: every frame's result is sent later, from another thread, when the
// elaboration drains (as a client of a remote service would). Ends itself after `frames` frames.
class LateAnswers : public elaborator::Elaborator<LateAnswers> {
 public:
  LateAnswers(elaborator::ElaborationOptions options, std::size_t frames) : Elaborator(std::move(options)), frames_(frames) {}

 private:
  friend Elaborator;

  std::vector<elaborator::Detection> classify(const elaborator::Frame&) { return {}; }

  void elaborate_results(const elaborator::Frame& frame, std::vector<elaborator::Detection>&&) {
    waiting_.push_back(frame);
    if (waiting_.size() == frames_) finish();
  }

  void drain() {
    std::thread answers([this] {
      for (const auto& frame : waiting_) publish(frame, {{"late", 1.0F, {0, 0, 1, 1}}});
    });
    answers.join();
    drained_ = true;
  }

  std::vector<elaborator::NamedCount> counters() const { return {{"drained", drained_ ? 1U : 0U}, {"frames", frames_}}; }

  std::size_t frames_;
  std::vector<elaborator::Frame> waiting_;
  std::atomic<bool> drained_{false};
};

}  // namespace

TEST_CASE("an elaboration that calls finish() from a hook classifies no further frame, and ends as a file would") {
  test_support::TempDir dir;
  LateAnswers late(quiet_options("late", {1, 0, 1}, {elaborator::JsonLinesSink::open(dir.file("late.jsonl"))}), 5);
  test_support::OwnStream own_stream(late, elaborator::FileSource{megamind, false}, "megamind");
  REQUIRE(late.wait_for(30s));
  late.stop();
  const auto s = late.stats();
  CHECK(s.frames_classified == 5);
  CHECK(s.stream.frames_decoded < 270);  // stopped before the file's end
}

TEST_CASE("drain() runs when the elaboration stops, and what it publishes from another thread reaches the sinks") {
  test_support::TempDir dir;
  LateAnswers late(quiet_options("late", {10, 0, 1}, {elaborator::JsonLinesSink::open(dir.file("late.jsonl"))}), 1000);
  run_over_megamind(late);
  CHECK(late.stats().frames_classified == 27);
  CHECK(late.stats().results_sent == 27);
  const auto lines = parse_lines(test_support::read_file(dir.file("late.jsonl")));
  REQUIRE(lines.size() == 27);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    CHECK(lines[i]["frame"]["index"] == 10 * i);
    CHECK(lines[i]["detections"][0]["label"] == "late");
  }
  const auto counters = late.stats().counters;
  REQUIRE(counters.size() == 2);
  CHECK(counters[0].name == "drained");
  CHECK(counters[0].value == 1);
  CHECK(counters[1].value == 1000);
}
