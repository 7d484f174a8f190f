// face_detector: finds faces in a live video stream and sends where they are, live.
//
// The smallest complete elaborator: a derived class with two hooks (configure, classify) and a main() that
// is all command line. Everything else (RTP, decoding, sampling, threads, results, statistics, Ctrl-C) is
// the library's.
//
//   face_detector --rtp-port 5004 --codec vp8 --udp 127.0.0.1:5002     # into a Janus Streaming data port
//   face_detector --file /usr/share/doc/opencv-doc/examples/data/Megamind.avi --jsonl faces.jsonl
//   face_detector --stream door=5004 --stream hall=5006 --udp 127.0.0.1:5002  # two cameras, one process
//   face_detector --streams-file streams.json    # per stream and elaboration: "params": {"min_face": 60}

#include <elaborator.hpp>

#include <memory>
#include <utility>
#include <vector>

class FaceDetector : public elaborator::Elaborator<FaceDetector> {
 public:
  FaceDetector(elaborator::ElaborationOptions options, elaborator::vision::HaarSettings settings)
      : Elaborator(std::move(options)), settings_(std::move(settings)) {}

 private:
  friend Elaborator;

  // Once, before the first frame: a missing cascade stops the program here with a clear message.
  void configure() { detector_.emplace(settings_); }

  // Once per sampled frame. The gray image is the decoder's own luma plane: no conversion.
  std::vector<elaborator::Detection> classify(const elaborator::Frame& frame) {
    return detector_->detect_faces(frame.gray());
  }

  elaborator::vision::HaarSettings settings_;
  std::optional<elaborator::vision::HaarFaceDetector> detector_;
};

int main(int argc, char** argv) {
  elaborator::cli::Parser cli("face_detector", "Finds faces in a live video stream with an OpenCV Haar cascade "
                                               "and sends their boxes as JSON results.");
  cli.add_options("Face detection")
    ("cascade", "Haar cascade file", cxxopts::value<std::string>()->default_value(elaborator::vision::default_face_cascade))
    ("min-face", "smallest face to look for, in pixels (the main cost knob)", cxxopts::value<int>()->default_value("40"));
  cli.allow_many_streams();
  const elaborator::cli::Arguments args = cli.parse(argc, argv);

  elaborator::vision::HaarSettings defaults;
  defaults.cascade_path = args.get<std::string>("cascade");
  defaults.min_size = args.get<int>("min-face");
  // One detector per elaboration of each stream; a --streams-file may set each one's "min_face".
  return elaborator::run_until_stopped(args, [&](elaborator::ElaborationOptions options, const nlohmann::json& params) {
    elaborator::vision::HaarSettings settings = defaults;
    settings.min_size = params.value("min_face", settings.min_size);
    return std::make_unique<FaceDetector>(std::move(options), settings);
  });
}
