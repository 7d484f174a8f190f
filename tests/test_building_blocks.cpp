// The library's parts that need no network or decoder: sampling decisions, the frame queue, percentiles,
// RTP header parsing, fitting results into a datagram, boxes, images, face crops, JPEG, the statistics text
// and the command line.

#include "opencv_yaml.hpp"
#include "support/counting_elaborator.hpp"

#include <elaborator.hpp>
#include <elaborator/detail/datagram_fit.hpp>
#include <elaborator/detail/frame_queue.hpp>
#include <elaborator/detail/histogram.hpp>
#include <elaborator/detail/rtcp.hpp>
#include <elaborator/detail/rtp_header.hpp>
#include <elaborator/detail/rtp_packet_check.hpp>
#include <elaborator/detail/rtp_timeline.hpp>
#include <elaborator/program.hpp>
#include <elaborator/vision/face_crop.hpp>
#include <elaborator/vision/haar_face_detector.hpp>
#include <elaborator/vision/jpeg.hpp>

#include <catch2/catch.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cstddef>

#if defined(ELABORATOR_TEST_SANITIZED)
// From the sanitizer runtime: g++ ships no header for it (clang's is sanitizer/allocator_interface.h).
extern "C" std::size_t __sanitizer_get_current_allocated_bytes();
#else
#include <malloc.h>
#endif

#include <algorithm>
#include <chrono>
#include <functional>
#include <limits>
#include <string>
#include <cstdint>
#include <vector>

using namespace std::chrono_literals;
using elaborator::SamplingPolicy;

namespace {

std::size_t picked_count(elaborator::Sampler& sampler, std::uint64_t frames, std::chrono::nanoseconds frame_period) {
  std::size_t picked = 0;
  for (std::uint64_t i = 0; i < frames; ++i) {
    if (sampler.picks(i, frame_period * static_cast<long>(i))) ++picked;
  }
  return picked;
}

// Bytes the program holds on the heap now (AddressSanitizer keeps a heap, and a count, of its own).
std::size_t heap_in_use() {
#if defined(ELABORATOR_TEST_SANITIZED)
  return __sanitizer_get_current_allocated_bytes();
#else
  const struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;
#endif
}

constexpr std::size_t megabytes = 1'000'000;

double overlap(const cv::Rect& a, const cv::Rect& b) {
  return static_cast<double>((a & b).area()) / static_cast<double>((a | b).area());
}

}  // namespace

TEST_CASE("every Nth sampling picks the frames whose index is a multiple of N") {
  elaborator::Sampler sampler(SamplingPolicy{3, 0, 1});
  std::vector<std::uint64_t> picked;
  for (std::uint64_t i = 0; i < 10; ++i) {
    if (sampler.picks(i, std::chrono::milliseconds(33) * i)) picked.push_back(i);
  }
  CHECK(picked == std::vector<std::uint64_t>{0, 3, 6, 9});
}

TEST_CASE("a frame rate cap picks F frames per second of stream time on average") {
  SECTION("10 fps out of 30") {
    elaborator::Sampler sampler(SamplingPolicy{1, 10, 1});
    CHECK(picked_count(sampler, 300, std::chrono::nanoseconds(33'333'333)) == 100);
  }
  SECTION("10 fps out of 25, which does not divide evenly") {
    elaborator::Sampler sampler(SamplingPolicy{1, 10, 1});
    CHECK(picked_count(sampler, 250, 40ms) == 100);
  }
  SECTION("a cap above the stream's rate picks everything") {
    elaborator::Sampler sampler(SamplingPolicy{1, 60, 1});
    CHECK(picked_count(sampler, 90, std::chrono::nanoseconds(33'333'333)) == 90);
  }
  SECTION("after a gap in the stream the schedule starts again instead of catching up") {
    elaborator::Sampler sampler(SamplingPolicy{1, 10, 1});
    CHECK(sampler.picks(0, 0ms));
    CHECK(sampler.picks(1, 5000ms));
    CHECK_FALSE(sampler.picks(2, 5033ms));
    CHECK_FALSE(sampler.picks(3, 5066ms));
    CHECK(sampler.picks(4, 5100ms));
  }
}

TEST_CASE("a frame rate cap applies to the frames every Nth sampling left") {
  elaborator::Sampler sampler(SamplingPolicy{2, 5, 1});  // 30 fps -> every 2nd = 15 fps -> capped at 5
  CHECK(picked_count(sampler, 300, std::chrono::nanoseconds(33'333'333)) == 50);
}

TEST_CASE("a sampling policy that cannot work is refused with a reason") {
  CHECK_THROWS_WITH(SamplingPolicy({0, 0, 1}).validate(), Catch::Contains("every_nth"));
  CHECK_THROWS_WITH(SamplingPolicy({1, -1, 1}).validate(), Catch::Contains("max_fps"));
  CHECK_THROWS_WITH(SamplingPolicy({1, 0, 0}).validate(), Catch::Contains("queue_capacity"));
}

