#pragma once
// The elaborator side of the benchmark, run as a child process so its CPU time is its own:
// `elaborator_benchmark --serve PORTS --classify KIND ...` receives one RTP stream per port, runs K
// elaborations on each (one decode per stream), and on SIGTERM prints every elaboration's statistics as
// one JSON array on stdout.

#include <elaborator.hpp>
#include <elaborator/detail/ready_file.hpp>
#include <elaborator/vision/haar_face_detector.hpp>

#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace benchmark {

// What classify() does: nothing, sleep (a slow model of known speed), or look for faces.
struct ClassifyKind {
  std::string name = "noop";  // noop, sleep, faces
  std::chrono::milliseconds sleep{0};
};

class Worker : public elaborator::Elaborator<Worker> {
 public:
  Worker(elaborator::ElaborationOptions options, ClassifyKind kind) : Elaborator(std::move(options)), kind_(std::move(kind)) {}

 private:
  friend Elaborator;
  void configure() {
    if (kind_.name == "faces") faces_.emplace();
  }
  std::vector<elaborator::Detection> classify(const elaborator::Frame& frame) {
    if (kind_.name == "sleep") std::this_thread::sleep_for(kind_.sleep);
    if (faces_) return faces_->detect_faces(frame.gray());
    return {};
  }

  ClassifyKind kind_;
  std::optional<elaborator::vision::HaarFaceDetector> faces_;
};

struct ServeSettings {
  std::vector<std::uint16_t> ports;
  elaborator::Codec codec = elaborator::Codec::vp8;
  int elaborations = 1;          // per stream
  ClassifyKind classify;
  elaborator::SamplingPolicy sampling;
  elaborator::TrackingPolicy tracking;
  std::string results_prefix;    // if set, each elaboration writes <prefix><stream>-<k>.jsonl
  std::vector<elaborator::Endpoint> udp;  // results also go to these, as datagrams
  bool standard_output = false;  // and to stdout, as JSON lines (the statistics then come last)
  std::string ready_file;        // written once every stream listens
};

inline nlohmann::json stats_json(const elaborator::ElaborationStats& s) {
  auto percentiles = [](const elaborator::Percentiles& p) { return nlohmann::json{{"p50", p.p50}, {"p95", p.p95}, {"p99", p.p99}}; };
  return {{"stream", s.stream.id},
          {"elaboration", s.name},
          {"packets_received", s.stream.packets_received},
          {"frames_received", s.stream.frames_received},
          {"frames_decoded", s.stream.frames_decoded},
          {"decode_errors", s.stream.decode_errors},
          {"frames_sampled", s.frames_sampled},
          {"frames_classified", s.frames_classified},
          {"frames_unchanged", s.frames_unchanged},
          {"frames_dropped", s.frames_dropped},
          {"decode_ms", percentiles(s.decode_ms)},
          {"wait_ms", percentiles(s.wait_ms)},
          {"classify_ms", percentiles(s.classify_ms)},
          {"output_ms", percentiles(s.output_ms)},
          {"latency_ms", percentiles(s.latency_ms)}};
}

inline int serve(const ServeSettings& settings) {
  elaborator::Registry registry;
  for (std::size_t i = 0; i < settings.ports.size(); ++i) {
    elaborator::RtpSource source;
    source.port = settings.ports[i];
    source.codec = settings.codec;
    const std::string id = "stream-" + std::to_string(i);
    std::vector<std::unique_ptr<elaborator::Elaboration>> workers;
    for (int k = 0; k < settings.elaborations; ++k) {
      elaborator::ElaborationOptions options;
      options.name = "e" + std::to_string(k);
      options.sampling = settings.sampling;
      options.tracking = settings.tracking;
      options.report_interval = std::chrono::milliseconds(0);
      options.summary_at_stop = false;
      if (!settings.results_prefix.empty()) {
        options.sinks.push_back(elaborator::JsonLinesSink::open(settings.results_prefix + id + "-" + options.name + ".jsonl"));
      }
      for (const auto& target : settings.udp) options.sinks.push_back(std::make_shared<elaborator::UdpSink>(target.host, target.port));
      if (settings.standard_output) options.sinks.push_back(elaborator::JsonLinesSink::standard_output());
      workers.push_back(std::make_unique<Worker>(options, settings.classify));
    }
    registry.add_stream(id, source, std::move(workers));
  }
  const elaborator::StopSignals signals;  // before the ready file, so that no SIGTERM can come unhandled
  elaborator::detail::ReadyFile ready(settings.ready_file, registry);
  ready.enable(std::nullopt);
  while (!signals.wait_for(std::chrono::seconds(1))) {
  }
  registry.stop();
  nlohmann::json all = nlohmann::json::array();
  for (const auto& stream : registry.streams()) {
    for (auto s : stream.elaborations) {
      s.stream = stream.stats;
      all.push_back(stats_json(s));
    }
  }
  std::printf("%s\n", all.dump().c_str());
  return 0;
}

}  // namespace benchmark
