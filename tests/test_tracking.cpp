// Tracking, sampling on change and line counting: the parts alone, then through real streams of painted
// pictures (black squares at known places on a textured background) with a detector that finds them.

#include "support/counting_elaborator.hpp"
#include "support/own_stream.hpp"
#include "support/rtp_sender.hpp"
#include "support/temp_dir.hpp"
#include "support/wait.hpp"

#include <catch2/catch.hpp>
#include <elaborator.hpp>
#include <elaborator/counting.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using elaborator::Box;
using elaborator::Detection;

namespace {

// --- painted pictures ---

constexpr int picture_width = 320;
constexpr int picture_height = 240;
constexpr int square = 24;  // the painted objects' size, in pixels

// A still, textured background: gradients and a grid, so that coding noise has something to work on.
cv::Mat background() {
  cv::Mat picture(picture_height, picture_width, CV_8UC3);
  for (int y = 0; y < picture_height; ++y) {
    for (int x = 0; x < picture_width; ++x) {
      const auto level = static_cast<unsigned char>(90 + (x * 60) / picture_width + (y * 40) / picture_height +
                                                    ((x / 16 + y / 16) % 2) * 20);
      picture.at<cv::Vec3b>(y, x) = {level, static_cast<unsigned char>(level + 10), level};
    }
  }
  return picture;
}

struct Painted {
  double x;  // top left corner, pixels
  double y;
};

// Writes frames 0..count-1 as PNG files DIR/f0000.png..., each with the squares `where(frame)` returns.
void paint_frames(const std::string& folder, int count, const std::function<std::vector<Painted>(int)>& where) {
  const cv::Mat still = background();
  for (int frame = 0; frame < count; ++frame) {
    cv::Mat picture = still.clone();
    for (const auto& p : where(frame)) {
      cv::rectangle(picture, cv::Rect(cvRound(p.x), cvRound(p.y), square, square), cv::Scalar(0, 0, 0), cv::FILLED);
    }
    cv::imwrite(fmt::format("{}f{:04d}.png", folder, frame), picture);
  }
}

std::string png_frames(const std::string& folder, int count, int fps = 30) {
  return fmt::format("multifilesrc location={}f%04d.png index=0 stop-index={} caps=image/png,framerate={}/1 ! pngdec ! "
                     "videoconvert",
                     folder, count - 1, fps);
}

// The painted frames as a stream that is not live: every frame picked is classified.
elaborator::PipelineSource painted_stream(const std::string& folder, int count) {
  return {png_frames(folder, count) + " ! appsink name=appsink", false};
}

// --- a detector of the painted squares, and what it saw ---

struct Seen {
  std::uint64_t frame;
  std::chrono::nanoseconds time;
  std::vector<Detection> detections;
  elaborator::FrameTimes times;
};

class SquareFinder : public elaborator::Elaborator<SquareFinder> {
 public:
  using Elaborator::Elaborator;

  std::vector<Seen> seen() const {
    const std::lock_guard lock(mutex_);
    return seen_;
  }

  std::function<bool(std::uint64_t)> blind_at;  // frames where it sees nothing (an object out of sight)
  std::function<void(const std::vector<Detection>&)> also;  // given each frame's tracked detections

 private:
  friend Elaborator;

  // Dark blobs of about a square's size: the squares (the background never gets that dark).
  std::vector<Detection> classify(const elaborator::Frame& frame) {
    if (blind_at && blind_at(frame.index())) return {};
    cv::Mat dark = frame.gray() < 50;
    cv::Mat labels;
    cv::Mat stats;
    cv::Mat centroids;
    const int count = cv::connectedComponentsWithStats(dark, labels, stats, centroids);
    std::vector<Detection> found;
    for (int i = 1; i < count; ++i) {
      if (stats.at<int>(i, cv::CC_STAT_AREA) < square * square / 3) continue;
      const cv::Rect r(stats.at<int>(i, cv::CC_STAT_LEFT), stats.at<int>(i, cv::CC_STAT_TOP), stats.at<int>(i, cv::CC_STAT_WIDTH),
                       stats.at<int>(i, cv::CC_STAT_HEIGHT));
      found.push_back({"square", 1.0F, Box::from_pixels(r, frame.size())});
    }
    return found;
  }

  void elaborate_results(const elaborator::Frame& frame, std::vector<Detection>&& detections) {
    if (also) also(detections);
    const std::lock_guard lock(mutex_);
    seen_.push_back({frame.index(), frame.stream_time(), detections, frame.times()});
    publish(frame, detections);
  }

