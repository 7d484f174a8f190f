// face_recognizer: tells who is in a live video stream (face_recognizer.hpp), and trains the model it uses.
//
//   face_recognizer --train-dir faces/ --model faces.yml                # faces/<name>/*.jpg, the AT&T layout
//   face_recognizer --enroll alice --rtp-port 5004 --model faces.yml    # or --file alice.mp4: adds alice
//   face_recognizer --model faces.yml --rtp-port 5004 --udp 127.0.0.1:5002

#include "face_recognizer.hpp"

#include <elaborator/program.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace {

// What the program does besides recognizing: training, from a folder or by enrolling someone in the input.
struct Training {
  std::string folder;
  bool cropped = false;
  std::string enroll_name;
  std::size_t enroll_faces = 20;
};

Training training_from(const elaborator::cli::Arguments& args) {
  Training t;
  if (args.has("train-dir")) t.folder = args.get<std::string>("train-dir");
  t.cropped = args.has("cropped");
  if (args.has("enroll")) {
    t.enroll_name = args.get<std::string>("enroll");
    if (t.enroll_name.empty() || t.enroll_name == "unknown") throw elaborator::Error("--enroll needs a name other than 'unknown'");
    if (args.has("train-dir")) throw elaborator::Error("give --enroll or --train-dir, not both");
    if (args.config.streams.size() != 1) throw elaborator::Error("--enroll needs an input to take the faces from (--file or --rtp-port)");
  }
  t.enroll_faces = args.get<std::size_t>("enroll-faces");
  if (t.enroll_faces == 0) throw elaborator::Error("--enroll-faces must be at least 1");
  if (!args.has_input() && t.folder.empty()) throw elaborator::Error("give an input (--rtp-port, --file, --pipeline), --train-dir, or both");
  return t;
}

template <class Faces>
int train(FaceRecognizer& recognizer, const Faces& faces, const std::string& what, const std::string& model) {
  try {
    const std::size_t people = recognizer.train_model(faces);
    elaborator::log("face_recognizer: trained on {}; '{}' now knows {} {}", what, model, people, people == 1 ? "person" : "people");
    return 0;
  } catch (const std::exception& e) {
    elaborator::log("face_recognizer: cannot train: {}", e.what());
    return 1;
  }
}

// Collects faces of one person from the input, then adds them to the model. The recognizer runs in a
// registry of the program's own, so that what it collected is still there when the input has ended.
int enroll(const elaborator::cli::Arguments& args, RecognizerSettings settings, const Training& training) {
  const elaborator::StreamConfig& input = args.config.streams.front();
  settings.enroll_name = training.enroll_name;
  settings.enroll_faces = training.enroll_faces;
  elaborator::Registry registry;
  std::vector<std::unique_ptr<elaborator::Elaboration>> elaborations;
  FaceRecognizer* recognizer = nullptr;
  try {
    auto made = std::make_unique<FaceRecognizer>(input.elaborations.front().make_options(), settings);
    recognizer = made.get();
    elaborations.push_back(std::move(made));
    registry.add_stream(input.id, input.source, std::move(elaborations));
  } catch (const std::exception& e) {
    elaborator::log("cannot start: {}", e.what());
    return 1;
  }
  if (const int failed = elaborator::run_until_stopped(registry)) return failed;
  if (recognizer->enrolled().empty()) {
    elaborator::log("face_recognizer: no face found in the input to enroll {}", training.enroll_name);
    return 1;
  }
  return train(*recognizer, recognizer->enrolled(),
               fmt::format("{} faces of {}", recognizer->enrolled().size(), training.enroll_name), settings.model_path);
}

}  // namespace

int main(int argc, char** argv) {
  elaborator::cli::Parser cli("face_recognizer",
                              "Recognizes the people in a live video stream: faces found with a Haar cascade, told apart "
                              "with an LBPH model. Train the model from a folder of images or by enrolling a person "
                              "from a video, then recognize.",
                              {face_recognizer_kind()});
  cli.allow_no_input();
  cli.add_options("Training")
    ("train-dir", "train a new model from FOLDER/<person>/<images> (the AT&T faces layout), then recognize the input if "
                  "one is given", cxxopts::value<std::string>())
    ("cropped", "with --train-dir: the images are face crops already (AT&T): use them whole")
    ("enroll", "collect faces of NAME from the input (the largest face of each frame), add them to the model and exit",
     cxxopts::value<std::string>())
    ("enroll-faces", "how many faces --enroll collects before it stops", cxxopts::value<std::size_t>()->default_value("20"));
  const elaborator::cli::Arguments args = cli.parse(argc, argv);
  const Training training = cli.interpret([&] { return training_from(args); });
  RecognizerSettings settings = cli.interpret([&] { return RecognizerSettings::from(args.params); });
  settings.cropped = training.cropped;

  if (!training.folder.empty()) {
    FaceRecognizer trainer(elaborator::ElaborationOptions{}, settings);
    const std::filesystem::path folder = training.folder;
    if (const int failed = train(trainer, folder, "the images in " + training.folder, settings.model_path)) return failed;
    if (!args.has_input()) return 0;
  }
  if (!training.enroll_name.empty()) return enroll(args, settings, training);
  return elaborator::run_until_stopped(args);
}
