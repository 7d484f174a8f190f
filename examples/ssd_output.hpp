#pragma once
// object_detector's decoding of an SSD-style detector's output into detections: the [1, 1, N, 7] blob of a DetectionOutput
// layer, each row [image, class id, confidence, left, top, right, bottom], the corners normalised to the
// network's input. TensorFlow's SSD MobileNet (through OpenCV's .pbtxt), Caffe SSDs and ONNX exports with
// that head all give it. It needs no cv::dnn: the blob is a plain cv::Mat.
//
// The corners are normalised to the network's input, which is the whole frame resized (cv::dnn's
// blobFromImage without cropping), so they are already normalised to the frame: Box keeps them as they
// are, clipped, since SSD boxes may reach past the edges.

#include <elaborator/detection.hpp>
#include <elaborator/error.hpp>

#include <fmt/core.h>
#include <opencv2/core.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <string>
#include <vector>

namespace ssd {

using elaborator::Box;
using elaborator::Detection;
using elaborator::Error;

// Class names, one per line, as OpenCV's samples ship them (Debian: opencv-doc's
// dnn/object_detection_classes_coco.txt). SSD class ids count from 1, 0 being the background, so the first
// line names class `first_id`.
class Labels {
 public:
  Labels() = default;
  Labels(std::vector<std::string> names, int first_id) : names_(std::move(names)), first_id_(first_id) {}

  static Labels load(const std::string& path, int first_id = 1) {
    std::ifstream in(path);
    if (!in) throw Error(fmt::format("labels: cannot read '{}'", path));
    std::vector<std::string> names;
    for (std::string line; std::getline(in, line);) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      names.push_back(line);
    }
    if (names.empty()) throw Error(fmt::format("labels: '{}' is empty (expected one class name per line)", path));
    return {std::move(names), first_id};
  }

  // The name of a class id; ids the file does not name (or names with an empty line) are "class <id>".
  [[nodiscard]] std::string name(int class_id) const {
    const long index = static_cast<long>(class_id) - first_id_;
    if (index >= 0 && index < static_cast<long>(names_.size()) && !names_[static_cast<std::size_t>(index)].empty()) {
      return names_[static_cast<std::size_t>(index)];
    }
    return fmt::format("class {}", class_id);
  }

  [[nodiscard]] const std::vector<std::string>& names() const { return names_; }

 private:
  std::vector<std::string> names_;
  int first_id_ = 1;
};

// Which rows become detections.
struct SsdFilter {
  float min_confidence = 0.5F;
  std::vector<std::string> classes;  // names to keep; empty: every class
};

// Throws elaborator::Error, saying what it got, unless `output` is a DetectionOutput blob [1, 1, N, 7].
inline void check_ssd_output(const cv::Mat& output) {
  const bool shaped = output.dims == 4 && output.size[0] == 1 && output.size[1] == 1 && output.size[3] == 7;
  if (output.type() != CV_32F || !shaped || !output.isContinuous()) {
    std::string shape;
    for (int i = 0; i < output.dims; ++i) shape += fmt::format("{}{}", i == 0 ? "" : "x", output.size[i]);
    throw Error(fmt::format("SSD output: expected a float blob of shape 1x1xNx7 (a DetectionOutput layer), got {} "
                            "of type {}; is this an SSD-style detector?",
                            shape.empty() ? "an empty blob" : shape, cv::typeToString(output.type())));
  }
}

inline bool keeps(const SsdFilter& filter, const std::string& label) {
  return filter.classes.empty() || std::find(filter.classes.begin(), filter.classes.end(), label) != filter.classes.end();
}

// The rows of a DetectionOutput blob that pass the filter, in the blob's order (most confident first, per
// class). Rows with a NaN confidence or an empty box are skipped: with nothing detected the layer still
// returns rows of zeros. Throws elaborator::Error for a blob of another shape.
inline std::vector<Detection> decode_ssd(const cv::Mat& output, const Labels& labels, const SsdFilter& filter) {
  check_ssd_output(output);
  std::vector<Detection> detections;
  const auto* row = output.ptr<float>();
  for (int i = 0; i < output.size[2]; ++i, row += 7) {
    const float confidence = row[2];
    if (!(confidence >= filter.min_confidence)) continue;  // also skips NaN
    std::string label = labels.name(static_cast<int>(std::lround(row[1])));
    if (!keeps(filter, label)) continue;
    const Box box = Box::from_pixels(cv::Rect2f(row[3], row[4], row[5] - row[3], row[6] - row[4]), cv::Size(1, 1));
    if (!(box.width > 0 && box.height > 0)) continue;
    detections.push_back({std::move(label), std::min(confidence, 1.0F), box});
  }
  return detections;
}

}  // namespace ssd
