// Fuzz target: what face_recognizer reads from disk to train or to load a model, both of which a user may get
// from someone else. The first byte picks which:
//   0: a training image: decoded (cv::imdecode, as cv::imread does for a file), its largest face found with the
//      library's Haar detector, cropped, and an LBPH model trained and asked about it;
//   1: a saved LBPH model (YAML, as --model reads it: from a file), loaded and asked about a face.
// Whatever the bytes, the answer is a face, no face, or an exception face_recognizer turns into a clear error,
// and soon: corpus/timeout-opencv-yaml-parser once stalled OpenCV's own YAML parser for minutes.
#include "input_file.hpp"
#include "lbph_model_file.hpp"

#include <elaborator/vision/face_crop.hpp>
#include <elaborator/vision/haar_face_detector.hpp>

#include <opencv2/core.hpp>
#include <opencv2/face.hpp>
#include <opencv2/imgcodecs.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

const cv::Size crop_size{100, 100};

cv::Mat test_face() { return cv::Mat(crop_size, CV_8UC1, cv::Scalar(128)); }

void train_on_image(const std::uint8_t* data, std::size_t size) {
  const cv::Mat gray = cv::imdecode(cv::Mat(1, static_cast<int>(size), CV_8UC1, const_cast<std::uint8_t*>(data)),
                                    cv::IMREAD_GRAYSCALE);
  if (gray.empty()) return;
  static elaborator::vision::HaarFaceDetector detector;
  const cv::Rect face = elaborator::vision::largest(detector.detect(gray));
  const cv::Mat sample = elaborator::vision::crop(gray, face.empty() ? cv::Rect({0, 0}, gray.size()) : face, crop_size);
  if (sample.empty()) return;
  auto model = cv::face::LBPHFaceRecognizer::create();
  model->train(std::vector<cv::Mat>{sample, test_face()}, std::vector<int>{0, 1});
  int label = -1;
  double distance = 0;
  model->predict(sample, label, distance);
}

void load_model(const std::uint8_t* data, std::size_t size) {
  static const InputFile file("fuzz_model.yml");
  auto model = cv::face::LBPHFaceRecognizer::create();
  lbph_model_file::load(*model, file.write(std::string_view(reinterpret_cast<const char*>(data), size)));  // as --model
  if (model->empty()) return;
  int label = -1;
  double distance = 0;
  model->predict(test_face(), label, distance);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // Images declare their own size: cap what a decoder may allocate, as a program reading strangers' files
  // should (OpenCV reads this once; its default is 2^30 pixels).
  setenv("OPENCV_IO_MAX_IMAGE_PIXELS", "4194304", 1);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2 || size > 1 << 20) return -1;  // a training image or model of up to 1 MiB
  try {
    if (data[0] == 0) train_on_image(data + 1, size - 1);
    if (data[0] == 1) load_model(data + 1, size - 1);
  } catch (const std::exception&) {  // what face_recognizer catches
  }
  return 0;
}
