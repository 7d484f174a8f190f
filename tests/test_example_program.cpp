// The face_detector example as a user runs it: a separate process receiving Debian's Megamind.avi as VP8
// RTP over 127.0.0.1, stopped by a signal. Every process started here is killed by PID on any exit.

#include "support/program.hpp"
#include "support/udp_receiver.hpp"

#include <catch2/catch.hpp>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <string>

using namespace std::chrono_literals;
using test_support::exited_cleanly;
using test_support::lines_of;
using test_support::megamind;

TEST_CASE("face_detector finds Megamind's faces in a live RTP stream and stops within a second on SIGTERM") {
  if (!std::filesystem::exists(megamind)) FAIL("missing " << megamind << ": install Debian's opencv-doc");
  test_support::TempDir dir;
  const std::uint16_t port = test_support::free_udp_port();
  test_support::ChildProcess detector({FACE_DETECTOR_PATH, "--rtp-port", std::to_string(port), "--jsonl",
                                       dir.file("faces.jsonl"), "--stats-interval", "1", "--ready-file", dir.file("ready.json")},
                                      dir.file("stdout"), dir.file("stderr"));
  CHECK(test_support::rtp_port_in(dir.file("ready.json")) == port);

  test_support::SenderSettings megamind_vp8;
  megamind_vp8.file = megamind;
  test_support::RtpSender sender(port, megamind_vp8);
  // Mid-stream: once 40 results are written, ask it to stop.
  REQUIRE(test_support::wait_until([&] { return lines_of(test_support::read_file(dir.file("faces.jsonl"))).size() >= 40; }, 30s));
  const auto asked = std::chrono::steady_clock::now();
  detector.signal(SIGTERM);
  const auto status = detector.wait_exit(2 * test_support::stop_deadline);
  const auto took = std::chrono::steady_clock::now() - asked;
  INFO("stopped in " << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms");
  CHECK(exited_cleanly(status));
  CHECK(took < test_support::stop_deadline);

  std::size_t with_faces = 0;
  const auto lines = lines_of(test_support::read_file(dir.file("faces.jsonl")));
  for (const auto& line : lines) {
    const auto message = nlohmann::json::parse(line);  // every line is whole: sinks were flushed
    for (const auto& d : message["detections"]) {
      CHECK(d["label"] == "face");
      CHECK(d["box"]["x"].get<double>() >= 0.0);
      CHECK(d["box"]["x"].get<double>() + d["box"]["w"].get<double>() <= 1.0);
    }
    if (!message["detections"].empty()) ++with_faces;
  }
  INFO(with_faces << " of " << lines.size() << " results have faces");
  CHECK(with_faces * 10 >= lines.size() * 7);  // faces are in 230 of Megamind's 270 frames
  const std::string log = detector.standard_error();
  CHECK(log.find("stopping on signal 15") != std::string::npos);
  CHECK(log.find("summary of stream/face_detector") != std::string::npos);
  CHECK(log.find("in ") != std::string::npos);  // the periodic statistics line
}

TEST_CASE("face_detector that never received a packet stops within a second on SIGINT") {
  test_support::TempDir dir;
  test_support::ChildProcess detector({FACE_DETECTOR_PATH, "--rtp-port", "0", "--stats-interval", "0", "--ready-file",
                                       dir.file("ready.json")},
                                      dir.file("stdout"), dir.file("stderr"));
  test_support::ready_state(dir.file("ready.json"));
  const auto asked = std::chrono::steady_clock::now();
  detector.signal(SIGINT);
  const auto status = detector.wait_exit(2 * test_support::stop_deadline);
  const auto took = std::chrono::steady_clock::now() - asked;
  INFO("stopped in " << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms");
  CHECK(exited_cleanly(status));
  CHECK(took < test_support::stop_deadline);
  CHECK(detector.standard_error().find("0 decoded") != std::string::npos);
}

TEST_CASE("face_detector --help explains every option group and a bad command line exits 2 with the reason") {
  test_support::TempDir dir;
  test_support::ChildProcess help({FACE_DETECTOR_PATH, "--help"}, dir.file("help"), dir.file("help.err"));
  CHECK(exited_cleanly(help.wait_exit(10s)));
  const std::string text = help.standard_output();
  for (const char* expected : {"--rtp-port", "--codec", "--file", "--pipeline", "--every", "--max-fps", "--queue",
                               "--udp", "--jsonl", "--stdout", "--stats-interval", "--min-face", "--cascade"}) {
    CHECK(text.find(expected) != std::string::npos);
  }

  test_support::ChildProcess no_input({FACE_DETECTOR_PATH}, dir.file("out"), dir.file("err"));
  const auto status = no_input.wait_exit(10s);
  REQUIRE(status);
  CHECK(WEXITSTATUS(*status) == 2);
  CHECK(no_input.standard_error().find("give exactly one input") != std::string::npos);
  CHECK(no_input.standard_error().find("--control") != std::string::npos);  // or take streams through the API

  test_support::ChildProcess bad_cascade({FACE_DETECTOR_PATH, "--rtp-port", "0", "--cascade", "/nonexistent.xml"},
                                         dir.file("out2"), dir.file("err2"));
  const auto bad_status = bad_cascade.wait_exit(10s);
  REQUIRE(bad_status);
  CHECK(WEXITSTATUS(*bad_status) == 1);
  CHECK(bad_cascade.standard_error().find("/nonexistent.xml") != std::string::npos);
}

TEST_CASE("a program whose classify() never returns still exits cleanly within a second of SIGTERM") {
  if (!std::filesystem::exists(megamind)) FAIL("missing " << megamind << ": install Debian's opencv-doc");
  test_support::TempDir dir;
  test_support::ChildProcess stuck({LONG_CLASSIFY_PATH, "--rtp-port", "0", "--classify-ms", "60000", "--jsonl",
                                    dir.file("results.jsonl"), "--stats-interval", "0", "--ready-file", dir.file("ready.json")},
                                   dir.file("stdout"), dir.file("stderr"));
  test_support::SenderSettings megamind_vp8;
  megamind_vp8.file = megamind;
  test_support::RtpSender sender(test_support::rtp_port_in(dir.file("ready.json")), megamind_vp8);
  REQUIRE(test_support::wait_until([&] { return stuck.standard_error().find("classify started") != std::string::npos; }, 20s));

  const auto asked = std::chrono::steady_clock::now();
  stuck.signal(SIGTERM);
  const auto status = stuck.wait_exit(2 * test_support::stop_deadline);
  const auto took = std::chrono::steady_clock::now() - asked;
  const std::string log = stuck.standard_error();
  INFO(log);
  INFO("stopped in " << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms");
  CHECK(exited_cleanly(status));
  CHECK(took < test_support::stop_deadline);
  CHECK(std::regex_search(log, std::regex(R"(still running \d+ ms after the stop request)")));
  CHECK(test_support::summary_number(log, R"((\d+) decoded)") >= 1);  // the summary is printed all the same
  CHECK(test_support::read_file(dir.file("results.jsonl")).empty());     // the stuck frame never had a result
}

// The summary a program printed for one stream/elaboration, for summary_number().
static std::string summary_of(const std::string& log, const std::string& stream_and_elaboration) {
  const auto start = log.find("summary of " + stream_and_elaboration);
  if (start == std::string::npos) return {};
  return log.substr(start, log.find("summary of ", start + 1) - start);
}

TEST_CASE("face_detector receives every --stream in one process and keeps their results apart") {
  test_support::TempDir dir;
  test_support::ChildProcess detector({FACE_DETECTOR_PATH, "--stream", "left=0", "--stream", "right=0", "--jsonl",
                                       dir.file("results.jsonl"), "--stats-interval", "0", "--ready-file", dir.file("ready.json")},
                                      dir.file("stdout"), dir.file("stderr"));
  std::map<std::string, std::uint16_t> ports{{"left", test_support::rtp_port_in(dir.file("ready.json"), "left")},
                                             {"right", test_support::rtp_port_in(dir.file("ready.json"), "right")}};
  {
    test_support::RtpSender left(ports["left"], test_support::test_pattern(elaborator::Codec::vp8, 60));
    test_support::RtpSender right(ports["right"], test_support::test_pattern(elaborator::Codec::vp8, 30));
    REQUIRE(left.wait_until_sent(20s));
    REQUIRE(right.wait_until_sent(20s));
  }
  // The last frame of each stream has its result (the queue keeps the newest frame: the last is always
  // classified): every frame sent was decoded, and every frame picked has been dealt with.
  std::map<std::string, std::int64_t> last;
  const bool last_classified = test_support::wait_until(
      [&] {
        last.clear();
        for (const auto& line : lines_of(test_support::read_file(dir.file("results.jsonl")))) {
          const auto result = nlohmann::json::parse(line, nullptr, false);  // discarded: a line being written
          if (result.is_discarded()) continue;
          auto& index = last[result["stream"].get<std::string>()];
          index = std::max(index, result["frame"]["index"].get<std::int64_t>());
        }
        return last["left"] == 59 && last["right"] == 29;
      },
      10s);
  INFO("the last frames with a result: left " << last["left"] << ", right " << last["right"]);
  CHECK(last_classified);
  test_support::stop_cleanly(detector);

  const std::string log = detector.standard_error();
  INFO(log);
  CHECK(test_support::summary_number(summary_of(log, "left/face_detector"), R"((\d+) decoded)") == 60);
  CHECK(test_support::summary_number(summary_of(log, "right/face_detector"), R"((\d+) decoded)") == 30);
  std::map<std::string, std::uint64_t> results;
  for (const auto& result : test_support::results_in(dir.file("results.jsonl"))) ++results[result["stream"]];
  CHECK(results.size() == 2);
  CHECK(results["left"] == test_support::summary_number(summary_of(log, "left/face_detector"), R"((\d+) sent)"));
  CHECK(results["right"] == test_support::summary_number(summary_of(log, "right/face_detector"), R"((\d+) sent)"));
  CHECK(results["right"] > 0);
}

TEST_CASE("a streams file gives each elaboration of one decoded stream its own sampling, sinks and params") {
  if (!std::filesystem::exists(megamind)) FAIL("missing " << megamind << ": install Debian's opencv-doc");
  test_support::TempDir dir;
  const nlohmann::json config = {
      {"stats_interval", 0},
      {"streams",
       {{{"id", "film"},
         {"file", {{"path", megamind}}},
         {"elaborations",
          {{{"name", "faces"}, {"every", 10}, {"jsonl", dir.file("faces.jsonl")}},
           {{"name", "only-huge-faces"}, {"every", 30}, {"jsonl", dir.file("huge.jsonl")},
            {"params", {{"min_face", 600}}}}}}}}}};
  std::ofstream(dir.file("streams.json")) << config.dump();
  test_support::ChildProcess detector({FACE_DETECTOR_PATH, "--streams-file", dir.file("streams.json")},
                                      dir.file("stdout"), dir.file("stderr"));
  const auto status = detector.wait_exit(60s);
  const std::string log = detector.standard_error();
  INFO(log);
  REQUIRE(exited_cleanly(status));

  const auto faces = test_support::results_in(dir.file("faces.jsonl"));
  const auto huge = test_support::results_in(dir.file("huge.jsonl"));
  CHECK(faces.size() == 27);  // 270 frames, every 10th
  CHECK(huge.size() == 9);    // every 30th
  std::size_t with_faces = 0;
  for (const auto& r : faces) with_faces += r["detections"].empty() ? 0 : 1;
  CHECK(with_faces >= 20);
  for (const auto& r : huge) CHECK(r["detections"].empty());  // no face is 600 pixels tall in a 528-pixel frame
  CHECK(test_support::summary_number(summary_of(log, "film/faces"), R"((\d+) decoded)") == 270);
  CHECK(test_support::summary_number(summary_of(log, "film/only-huge-faces"), R"((\d+) decoded)") == 270);
}

TEST_CASE("options come from ELABORATOR_ environment variables, and the command line wins") {
  if (!std::filesystem::exists(megamind)) FAIL("missing " << megamind << ": install Debian's opencv-doc");
  test_support::TempDir dir;
  test_support::ChildProcess detector(
      {FACE_DETECTOR_PATH, "--name", "from-command-line"}, dir.file("stdout"), dir.file("stderr"),
      {"ELABORATOR_FILE=" + megamind, "ELABORATOR_EVERY=90", "ELABORATOR_JSONL=" + dir.file("results.jsonl"),
       "ELABORATOR_STDOUT=1", "ELABORATOR_STREAM_ID=from-environment", "ELABORATOR_NAME=overridden",
       "ELABORATOR_STATS_INTERVAL=0"});
  const auto status = detector.wait_exit(60s);
  INFO(detector.standard_error());
  REQUIRE(exited_cleanly(status));
  const auto results = test_support::results_in(dir.file("results.jsonl"));
  REQUIRE(results.size() == 3);  // frames 0, 90 and 180
  for (const auto& r : results) {
    CHECK(r["stream"] == "from-environment");
    CHECK(r["elaboration"] == "from-command-line");
    CHECK(r["frame"]["index"].get<int>() % 90 == 0);
  }
  CHECK(test_support::lines_of(detector.standard_output()).size() == 3);  // ELABORATOR_STDOUT=1: a flag

  test_support::ChildProcess bad({FACE_DETECTOR_PATH, "--rtp-port", "0"}, dir.file("out2"), dir.file("err2"),
                                 {"ELABORATOR_EVERY=often"});
  CHECK(test_support::exit_code(bad.wait_exit(10s)) == 2);
  CHECK(bad.standard_error().find("--every=often") != std::string::npos);
}

TEST_CASE("face_detector with --control and no stream takes streams through the API, and its ready file follows them") {
  test_support::TempDir dir;
  const std::string ready = dir.file("ready.json");
  test_support::ChildProcess detector({FACE_DETECTOR_PATH, "--control", "127.0.0.1:0", "--ready-file", ready, "--stats-interval", "0"},
                                      dir.file("stdout"), dir.file("stderr"));
  const nlohmann::json empty = test_support::ready_state(ready);
  INFO(empty.dump() << "\n" << detector.standard_error());
  CHECK(empty["streams"].empty());
  const std::string control = empty["control"];
  httplib::Client api("http://" + control);

  const nlohmann::json camera = {{"id", "camera"}, {"rtp", {{"port", 0}}}, {"elaborations", {{{"jsonl", dir.file("faces.jsonl")}}}}};
  const auto added = api.Post("/v1/streams", camera.dump(), "application/json");
  REQUIRE(added);
  REQUIRE(added->status == 201);
  const auto port = nlohmann::json::parse(added->body)["rtp_port"].get<std::uint16_t>();
  CHECK(test_support::rtp_port_in(ready, "camera") == port);  // rewritten before the answer
  {
    test_support::RtpSender sender(port, test_support::test_pattern(elaborator::Codec::vp8, 30));
    REQUIRE(sender.wait_until_sent(20s));
  }
  REQUIRE(test_support::wait_until([&] { return test_support::results_in(dir.file("faces.jsonl")).size() >= 20; }, 10s));
  const auto removed = api.Delete("/v1/streams/camera");
  REQUIRE(removed);
  CHECK(removed->status == 200);
  CHECK(test_support::ready_state(ready)["streams"].empty());

  detector.signal(SIGTERM);
  CHECK(exited_cleanly(detector.wait_exit(5s)));
  CHECK_FALSE(std::filesystem::exists(ready));  // what is not running is not ready
  CHECK(detector.standard_error().find("summary of camera/face_detector") != std::string::npos);
}