TEST_CASE("a full frame queue drops its oldest frame, so the newest is classified next") {
  elaborator::detail::FrameQueue queue(2);
  CHECK_FALSE(queue.push(elaborator::Frame::from_image(cv::Mat(4, 4, CV_8UC3), 0)));
  CHECK_FALSE(queue.push(elaborator::Frame::from_image(cv::Mat(4, 4, CV_8UC3), 1)));
  CHECK(queue.push(elaborator::Frame::from_image(cv::Mat(4, 4, CV_8UC3), 2)));
  CHECK(queue.pop()->index() == 1);
  CHECK(queue.pop()->index() == 2);
}

TEST_CASE("a closed frame queue hands out what waits only when told to drain") {
  elaborator::detail::FrameQueue draining(4);
  draining.push(elaborator::Frame::from_image(cv::Mat(4, 4, CV_8UC3), 7));
  CHECK(draining.close(true) == 0);
  CHECK(draining.pop()->index() == 7);
  CHECK_FALSE(draining.pop().has_value());

  elaborator::detail::FrameQueue stopping(4);
  stopping.push(elaborator::Frame::from_image(cv::Mat(4, 4, CV_8UC3), 7));
  CHECK(stopping.close(false) == 1);
  CHECK_FALSE(stopping.pop().has_value());
  CHECK_FALSE(stopping.push_waiting(elaborator::Frame::from_image(cv::Mat(4, 4, CV_8UC3), 8)));
}

TEST_CASE("histogram percentiles are within 2 percent of the exact ones") {
  elaborator::detail::Histogram h;
  for (int i = 1; i <= 1000; ++i) h.record(i * 0.1);  // 0.1 .. 100 ms
  CHECK(h.count() == 1000);
  CHECK(h.percentile(0.50) == Approx(50.0).epsilon(0.02));
  CHECK(h.percentile(0.95) == Approx(95.0).epsilon(0.02));
  CHECK(h.percentile(0.99) == Approx(99.0).epsilon(0.02));
  CHECK(h.percentile(1.0) == Approx(100.0).epsilon(0.02));
  CHECK(elaborator::detail::Histogram{}.percentile(0.5) == 0);
}

TEST_CASE("an RTP header is parsed with its CSRCs, extension and padding") {
  // V=2 P=1 X=1 CC=1 | M=1 PT=96 | seq 0x1234 | ts 0x01020304 | ssrc 0xAABBCCDD | csrc | ext (1 word) | payload | pad
  std::vector<std::uint8_t> packet = {0xB1, 0xE0, 0x12, 0x34, 0x01, 0x02, 0x03, 0x04, 0xAA, 0xBB, 0xCC, 0xDD,
                                      0, 0, 0, 1,             // CSRC
                                      0xBE, 0xDE, 0x00, 0x01,  // extension header, 1 word
                                      1, 2, 3, 4,              // extension word
                                      9, 9, 9,                 // payload
                                      0, 2};                   // padding: 2 bytes
  const auto h = elaborator::detail::parse_rtp_header(packet);
  REQUIRE(h);
  CHECK(h->marker);
  CHECK(h->payload_type == 96);
  CHECK(h->sequence == 0x1234);
  CHECK(h->timestamp == 0x01020304);
  CHECK(h->ssrc == 0xAABBCCDD);
  CHECK(h->payload_offset == 24);
  CHECK(h->payload_size == 3);
}

TEST_CASE("bytes that are not a whole RTP header are rejected") {
  using elaborator::detail::parse_rtp_header;
  const std::vector<std::uint8_t> valid = {0x80, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0xFF};
  CHECK(parse_rtp_header(valid));
  CHECK_FALSE(parse_rtp_header(std::vector<std::uint8_t>(valid.begin(), valid.begin() + 11)));  // too short
  auto wrong_version = valid;
  wrong_version[0] = 0x40;
  CHECK_FALSE(parse_rtp_header(wrong_version));
  auto rtcp = valid;
  rtcp[1] = 200;  // a Sender Report on a muxed port: PT 72 with the marker bit
  CHECK_FALSE(parse_rtp_header(rtcp));
  auto csrcs_past_end = valid;
  csrcs_past_end[0] = 0x8F;  // 15 CSRCs announced, none there
  CHECK_FALSE(parse_rtp_header(csrcs_past_end));
  auto extension_past_end = valid;
  extension_past_end[0] = 0x90;  // extension announced, no room for its header
  CHECK_FALSE(parse_rtp_header(extension_past_end));
  auto padding_past_end = valid;
  padding_past_end[0] = 0xA0;
  padding_past_end.back() = 200;  // more padding than packet
  CHECK_FALSE(parse_rtp_header(padding_past_end));
}

namespace {

// A 13-byte RTP packet: payload type, sequence number, SSRC, marker bit.
std::vector<std::uint8_t> rtp_packet(std::uint8_t payload_type, std::uint16_t sequence, std::uint32_t ssrc,
                                     bool marker = false) {
  return {0x80, static_cast<std::uint8_t>(payload_type | (marker ? 0x80 : 0)),
          static_cast<std::uint8_t>(sequence >> 8), static_cast<std::uint8_t>(sequence & 0xFF), 0, 0, 0, 1,
          static_cast<std::uint8_t>(ssrc >> 24), static_cast<std::uint8_t>(ssrc >> 16),
          static_cast<std::uint8_t>(ssrc >> 8), static_cast<std::uint8_t>(ssrc), 0xFF};
}

}  // namespace

