// face_recognizer: tells who is in a live video stream. Faces are found with a Haar cascade from Debian's
// opencv-data and recognized with an LBPH model (opencv_contrib's face module), saved as YAML.
//
//   face_recognizer --train-dir faces/ --model faces.yml                # faces/<name>/*.jpg, the AT&T layout
//   face_recognizer --enroll alice --rtp-port 5004 --model faces.yml    # or --file alice.mp4: adds alice
//   face_recognizer --model faces.yml --rtp-port 5004 --udp 127.0.0.1:5002

#include "lbph_model_file.hpp"

#include <elaborator.hpp>

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

void to_json(nlohmann::json& j, const RecognizedFace& face) {
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
};

class FaceRecognizer : public elaborator::Elaborator<FaceRecognizer, RecognizedFace> {
 public:
  static constexpr int crop_side = 100;

  FaceRecognizer(elaborator::ElaborationOptions options, RecognizerSettings settings)
      : Elaborator(std::move(options)), settings_(std::move(settings)) {}

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

namespace {

RecognizerSettings settings_from(const elaborator::cli::Arguments& args) {
  RecognizerSettings s;
  s.model_path = args.get<std::string>("model");
  const std::string extension = std::filesystem::path(s.model_path).extension().string();
  if (extension != ".yml" && extension != ".yaml") throw elaborator::Error("--model must name a .yml or .yaml file");
  s.haar.cascade_path = args.get<std::string>("cascade");
  s.haar.min_size = args.get<int>("min-face");
  s.unknown_above = args.get<double>("unknown-above");
  if (!(s.unknown_above > 0)) throw elaborator::Error("--unknown-above must be positive");
  s.cropped = args.has("cropped");
  if (args.has("enroll")) {
    s.enroll_name = args.get<std::string>("enroll");
    if (s.enroll_name.empty() || s.enroll_name == "unknown") throw elaborator::Error("--enroll needs a name other than 'unknown'");
    if (args.has("train-dir")) throw elaborator::Error("give --enroll or --train-dir, not both");
    if (!args.has_input) throw elaborator::Error("--enroll needs an input to take the faces from (--file or --rtp-port)");
  }
  s.enroll_faces = args.get<std::size_t>("enroll-faces");
  if (s.enroll_faces == 0) throw elaborator::Error("--enroll-faces must be at least 1");
  if (!args.has_input && !args.has("train-dir")) throw elaborator::Error("give an input (--rtp-port, --file, --pipeline), --train-dir, or both");
  return s;
}

template <class Training>
int train(FaceRecognizer& recognizer, const Training& training, const std::string& what, const std::string& model) {
  try {
    const std::size_t people = recognizer.train_model(training);
    elaborator::log("face_recognizer: trained on {}; '{}' now knows {} {}", what, model, people, people == 1 ? "person" : "people");
    return 0;
  } catch (const std::exception& e) {
    elaborator::log("face_recognizer: cannot train: {}", e.what());
    return 1;
  }
}

}  // namespace

int main(int argc, char** argv) {
  elaborator::cli::Parser cli("face_recognizer",
                              "Recognizes the people in a live video stream: faces found with a Haar cascade, told apart "
                              "with an LBPH model. Train the model from a folder of images or by enrolling a person "
                              "from a video, then recognize.");
  cli.allow_no_input();
  cli.add_options("Face recognition")
    ("model", "the LBPH model, YAML: read to recognize, written by training", cxxopts::value<std::string>()->default_value("faces.yml"))
    ("train-dir", "train a new model from FOLDER/<person>/<images> (the AT&T faces layout), then recognize the input if "
                  "one is given", cxxopts::value<std::string>())
    ("cropped", "with --train-dir: the images are face crops already (AT&T): use them whole")
    ("enroll", "collect faces of NAME from the input (the largest face of each frame), add them to the model and exit",
     cxxopts::value<std::string>())
    ("enroll-faces", "how many faces --enroll collects before it stops", cxxopts::value<std::size_t>()->default_value("20"))
    ("unknown-above", "faces further than this LBPH distance from everyone enrolled are 'unknown' (measured on "
                      "Debian's Megamind.avi: the same person 85-125, others 115-145)",
     cxxopts::value<double>()->default_value("110"))
    ("cascade", "Haar cascade file", cxxopts::value<std::string>()->default_value(elaborator::vision::default_face_cascade))
    ("min-face", "smallest face to look for, in pixels", cxxopts::value<int>()->default_value("40"));
  const elaborator::cli::Arguments args = cli.parse(argc, argv);
  const RecognizerSettings settings = cli.interpret([&] { return settings_from(args); });

  FaceRecognizer recognizer(args.elaboration, settings);
  if (args.has("train-dir")) {
    const std::string folder = args.get<std::string>("train-dir");
    if (const int failed = train(recognizer, std::filesystem::path(folder), "the images in " + folder, settings.model_path)) return failed;
    if (!args.has_input) return 0;
  }
  if (const int failed = elaborator::run_until_stopped(recognizer, args.source, args.stream_id)) return failed;
  if (settings.enroll_name.empty()) return 0;
  if (recognizer.enrolled().empty()) {
    elaborator::log("face_recognizer: no face found in the input to enroll {}", settings.enroll_name);
    return 1;
  }
  return train(recognizer, recognizer.enrolled(),
               fmt::format("{} faces of {}", recognizer.enrolled().size(), settings.enroll_name), settings.model_path);
}
