// Audio streams: Opus and G.711 over RTP from real GStreamer senders on 127.0.0.1, and audio files, decoded
// once into PCM and cut into the windows an audio elaboration's classify() receives; the sound_level example
// on real speech.
#include "sound_level.hpp"
#include "support/control_api.hpp"
#include "support/hostile_relay.hpp"
#include "support/librivox.hpp"
#include "support/own_stream.hpp"
#include "support/resources_come_back.hpp"
#include "support/rtp_sender.hpp"
#include "support/temp_dir.hpp"
#include "support/wait.hpp"
#include "support/wav_file.hpp"

#include <elaborator.hpp>
#include <elaborator/detail/audio_windower.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <mutex>
#include <numeric>
#include <random>
#include <string>
#include <vector>

using namespace std::chrono_literals;

namespace {

// One classified window, as a test looks at it.
struct Heard {
  std::uint64_t index;
  std::chrono::nanoseconds start;
  std::chrono::nanoseconds duration;
  int sample_rate;
  double dbfs;  // RMS level relative to full scale
};

// An audio elaboration that remembers each window's level.
class Levels : public elaborator::Elaborator<Levels> {
 public:
  using Elaborator::Elaborator;

  [[nodiscard]] std::vector<Heard> heard() const {
    const std::lock_guard lock(mutex_);
    return heard_;
  }

 private:
  friend Elaborator;
  std::vector<elaborator::Detection> classify(const elaborator::AudioWindow& window) {
    const std::lock_guard lock(mutex_);
    heard_.push_back({window.index(), window.start(), window.duration(), window.sample_rate(), level_dbfs(window.samples())});
    return {};
  }

  mutable std::mutex mutex_;
  std::vector<Heard> heard_;
};

elaborator::ElaborationOptions windows_of(std::chrono::milliseconds window, std::size_t queue = 100) {
  elaborator::ElaborationOptions options;
  options.name = "levels";
  options.sampling.window = window;
  options.sampling.queue_capacity = queue;
  options.report_interval = 0ms;
  options.summary_at_stop = false;
  return options;
}

elaborator::RtpSource audio_on_any_port(elaborator::Codec codec) {
  elaborator::RtpSource source;
  source.codec = codec;
  source.payload_type = elaborator::default_payload_type(codec);
  return source;
}

// 20 ms of 16 kHz mono whose samples count on from `first`, at stream time `pts`, with an RTP timestamp.
elaborator::detail::AudioChunk chunk(std::int16_t first, std::chrono::nanoseconds pts, std::uint32_t rtp_timestamp) {
  elaborator::detail::AudioChunk c;
  c.info.pts = pts;
  c.info.rtp_timestamp = rtp_timestamp;
  c.info.stream_id = "mic";
  c.samples.resize(320);
  std::iota(c.samples.begin(), c.samples.end(), first);
  return c;
}

std::vector<elaborator::AudioWindow> cut(elaborator::SamplingPolicy policy,
                                         const std::vector<elaborator::detail::AudioChunk>& chunks) {
  elaborator::detail::AudioWindower windower(policy);
  std::vector<elaborator::AudioWindow> windows;
  for (const auto& c : chunks) windower.add(c, [&](elaborator::AudioWindow w) { windows.push_back(std::move(w)); });
  return windows;
}

// Chunks of 20 ms in a row from stream time `from`, their samples counting on.
std::vector<elaborator::detail::AudioChunk> in_a_row(int count, std::chrono::milliseconds from = 0ms) {
  std::vector<elaborator::detail::AudioChunk> chunks;
  for (int i = 0; i < count; ++i) {
    chunks.push_back(chunk(static_cast<std::int16_t>(i * 320), from + i * 20ms, static_cast<std::uint32_t>(i * 960)));
  }
  return chunks;
}

}  // namespace

TEST_CASE("audio windows: a window every hop, each as long as asked, its samples in order and its time exact") {
  elaborator::SamplingPolicy policy;
  policy.window = 100ms;
  policy.hop = 50ms;
  const auto windows = cut(policy, in_a_row(10));  // 200 ms: windows at 0, 50 and 100 ms
  REQUIRE(windows.size() == 3);
  for (std::size_t i = 0; i < windows.size(); ++i) {
    const auto& w = windows[i];
    CHECK(w.index() == i);
    CHECK(w.stream_id() == "mic");
    CHECK(w.start() == std::chrono::milliseconds(50 * i));
    CHECK(w.duration() == 100ms);
    CHECK(w.frames() == 1600);
    CHECK(w.samples().front() == static_cast<std::int16_t>(800 * i));
    CHECK(w.samples().back() == static_cast<std::int16_t>(800 * i + 1599));
  }
  // The RTP timestamp of the packet each window's first sample came in: 50 ms is inside the third chunk.
  CHECK(windows[0].rtp_timestamp() == 0u);
  CHECK(windows[1].rtp_timestamp() == 1920u);
  CHECK(windows[2].rtp_timestamp() == 4800u);
}

