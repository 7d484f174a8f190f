// A complete elaborator: reports the frames of a live stream that are too dark to analyse.
#include <elaborator.hpp>

class DarkFrames : public elaborator::Elaborator<DarkFrames> {
 public:
  using Elaborator::Elaborator;

 private:
  friend Elaborator;  // the base calls the private hooks
  std::vector<elaborator::Detection> classify(const elaborator::Frame& frame) {
    const double brightness = cv::mean(frame.gray())[0];  // luma, video range: 16 is black
    if (brightness > 40) return {};
    return {{"dark", static_cast<float>(1.0 - brightness / 255.0), {0, 0, 1, 1}}};
  }
};

int main(int argc, char** argv) {
  elaborator::cli::Parser cli("dark_frames", "Reports frames too dark to analyse.");
  const elaborator::cli::Arguments args = cli.parse(argc, argv);
  DarkFrames dark(args.elaboration);
  return elaborator::run_until_stopped(dark, args.source, args.stream_id);
}
