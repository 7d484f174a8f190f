// Built by the package test with the program and vision components: a face detector with the whole command
// line (run with --help by the test).

#include <elaborator.hpp>
#include <elaborator/program.hpp>
#include <elaborator/vision/haar_face_detector.hpp>

#include <utility>
#include <vector>

class Faces : public elaborator::Elaborator<Faces> {
 public:
  Faces(elaborator::ElaborationOptions options, const nlohmann::json&) : Elaborator(std::move(options)) {}

 private:
  friend Elaborator;
  std::vector<elaborator::Detection> classify(const elaborator::Frame& frame) { return detector_.detect_faces(frame.gray()); }
  elaborator::vision::HaarFaceDetector detector_;
};

int main(int argc, char** argv) {
  elaborator::cli::Parser cli("program_consumer", "Finds faces.",
                              {{"faces", "Faces", "Finds faces.", {}, elaborator::factory<Faces>()}});
  return elaborator::run_until_stopped(cli.parse(argc, argv));
}