TEST_CASE("packet check: only RTP of the stream's payload type is accepted, and each refusal says why") {
  elaborator::detail::RtpPacketCheck check("", 96, elaborator::Codec::vp8);
  CHECK_FALSE(check.checks_sender());
  const auto accepted = check.check(rtp_packet(96, 1, 7));
  CHECK(accepted.accepted);
  CHECK(accepted.header.sequence == 1);
  CHECK(check.check(rtp_packet(97, 2, 7)).rejection == "of payload type 97, not 96");
  CHECK(check.check(std::vector<std::uint8_t>{0x80, 96, 0}).rejection == "that is not RTP");
  CHECK(check.check({}).rejection == "that is not RTP");  // a buffer that could not be read
  auto rtcp = rtp_packet(96, 3, 7);
  rtcp[1] = 201;  // a Receiver Report
  CHECK(check.check(rtcp).rejection == "that is not RTP");
  CHECK(check.packets_received() == 1);
  CHECK(check.packets_rejected() == 4);
  CHECK(check.packets_lost() == 0);  // refused packets say nothing about losses
  CHECK(check.check(rtp_packet(96, 2, 7)).accepted);
  CHECK(check.packets_lost() == 0);
}

TEST_CASE("packet check: with an allowed sender, a packet from another address is refused before it is read") {
  elaborator::detail::RtpPacketCheck check("10.0.0.5", 96, elaborator::Codec::vp8);
  CHECK(check.checks_sender());
  CHECK(check.check(rtp_packet(96, 1, 7), "10.0.0.5").accepted);
  CHECK(check.check(rtp_packet(96, 2, 7), "10.0.0.6").rejection == "from 10.0.0.6, not from the allowed sender 10.0.0.5");
  CHECK(check.check(std::vector<std::uint8_t>{1, 2, 3}, "10.0.0.6").rejection ==
        "from 10.0.0.6, not from the allowed sender 10.0.0.5");
  CHECK(check.check(rtp_packet(96, 3, 7)).rejection == "from an unknown address, not from the allowed sender 10.0.0.5");
  CHECK(check.packets_received() == 1);
  CHECK(check.packets_rejected() == 3);
}

TEST_CASE("packet check: a new SSRC is a sender that started again, told once with the SSRC before") {
  elaborator::detail::RtpPacketCheck check("", 96, elaborator::Codec::vp8);
  const auto first = check.check(rtp_packet(96, 100, 0xAA));
  CHECK(first.new_ssrc);
  CHECK_FALSE(first.previous_ssrc);
  CHECK_FALSE(check.check(rtp_packet(96, 101, 0xAA)).new_ssrc);
  const auto restarted = check.check(rtp_packet(96, 9, 0xBB));  // its sequence numbers start anywhere
  CHECK(restarted.new_ssrc);
  CHECK(restarted.previous_ssrc == 0xAAu);
  CHECK(check.check(rtp_packet(96, 10, 0xBB)).accepted);
  CHECK(check.ssrc_changes() == 1);
  CHECK(check.packets_lost() == 0);
}

TEST_CASE("packet check: a sender that started again is renumbered to go on from the one before") {
  elaborator::detail::RtpPacketCheck check("", 96, elaborator::Codec::vp8);
  const auto first = check.check(rtp_packet(96, 65534, 0xAA));
  CHECK(first.sequence == 65534);
  CHECK_FALSE(first.renumbered());
  CHECK(check.check(rtp_packet(96, 65535, 0xAA)).sequence == 65535);
  // The next sender starts a little behind, then one starts a few hundred ahead: each goes on from the
  // last number handed on, across the wrap-around, and keeps its own gaps.
  const auto behind = check.check(rtp_packet(96, 65000, 0xBB));
  CHECK(behind.renumbered());
  CHECK(behind.sequence == 0);
  CHECK(check.check(rtp_packet(96, 65001, 0xBB)).sequence == 1);
  CHECK(check.check(rtp_packet(96, 65003, 0xBB)).sequence == 3);  // one lost, still a gap of one
  CHECK(check.packets_lost() == 1);
  CHECK(check.check(rtp_packet(96, 600, 0xCC)).sequence == 4);
  CHECK(check.check(rtp_packet(96, 601, 0xCC)).sequence == 5);
  CHECK_FALSE(check.check(rtp_packet(97, 602, 0xCC)).renumbered());  // refused: nothing to hand on
  CHECK(check.ssrc_changes() == 2);
}

TEST_CASE("packet check: gaps in sequence numbers are losses, but late packets, wrap-around and big jumps are not") {
  elaborator::detail::RtpPacketCheck check("", 96, elaborator::Codec::vp8);
  check.check(rtp_packet(96, 10, 1));
  check.check(rtp_packet(96, 16, 1));  // 11 to 15 lost
  CHECK(check.packets_lost() == 5);
  check.check(rtp_packet(96, 12, 1));  // one of them, late: not a loss, and the next expected stays 17
  check.check(rtp_packet(96, 17, 1));
  CHECK(check.packets_lost() == 5);
  check.check(rtp_packet(96, 40000, 1));  // a jump far ahead: the sender started again, nothing counted
  CHECK(check.packets_lost() == 5);
  check.check(rtp_packet(96, 65535, 1));  // far again
  check.check(rtp_packet(96, 0, 1));      // wraps around
  check.check(rtp_packet(96, 2, 1));      // 1 lost
  CHECK(check.packets_lost() == 6);
  check.check(rtp_packet(96, 2, 1));  // a duplicate
  CHECK(check.packets_lost() == 6);
  CHECK(check.packets_received() == 9);
}