  mutable std::mutex mutex_;
  std::vector<Seen> seen_;
};

elaborator::ElaborationOptions tracking_options(elaborator::SamplingPolicy sampling) {
  auto options = test_support::quiet_options("squares", sampling);
  options.tracking.enabled = true;
  return options;
}

// The painted square nearest to a detection's box centre, by the square's index in `where`.
std::size_t nearest(const std::vector<Painted>& painted, const Box& box) {
  const double cx = (box.x + box.width / 2) * picture_width;
  const double cy = (box.y + box.height / 2) * picture_height;
  std::size_t best = 0;
  double best_distance = 1e9;
  for (std::size_t i = 0; i < painted.size(); ++i) {
    const double d = std::hypot(painted[i].x + square / 2.0 - cx, painted[i].y + square / 2.0 - cy);
    if (d < best_distance) {
      best_distance = d;
      best = i;
    }
  }
  return best;
}

std::vector<Detection> boxes_at(const std::vector<Box>& boxes) {
  std::vector<Detection> detections;
  for (const auto& b : boxes) detections.push_back({"square", 1.0F, b});
  return detections;
}

}  // namespace

TEST_CASE("a tracker keeps one id per object moving faster than its own size between classified frames") {
  elaborator::Tracker tracker;
  // Two boxes 0.1 wide, moving 0.15 and -0.12 of the frame per classified frame (5 per second): without
  // the motion prediction they would never overlap their last position.
  std::set<std::uint64_t> first_ids;
  std::set<std::uint64_t> second_ids;
  for (int i = 0; i < 6; ++i) {
    auto detections = boxes_at({{0.05F + 0.15F * static_cast<float>(i) * 0.8F, 0.1F, 0.1F, 0.1F},
                                {0.85F - 0.12F * static_cast<float>(i), 0.6F, 0.1F, 0.1F}});
    tracker.update(detections, std::chrono::milliseconds(200 * i));
    first_ids.insert(detections[0].track->id);
    second_ids.insert(detections[1].track->id);
    if (i >= 2) CHECK(detections[1].track->velocity_x == Approx(-0.6).margin(0.01));
    CHECK(detections[0].track->age == std::chrono::milliseconds(200 * i));
  }
  CHECK(first_ids.size() == 1);
  CHECK(second_ids.size() == 1);
  CHECK(*first_ids.begin() != *second_ids.begin());
}

TEST_CASE("a track outlives a gap shorter than its unseen time and ends after a longer one") {
  elaborator::Tracker tracker(elaborator::TrackingPolicy{true, 1000ms, 0.2});
  auto first = boxes_at({{0.1F, 0.1F, 0.2F, 0.2F}});
  tracker.update(first, 0ms);
  auto empty = boxes_at({});
  tracker.update(empty, 500ms);
  auto again = boxes_at({{0.1F, 0.1F, 0.2F, 0.2F}});
  tracker.update(again, 900ms);
  CHECK(again[0].track->id == first[0].track->id);
  tracker.update(empty, 1500ms);
  auto late = boxes_at({{0.1F, 0.1F, 0.2F, 0.2F}});
  tracker.update(late, 2000ms);  // 1100 ms unseen
  CHECK(late[0].track->id != first[0].track->id);
  CHECK(late[0].track->age == 0ms);
}

TEST_CASE("a tracker matches only equal labels, and starts over when time goes back") {
  elaborator::Tracker tracker;
  std::vector<Detection> a{{"cat", 1.0F, {0.1F, 0.1F, 0.2F, 0.2F}}};
  tracker.update(a, 0ms);
  std::vector<Detection> b{{"dog", 1.0F, {0.1F, 0.1F, 0.2F, 0.2F}}};
  tracker.update(b, 100ms);
  CHECK(b[0].track->id != a[0].track->id);
  std::vector<Detection> c{{"dog", 1.0F, {0.1F, 0.1F, 0.2F, 0.2F}}};
  tracker.update(c, 50ms);  // a new sender, a restarted file
  CHECK(c[0].track->id != b[0].track->id);
  CHECK(tracker.size() == 1);
}

namespace {

struct Plain {
  std::string label;
};
void to_json(nlohmann::json& j, const Plain& p) { j = {{"label", p.label}}; }

struct PlainFinder : elaborator::Elaborator<PlainFinder, Plain> {
  using Elaborator::Elaborator;
  std::vector<Plain> classify(const elaborator::Frame&) { return {}; }
};

}  // namespace

TEST_CASE("tracking a detection type without a track member is refused with a clear error") {
  CHECK_THROWS_WITH(PlainFinder(tracking_options({})), Catch::Contains("tracking needs a detection type with `box` and `track`"));
}