TEST_CASE("audio windows: a hop longer than the window leaves the audio between them out") {
  elaborator::SamplingPolicy policy;
  policy.window = 20ms;
  policy.hop = 50ms;
  const auto windows = cut(policy, in_a_row(10));
  REQUIRE(windows.size() == 4);  // at 0, 50, 100 and 150 ms
  for (std::size_t i = 0; i < windows.size(); ++i) {
    CHECK(windows[i].start() == std::chrono::milliseconds(50 * i));
    CHECK(windows[i].samples().front() == static_cast<std::int16_t>(800 * i));
  }
}

TEST_CASE("audio windows: after a gap in the stream's time, windows start afresh and never join both sides") {
  elaborator::SamplingPolicy policy;
  policy.window = 100ms;
  auto chunks = in_a_row(3);                    // 60 ms: not a window yet
  for (auto& later : in_a_row(5, 1000ms)) chunks.push_back(later);  // a second later: a window from there
  const auto windows = cut(policy, chunks);
  REQUIRE(windows.size() == 1);
  CHECK(windows[0].start() == 1000ms);
  CHECK(windows[0].samples().front() == 0);
  CHECK(windows[0].index() == 0);  // the first window cut
}

TEST_CASE("audio windows: a result of audio says so, with its window's time range instead of a frame") {
  auto window = elaborator::AudioWindow::from_samples(std::vector<std::int16_t>(1600), 16000, 1, 700ms, "mic");
  const std::vector<elaborator::Detection> none;
  const auto message = elaborator::make_result_message(window, "levels", 3, none, elaborator::Clock::now());
  const auto& body = message.body();
  CHECK(body["schema"] == "elaborator.result/2");
  CHECK(body["media"] == "audio");
  CHECK_FALSE(body.contains("frame"));
  CHECK(body["window"]["start_ns"] == 700'000'000);
  CHECK(body["window"]["end_ns"] == 800'000'000);
  CHECK(body["window"]["sample_rate"] == 16000);
  CHECK(body["window"]["channels"] == 1);
}

TEST_CASE("audio: Opus, PCMU and PCMA over RTP are decoded to 16 kHz mono, at the level they were sent") {
  for (const auto codec : {elaborator::Codec::opus, elaborator::Codec::pcmu, elaborator::Codec::pcma}) {
    DYNAMIC_SECTION(elaborator::to_string(codec)) {
      Levels levels(windows_of(100ms));
      test_support::OwnStream own_stream(levels, audio_on_any_port(codec), "mic");
      auto settings = test_support::test_pattern(codec, 150);  // 1.5 s of a 440 Hz sine
      settings.payload_type = elaborator::default_payload_type(codec);
      settings.sine_volume = 0.5;  // RMS 0.5 / sqrt(2): -9.03 dBFS
      test_support::RtpSender sender(own_stream.port(), settings);
      REQUIRE(sender.wait_until_sent(30s));
      CHECK(test_support::wait_until([&] { return levels.heard().size() >= 12; }, 10s));
      const auto heard = levels.heard();
      const auto stream = own_stream.stream().stats();
      INFO(heard.size() << " windows, " << stream.packets_received << " packets, " << stream.packets_rejected
                        << " rejected, " << stream.frames_decoded << " buffers decoded");
      REQUIRE(heard.size() >= 12);
      CHECK(stream.packets_rejected == 0);
      for (std::size_t i = 1; i + 1 < heard.size(); ++i) {  // the first and last may hold the start and end
        INFO("window " << heard[i].index << " at " << heard[i].start.count() << " ns: " << heard[i].dbfs << " dBFS");
        CHECK(heard[i].sample_rate == 16000);
        CHECK(heard[i].duration == 100ms);
        CHECK(heard[i].start - heard[i - 1].start == 100ms);
        CHECK(std::abs(heard[i].dbfs - -9.03) < 1.0);
      }
    }
  }
}

