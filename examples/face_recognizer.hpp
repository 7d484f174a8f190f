// face_recognizer: tells who is in a live video stream. Faces are found with a Haar cascade from Debian's
// opencv-data and recognized with an LBPH model (opencv_contrib's face module), saved as YAML. The same
// class trains the model, from a folder of images or from faces it collects (enrolls) in a stream.
#pragma once

#include "lbph_model_file.hpp"

#include <elaborator.hpp>
#include <elaborator/vision/face_crop.hpp>
#include <elaborator/vision/haar_face_detector.hpp>

#include <opencv2/face.hpp>
#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

// A face and whom it looks like. `label` is that person's name, or "unknown" when even the nearest
// enrolled face is further than the threshold; `distance` is LBPH's (smaller is closer).
struct RecognizedFace : elaborator::Detection {
  double distance = 0;
  std::string nearest;
};

inline void to_json(nlohmann::json& j, const RecognizedFace& face) {
  to_json(j, static_cast<const elaborator::Detection&>(face));
  j["distance"] = std::round(face.distance * 10) / 10;
  j["nearest"] = face.nearest;
}

struct LabelledFace {
  std::string name;
  cv::Mat face;  // gray, FaceRecognizer::crop_size
};
using LabelledFaces = std::vector<LabelledFace>;

struct RecognizerSettings {
  std::string model_path;
  elaborator::vision::HaarSettings haar;
  double unknown_above = 110;    // LBPH distance; see --help
  std::string enroll_name;       // set: collect faces of this person instead of recognizing
  std::size_t enroll_faces = 20;
  bool cropped = false;          // training images are face crops already

  static void check_model_path(const std::string& path) {
    const std::string extension = std::filesystem::path(path).extension().string();
    if (extension != ".yml" && extension != ".yaml") throw elaborator::Error("must name a .yml or .yaml file");
  }

  // From the kind's checked parameters (recognizing); enrolling and training are the program's own options.
  static RecognizerSettings from(const nlohmann::json& params) {
    RecognizerSettings s;
    s.model_path = params.at("model");
    s.haar.cascade_path = params.at("cascade");
    s.haar.min_size = params.at("min_face");
    s.unknown_above = params.at("unknown_above");
    return s;
  }
};

class FaceRecognizer : public elaborator::Elaborator<FaceRecognizer, RecognizedFace> {
 public:
  static constexpr int crop_side = 100;

  FaceRecognizer(elaborator::ElaborationOptions options, RecognizerSettings settings)
      : Elaborator(std::move(options)), settings_(std::move(settings)) {}
  FaceRecognizer(elaborator::ElaborationOptions options, const nlohmann::json& params)
      : FaceRecognizer(std::move(options), RecognizerSettings::from(params)) {}

  // What an enrollment run collected, for train_model() once it has stopped.
  [[nodiscard]] const LabelledFaces& enrolled() const { return enrolled_; }

 private:
  friend Elaborator;
  using Model = cv::Ptr<cv::face::LBPHFaceRecognizer>;

  bool enrolling() const { return !settings_.enroll_name.empty(); }

  void configure() {
    detector();
    const bool exists = std::filesystem::exists(settings_.model_path);
    if (!enrolling() && !exists) {
      throw elaborator::Error(fmt::format("face recognizer: no model at '{}'; train one first with --train-dir "
                                          "FOLDER or --enroll NAME",
                                          settings_.model_path));
    }
    if (exists && !model_) model_ = load(settings_.model_path);
  }

  std::vector<RecognizedFace> classify(const elaborator::Frame& frame) {
    const cv::Mat& gray = frame.gray();
    const std::vector<cv::Rect> faces = detector().detect(gray);
    if (enrolling()) return enroll(gray, faces);
    std::vector<RecognizedFace> recognized;
    for (const cv::Rect& face : faces) recognized.push_back(recognize(gray, face));
    return recognized;
  }