TEST_CASE("packet check: the marker bit ends a frame, so frames are counted even when two share a timestamp") {
  elaborator::detail::RtpPacketCheck check("", 96, elaborator::Codec::vp8);
  for (std::uint16_t sequence = 0; sequence < 9; ++sequence) check.check(rtp_packet(96, sequence, 1, sequence % 3 == 2));
  CHECK(check.frames_received() == 3);
  check.check(rtp_packet(97, 9, 1, true));  // refused: not a frame of this stream
  CHECK(check.frames_received() == 3);
}

TEST_CASE("packet check: an H.264 fragmentation unit shorter than its header never reaches the depayloader") {
  // What fuzz_rtp_pipeline found: GStreamer 1.22's rtph264depay, after an FU-A start, takes a 1-byte FU-A
  // for a payload of -1 bytes and copies 4 GB (fuzz/corpus/rtp_pipeline/crash-h264-fu-a-without-fu-header).
  elaborator::detail::RtpPacketCheck check("", 96, elaborator::Codec::h264);
  auto fu_a_start = rtp_packet(96, 1, 7);
  fu_a_start.back() = 0x3C;           // FU-A (type 28)
  fu_a_start.push_back(0x80);         // its FU header: start of a fragmented NAL unit
  CHECK(check.check(fu_a_start).accepted);
  auto fu_a_without_header = rtp_packet(96, 2, 7);
  fu_a_without_header.back() = 0x3C;
  CHECK(check.check(fu_a_without_header).rejection ==
        "with an H.264 fragmentation unit of 1 bytes, shorter than its 2-byte header");
  auto fu_b = rtp_packet(96, 3, 7);
  fu_b.back() = 0x3D;  // FU-B (type 29): FU header and a 2-byte decoding order number
  fu_b.insert(fu_b.end(), {0x80, 0x00});
  CHECK_FALSE(check.check(fu_b).accepted);
  fu_b.push_back(0x01);
  CHECK(check.check(fu_b).accepted);
  auto single_nal = rtp_packet(96, 5, 7);
  single_nal.back() = 0x41;  // a 1-byte NAL unit of type 1: short, but nothing to split
  CHECK(check.check(single_nal).accepted);
  // The same bytes are plain payload to VP8.
  elaborator::detail::RtpPacketCheck vp8("", 96, elaborator::Codec::vp8);
  CHECK(vp8.check(fu_a_without_header).accepted);
}

TEST_CASE("the RTP timeline gives a picture the arrival of its first packet, found through its PTS") {
  elaborator::detail::RtpTimeline timeline;
  const auto t0 = elaborator::Clock::now();
  timeline.note_packet(1000, t0);
  timeline.note_packet(1000, t0 + 5ms);  // more packets of the same frame
  timeline.note_packet(4000, t0 + 33ms);
  timeline.note_packet(1000, t0 + 40ms);  // a late packet of the first frame: its first arrival stays
  timeline.note_pts(111, 1000);
  CHECK(timeline.noted_pts(111));
  timeline.note_pts(222, 4000);
  const auto first = timeline.find(111);
  REQUIRE(first);
  CHECK(first->rtp_timestamp == 1000);
  CHECK(first->arrival == t0);
  REQUIRE(timeline.find(222));
  CHECK(timeline.find(222)->arrival == t0 + 33ms);
  CHECK_FALSE(timeline.find(333));
  timeline.reset();  // a new sender
  CHECK_FALSE(timeline.find(111));
  CHECK_FALSE(timeline.noted_pts(222));
  timeline.note_packet(1000, t0 + 100ms);  // the same timestamp from the new sender is a new arrival
  timeline.note_pts(111, 1000);
  REQUIRE(timeline.find(111));
  CHECK(timeline.find(111)->arrival == t0 + 100ms);
}

TEST_CASE("the RTP timeline remembers the newest frames across the RTP timestamp's wrap, and forgets the oldest") {
  elaborator::detail::RtpTimeline timeline;
  const auto t0 = elaborator::Clock::now();
  constexpr std::uint32_t frames = 300;  // more than the timeline keeps
  const std::uint32_t first_timestamp = 0xFFFFFFFFU - 100 * 3000;  // wraps to small numbers a third of the way
  for (std::uint32_t i = 0; i < frames; ++i) {
    const std::uint32_t timestamp = first_timestamp + i * 3000;
    timeline.note_packet(timestamp, t0 + i * 33ms);
    timeline.note_packet(timestamp, t0 + i * 33ms + 1ms);
    timeline.note_pts(1'000'000ULL * i, timestamp);
  }
  timeline.note_packet(first_timestamp + (frames - 2) * 3000, t0 + 99s);  // late: its first arrival stays
  for (const std::uint32_t i : {frames - 1, frames - 2, frames - 100}) {
    const auto origin = timeline.find(1'000'000ULL * i);
    REQUIRE(origin);
    CHECK(origin->rtp_timestamp == first_timestamp + i * 3000);
    CHECK(origin->arrival == t0 + i * 33ms);
  }
  CHECK_FALSE(timeline.find(0));  // long forgotten
}

