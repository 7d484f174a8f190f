// Real RTP over 127.0.0.1: GStreamer sender pipelines (VP8, H.264) encode a test pattern and send it to
// the library, which receives, decodes and samples it. Counts are checked exactly against what was decoded.

#include "support/counting_elaborator.hpp"
#include "support/own_stream.hpp"
#include "support/rtp_sender.hpp"
#include "support/temp_dir.hpp"
#include "support/udp_receiver.hpp"
#include "support/wait.hpp"

#include <elaborator.hpp>
#include <elaborator/detail/rtcp.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <mutex>
#include <random>

using namespace std::chrono_literals;
using test_support::CountingElaborator;
using test_support::quiet_options;

namespace {

elaborator::RtpSource rtp_on_any_port(elaborator::Codec codec) {
  elaborator::RtpSource source;
  source.port = 0;
  source.codec = codec;
  return source;
}

// Waits until every one of `frames` sent has arrived, the stream has decoded nothing new for a while (a
// frame may sit in a decoder: no count says when the last is out) and every elaboration has dealt with every
// frame it picked: after that, the counts are final.
template <class... Elaborations>
bool wait_until_quiet(const elaborator::Stream& stream, std::uint64_t frames, const Elaborations&... elaborations) {
  return test_support::wait_until_steady(
      [&] { return stream.stats().frames_decoded; },
      [&] { return stream.stats().frames_received == frames && (test_support::settled(elaborations) && ...); }, 500ms,
      15s);
}

void check_every_nth_counts(elaborator::Codec codec) {
  elaborator::Stream stream(rtp_on_any_port(codec), "camera");
  CountingElaborator every_frame(quiet_options("every", {1, 0, 1000}));
  CountingElaborator every_fourth(quiet_options("fourth", {4, 0, 1000}));
  CountingElaborator every_seventh(quiet_options("seventh", {7, 0, 1000}));
  every_frame.start(stream);
  every_fourth.start(stream);
  every_seventh.start(stream);
  stream.start();
  REQUIRE(stream.port() != 0);

  test_support::RtpSender sender(stream.port(), test_support::test_pattern(codec, 90));
  REQUIRE(sender.wait_until_sent(30s));
  REQUIRE(wait_until_quiet(stream, 90, every_frame, every_fourth, every_seventh));
  every_frame.stop();
  every_fourth.stop();
  every_seventh.stop();
  stream.stop();

  const auto s = stream.stats();
  INFO("received " << s.frames_received << ", decoded " << s.frames_decoded);
  CHECK(s.frames_received == 90);
  CHECK(s.frames_decoded >= 85);  // a frame may still sit in a decoder when the stream stops
  CHECK(s.packets_rejected == 0);
  for (const auto* e : {&every_frame, &every_fourth, &every_seventh}) {
    const auto stats = e->stats();
    INFO(stats.name);
    CHECK(stats.frames_offered == s.frames_decoded);
    CHECK(stats.frames_dropped == 0);
    CHECK(stats.frames_classified == stats.frames_sampled);
  }
  CHECK(every_frame.stats().frames_sampled == s.frames_decoded);
  CHECK(every_fourth.stats().frames_sampled == (s.frames_decoded + 3) / 4);
  CHECK(every_seventh.stats().frames_sampled == (s.frames_decoded + 6) / 7);
}

}  // namespace

TEST_CASE("every Nth sampling classifies exactly ceil(decoded / N) frames of a live VP8 stream") {
  check_every_nth_counts(elaborator::Codec::vp8);
}

TEST_CASE("every Nth sampling classifies exactly ceil(decoded / N) frames of a live H.264 stream") {
  check_every_nth_counts(elaborator::Codec::h264);
}

TEST_CASE("newest-only keeps latency bounded under a slow classify while a backlog grows without it") {
  constexpr auto classify_time = 100ms;
  elaborator::Stream stream(rtp_on_any_port(elaborator::Codec::vp8), "camera");
  CountingElaborator newest(quiet_options("newest", {1, 0, 1}), classify_time);
  CountingElaborator backlog(quiet_options("backlog", {1, 0, 1000}), classify_time);
  newest.start(stream);
  backlog.start(stream);
  stream.start();

  test_support::RtpSender sender(stream.port(), test_support::test_pattern(elaborator::Codec::vp8, 150));  // 5 s at 30 fps
  REQUIRE(sender.wait_until_sent(30s));
  // Newest-only has caught up with the end of the stream; the backlog is still seconds behind.
  REQUIRE(wait_until_quiet(stream, 150, newest));
  newest.stop();
  backlog.stop();
  stream.stop();

  const auto n = newest.stats();
  const auto b = backlog.stats();
  INFO("newest-only latency p50/p99 " << n.latency_ms.p50 << "/" << n.latency_ms.p99 << " ms, backlog "
                                      << b.latency_ms.p50 << "/" << b.latency_ms.p99 << " ms");
  // Newest-only: a frame waits at most one classify, then takes one: about 2.5 x 100 ms with the jitter
  // buffer. The bound is the point, made generous (10 x) so that a loaded machine or AddressSanitizer cannot
  // break it: it does not grow with the stream, as the backlog's does.
  CHECK(n.frames_dropped > 0);
  CHECK(n.frames_classified + n.frames_dropped == n.frames_sampled);
  CHECK(n.frames_classified >= 30);
  CHECK(n.latency_ms.p99 < 10 * classify_time.count());
  // A queue that keeps everything: every frame waits behind all earlier ones, and latency only grows (to
  // about 3.5 s by the end here; a slower machine only makes it longer).
  CHECK(b.latency_ms.p99 > 1000.0);
}