TEST_CASE("on change: a still picture is sampled only at the maximum interval, an object or a cut at once") {
  elaborator::SamplingPolicy policy;
  policy.on_change = true;
  policy.change = 0.005;
  policy.max_interval = 1000ms;
  elaborator::Sampler sampler(policy);
  const cv::Mat still = background();
  cv::Mat noise(still.size(), CV_16SC3);
  cv::randn(noise, cv::Scalar::all(0), cv::Scalar::all(3));  // camera noise, a few levels either way
  cv::Mat noisy;
  still.convertTo(noisy, CV_16SC3);
  noisy += noise;
  noisy.convertTo(noisy, CV_8UC3);
  cv::Mat with_object = still.clone();
  cv::rectangle(with_object, cv::Rect(100, 100, square, square), cv::Scalar(0, 0, 0), cv::FILLED);
  cv::Mat cut(still.size(), CV_8UC3, cv::Scalar(200, 30, 30));
  const auto picks = [&](const cv::Mat& image, std::uint64_t index) {
    const elaborator::detail::Picture picture({index, "s", std::nullopt, std::nullopt, {}, {}}, image);
    return sampler.picks(index, std::chrono::milliseconds(33) * index, &picture);
  };
  CHECK(picks(still, 0));  // the first frame always
  std::vector<std::uint64_t> picked;
  for (std::uint64_t i = 1; i < 60; ++i) {
    if (picks(i % 2 == 0 ? still : noisy, i)) picked.push_back(i);
  }
  CHECK(picked == std::vector<std::uint64_t>{31});  // 31 x 33 ms: the first at or after 1 s
  CHECK(sampler.unchanged() == 58);
  CHECK(picks(with_object, 60));
  CHECK_FALSE(picks(with_object, 61));
  CHECK(picks(cut, 62));
}