TEST_CASE("boxes are normalised to the frame, clipped to it, and map back to the same pixels") {
  const cv::Size frame(720, 528);
  const auto box = elaborator::Box::from_pixels(cv::Rect2f(72, 52.8F, 360, 264), frame);
  CHECK(box.x == Approx(0.1));
  CHECK(box.y == Approx(0.1));
  CHECK(box.width == Approx(0.5));
  CHECK(box.height == Approx(0.5));
  CHECK(box.to_pixels(frame) == cv::Rect(72, 53, 360, 264));
  const auto clipped = elaborator::Box::from_pixels(cv::Rect2f(-10, 500, 100, 100), frame);
  CHECK(clipped.x == 0);
  CHECK(clipped.y + clipped.height == Approx(1.0));
}

TEST_CASE("a detection's JSON form round-trips with coordinates rounded to four decimals") {
  const elaborator::Detection d{"face", 0.75F, {0.123456F, 0.5F, 0.25F, 0.125F}};
  const nlohmann::json j = d;
  CHECK(j["box"]["x"].get<double>() == 0.1235);
  const auto back = j.get<elaborator::Detection>();
  CHECK(back.label == "face");
  CHECK(back.confidence == 0.75F);
  CHECK(back.box.width == 0.25F);
}

TEST_CASE("a message too big for a datagram keeps its most confident detections and says so") {
  std::vector<elaborator::Detection> detections;
  for (int i = 0; i < 40; ++i) detections.push_back({"thing", static_cast<float>(i % 10) / 10.0F, {0.1F, 0.1F, 0.2F, 0.2F}});
  const auto frame = elaborator::Frame::from_image(cv::Mat(10, 10, CV_8UC3));
  const auto message = elaborator::make_result_message(frame, "test", 0, detections, elaborator::Clock::now());
  REQUIRE(message.text().size() > 1000);

  const auto fitted = elaborator::detail::fit_datagram(message, 1000);
  REQUIRE(fitted);
  CHECK(fitted->size() <= 1000);
  const auto body = nlohmann::json::parse(*fitted);
  CHECK(body["truncated"]["detections_total"] == 40);
  const auto sent = body["truncated"]["detections_sent"].get<std::size_t>();
  CHECK(body["detections"].size() == sent);
  CHECK(sent > 0);
  // Only the most confident are kept: every kept one is at least as confident as the sent-th best of all.
  std::vector<double> all;
  for (const auto& d : detections) all.push_back(d.confidence);
  std::sort(all.begin(), all.end(), std::greater<>());
  for (const auto& d : body["detections"]) CHECK(d["confidence"].get<double>() >= all[sent - 1] - 1e-6);

  CHECK(elaborator::detail::fit_datagram(message, message.text().size()) == message.text());
  CHECK_FALSE(elaborator::detail::fit_datagram(message, 100));  // not even the frame's data fits
}

TEST_CASE("invalid UTF-8 in a label is replaced instead of failing the message") {
  const auto frame = elaborator::Frame::from_image(cv::Mat(10, 10, CV_8UC3));
  const std::vector<elaborator::Detection> detections{{std::string("bad\xFF"), 1.0F, {}}};
  const auto message = elaborator::make_result_message(frame, "test", 0, detections, elaborator::Clock::now());
  CHECK(nlohmann::json::parse(message.text())["detections"][0]["label"] == "bad\xEF\xBF\xBD");
}

TEST_CASE("I420 planes convert to the same BGR image whether or not they are contiguous or even-sized") {
  for (const cv::Size size : {cv::Size(64, 48), cv::Size(63, 47)}) {
    cv::Mat bgr(size, CV_8UC3);
    cv::randu(bgr, 0, 255);
    cv::GaussianBlur(bgr, bgr, cv::Size(9, 9), 3);  // smooth, so chroma subsampling loses little
    const cv::Size even(size.width + size.width % 2, size.height + size.height % 2);
    cv::Mat padded;
    cv::copyMakeBorder(bgr, padded, 0, even.height - size.height, 0, even.width - size.width, cv::BORDER_REPLICATE);
    cv::Mat i420;
    cv::cvtColor(padded, i420, cv::COLOR_BGR2YUV_I420);
    const int y_size = even.area();
    // Separate planes, with the odd size's own dimensions, as a decoder with strides would give them.
    elaborator::detail::I420Planes planes;
    planes.y = i420(cv::Rect(0, 0, even.width, even.height))(cv::Rect(0, 0, size.width, size.height)).clone();
    planes.u = cv::Mat(even.height / 2, even.width / 2, CV_8UC1, i420.data + y_size).clone();
    planes.v = cv::Mat(even.height / 2, even.width / 2, CV_8UC1, i420.data + y_size + y_size / 4).clone();
    const cv::Mat converted = elaborator::detail::i420_to_bgr(planes);
    REQUIRE(converted.size() == size);
    CHECK(cv::norm(converted, bgr, cv::NORM_L1) / static_cast<double>(bgr.total() * 3) < 6.0);
  }
}

