// The face_recognizer example as a user runs it, on real faces from Debian's media. Megamind.avi shows two
// animated people: a woman in frames 0-99 and 150-199, a man in frames 100-149 and 200-269. Enrolled from
// the first part of the file, she must be recognized in the later frames (streamed as RTP), and neither
// the man nor Messi (messi5.jpg, a real face) may be taken for her.

#include "support/program.hpp"

#include <catch2/catch.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/videoio.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using test_support::ChildProcess;

namespace {

const std::string data = "/usr/share/doc/opencv-doc/examples/data/";
const std::string messi = data + "messi5.jpg";  // Messi's face is about 37 pixels wide

struct Run {
  std::optional<int> exit_code;
  std::string log;
  std::vector<nlohmann::json> results;
};

Run run(const test_support::TempDir& dir, std::vector<std::string> options) {
  std::vector<std::string> argv{FACE_RECOGNIZER_PATH, "--stats-interval", "0"};
  argv.insert(argv.end(), options.begin(), options.end());
  // Results only where there is an input: without one, result options would have nothing to configure.
  if (std::find(options.begin(), options.end(), "--file") != options.end()) argv.insert(argv.end(), {"--jsonl", dir.file("run.jsonl")});
  std::filesystem::remove(dir.file("run.jsonl"));
  ChildProcess program(argv, dir.file("run.out"), dir.file("run.err"));
  const auto status = program.wait_exit(120s);
  Run result{test_support::exit_code(status), program.standard_error(), {}};
  if (std::filesystem::exists(dir.file("run.jsonl"))) result.results = test_support::results_in(dir.file("run.jsonl"));
  return result;
}

// Labels of every face in a set of results, by frame index.
std::map<int, std::vector<std::string>> labels_by_frame(const std::vector<nlohmann::json>& results) {
  std::map<int, std::vector<std::string>> labels;
  for (const auto& result : results) {
    auto& frame = labels[result["frame"]["index"].get<int>()];
    for (const auto& face : result["detections"]) frame.push_back(face["label"].get<std::string>());
  }
  return labels;
}

std::size_t frames_with(const std::map<int, std::vector<std::string>>& labels, int from, int to, const std::string& label) {
  std::size_t count = 0;
  for (const auto& [index, faces] : labels) {
    if (index >= from && index < to && std::find(faces.begin(), faces.end(), label) != faces.end()) ++count;
  }
  return count;
}

void enroll_roxanne(const test_support::TempDir& dir) {
  if (!std::filesystem::exists(test_support::megamind)) FAIL("missing " << test_support::megamind << ": install opencv-doc");
  const Run enrolled = run(dir, {"--file", test_support::megamind, "--enroll", "roxanne", "--enroll-faces", "60", "--model",
                                 dir.file("faces.yml")});
  INFO(enrolled.log);
  REQUIRE(enrolled.exit_code == 0);
  CHECK(enrolled.log.find("trained on 60 faces of roxanne; '" + dir.file("faces.yml") + "' now knows 1 person") != std::string::npos);
  // 60 faces take the first 60-odd frames, all of the woman; the run ended itself there.
  REQUIRE(enrolled.results.size() >= 60);
  CHECK(enrolled.results.back()["frame"]["index"].get<int>() < 100);
  CHECK(test_support::read_file(dir.file("faces.yml")).find("roxanne") != std::string::npos);
}

void write_frames(const std::string& folder, const std::vector<int>& indices) {
  std::filesystem::create_directories(folder);
  cv::VideoCapture video(test_support::megamind);
  REQUIRE(video.isOpened());
  cv::Mat frame;
  for (int index = 0; video.read(frame) && index <= indices.back(); ++index) {
    if (std::find(indices.begin(), indices.end(), index) != indices.end()) {
      REQUIRE(cv::imwrite(folder + "/frame" + std::to_string(index) + ".png", frame));
    }
  }
}

}  // namespace

