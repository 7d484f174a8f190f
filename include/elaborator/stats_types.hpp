#pragma once
// What a running elaboration reports about itself, as plain structs (Elaborator::stats()) and the JSON forms
// the control API shows; stats.hpp turns them into text.

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace elaborator {

// Percentiles of a duration in milliseconds, over `count` values (within 2 %, see detail/histogram.hpp).
struct Percentiles {
  double p50 = 0;
  double p95 = 0;
  double p99 = 0;
  std::uint64_t count = 0;
};

// Durations counted against fixed upper bounds, as a Prometheus histogram exposes them (counts here are
// per bucket, not cumulative; values above the last bound are only in `count`).
struct BucketCounts {
  static constexpr std::array<double, 14> bounds_seconds{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                         0.25,  0.5,    1,     2.5,  5,     10,   30};
  std::array<std::uint64_t, bounds_seconds.size()> counts{};
  double sum_seconds = 0;
  std::uint64_t count = 0;

  void record(double seconds) {
    const auto bucket = std::lower_bound(bounds_seconds.begin(), bounds_seconds.end(), seconds);
    if (bucket != bounds_seconds.end()) ++counts[static_cast<std::size_t>(bucket - bounds_seconds.begin())];
    sum_seconds += seconds;
    ++count;
  }
};

struct StreamStats {
  std::string id;
  bool audio = false;                   // an audio stream: its frames are buffers of decoded audio, and what an
                                        // elaboration samples and classifies are windows of it
  std::uint64_t packets_received = 0;   // RTP packets accepted (RTP sources only)
  std::uint64_t packets_rejected = 0;   // not RTP, wrong payload type, or from a sender not allowed
  std::uint64_t packets_lost = 0;       // gaps in RTP sequence numbers (an estimate: a late packet counts too)
  std::uint64_t frames_received = 0;    // frames whose last packet arrived (RTP marker bit); RTP only
  std::uint64_t frames_decoded = 0;     // pictures (or buffers of audio) out of the decoder
  std::uint64_t decode_errors = 0;      // corrupt or undecodable data reported by the decoder
  std::uint64_t pipeline_restarts = 0;  // the receiving pipeline failed and was rebuilt
  std::uint64_t ssrc_changes = 0;       // the sender restarted (new RTP SSRC)
  std::uint64_t stalls = 0;             // times no frame was decoded for StreamOptions::stall_timeout
  std::uint64_t keyframe_requests = 0;  // RTCP PLIs sent to the sender (needs an RTCP port)
  std::uint64_t rtcp_packets = 0;       // valid RTCP packets (or latching RTP headers) on the RTCP port
  std::uint64_t rtcp_rejected = 0;      // packets on the RTCP port that were neither
  bool ended = false;                   // end of a file, or of a pipeline source
};

struct SinkStats {
  std::string name;               // e.g. "udp 127.0.0.1:5002", "jsonl results.jsonl"
  std::uint64_t written = 0;      // messages delivered
  std::uint64_t failed = 0;       // messages lost to an error (refused, disk full, ...)
  std::uint64_t truncated = 0;    // sent with fewer detections, to fit a datagram (see docs/results.md)
};

// A counter of the elaboration's own (its `counters()` hook), shown in the statistics line and summary.
struct NamedCount {
  std::string name;
  std::uint64_t value = 0;
};

struct ElaborationStats {
  std::string name;
  std::string kind;
  std::chrono::duration<double> uptime{0};
  std::uint64_t frames_offered = 0;     // decoded frames this elaboration saw
  std::uint64_t frames_sampled = 0;     // picked by the sampling policy
  std::uint64_t frames_dropped = 0;     // picked, then dropped unclassified (queue full, or stopping)
  std::uint64_t frames_skipped = 0;     // preprocess() declined them
  std::uint64_t frames_unchanged = 0;   // sampling on change passed over them: too like the last one picked
  std::uint64_t frames_classified = 0;  // classify() returned
  std::uint64_t classify_errors = 0;    // classify() or a later hook threw
  std::uint64_t results_sent = 0;       // result messages published
  // Where the time goes, per stage of a frame's way to its result (docs/results.md has the timestamps):
  Percentiles decode_ms;                // first packet received -> picture decoded (jitter buffer, decoder)
  Percentiles wait_ms;                  // picture decoded -> classify starts (sampling, waiting in the queue)
  Percentiles classify_ms;              // classify() duration
  Percentiles output_ms;                // classify() returned -> result sent (elaborate_results, serialising)
  Percentiles latency_ms;               // first packet received -> result sent: all of the above
  BucketCounts classify_seconds;        // the same two over the whole run, for /metrics
  BucketCounts latency_seconds;
  StreamStats stream;
  std::vector<SinkStats> sinks;
  std::vector<NamedCount> counters;     // the elaboration's own, as its counters() hook gives them
};

// The JSON forms the control API shows. An elaboration's leaves out its stream's (shown beside it).
inline void to_json(nlohmann::json& j, const Percentiles& p) {
  j = {{"p50", p.p50}, {"p95", p.p95}, {"p99", p.p99}, {"count", p.count}};
}

inline void to_json(nlohmann::json& j, const StreamStats& s) {
  j = {{"packets_received", s.packets_received}, {"packets_rejected", s.packets_rejected},
       {"packets_lost", s.packets_lost},         {"frames_received", s.frames_received},
       {"frames_decoded", s.frames_decoded},     {"decode_errors", s.decode_errors},
       {"pipeline_restarts", s.pipeline_restarts}, {"ssrc_changes", s.ssrc_changes},
       {"stalls", s.stalls},                     {"keyframe_requests", s.keyframe_requests},
       {"rtcp_packets", s.rtcp_packets},         {"rtcp_rejected", s.rtcp_rejected},
       {"ended", s.ended},                       {"media", s.audio ? "audio" : "video"}};
}

inline void to_json(nlohmann::json& j, const SinkStats& s) {
  j = {{"name", s.name}, {"written", s.written}, {"failed", s.failed}, {"truncated", s.truncated}};
}

inline void to_json(nlohmann::json& j, const ElaborationStats& s) {
  nlohmann::json counters = nlohmann::json::object();
  for (const auto& c : s.counters) counters[c.name] = c.value;
  j = {{"uptime_s", s.uptime.count()},       {"frames_offered", s.frames_offered},
       {"frames_sampled", s.frames_sampled},   {"frames_dropped", s.frames_dropped},
       {"frames_skipped", s.frames_skipped},   {"frames_unchanged", s.frames_unchanged},
       {"frames_classified", s.frames_classified},
       {"classify_errors", s.classify_errors}, {"results_sent", s.results_sent},
       {"decode_ms", s.decode_ms},             {"wait_ms", s.wait_ms},
       {"classify_ms", s.classify_ms},         {"output_ms", s.output_ms},
       {"latency_ms", s.latency_ms},           {"sinks", s.sinks},
       {"counters", counters}};
}

}  // namespace elaborator