TEST_CASE("host:port endpoints parse, and bad ones say what is wrong") {
  using elaborator::parse_endpoint;
  CHECK(parse_endpoint("127.0.0.1:5002").host == "127.0.0.1");
  CHECK(parse_endpoint("127.0.0.1:5002").port == 5002);
  CHECK(parse_endpoint("[::1]:6000").host == "::1");
  CHECK_THROWS_WITH(parse_endpoint("localhost"), Catch::Contains("HOST:PORT"));
  CHECK_THROWS_WITH(parse_endpoint("localhost:0"), Catch::Contains("port"));
  CHECK_THROWS_WITH(parse_endpoint("localhost:99999"), Catch::Contains("port"));
  CHECK_THROWS_WITH(parse_endpoint("localhost:12ab"), Catch::Contains("port"));
}

TEST_CASE("codec names parse in either case, and unknown ones list the known") {
  CHECK(elaborator::parse_codec("H264") == elaborator::Codec::h264);
  CHECK(elaborator::parse_codec("vp9") == elaborator::Codec::vp9);
  CHECK_THROWS_WITH(elaborator::parse_codec("av1"), Catch::Contains("vp8, vp9 or h264"));
}

TEST_CASE("a compound RTCP packet is accepted only if every packet in it is whole") {
  using elaborator::detail::parse_rtcp_compound;
  const std::vector<std::uint8_t> rr = {0x80, 201, 0x00, 0x01, 0x12, 0x34, 0x56, 0x78};
  const std::vector<std::uint8_t> sdes = {0x81, 202, 0x00, 0x02, 0x12, 0x34, 0x56, 0x78, 0x01, 0x00, 0x00, 0x00};
  std::vector<std::uint8_t> compound = rr;
  compound.insert(compound.end(), sdes.begin(), sdes.end());
  const auto summary = parse_rtcp_compound(compound);
  REQUIRE(summary);
  CHECK(summary->packets == 2);
  CHECK(summary->sender_ssrc == 0x12345678);
  CHECK_FALSE(summary->asks_for_keyframe);

  const auto pli = elaborator::detail::make_pli(1, 2);
  const auto parsed_pli = parse_rtcp_compound(pli);
  REQUIRE(parsed_pli);
  CHECK(parsed_pli->asks_for_keyframe);

  auto too_long = rr;
  too_long[3] = 2;  // says 12 bytes, has 8
  CHECK_FALSE(parse_rtcp_compound(too_long));
  auto rtp = rr;
  rtp[1] = 96;  // an RTP payload type, not RTCP
  CHECK_FALSE(parse_rtcp_compound(rtp));
  CHECK_FALSE(parse_rtcp_compound(std::vector<std::uint8_t>(rr.begin(), rr.begin() + 7)));
  CHECK_FALSE(parse_rtcp_compound(std::vector<std::uint8_t>{}));
  // A packet of length 0 has no room for its SSRC (found by fuzzing: the next packet's header was read instead).
  CHECK_FALSE(parse_rtcp_compound(std::vector<std::uint8_t>{0x84, 0xCE, 0x00, 0x00, 0x84, 0xCE, 0x00, 0x01, 0x31, 0x09, 0x04, 0x00}));
  auto padded_first = compound;
  padded_first[0] |= 0x20;  // padding on a packet that is not the last
  CHECK_FALSE(parse_rtcp_compound(padded_first));
}

TEST_CASE("a program may allow running without an input, and its kind gives sampling defaults of its own") {
  elaborator::Kind billed = test_support::counting_kind();
  billed.sampling = SamplingPolicy{1, 2.0, 1};
  elaborator::cli::Parser cli("billed", "A program whose classify() costs money.", {billed});
  cli.allow_no_input();
  const char* no_input[] = {"billed", "--stats-interval", "0"};
  const auto without = cli.parse(3, no_input);
  CHECK_FALSE(without.has_input());
  CHECK(cli.help().find("(default: 2)") != std::string::npos);

  const char* with_file[] = {"billed", "--file", "video.mp4"};
  const auto with = cli.parse(3, with_file);
  REQUIRE(with.has_input());
  CHECK(std::get<elaborator::FileSource>(with.config.streams.at(0).source).path == "video.mp4");
  CHECK(with.config.streams.at(0).elaborations.at(0).sampling.max_fps == 2.0);
  const char* uncapped[] = {"billed", "--file", "video.mp4", "--max-fps", "0"};
  CHECK(cli.parse(5, uncapped).config.streams.at(0).elaborations.at(0).sampling.max_fps == 0.0);
  CHECK(cli.interpret([] { return 42; }) == 42);
}

TEST_CASE("an elaboration's own counters follow its statistics line and make a line of the summary") {
  elaborator::ElaborationStats before;
  elaborator::ElaborationStats now;
  now.uptime = std::chrono::seconds(2);
  now.counters = {{"requests", 12}, {"dropped (in flight)", 3}};
  const std::string line = elaborator::format_report_line(now, before);
  CHECK(line.ends_with("; requests 12, dropped (in flight) 3"));
  CHECK(elaborator::format_summary(now).find("\n  counters:    requests 12, dropped (in flight) 3\n") != std::string::npos);
  CHECK(elaborator::format_summary(before).find("counters") == std::string::npos);
}