  // Adds faces to the model (a new one if there is none yet) and saves it. Returns the number of people
  // the model knows.
  std::size_t train(const LabelledFaces& faces) {
    if (faces.empty()) throw elaborator::Error("face recognizer: no faces to train on");
    if (!model_) model_ = cv::face::LBPHFaceRecognizer::create();
    std::map<std::string, int> ids = known_people(model_);
    int next_id = 0;
    for (const auto& known : ids) next_id = std::max(next_id, known.second + 1);
    std::vector<cv::Mat> images;
    std::vector<int> labels;
    for (const auto& [name, face] : faces) {
      const auto [entry, added] = ids.try_emplace(name, next_id);
      if (added) ++next_id;
      const int id = entry->second;
      model_->setLabelInfo(id, name);
      images.push_back(face);
      labels.push_back(id);
    }
    if (model_->empty()) {
      model_->train(images, labels);
    } else {
      model_->update(images, labels);
    }
    save();
    return ids.size();
  }

  // A new model from a folder of labelled images: one subfolder per person.
  std::size_t train(const std::filesystem::path& folder) {
    LabelledFaces faces = load_folder(folder);
    model_ = cv::face::LBPHFaceRecognizer::create();
    return train(faces);
  }

  std::vector<RecognizedFace> enroll(const cv::Mat& gray, const std::vector<cv::Rect>& faces) {
    if (faces.empty() || enrolled_.size() >= settings_.enroll_faces) return {};
    const cv::Rect face = elaborator::vision::largest(faces);
    enrolled_.push_back({settings_.enroll_name, crop(gray, face)});
    if (enrolled_.size() == settings_.enroll_faces) finish();
    RecognizedFace enrolled;
    enrolled.label = enrolled.nearest = settings_.enroll_name;
    enrolled.confidence = 1;
    enrolled.box = elaborator::Box::from_pixels(face, gray.size());
    return {enrolled};
  }

  RecognizedFace recognize(const cv::Mat& gray, const cv::Rect& face) const {
    int id = -1;
    double distance = 0;
    model_->predict(crop(gray, face), id, distance);
    RecognizedFace recognized;
    recognized.box = elaborator::Box::from_pixels(face, gray.size());
    recognized.distance = distance;
    recognized.nearest = model_->getLabelInfo(id);
    recognized.label = distance <= settings_.unknown_above ? recognized.nearest : "unknown";
    // How far from the threshold, either way: how sure the decision is.
    recognized.confidence = static_cast<float>(std::min(1.0, std::abs(settings_.unknown_above - distance) / settings_.unknown_above));
    return recognized;
  }

  static cv::Mat crop(const cv::Mat& gray, const cv::Rect& face) {
    return elaborator::vision::crop(gray, face, {crop_side, crop_side});
  }

  elaborator::vision::HaarFaceDetector& detector() {
    if (!detector_) detector_.emplace(settings_.haar);
    return *detector_;
  }

  static std::map<std::string, int> known_people(const Model& model) {
    std::map<std::string, int> ids;
    if (model->empty()) return ids;
    const cv::Mat labels = model->getLabels();
    for (int i = 0; i < static_cast<int>(labels.total()); ++i) {
      const int id = labels.at<int>(i);
      ids.emplace(model->getLabelInfo(id), id);
    }
    return ids;
  }

  static Model load(const std::string& path) {
    Model model = cv::face::LBPHFaceRecognizer::create();
    lbph_model_file::load(*model, path);
    if (model->empty()) throw elaborator::Error(fmt::format("face recognizer: '{}' holds no trained faces", path));
    return model;
  }

  void save() {
    try {
      model_->write(settings_.model_path);
    } catch (const cv::Exception& e) {
      throw elaborator::Error(fmt::format("face recognizer: cannot save the model to '{}': {}", settings_.model_path, e.what()));
    }
  }

