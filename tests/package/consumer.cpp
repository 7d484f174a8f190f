// Built by the package test against elaborator found with find_package(): runs a tiny elaboration over a
// five-frame test pattern and exits 0 only if all five frames were classified.

#include <elaborator.hpp>

#include <chrono>
#include <vector>

class Counter : public elaborator::Elaborator<Counter> {
 public:
  using Elaborator::Elaborator;

 private:
  friend Elaborator;
  std::vector<elaborator::Detection> classify(const elaborator::Frame&) { return {}; }
};

int main() {
  elaborator::ElaborationOptions options;
  options.name = "consumer";
  options.report_interval = std::chrono::milliseconds(0);
  elaborator::Stream stream(elaborator::PipelineSource{"videotestsrc num-buffers=5 ! videoconvert ! appsink name=appsink", false});
  Counter counter(options);
  counter.start(stream);
  stream.start();
  counter.wait_for(std::chrono::seconds(30));
  counter.stop();
  stream.stop();
  return counter.stats().frames_classified == 5 ? 0 : 1;
}
