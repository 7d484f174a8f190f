#pragma once
// An elaboration for tests: counts its calls, can be made slow, and reports one detection per frame whose
// label is the frame's index, so results can be matched to frames.

#include <elaborator.hpp>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace test_support {

inline elaborator::ElaborationOptions quiet_options(std::string name, elaborator::SamplingPolicy sampling,
                                                    std::vector<std::shared_ptr<elaborator::Sink>> sinks = {}) {
  elaborator::ElaborationOptions options;
  options.name = std::move(name);
  options.sampling = sampling;
  options.sinks = std::move(sinks);
  options.report_interval = std::chrono::milliseconds(0);
  options.summary_at_stop = false;
  return options;
}

class CountingElaborator : public elaborator::Elaborator<CountingElaborator> {
 public:
  explicit CountingElaborator(elaborator::ElaborationOptions options, std::chrono::milliseconds delay = {},
                              int detections_per_frame = 1)
      : Elaborator(std::move(options)), delay_(delay), detections_per_frame_(detections_per_frame) {}

  // As a kind's factory makes it (counting_kind()).
  CountingElaborator(elaborator::ElaborationOptions options, const nlohmann::json& params)
      : CountingElaborator(std::move(options), std::chrono::milliseconds(params.at("delay_ms").get<int>())) {}

  std::vector<elaborator::Detection> classify(const elaborator::Frame& frame) {
    if (delay_.count() > 0) std::this_thread::sleep_for(delay_);  // a slow model, the behaviour under test
    std::vector<elaborator::Detection> detections;
    for (int i = 0; i < detections_per_frame_; ++i) {
      detections.push_back({std::to_string(frame.index()), static_cast<float>(i % 100) / 100.0F, {0.25F, 0.25F, 0.5F, 0.5F}});
    }
    return detections;
  }

 private:
  std::chrono::milliseconds delay_;
  int detections_per_frame_;
};

// CountingElaborator as a kind, for tests of configuration, the command line and the control API.
inline elaborator::Kind counting_kind(std::string name = "counting") {
  return {std::move(name), "Counting", "Reports one detection per frame, labelled with the frame's index.",
          {elaborator::Param::integer("delay_ms", 0, 0, 60000, "how long each classify() takes")},
          elaborator::factory<CountingElaborator>()};
}

// True once every frame the elaboration picked has been classified or dropped and the stream is quiet.
template <class Elaboration>
bool settled(const Elaboration& e) {
  const auto s = e.stats();
  return s.frames_classified + s.frames_dropped == s.frames_sampled;
}

}  // namespace test_support