TEST_CASE("face crops are clipped to the image, and a face grows by its margin within the frame") {
  const cv::Size frame(100, 80);
  CHECK(elaborator::vision::expanded({40, 30, 20, 20}, 0.25, frame) == cv::Rect(35, 25, 30, 30));
  CHECK(elaborator::vision::expanded({0, 70, 20, 20}, 0.5, frame) == cv::Rect(0, 60, 30, 20));
  CHECK(elaborator::vision::largest({{0, 0, 5, 5}, {10, 10, 8, 8}, {1, 1, 6, 6}}) == cv::Rect(10, 10, 8, 8));
  CHECK(elaborator::vision::largest({}).empty());

  cv::Mat gray(frame, CV_8UC1, cv::Scalar(0));
  gray(cv::Rect(90, 70, 10, 10)).setTo(200);
  const cv::Mat corner = elaborator::vision::crop(gray, {90, 70, 40, 40}, {20, 20});  // reaches past the image
  REQUIRE(corner.size() == cv::Size(20, 20));
  CHECK(cv::mean(corner)[0] == Approx(200));
  CHECK(elaborator::vision::crop(gray, {200, 200, 10, 10}, {20, 20}).empty());
}

TEST_CASE("a face detector holds scratch memory for the image it is given, not for every shape it has seen") {
  cv::Mat wide(176, 12000, CV_8UC1);
  cv::randu(wide, 0, 256);
  const cv::Mat tall = wide.t();

  std::size_t before = heap_in_use();
  std::size_t tall_alone = 0;
  {
    elaborator::vision::HaarFaceDetector fresh;
    (void)fresh.detect(tall);
    tall_alone = heap_in_use() - before;
  }
  before = heap_in_use();
  elaborator::vision::HaarFaceDetector seasoned;
  (void)seasoned.detect(wide);
  (void)seasoned.detect(tall);
  const std::size_t after_both = heap_in_use() - before;
  // OpenCV's cascade alone would hold a buffer as wide as the first and as tall as the second: 419 MB
  // against 45 MB here.
  INFO("tall image alone " << tall_alone / megabytes << " MB, after the wide one " << after_both / megabytes << " MB");
  CHECK(after_both < 2 * tall_alone);
}

TEST_CASE("a face detector keeps to its search budget in a huge image by looking only for faces large enough") {
  const cv::Mat messi = cv::imread("/usr/share/doc/opencv-doc/examples/data/messi5.jpg", cv::IMREAD_GRAYSCALE);
  if (messi.empty()) FAIL("cannot read messi5.jpg: install Debian's opencv-doc");
  elaborator::vision::HaarSettings small_faces;
  small_faces.min_size = 20;  // Messi's face is 37 pixels wide
  const std::vector<cv::Rect> faces = elaborator::vision::HaarFaceDetector(small_faces).detect(messi);
  REQUIRE(faces.size() == 1);
  const cv::Rect expected(faces[0].x * 8, faces[0].y * 8, faces[0].width * 8, faces[0].height * 8);

  cv::Mat big;
  cv::resize(messi, big, cv::Size(), 8, 8, cv::INTER_CUBIC);  // 4384x2736, 12 Mpixel, the face 296 pixels wide
  elaborator::vision::HaarSettings budget;
  budget.max_search_pixels = 1 << 20;  // faces from 82 pixels up, not 40: the largest layer is 1 Mpixel
  elaborator::vision::HaarFaceDetector detector(budget);
  const std::size_t before = heap_in_use();
  const std::vector<cv::Rect> big_faces = detector.detect(big);
  const std::size_t held = heap_in_use() - before;

  CHECK(std::any_of(big_faces.begin(), big_faces.end(), [&](const cv::Rect& face) { return overlap(face, expected) > 0.7; }));
  // Without the budget the cascade holds 229 MB for this image.
  INFO("held " << held / megabytes << " MB");
  CHECK(held < 100 * megabytes);
  budget.max_search_pixels = 1000;
  CHECK_THROWS_WITH(elaborator::vision::HaarFaceDetector(budget), Catch::Contains("search budget"));
}

TEST_CASE("JPEG encoding scales a large image down to the longest side asked for, and refuses nothing to encode") {
  const cv::Mat frame(528, 720, CV_8UC3, cv::Scalar(30, 90, 200));
  const auto whole = elaborator::vision::encode_jpeg(frame, 80);
  CHECK(whole.size == frame.size());
  const auto scaled = elaborator::vision::encode_jpeg(frame, 80, 360);
  CHECK(scaled.size == cv::Size(360, 264));
  const cv::Mat decoded = cv::imdecode(scaled.bytes, cv::IMREAD_COLOR);
  REQUIRE(decoded.size() == cv::Size(360, 264));
  CHECK(cv::norm(cv::mean(decoded) - cv::Scalar(30, 90, 200, 0)) < 3);
  CHECK(elaborator::vision::encode_jpeg(frame, 80, 1000).size == frame.size());
  CHECK_THROWS_WITH(elaborator::vision::encode_jpeg(cv::Mat(), 80), Catch::Contains("empty image"));
  CHECK_THROWS_WITH(elaborator::vision::encode_jpeg(frame, 0), Catch::Contains("quality 0"));
}