TEST_CASE("audio: an audio elaboration refuses a video stream, and a video one an audio stream, saying why") {
  Levels levels(windows_of(100ms));
  elaborator::Stream video(elaborator::RtpSource{}, "camera");
  CHECK_THROWS_WITH(levels.start(video), "elaboration levels classifies audio, and its stream carries video");
  CHECK(levels.media() == elaborator::Media::audio);
  elaborator::RtpSource rtcp = audio_on_any_port(elaborator::Codec::opus);
  rtcp.rtcp_port = 0;
  CHECK_THROWS_WITH(elaborator::Stream(rtcp, "mic"),
                    "stream mic: an RTCP port is for keyframe requests, which audio has none of");
}

TEST_CASE("audio: a file's audio, read as fast as it decodes, gives every window of it") {
  test_support::TempDir dir;
  const std::string path = dir.file("tone.wav");
  // One second of 44.1 kHz stereo: resampled and mixed down, ten windows of 100 ms, not one lost.
  test_support::run_pipeline(fmt::format(
      "audiotestsrc num-buffers=100 samplesperbuffer=441 wave=sine volume=0.25 ! audio/x-raw,rate=44100,channels=2 ! "
      "wavenc ! filesink location=\"{}\"", path));
  Levels levels(windows_of(100ms, 1));
  elaborator::FileSource file{path, false, elaborator::Media::audio, {}};
  test_support::OwnStream own_stream(levels, file, "tone");
  REQUIRE(levels.wait_for(30s));
  const auto heard = levels.heard();
  CHECK(heard.size() == 10);
  for (const auto& h : heard) CHECK(std::abs(h.dbfs - -15.05) < 0.5);  // 0.25 / sqrt(2)
}

TEST_CASE("sound_level finds each sentence of real speech between silences, each boundary within 100 ms") {
  if (!test_support::recordings_installed()) return;
  // Debian's five LibriVox sentences, each cut to where the reader speaks (from the first to the last 10 ms
  // at -35 dBFS or more; the room before and after, 200-300 ms, is at -55 to -42), with 1.5 s of silence
  // around each: where they lie is where speech is.
  // The whole file then gets a hiss at -50 dBFS, so that silence is never digital silence.
  std::vector<test_support::Placed> truth;
  auto joined = test_support::joined_recordings(test_support::librivox_recordings(), 1500ms, -35.0, &truth);
  std::mt19937 random(20261205);
  std::uniform_int_distribution<int> hiss(-179, 179);  // uniform: RMS 179 / sqrt(3) = -50 dBFS
  for (auto& sample : joined.samples) sample = static_cast<std::int16_t>(std::clamp(sample + hiss(random), -32768, 32767));
  test_support::TempDir dir;
  test_support::write_wav(dir.file("speech.wav"), joined);
  const elaborator::Kind kind = sound_level_kind();
  nlohmann::json params;
  for (const auto& p : kind.params) params[p.name] = p.fallback;
  elaborator::ElaborationOptions options = windows_of(kind.sampling.window, kind.sampling.queue_capacity);
  options.sinks.push_back(elaborator::JsonLinesSink::open(dir.file("levels.jsonl")));
  {
    SoundLevels levels(options, params);
    elaborator::FileSource file;
    file.path = dir.file("speech.wav");
    file.media = elaborator::Media::audio;
    test_support::OwnStream own_stream(levels, file, "speech");
    REQUIRE(levels.wait_for(60s));
  }
  std::vector<std::pair<double, double>> speech;  // seconds
  std::ifstream lines(dir.file("levels.jsonl"));
  for (std::string line; std::getline(lines, line);) {
    const auto result = nlohmann::json::parse(line);
    if (!result.contains("summary") || result["summary"]["segment"]["label"] != "speech") continue;
    speech.emplace_back(result["summary"]["segment"]["start_ns"].get<double>() / 1e9,
                        result["summary"]["segment"]["end_ns"].get<double>() / 1e9);
  }
  REQUIRE(speech.size() == truth.size());
  for (std::size_t i = 0; i < truth.size(); ++i) {
    const double start = static_cast<double>(truth[i].start) / 16000;
    const double end = static_cast<double>(truth[i].end) / 16000;
    INFO("sentence " << i << ": " << start << " to " << end << " s, found " << speech[i].first << " to " << speech[i].second);
    CHECK(std::abs(speech[i].first - start) <= 0.1);
    CHECK(std::abs(speech[i].second - end) <= 0.1);
  }
}

