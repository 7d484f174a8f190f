#pragma once
// Reading a saved LBPH model, which may come from someone else. Fuzzing found that OpenCV's YAML parser can
// run for minutes on a malformed file, throws std::length_error on others, and allocates whatever size a
// matrix in the file declares (a 40-byte change asked for 16 GB): the file is read by the library's strict
// reader first (vision::canonical_opencv_yaml), so OpenCV parses only what its own writer wrote. A model
// without grid_x divides by zero in predict(): the parameters are checked after loading.

#include <elaborator/error.hpp>
#include <elaborator/vision/opencv_yaml.hpp>

#include <fmt/core.h>
#include <opencv2/core.hpp>
#include <opencv2/face.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

namespace lbph_model_file {

// Loads `model` from `text`, a model file as LBPHFaceRecognizer::write() makes them. Throws
// elaborator::Error, naming `where`, for anything that is not a sane LBPH model.
inline void read(cv::face::LBPHFaceRecognizer& model, std::string_view text, const std::string& where) {
  const std::string canonical = elaborator::vision::canonical_opencv_yaml(text, where);
  try {
    const cv::FileStorage storage(canonical, cv::FileStorage::READ | cv::FileStorage::MEMORY);
    model.read(storage.getFirstTopLevelNode());  // as FaceRecognizer::read(filename) does
  } catch (const cv::Exception& e) {
    throw elaborator::Error(fmt::format("{}: not an LBPH model: {}", where, e.what()));
  }
  if (model.getGridX() < 1 || model.getGridY() < 1 || model.getRadius() < 1 || model.getNeighbors() < 1 ||
      model.getNeighbors() > 16) {
    throw elaborator::Error(fmt::format("{}: LBPH parameters grid {}x{}, radius {}, neighbors {} are not a real model",
                                        where, model.getGridX(), model.getGridY(), model.getRadius(),
                                        model.getNeighbors()));
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
