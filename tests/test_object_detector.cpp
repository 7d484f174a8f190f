// The object_detector example as a user runs it, on Debian's Megamind.avi streamed as VP8 RTP over
// 127.0.0.1. The seed's SSD MobileNet weights are not on this machine (no Debian package ships them), so it
// runs the painted SSD head of tests/data through the same command-line options a user has for any SSD
// model: its detections are the 3x3 grid cells whose mean colour passes the threshold.

#include "support/program.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using test_support::ChildProcess;

namespace {

const std::string data_dir = TEST_DATA_DIR;

std::vector<std::string> painted_head(std::vector<std::string> extra) {
  std::vector<std::string> argv{OBJECT_DETECTOR_PATH,
                                "--model", data_dir + "/painted_ssd.prototxt",
                                "--config", "",
                                "--labels", data_dir + "/painted_ssd_labels.txt",
                                "--channel-order", "bgr",
                                "--scale", "0.00392156862745098"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return argv;
}

bool is_third(double value) {
  return std::abs(value) < 1e-6 || std::abs(value - 0.3333) < 1e-6 || std::abs(value - 0.6667) < 1e-6;
}

}  // namespace

TEST_CASE("object_detector on Megamind over RTP reports its model's detections: cells, kept classes, over the threshold") {
  test_support::TempDir dir;
  ChildProcess detector(painted_head({"--rtp-port", "0", "--threshold", "0.3", "--classes", "red", "--jsonl",
                                      dir.file("objects.jsonl"), "--stats-interval", "2", "--ready-file", dir.file("ready.json")}),
                        dir.file("stdout"), dir.file("stderr"));
  test_support::stream_megamind_to(test_support::rtp_port_in(dir.file("ready.json")), dir.file("objects.jsonl"));
  test_support::stop_cleanly(detector);

  const auto results = test_support::results_in(dir.file("objects.jsonl"));
  INFO(results.size() << " results");
  REQUIRE(results.size() >= 100);  // 270 frames at 24 fps, a few milliseconds each
  std::size_t in_the_reddish_part = 0;
  std::size_t red_at_the_bottom = 0;
  for (const auto& result : results) {
    const auto index = result["frame"]["index"].get<int>();
    bool bottom_centre = false;
    for (const auto& d : result["detections"]) {
      INFO(d.dump());
      CHECK(d["label"] == "red");  // "green" passes the threshold in the last frames, and is filtered out
      CHECK(d["confidence"].get<double>() >= 0.3);
      CHECK(d["confidence"].get<double>() <= 1.0);
      CHECK(is_third(d["box"]["x"].get<double>()));
      CHECK(is_third(d["box"]["y"].get<double>()));
      CHECK(d["box"]["w"].get<double>() == Approx(0.3333));
      CHECK(d["box"]["h"].get<double>() == Approx(0.3333));
      bottom_centre = bottom_centre || (d["box"]["x"] == 0.3333 && d["box"]["y"] == 0.6667);
    }
    // The bottom centre cell has a mean red of 98-114 out of 255 in frames 30-200 (measured on the file).
    if (index >= 30 && index < 200) {
      ++in_the_reddish_part;
      if (bottom_centre) ++red_at_the_bottom;
    }
  }
  INFO(red_at_the_bottom << " of " << in_the_reddish_part << " results of frames 30-199 have red at the bottom centre");
  CHECK(in_the_reddish_part >= 50);
  CHECK(red_at_the_bottom * 10 >= in_the_reddish_part * 9);
  CHECK(detector.standard_error().find("summary of stream/object_detector") != std::string::npos);
}

TEST_CASE("object_detector without its model says which script fetches it, and exits 1") {
  test_support::TempDir dir;
  ::setenv("ELABORATOR_MODELS", dir.file("models").c_str(), 1);
  ChildProcess detector({OBJECT_DETECTOR_PATH, "--rtp-port", "0"}, dir.file("stdout"), dir.file("stderr"));
  const auto status = detector.wait_exit(20s);
  ::unsetenv("ELABORATOR_MODELS");
  const std::string log = detector.standard_error();
  INFO(log);
  CHECK(test_support::exit_code(status) == 1);
  CHECK(log.find("examples/models/fetch_ssd_mobilenet.sh") != std::string::npos);
  CHECK(log.find(dir.file("models") + "/ssd_mobilenet_v2_coco_2018_03_29/frozen_inference_graph.pb") != std::string::npos);
}

TEST_CASE("object_detector --help explains its options, and a bad value exits 2 with the reason") {
  test_support::TempDir dir;
  ChildProcess help({OBJECT_DETECTOR_PATH, "--help"}, dir.file("help"), dir.file("help.err"));
  CHECK(test_support::exited_cleanly(help.wait_exit(10s)));
  const std::string text = help.standard_output();
  for (const char* option : {"--model", "--config", "--labels", "--first-class-id", "--threshold", "--classes",
                             "--input-size", "--scale", "--mean", "--channel-order", "--threads", "fetch_ssd_mobilenet.sh",
                             "--rtp-port", "--udp"}) {
    CHECK(text.find(option) != std::string::npos);
  }

  const std::vector<std::pair<std::vector<std::string>, std::string>> bad{
      {{"--input-size", "300"}, "--input-size: '300' is not WIDTHxHEIGHT"},
      {{"--channel-order", "rbg"}, "--channel-order: 'rbg' is neither rgb nor bgr"},
      {{"--threshold", "1.5"}, "--threshold: must be a number from 0 to 1"},
      {{"--mean", "1,2"}, "--mean: takes one value, or three"},
  };
  for (const auto& [options, reason] : bad) {
    std::vector<std::string> argv = painted_head({"--rtp-port", "0"});
    argv.insert(argv.end(), options.begin(), options.end());
    ChildProcess program(argv, dir.file("out"), dir.file("err"));
    const auto status = program.wait_exit(10s);
    INFO(program.standard_error());
    CHECK(test_support::exit_code(status) == 2);
    CHECK(program.standard_error().find(reason) != std::string::npos);
  }
}