TEST_CASE("classify sees the decoder's gray plane, a BGR view converted once, the RTP timestamp and arrival time") {
  struct Seen {
    int gray_type, bgr_type;
    cv::Size gray_size, bgr_size;
    bool converted_once, has_rtp_timestamp, has_pts, stages_in_order;
    double gray_mean_difference;  // between the luma plane, video range expanded, and BGR converted to gray
  };
  struct Inspector : elaborator::Elaborator<Inspector> {
    using Elaborator::Elaborator;
    std::vector<elaborator::Detection> classify(const elaborator::Frame& frame) {
      const cv::Mat& gray = frame.gray();
      const cv::Mat& bgr = frame.bgr();
      const auto& t = frame.times();
      cv::Mat from_bgr;
      cv::Mat full_range;
      cv::cvtColor(bgr, from_bgr, cv::COLOR_BGR2GRAY);
      gray.convertTo(full_range, CV_32F, 255.0 / 219.0, -16.0 * 255.0 / 219.0);  // luma is 16-235
      const std::lock_guard lock(mutex);
      seen.push_back({gray.type(), bgr.type(), gray.size(), bgr.size(), frame.bgr().data == bgr.data,
                      frame.rtp_timestamp().has_value(), frame.pts().has_value(),
                      t.arrival <= t.decoded && t.decoded <= t.sampled && t.sampled <= t.classify_start,
                      std::abs(cv::mean(from_bgr)[0] - cv::mean(full_range)[0])});
      return {};
    }
    std::size_t count() {
      const std::lock_guard lock(mutex);
      return seen.size();
    }
    std::mutex mutex;
    std::vector<Seen> seen;
  };
  Inspector inspector(quiet_options("inspector", {1, 0, 100}));
  test_support::OwnStream own_stream(inspector, rtp_on_any_port(elaborator::Codec::vp8), "camera");
  test_support::RtpSender sender(own_stream.port(), test_support::test_pattern(elaborator::Codec::vp8, 20));
  REQUIRE(sender.wait_until_sent(30s));
  REQUIRE(test_support::wait_until([&] { return inspector.count() >= 15; }, 10s));
  inspector.stop();
  for (const Seen& s : inspector.seen) {
    CHECK(s.gray_type == CV_8UC1);
    CHECK(s.bgr_type == CV_8UC3);
    CHECK(s.gray_size == cv::Size(320, 240));
    CHECK(s.bgr_size == cv::Size(320, 240));
    CHECK(s.converted_once);
    CHECK(s.has_rtp_timestamp);
    CHECK(s.has_pts);
    CHECK(s.stages_in_order);
    CHECK(s.gray_mean_difference < 3.0);
  }
}

TEST_CASE("garbage packets are rejected and counted, and a good stream after them is decoded") {
  CountingElaborator counting(quiet_options("counting", {1, 0, 100}));
  test_support::OwnStream own_stream(counting, rtp_on_any_port(elaborator::Codec::vp8), "camera");
  const std::uint16_t port = own_stream.port();

  std::mt19937 random(42);
  auto random_bytes = [&](std::size_t size) {
    std::vector<std::uint8_t> bytes(size);
    for (auto& b : bytes) b = static_cast<std::uint8_t>(random());
    return bytes;
  };
  for (int i = 0; i < 50; ++i) {  // not RTP at all
    auto bytes = random_bytes(1 + random() % 1400);
    bytes[0] &= 0x3F;  // version 0
    test_support::send_datagram(port, bytes);
  }
  for (int i = 0; i < 20; ++i) {  // RTP with a payload type nobody asked for
    auto bytes = random_bytes(100);
    bytes[0] = 0x80;
    bytes[1] = 97;
    test_support::send_datagram(port, bytes);
  }
  for (int i = 0; i < 30; ++i) {  // RTP with the right payload type and a payload that is not VP8
    auto bytes = random_bytes(200);
    bytes[0] = 0x80;
    bytes[1] = 96;
    test_support::send_datagram(port, bytes);
  }
  REQUIRE(test_support::wait_until([&] { return counting.stats().stream.packets_rejected == 70; }, 5s));

  test_support::RtpSender sender(port, test_support::test_pattern(elaborator::Codec::vp8, 90));
  REQUIRE(sender.wait_until_sent(30s));
  const bool decoded_good_stream =
      test_support::wait_until([&] { return counting.stats().stream.frames_decoded >= 60; }, 10s);
  counting.stop();
  const auto s = counting.stats();
  INFO("decoded " << s.stream.frames_decoded << ", decode errors " << s.stream.decode_errors << ", restarts "
                  << s.stream.pipeline_restarts);
  CHECK(decoded_good_stream);
  CHECK(s.stream.packets_rejected == 70);
  CHECK(s.frames_classified > 0);
}