TEST_CASE("a file cv::FileStorage wrote reads back through the strict YAML reader with the same content") {
  cv::FileStorage written(".yml", cv::FileStorage::WRITE | cv::FileStorage::MEMORY);
  cv::Mat histogram(1, 5, CV_32F);
  cv::randu(histogram, 0, 1);
  written << "model" << "{"
          << "threshold" << std::numeric_limits<double>::max() << "radius" << 1 << "scale" << -0.5
          << "names" << "[" << "bob smith" << "\"quoted\" \\ and\nnew line" << "123" << "]"
          << "histograms" << "[" << histogram << cv::Mat() << "]"
          << "labels" << cv::Mat((cv::Mat_<int>(2, 1) << 0, -7))
          << "empty_list" << "[" << "]" << "empty_map" << "{" << "}" << "}";
  const std::string original = written.releaseAndGetString();

  const std::string canonical = opencv_yaml::canonical(original, "model.yml");
  const cv::FileStorage read(canonical, cv::FileStorage::READ | cv::FileStorage::MEMORY);
  const cv::FileNode model = read["model"];
  CHECK(static_cast<double>(model["threshold"]) == std::numeric_limits<double>::max());
  CHECK(model["radius"].isInt());
  CHECK(static_cast<int>(model["radius"]) == 1);
  CHECK(static_cast<double>(model["scale"]) == -0.5);
  CHECK(static_cast<std::string>(model["names"][0]) == "bob smith");
  CHECK(static_cast<std::string>(model["names"][1]) == "\"quoted\" \\ and\nnew line");
  CHECK(model["names"][2].isString());
  cv::Mat histogram_read, labels_read;
  model["histograms"][0] >> histogram_read;
  model["labels"] >> labels_read;
  CHECK(cv::norm(histogram_read, histogram, cv::NORM_INF) == 0);
  CHECK(cv::norm(labels_read, cv::Mat((cv::Mat_<int>(2, 1) << 0, -7)), cv::NORM_INF) == 0);
  CHECK(model["histograms"][1].isMap());
  CHECK(model["empty_list"].isSeq());
  CHECK(model["empty_map"].isMap());
  CHECK(opencv_yaml::canonical(canonical, "again") == canonical);
}

TEST_CASE("YAML that cv::FileStorage would not write is refused with its line, before OpenCV parses it") {
  const auto refused = [](const std::string& text) {
    try {
      opencv_yaml::canonical(text, "m.yml");
    } catch (const elaborator::Error& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  // Found by fuzzing: OpenCV 4.6's own parser ran for minutes on it.
  CHECK(refused("%YAML:1.0cv_lbphfaces:\n   thrhbors: 8\n   grid_x: 1\nms:    - !!opencv-matrix\n        \316\365\337ue: other\n") ==
        "m.yml: line 1: does not start with '%YAML:1.0'");
  CHECK(refused("%YAML:1.0\n---\nm:\n   a: 1\n  b: 2\n") == "m.yml: line 5: does not line up with the keys before it");
  CHECK(refused("%YAML:1.0\nm:\n   - 1\n    - 2\n") == "m.yml: line 4: does not line up with the items before it");
  CHECK(refused("%YAML:1.0\nm: !!opencv-matrix\n   rows: 100000\n   cols: 100000\n   dt: f\n   data: [ 1. ]\n") ==
        "m.yml: line 2: an !!opencv-matrix of 100000 x 100000 does not have that many values");
  CHECK(refused("%YAML:1.0\nm: !!opencv-matrix\n   rows: 1\n   cols: 2\n   dt: f\n   data: [ 1., 2.\n") ==
        "m.yml: line 7: a '[' is never closed");
  CHECK(refused("%YAML:1.0\nm: [ 1, x ]\n") == "m.yml: line 2: 'x' in a '[ ... ]' list is not a number");
  CHECK(refused("%YAML:1.0\nm: \"a\\qb\"\n") == "m.yml: line 2: '\\q' is not an escape cv::FileStorage writes");
  CHECK(refused("%YAML:1.0\nm: a\nm: b\n") == "m.yml: line 3: repeats the key 'm'");
  CHECK(refused("%YAML:1.0\nm: &anchor a\n") == "m.yml: line 2: '&anchor a' is not a value cv::FileStorage writes");
  std::string deep = "%YAML:1.0\n";
  for (int level = 0; level < 40; ++level) deep += std::string(static_cast<std::size_t>(level), ' ') + "k:\n";
  CHECK(refused(deep) == "m.yml: line 19: nests deeper than 16 levels");
}

TEST_CASE("metric label values are UTF-8 with backslashes, quotes and newlines escaped") {
  CHECK(elaborator::detail::label_value("jsonl /tmp/a\"b\\c\nd.jsonl") == "jsonl /tmp/a\\\"b\\\\c\\nd.jsonl");
  CHECK(elaborator::detail::label_value(std::string("caf\xe9.jsonl")) == "caf\xef\xbf\xbd.jsonl");  // Latin-1: U+FFFD
}
