// Fuzz target: what face_recognizer reads from disk to train or to load a model, both of which a user may get
// from someone else. The first byte picks which:
//   0: a training image: decoded (cv::imdecode, as cv::imread does for a file), its faces found with the
//      library's Haar detector and cut out as the examples cut them, the largest cropped, and an LBPH model
//      trained and asked about it;
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

// The faces of an image as face_detector reports them (normalised to the image), back in its pixels; each
// cut out with context as emotion_client sends it to a cloud service. Returns the largest.
cv::Rect find_faces(const cv::Mat& gray) {
  static elaborator::vision::HaarFaceDetector detector;
  std::vector<cv::Rect> faces;
  for (const auto& detection : detector.detect_faces(gray)) {
    const elaborator::Box& b = detection.box;
    if (!(b.x >= 0 && b.y >= 0 && b.x + b.width <= 1.0001F && b.y + b.height <= 1.0001F)) __builtin_trap();  // float sums
    faces.push_back(b.to_pixels(gray.size()));
    const cv::Rect context = elaborator::vision::expanded(faces.back(), 0.25, gray.size());
    if ((context & faces.back()) != (faces.back() & cv::Rect({0, 0}, gray.size()))) __builtin_trap();  // holds the face
    (void)elaborator::vision::crop(gray, context, {64, 64});
  }
  return elaborator::vision::largest(faces);
}

void train_on_image(const std::uint8_t* data, std::size_t size) {
  const cv::Mat gray = cv::imdecode(cv::Mat(1, static_cast<int>(size), CV_8UC1, const_cast<std::uint8_t*>(data)),
                                    cv::IMREAD_GRAYSCALE);
  if (gray.empty()) return;
  const cv::Rect face = find_faces(gray);
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
