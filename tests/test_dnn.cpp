// SSD output decoding on real cv::dnn forward passes, on networks that run here and whose output the test
// controls (no Debian package ships detection weights): a Caffe SSD head whose detections are painted into
// the image (tests/data/painted_ssd.prototxt), and an ONNX model built at test time with Debian's
// python3-onnx that returns planted rows. Boxes, labels, the scaling back to frame pixels, the threshold
// and the class filter are checked exactly.

#include "support/child_process.hpp"
#include "support/temp_dir.hpp"

#include "ssd_output.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <opencv2/dnn.hpp>

#include <sys/wait.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <tuple>
#include <vector>

using namespace std::chrono_literals;
using elaborator::Detection;
using ssd::Labels;
using ssd::SsdFilter;

namespace {

const std::string data_dir = TEST_DATA_DIR;
const std::string coco_labels = "/usr/share/doc/opencv-doc/examples/data/dnn/object_detection_classes_coco.txt";
const cv::Size frame_size(720, 528);  // Megamind.avi's: the 3x3 cells are 240x176 pixels

cv::Rect cell(int row, int column) { return {column * 240, row * 176, 240, 176}; }

// A black frame with three painted cells: green (class 1) at 1.0; red (class 2) at 178/255; and one with
// both, green at 100/255 and red at 200/255.
cv::Mat painted_frame() {
  cv::Mat frame(frame_size, CV_8UC3, cv::Scalar::all(0));
  frame(cell(0, 0)).setTo(cv::Scalar(0, 255, 0));
  frame(cell(1, 2)).setTo(cv::Scalar(0, 0, 178));
  frame(cell(2, 1)).setTo(cv::Scalar(0, 100, 200));
  return frame;
}

cv::Mat forward(cv::dnn::Net& net, const cv::Mat& frame) {
  net.setInput(cv::dnn::blobFromImage(frame, 1.0 / 255, cv::Size(300, 300), cv::Scalar(), false, false));
  return net.forward();
}

std::vector<Detection> painted_detections(const SsdFilter& filter) {
  cv::dnn::Net net = cv::dnn::readNet(data_dir + "/painted_ssd.prototxt");
  REQUIRE_FALSE(net.empty());
  return ssd::decode_ssd(forward(net, painted_frame()), Labels::load(data_dir + "/painted_ssd_labels.txt"), filter);
}

// label, cell in frame pixels, confidence; sorted, since DetectionOutput orders by class, then confidence.
using Found = std::tuple<std::string, int, int, int, int, float>;

std::vector<Found> found(const std::vector<Detection>& detections) {
  std::vector<Found> all;
  for (const auto& d : detections) {
    const cv::Rect pixels = d.box.to_pixels(frame_size);
    all.emplace_back(d.label, pixels.x, pixels.y, pixels.width, pixels.height, d.confidence);
  }
  std::sort(all.begin(), all.end());
  return all;
}

void check_found(const std::vector<Detection>& detections, const std::vector<Found>& expected) {
  const auto actual = found(detections);
  REQUIRE(actual.size() == expected.size());
  for (std::size_t i = 0; i < actual.size(); ++i) {
    INFO("detection " << i << ": " << std::get<0>(actual[i]));
    CHECK(std::get<0>(actual[i]) == std::get<0>(expected[i]));
    CHECK(std::get<1>(actual[i]) == std::get<1>(expected[i]));
    CHECK(std::get<2>(actual[i]) == std::get<2>(expected[i]));
    CHECK(std::get<3>(actual[i]) == std::get<3>(expected[i]));
    CHECK(std::get<4>(actual[i]) == std::get<4>(expected[i]));
    CHECK(std::get<5>(actual[i]) == Approx(std::get<5>(expected[i])).margin(0.002));
  }
}

void check_box(const elaborator::Box& actual, const elaborator::Box& expected) {
  CHECK(actual.x == Approx(expected.x));
  CHECK(actual.y == Approx(expected.y));
  CHECK(actual.width == Approx(expected.width));
  CHECK(actual.height == Approx(expected.height));
}

// Builds the planted-rows ONNX model with Debian's system python3 and python3-onnx.
std::string planted_onnx(const test_support::TempDir& dir, const nlohmann::json& rows) {
  const std::string model = dir.file("planted.onnx");
  test_support::ChildProcess python({"/usr/bin/python3", data_dir + "/planted_ssd_onnx.py", model, "300", "300", rows.dump()},
                                    dir.file("python.out"), dir.file("python.err"));
  const auto status = python.wait_exit(60s);
  INFO(python.standard_error());
  if (!status || !WIFEXITED(*status) || WEXITSTATUS(*status) != 0) {
    FAIL("could not build the ONNX model: needs Debian's python3-onnx and python3-numpy for /usr/bin/python3");
  }
  return model;
}

}  // namespace

TEST_CASE("a Caffe SSD head run by cv::dnn finds the painted cells, labelled, boxed exactly in frame pixels") {
  check_found(painted_detections({0.5F, {}}), {
                                                  {"green", 0, 0, 240, 176, 1.0F},
                                                  {"red", 240, 352, 240, 176, 200.0F / 255},
                                                  {"red", 480, 176, 240, 176, 178.0F / 255},
                                              });
}