TEST_CASE("face_recognizer enrolled from the start of Megamind.avi recognizes her later over RTP, and nobody else as her") {
  test_support::TempDir dir;
  enroll_roxanne(dir);

  ChildProcess recognizer({FACE_RECOGNIZER_PATH, "--model", dir.file("faces.yml"), "--rtp-port", "0", "--jsonl",
                           dir.file("faces.jsonl"), "--stats-interval", "2", "--ready-file", dir.file("ready.json")},
                          dir.file("stdout"), dir.file("stderr"));
  test_support::stream_megamind_to(test_support::rtp_port_in(dir.file("ready.json")), dir.file("faces.jsonl"));
  test_support::stop_cleanly(recognizer);
  const auto labels = labels_by_frame(test_support::results_in(dir.file("faces.jsonl")));
  INFO(labels.size() << " frames classified");
  REQUIRE(labels.size() >= 60);
  CHECK(frames_with(labels, 170, 200, "roxanne") >= 3);  // she is back, after the man's scene
  CHECK(frames_with(labels, 100, 150, "roxanne") == 0);  // the man
  CHECK(frames_with(labels, 205, 270, "roxanne") == 0);  // the man again
  CHECK(frames_with(labels, 205, 270, "unknown") >= 10);

  const Run someone_else = run(dir, {"--model", dir.file("faces.yml"), "--file", messi, "--min-face", "30"});
  INFO(someone_else.log);
  REQUIRE(someone_else.exit_code == 0);
  REQUIRE(someone_else.results.size() == 1);
  const auto& faces = someone_else.results[0]["detections"];
  REQUIRE_FALSE(faces.empty());
  for (const auto& face : faces) {
    CHECK(face["label"] == "unknown");
    CHECK(face["nearest"] == "roxanne");
    CHECK(face["distance"].get<double>() > 110);
  }
}

TEST_CASE("face_recognizer trains from a folder of labelled images, saves the model as YAML, and recognizes with it") {
  test_support::TempDir dir;
  write_frames(dir.file("people/roxanne"), {10, 20, 30, 40, 50, 60});
  std::filesystem::create_directories(dir.file("people/messi"));
  std::filesystem::copy_file(messi, dir.file("people/messi/messi5.jpg"));
  { std::ofstream(dir.file("people/README")) << "top-level files are not people\n"; }

  const Run trained = run(dir, {"--train-dir", dir.file("people"), "--model", dir.file("people.yml"), "--min-face", "30"});
  INFO(trained.log);
  REQUIRE(trained.exit_code == 0);
  CHECK(trained.log.find("now knows 2 people") != std::string::npos);
  const std::string model = test_support::read_file(dir.file("people.yml"));
  CHECK(model.rfind("%YAML", 0) == 0);
  CHECK(model.find("roxanne") != std::string::npos);
  CHECK(model.find("messi") != std::string::npos);

  const Run is_messi = run(dir, {"--model", dir.file("people.yml"), "--file", messi, "--min-face", "30"});
  INFO(is_messi.log);
  REQUIRE(is_messi.results.size() == 1);
  CHECK(frames_with(labels_by_frame(is_messi.results), 0, 1, "messi") == 1);
  const Run is_roxanne = run(dir, {"--model", dir.file("people.yml"), "--file", dir.file("people/roxanne/frame30.png")});
  INFO(is_roxanne.log);
  REQUIRE(is_roxanne.results.size() == 1);
  CHECK(frames_with(labels_by_frame(is_roxanne.results), 0, 1, "roxanne") == 1);
}