TEST_CASE("on change with a frame rate cap: a change that comes too early is taken by the next frame allowed") {
  elaborator::SamplingPolicy policy;
  policy.on_change = true;
  policy.change = 0.005;
  policy.max_fps = 5;  // one frame in 200 ms at most
  elaborator::Sampler sampler(policy);
  const cv::Mat still = background();
  std::vector<std::uint64_t> picked;
  for (std::uint64_t i = 0; i < 30; ++i) {  // 30 fps: a square moving 10 pixels a frame, a change every frame
    cv::Mat moving = still.clone();
    cv::rectangle(moving, cv::Rect(10 + 10 * static_cast<int>(i), 100, square, square), cv::Scalar(0, 0, 0), cv::FILLED);
    const elaborator::detail::Picture picture({i, "s", std::nullopt, std::nullopt, {}, {}}, moving);
    if (sampler.picks(i, std::chrono::nanoseconds(1'000'000'000 / 30) * i, &picture)) picked.push_back(i);
  }
  CHECK(picked == std::vector<std::uint64_t>{0, 6, 12, 18, 24});  // 5 a second, every one a change
  CHECK(sampler.unchanged() == 0);
}

TEST_CASE("painted objects through a stream: one track per object, no id switch, ids kept across frames not seen") {
  test_support::TempDir folder;
  constexpr int frames = 150;
  // Three squares on lanes of their own, 2, 5 and 9 pixels a frame; with every 4th frame classified the
  // fastest moves 36 pixels, more than its size, between two classified frames.
  const auto where = [](int f) {
    return std::vector<Painted>{{10.0 + 2.0 * f, 20}, {10.0 + 1.5 * f, 100}, {300.0 - 9.0 * (f % 33), 180}};
  };
  // The third square runs right to left and jumps back every 33 frames: a new object each time.
  paint_frames(folder.file(""), frames, where);
  elaborator::SamplingPolicy sampling;
  sampling.every_nth = 4;
  SquareFinder finder(tracking_options(sampling));
  finder.blind_at = [](std::uint64_t frame) { return frame >= 60 && frame < 76; };  // about half a second
  {
    test_support::OwnStream stream(finder, painted_stream(folder.file(""), frames));
    REQUIRE(finder.wait_for(60s));
  }
  const auto seen = finder.seen();
  REQUIRE(seen.size() == frames / 4 + 1);
  std::map<std::size_t, std::set<std::uint64_t>> ids_of_lane;  // lanes 0 and 1: one id each for the whole run
  std::map<int, std::set<std::uint64_t>> ids_of_run;           // lane 2: one id per run across the frame
  for (const auto& s : seen) {
    const bool blind = s.frame >= 60 && s.frame < 76;
    CHECK(s.detections.size() == (blind ? 0U : 3U));
    for (const auto& d : s.detections) {
      REQUIRE(d.track);
      const std::size_t lane = nearest(where(static_cast<int>(s.frame)), d.box);
      if (lane < 2) ids_of_lane[lane].insert(d.track->id);
      if (lane == 2) ids_of_run[static_cast<int>(s.frame) / 33].insert(d.track->id);
    }
  }
  CHECK(ids_of_lane[0].size() == 1);
  CHECK(ids_of_lane[1].size() == 1);
  CHECK(*ids_of_lane[0].begin() != *ids_of_lane[1].begin());
  for (const auto& [run, ids] : ids_of_run) {
    INFO("run " << run);
    CHECK(ids.size() == 1);
  }
}

TEST_CASE("a still picture streamed live for 10 s: few frames classified, an appearing object seen within 200 ms") {
  test_support::TempDir folder;
  constexpr int frames = 300;   // 10 s at 30 fps
  constexpr int appears = 200;  // at 6.67 s
  paint_frames(folder.file(""), frames, [](int f) {
    return f < appears ? std::vector<Painted>{} : std::vector<Painted>{{150, 110}};
  });
  elaborator::SamplingPolicy sampling;
  sampling.on_change = true;
  sampling.change = 0.005;  // a small object: 25 of 3072 thumbnail pixels
  sampling.max_interval = 1000ms;
  SquareFinder finder(test_support::quiet_options("squares", sampling));
  elaborator::RtpSource rtp;
  rtp.port = 0;
  test_support::OwnStream stream(finder, rtp);
  test_support::SenderSettings settings;
  settings.raw_video = png_frames(folder.file(""), frames);
  test_support::RtpSender sender(stream.port(), settings);
  REQUIRE(sender.wait_until_sent(30s));
  REQUIRE(test_support::wait_until([&] { return finder.stats().frames_offered >= frames - 5 && test_support::settled(finder); }, 10s));
  const auto stats = finder.stats();
  const auto seen = finder.seen();
  INFO(stats.frames_offered << " decoded, " << stats.frames_classified << " classified, " << stats.frames_unchanged << " unchanged");
  CHECK(stats.frames_classified <= stats.frames_offered / 10);  // 10-11 at the maximum interval, 1-2 on the change
  CHECK(stats.frames_unchanged + stats.frames_sampled == stats.frames_offered);
  // The first result with the square: its frame is the first with it, or close; the time from the first
  // frame with the square arriving to the result, stream time plus processing.
  const auto first = std::find_if(seen.begin(), seen.end(), [](const Seen& s) { return !s.detections.empty(); });
  REQUIRE(first != seen.end());
  const auto frames_late = static_cast<double>(first->frame) - appears;
  const double processing_ms = std::chrono::duration<double, std::milli>(first->times.classify_end - first->times.arrival).count();
  const double late_ms = frames_late * 1000.0 / 30 + processing_ms;
  INFO("first seen at frame " << first->frame << " (painted from " << appears << "), " << late_ms << " ms after it arrived ("
                              << processing_ms << " ms of processing)");
  CHECK(frames_late >= 0);
  // Sampling on change picks the frame it appears in, or close: within 200 ms of stream time (6 frames),
  // where the maximum interval alone would take up to a second (30 frames). A count of frames, not a time a
  // loaded machine can stretch.
  CHECK(frames_late <= 6);
  // Processing (jitter buffer, decoding, classify) takes tens of milliseconds: not the point here, bounded
  // generously (by the maximum interval) for a loaded machine or AddressSanitizer.
  CHECK(processing_ms < 1000);
}

TEST_CASE("a painted object crossing the line back and forth is counted exactly, each way") {
  test_support::TempDir folder;
  constexpr int frames = 240;
  // A square going down and up across the line y = 120 three times (a period of 80 frames, 5 pixels a
  // frame; some classified frames have it exactly on the line), and one that stays above it, beside the
  // line's end, never crossing.
  const auto where = [](int f) {
    const int phase = f % 80;
    const double y = phase < 40 ? 20.0 + 5.0 * phase : 220.0 - 5.0 * (phase - 40);
    return std::vector<Painted>{{60, y - square}, {280, 60}};
  };
  paint_frames(folder.file(""), frames, where);
  elaborator::SamplingPolicy sampling;
  sampling.every_nth = 3;
  SquareFinder finder(tracking_options(sampling));
  elaborator::LineCounter counter({0.0F, 0.5F, 0.8F, 0.5F});  // y = 120, from the left edge to x = 256
  finder.also = [&](const std::vector<Detection>& detections) { counter.update(detections); };
  {
    test_support::OwnStream stream(finder, painted_stream(folder.file(""), frames));
    REQUIRE(finder.wait_for(60s));
  }
  // Three times down (forward, for a line drawn left to right), three times up.
  CHECK(counter.forward() == 3);
  CHECK(counter.backward() == 3);
  const auto last = finder.seen().back();  // frame 237: both squares above the line
  CHECK(elaborator::count_in(Box{0.0F, 0.0F, 1.0F, 0.5F}, last.detections) == 2);
}