TEST_CASE("the confidence threshold keeps exactly the detections at or above it") {
  check_found(painted_detections({0.3F, {}}), {
                                                  {"green", 0, 0, 240, 176, 1.0F},
                                                  {"green", 240, 352, 240, 176, 100.0F / 255},
                                                  {"red", 240, 352, 240, 176, 200.0F / 255},
                                                  {"red", 480, 176, 240, 176, 178.0F / 255},
                                              });
  check_found(painted_detections({0.75F, {}}), {
                                                   {"green", 0, 0, 240, 176, 1.0F},
                                                   {"red", 240, 352, 240, 176, 200.0F / 255},
                                               });
  // With nothing asked for, DetectionOutput's rows of zeros still come: they are no detections.
  CHECK(painted_detections({0.0F, {}}).size() == 4);
}

TEST_CASE("the class filter keeps only the named classes") {
  check_found(painted_detections({0.3F, {"red"}}), {
                                                       {"red", 240, 352, 240, 176, 200.0F / 255},
                                                       {"red", 480, 176, 240, 176, 178.0F / 255},
                                                   });
  check_found(painted_detections({0.3F, {"green", "person"}}), {
                                                                   {"green", 0, 0, 240, 176, 1.0F},
                                                                   {"green", 240, 352, 240, 176, 100.0F / 255},
                                                               });
  CHECK(painted_detections({0.3F, {"person"}}).empty());
}

TEST_CASE("an ONNX model's planted rows are decoded exactly, clipped to the frame, with COCO's labels") {
  test_support::TempDir dir;
  const nlohmann::json rows = {
      {0, 1, 0.9, 0.1, 0.2, 0.5, 0.6},     // person
      {0, 3, 0.6, -0.1, 0.5, 0.3, 1.25},   // car, reaching past the left and bottom edges
      {0, 18, 0.45, 0.2, 0.2, 0.4, 0.4},   // dog, under the threshold
      {0, 99, 0.8, 0.5, 0.5, 0.75, 0.75},  // an id the labels file does not name
      {0, 1, 0.95, 0.3, 0.3, 0.3, 0.5},    // no width: not a detection
      {0, 0, 0, 0, 0, 0, 0},               // padding
  };
  cv::dnn::Net net = cv::dnn::readNet(planted_onnx(dir, rows));
  REQUIRE_FALSE(net.empty());
  const cv::Mat frame(frame_size, CV_8UC3, cv::Scalar(40, 80, 120));
  const auto detections = ssd::decode_ssd(forward(net, frame), Labels::load(coco_labels), {0.5F, {}});
  REQUIRE(detections.size() == 3);
  CHECK(detections[0].label == "person");
  CHECK(detections[0].confidence == Approx(0.9));
  check_box(detections[0].box, {0.1F, 0.2F, 0.4F, 0.4F});
  CHECK(detections[0].box.to_pixels(frame_size) == cv::Rect(cv::Point(72, 106), cv::Point(360, 317)));
  CHECK(detections[1].label == "car");
  check_box(detections[1].box, {0.0F, 0.5F, 0.3F, 0.5F});
  CHECK(detections[1].box.to_pixels(frame_size) == cv::Rect(0, 264, 216, 264));
  CHECK(detections[2].label == "class 99");
  CHECK(detections[2].box.to_pixels(frame_size) == cv::Rect(360, 264, 180, 132));

  const auto cars = ssd::decode_ssd(forward(net, frame), Labels::load(coco_labels), {0.4F, {"car", "dog"}});
  REQUIRE(cars.size() == 2);
  CHECK(cars[0].label == "car");
  CHECK(cars[1].label == "dog");
}

TEST_CASE("an output that is not a DetectionOutput blob is refused with what it is") {
  const Labels labels({"a"}, 1);
  const cv::Mat classification(1, 1000, CV_32F, cv::Scalar(0));
  CHECK_THROWS_WITH(ssd::decode_ssd(classification, labels, {}), Catch::Contains("got 1x1000"));
  const int sizes[] = {1, 1, 5, 6};
  const cv::Mat six_wide(4, sizes, CV_32F, cv::Scalar(0));
  CHECK_THROWS_WITH(ssd::decode_ssd(six_wide, labels, {}), Catch::Contains("got 1x1x5x6"));
  CHECK_THROWS_WITH(ssd::decode_ssd(cv::Mat(), labels, {}), Catch::Contains("empty blob"));
}

TEST_CASE("labels count from the first class id, and ids without a name are named by number") {
  const Labels coco = Labels::load(coco_labels);
  CHECK(coco.name(1) == "person");
  CHECK(coco.name(3) == "car");
  CHECK(coco.name(90) == "toothbrush");
  CHECK(coco.name(0) == "class 0");
  CHECK(coco.name(91) == "class 91");
  CHECK(Labels::load(coco_labels, 0).name(0) == "person");
  CHECK_THROWS_WITH(Labels::load("/nonexistent/labels.txt"), Catch::Contains("/nonexistent/labels.txt"));
  test_support::TempDir dir;
  { std::ofstream(dir.file("empty.txt")); }
  CHECK_THROWS_WITH(Labels::load(dir.file("empty.txt")), Catch::Contains("is empty"));
}