  // --- training images: <folder>/<person>/<image>, each showing that person's face ---

  LabelledFaces load_folder(const std::filesystem::path& folder) {
    namespace fs = std::filesystem;
    if (!fs::is_directory(folder)) {
      throw elaborator::Error(fmt::format("training folder '{}' does not exist or is not a folder", folder.string()));
    }
    const std::vector<fs::path> people = entries(folder, [](const fs::directory_entry& e) { return e.is_directory(); });
    if (people.empty()) {
      throw elaborator::Error(fmt::format("training folder '{}' has no subfolders: put the images of each person in "
                                          "a subfolder named after them",
                                          folder.string()));
    }
    LabelledFaces faces;
    for (const fs::path& person : people) {
      const std::vector<fs::path> images = entries(person, &is_image);
      if (images.empty()) {
        throw elaborator::Error(fmt::format("training folder '{}' holds no images (.jpg, .png, .pgm, ...)", person.string()));
      }
      for (const fs::path& image : images) faces.push_back({person.filename().string(), face_in(image)});
    }
    return faces;
  }

  cv::Mat face_in(const std::filesystem::path& image) {
    const cv::Mat gray = cv::imread(image.string(), cv::IMREAD_GRAYSCALE);
    if (gray.empty()) throw elaborator::Error(fmt::format("cannot read the image '{}'", image.string()));
    if (settings_.cropped) return crop(gray, cv::Rect({0, 0}, gray.size()));
    const cv::Rect face = elaborator::vision::largest(detector().detect(gray));
    if (face.empty()) {
      throw elaborator::Error(fmt::format("no face found in '{}' (faces smaller than --min-face {} px are not looked for; "
                                          "give --cropped if the images are face crops already)",
                                          image.string(), settings_.haar.min_size));
    }
    return crop(gray, face);
  }

  static bool is_image(const std::filesystem::directory_entry& entry) {
    static const std::set<std::string> extensions{".bmp", ".jpeg", ".jpg", ".pgm", ".png", ".ppm", ".tif", ".tiff", ".webp"};
    std::string extension = entry.path().extension().string();
    std::transform(extension.begin(), extension.end(), extension.begin(), [](unsigned char c) { return std::tolower(c); });
    return entry.is_regular_file() && extensions.count(extension) > 0;
  }

  // The entries of a folder that pass `wanted`, hidden ones left out, sorted so training is repeatable.
  template <class Wanted>
  static std::vector<std::filesystem::path> entries(const std::filesystem::path& folder, Wanted wanted) {
    std::vector<std::filesystem::path> found;
    for (const auto& entry : std::filesystem::directory_iterator(folder)) {
      if (entry.path().filename().string().starts_with(".") || !wanted(entry)) continue;
      found.push_back(entry.path());
    }
    std::sort(found.begin(), found.end());
    return found;
  }

  RecognizerSettings settings_;
  std::optional<elaborator::vision::HaarFaceDetector> detector_;
  Model model_;
  LabelledFaces enrolled_;
};

inline elaborator::Kind face_recognizer_kind() {
  using elaborator::Param;
  return {"face_recognizer", "Face recognition",
          "Recognizes the people in a video: faces found with a Haar cascade, told apart with an LBPH model.",
          {Param::text("model", "faces.yml", "the LBPH model, YAML: read to recognize, written by training")
               .checked_by([](const nlohmann::json& path) { RecognizerSettings::check_model_path(path); }),
           Param::number("unknown_above", 110, 0.001, 1e6,
                         "faces further than this LBPH distance from everyone enrolled are 'unknown' (measured on "
                         "Debian's Megamind.avi: the same person 85-125, others 115-145)"),
           Param::text("cascade", elaborator::vision::default_face_cascade, "Haar cascade file"),
           Param::integer("min_face", 40, 8, 4096, "smallest face to look for, in pixels")},
          elaborator::factory<FaceRecognizer>()};
}