TEST_CASE("audio streams come and go through the control API as video ones do, and a video kind is refused on them") {
  test_support::ControlApi api(elaborator::Kinds{sound_level_kind(), test_support::counting_kind()});
  const nlohmann::json stream = {{"id", "mic"},
                                 {"rtp", {{"port", 0}, {"codec", "opus"}}},
                                 {"elaborations", {{{"kind", "sound_level"}, {"stdout", false}}}}};
  const auto added = api.post("/v1/streams", stream);
  INFO(added.text);
  REQUIRE(added.status == 201);
  auto settings = test_support::test_pattern(elaborator::Codec::opus, 100);  // 1 s
  settings.payload_type = 111;  // the default for Opus: the request named none
  test_support::RtpSender sender(added.body["rtp_port"].get<std::uint16_t>(), settings);
  const auto classified = [&] {
    return api.get("/v1/streams/mic").body["elaborations"][0]["stats"]["frames_classified"].get<int>();
  };
  CHECK(test_support::wait_until([&] { return classified() >= 15; }, 10s));  // 50 ms windows
  const auto video_kind = api.post("/v1/streams/mic/elaborations", {{"kind", "counting"}, {"stdout", false}});
  CHECK(video_kind.status >= 400);
  CHECK(video_kind.body["error"] == "elaboration counting classifies video, and its stream carries audio");
  CHECK(api.get("/v1/streams/mic").body["stats"]["media"] == "audio");
  CHECK(api.remove("/v1/streams/mic").status == 200);
}

TEST_CASE("audio streams that heard something, added and removed through the API, leave threads, descriptors and "
          "memory where they were") {
  test_support::ControlApi api(elaborator::Kinds{sound_level_kind()});
  int cycles = 0;
  const auto cycle = [&] {
    // Opus and PCMU in turn, each with two elaborations, decoding 100 ms before it goes.
    const auto codec = cycles++ % 2 == 0 ? elaborator::Codec::opus : elaborator::Codec::pcmu;
    const nlohmann::json stream = {{"id", "mic"},
                                   {"rtp", {{"port", 0}, {"codec", std::string(elaborator::to_string(codec))}}},
                                   {"elaborations", {{{"kind", "sound_level"}, {"stdout", false}}}}};
    const auto added = api.post("/v1/streams", stream);
    REQUIRE(added.status == 201);
    REQUIRE(api.post("/v1/streams/mic/elaborations", {{"kind", "sound_level"}, {"name", "second"}, {"stdout", false}})
                .status == 201);
    auto settings = test_support::test_pattern(codec, 10);
    settings.payload_type = elaborator::default_payload_type(codec);
    test_support::RtpSender sender(added.body["rtp_port"].get<std::uint16_t>(), settings);
    REQUIRE(test_support::wait_until(
        [&] { return api.get("/v1/streams/mic").body["elaborations"][1]["stats"]["frames_classified"].get<int>() >= 1; },
        10s));
    REQUIRE(api.remove("/v1/streams/mic").status == 200);
  };
  test_support::check_resources_come_back(cycle, 60);
  CHECK(api.get("/v1/streams").body["streams"].empty());
}

TEST_CASE("a hostile network does not stop an Opus stream, whose windows come back clean once it calms down") {
  Levels levels(windows_of(100ms));
  test_support::OwnStream own_stream(levels, audio_on_any_port(elaborator::Codec::opus), "mic");
  test_support::HostileRelay relay(own_stream.port(), 20261205);
  relay.set_hostility(0.3);  // bit flips, truncation, bogus extensions, reordering, duplicates, strangers
  auto settings = test_support::test_pattern(elaborator::Codec::opus, 150);
  settings.payload_type = elaborator::default_payload_type(elaborator::Codec::opus);
  {
    test_support::RtpSender sender(relay.port(), settings);
    REQUIRE(sender.wait_until_sent(30s));
  }
  CHECK(own_stream.stream().stats().packets_rejected > 0);
  const auto before = levels.heard().size();
  relay.set_hostility(0);
  test_support::RtpSender sender(relay.port(), settings);
  REQUIRE(sender.wait_until_sent(30s));
  CHECK(test_support::wait_until([&] { return levels.heard().size() >= before + 12; }, 10s));
  const auto heard = levels.heard();
  // The sine at its level again, in the windows of the calm second (the last may hold its end).
  CHECK(std::abs(heard[heard.size() - 3].dbfs - -9.03) < 1.0);
}
