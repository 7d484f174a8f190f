#pragma once
// Reading a saved LBPH model, which may come from someone else. Fuzzing found that OpenCV's YAML parser can
// run for minutes on a malformed file, throws std::length_error on others, and allocates whatever size a
// matrix in the file declares (a 40-byte change asked for 16 GB): the file is read by the library's strict
// reader first (opencv_yaml.hpp), so OpenCV parses only what its own writer wrote. A model
// without grid_x divides by zero in predict(), one with a huge grid allocates terabytes there: the
// parameters, and that the histograms fit them, are checked after loading.

#include "opencv_yaml.hpp"

#include <elaborator/error.hpp>

#include <fmt/core.h>
#include <opencv2/core.hpp>
#include <opencv2/face.hpp>

#include <cstddef>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

namespace lbph_model_file {

// Loads `model` from `text`, a model file as LBPHFaceRecognizer::write() makes them. Throws
// elaborator::Error, naming `where`, for anything that is not a sane LBPH model.
inline void read(cv::face::LBPHFaceRecognizer& model, std::string_view text, const std::string& where) {
  const std::string canonical = opencv_yaml::canonical(text, where);
  try {
    const cv::FileStorage storage(canonical, cv::FileStorage::READ | cv::FileStorage::MEMORY);
    model.read(storage.getFirstTopLevelNode());  // as FaceRecognizer::read(filename) does
  } catch (const cv::Exception& e) {
    throw elaborator::Error(fmt::format("{}: not an LBPH model: {}", where, e.what()));
  }
  // OpenCV reads a number written as a string ("1T") as INT_MAX: a grid that size would make predict()
  // allocate terabytes (fuzzing found it). Grids are small (OpenCV's default 8x8), and every histogram has
  // one bin per pattern per cell.
  constexpr int largest_grid = 64;
  if (model.getGridX() < 1 || model.getGridY() < 1 || model.getGridX() > largest_grid || model.getGridY() > largest_grid ||
      model.getRadius() < 1 || model.getNeighbors() < 1 || model.getNeighbors() > 16) {
    throw elaborator::Error(fmt::format("{}: LBPH parameters grid {}x{}, radius {}, neighbors {} are not a real model",
                                        where, model.getGridX(), model.getGridY(), model.getRadius(),
                                        model.getNeighbors()));
  }
  const auto bins = static_cast<std::size_t>(model.getGridX() * model.getGridY()) << model.getNeighbors();
  for (const cv::Mat& histogram : model.getHistograms()) {
    if (histogram.total() != bins) {
      throw elaborator::Error(fmt::format("{}: a histogram of {} bins, where grid {}x{} with {} neighbors has {}", where,
                                          histogram.total(), model.getGridX(), model.getGridY(), model.getNeighbors(), bins));
    }
  }
}

// The same, from the file at `path`.
inline void load(cv::face::LBPHFaceRecognizer& model, const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw elaborator::Error(fmt::format("cannot open the model file '{}'", path));
  std::ostringstream text;
  text << file.rdbuf();
  read(model, text.view(), path);
}

}  // namespace lbph_model_file