TEST_CASE("stopping a stream that never received a packet is prompt and leaves an empty result file") {
  test_support::TempDir dir;
  const std::string path = dir.file("results.jsonl");
  CountingElaborator counting(quiet_options("idle", {}, {elaborator::JsonLinesSink::open(path)}));
  test_support::OwnStream own_stream(counting, rtp_on_any_port(elaborator::Codec::vp8), "camera");
  // The stream has been idle long enough to notice it (a stall, after Stream::stall_timeout with no frame):
  // its receiving thread is waiting for packets that do not come.
  REQUIRE(test_support::wait_until([&] { return counting.stats().stream.stalls == 1; }, 10s));
  const auto before = std::chrono::steady_clock::now();
  counting.stop();
  const auto took = std::chrono::steady_clock::now() - before;
  // Prompt: a few milliseconds here. The bound is the point, made generous for a loaded machine or
  // AddressSanitizer: a stop that waited for a frame would never end.
  INFO("stopped in " << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms");
  CHECK(took < 3s);
  const auto s = counting.stats();
  CHECK(s.stream.packets_received == 0);
  CHECK(s.stream.frames_decoded == 0);
  CHECK(s.results_sent == 0);
  CHECK(test_support::read_file(path).empty());
}

TEST_CASE("a port that is already in use is an error at start, not a silent split of its packets") {
  test_support::UdpReceiver occupant;
  elaborator::RtpSource source;
  source.port = occupant.port();
  CountingElaborator counting(quiet_options("second", {}));
  CHECK_THROWS_AS(test_support::OwnStream(counting, source, "camera"), elaborator::ConflictError);
}

TEST_CASE("with an RTCP port, the stream asks the sender's RTCP address for a keyframe at start and after a stall") {
  elaborator::RtpSource source = rtp_on_any_port(elaborator::Codec::vp8);
  source.rtcp_port = 0;
  elaborator::Stream stream(source, "forwarded");
  stream.start();
  REQUIRE(stream.rtcp_port() != 0);

  // Neither RTCP nor RTP: rejected, and its sender is not taken for the forwarder.
  test_support::send_datagram(stream.rtcp_port(), {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07});
  REQUIRE(test_support::wait_until([&] { return stream.stats().rtcp_rejected == 1; }, 5s));

  // What a Janus forwarder sends from its RTCP socket when it is created: two empty RTP headers.
  test_support::UdpReceiver forwarder;
  const std::vector<std::uint8_t> empty_rtp_header{0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  forwarder.send_to(stream.rtcp_port(), empty_rtp_header);
  forwarder.send_to(stream.rtcp_port(), empty_rtp_header);
  const auto first = forwarder.receive(2s);
  REQUIRE(first);
  const auto pli = elaborator::detail::parse_rtcp_compound(
      std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(first->data()), first->size()));
  REQUIRE(pli);
  CHECK(pli->asks_for_keyframe);
  CHECK(first->size() == 12);

  // Nothing decoded for Stream::stall_timeout: a stall, and another request.
  const auto second = forwarder.receive(elaborator::Stream::stall_timeout + 2s);
  CHECK(second);
  stream.stop();
  const auto s = stream.stats();
  CHECK(s.rtcp_packets == 2);
  CHECK(s.stalls == 1);
  CHECK(s.keyframe_requests >= 2);
}

TEST_CASE("with an allowed sender, packets from any other address are dropped and counted") {
  elaborator::RtpSource source = rtp_on_any_port(elaborator::Codec::vp8);
  source.allowed_sender = "127.0.0.2";
  CountingElaborator counting(quiet_options("guarded", {1, 0, 100}));
  test_support::OwnStream own_stream(counting, source, "camera");
  auto stranger = test_support::test_pattern(elaborator::Codec::vp8, 30);
  test_support::RtpSender from_stranger(own_stream.port(), stranger);
  REQUIRE(from_stranger.wait_until_sent(30s));
  REQUIRE(test_support::wait_until([&] { return counting.stats().stream.packets_rejected >= 30; }, 5s));
  CHECK(counting.stats().stream.packets_received == 0);
  CHECK(counting.stats().stream.frames_decoded == 0);

  auto allowed = test_support::test_pattern(elaborator::Codec::vp8, 30);
  allowed.from = "127.0.0.2";
  const auto rejected = counting.stats().stream.packets_rejected;
  test_support::RtpSender from_allowed(own_stream.port(), allowed);
  REQUIRE(from_allowed.wait_until_sent(30s));
  REQUIRE(test_support::wait_until([&] { return counting.stats().stream.frames_decoded >= 25; }, 5s));
  counting.stop();
  CHECK(counting.stats().stream.packets_rejected == rejected);
}