TEST_CASE("face_recognizer refuses bad training data with what is wrong and where, exit 1") {
  test_support::TempDir dir;
  const auto fails_with = [&](const std::string& folder, const std::string& reason) {
    const Run trained = run(dir, {"--train-dir", folder, "--model", dir.file("bad.yml")});
    INFO(trained.log);
    CHECK(trained.exit_code == 1);
    CHECK(trained.log.find(reason) != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(dir.file("bad.yml")));
  };
  fails_with(dir.file("missing"), "training folder '" + dir.file("missing") + "' does not exist");
  std::filesystem::create_directories(dir.file("empty"));
  fails_with(dir.file("empty"), "training folder '" + dir.file("empty") + "' has no subfolders");
  std::filesystem::create_directories(dir.file("no_images/alice"));
  { std::ofstream(dir.file("no_images/alice/notes.txt")) << "not an image\n"; }
  fails_with(dir.file("no_images"), "'" + dir.file("no_images/alice") + "' holds no images");
  std::filesystem::create_directories(dir.file("unreadable/alice"));
  { std::ofstream(dir.file("unreadable/alice/1.jpg")) << "this is no JPEG"; }
  fails_with(dir.file("unreadable"), "cannot read the image '" + dir.file("unreadable/alice/1.jpg") + "'");
  std::filesystem::create_directories(dir.file("faceless/alice"));
  REQUIRE(cv::imwrite(dir.file("faceless/alice/wall.png"), cv::Mat(240, 320, CV_8UC1, cv::Scalar(128))));
  fails_with(dir.file("faceless"), "no face found in '" + dir.file("faceless/alice/wall.png") + "'");
}

TEST_CASE("face_recognizer without a model, or enrolling without an input, says what to do") {
  test_support::TempDir dir;
  const Run no_model = run(dir, {"--model", dir.file("none.yml"), "--rtp-port", "0"});
  CHECK(no_model.exit_code == 1);
  CHECK(no_model.log.find("no model at '" + dir.file("none.yml") + "'; train one first") != std::string::npos);
  const Run no_input = run(dir, {"--enroll", "alice", "--model", dir.file("none.yml")});
  CHECK(no_input.exit_code == 2);
  CHECK(no_input.log.find("--enroll needs an input") != std::string::npos);
  const Run nothing = run(dir, {"--model", dir.file("none.yml")});
  CHECK(nothing.exit_code == 2);
  CHECK(nothing.log.find("give an input") != std::string::npos);
  const Run not_yaml = run(dir, {"--model", dir.file("faces.xml"), "--rtp-port", "0"});
  CHECK(not_yaml.exit_code == 2);
  CHECK(not_yaml.log.find(".yml or .yaml") != std::string::npos);
}

TEST_CASE("face_recognizer refuses a model file that LBPH did not write, at once, saying which line is wrong") {
  test_support::TempDir dir;
  const auto refused_with = [&](const std::string& text, const std::string& reason) {
    { std::ofstream(dir.file("bad.yml"), std::ios::binary) << text; }
    const Run loaded = run(dir, {"--model", dir.file("bad.yml"), "--rtp-port", "0"});
    INFO(loaded.log);
    CHECK(loaded.exit_code == 1);
    CHECK(loaded.log.find(dir.file("bad.yml") + ": " + reason) != std::string::npos);
  };
  // Found by fuzzing (fuzz/corpus/training_data/timeout-opencv-yaml-parser): OpenCV's own parser ran on it
  // for minutes.
  refused_with("%YAML:1.0cv_lbphfaces:\n   thrhbors: 8\n   grid_x: 1\nms:    - !!opencv-matrix\n        \316\365\337ue: other\n",
               "line 1: does not start with '%YAML:1.0'");
  refused_with("%YAML:1.0\n---\nopencv_lbphfaces:\n   radius: 1\n   histograms:\n      - !!opencv-matrix\n         rows: 1\n"
               "         cols: 256\n         dt: f\n         data: [ 1., 0.,\n",
               "line 11: a '[' is never closed");
  refused_with("%YAML:1.0\n---\nopencv_lbphfaces:\n   threshold: 1.\n   radius: 1\n   neighbors: 8\n   grid_x: 0\n   grid_y: 8\n",
               "LBPH parameters grid 0x8, radius 1, neighbors 8 are not a real model");
}
