#pragma once
// What runs, as Prometheus metrics: the text exposition format 0.0.4 that GET /metrics serves. Series are
// labelled by `stream` (and `elaboration`, and `sink` for results per sink); counters only grow while
// their stream lives, and a removed stream's series are gone from the next scrape.

#include "registry.hpp"
#include "stats.hpp"

#include <fmt/core.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace elaborator {

namespace detail {

// A label value, escaped as the exposition format wants: backslash, double quote and newline.
inline std::string label_value(std::string_view text) {
  std::string escaped;
  for (const char c : text) {
    if (c == '\\' || c == '"') escaped += '\\';
    escaped += c == '\n' ? std::string("\\n") : std::string(1, c);
  }
  return escaped;
}

class Exposition {
 public:
  // Starts a metric: its HELP and TYPE lines. All its samples must follow before the next one starts.
  void metric(std::string_view name, std::string_view type, std::string_view help) {
    text_ += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
  }

  void sample(std::string_view name, std::string_view labels, std::uint64_t value) {
    if (labels.empty()) {
      text_ += fmt::format("{} {}\n", name, value);
    } else {
      text_ += fmt::format("{}{{{}}} {}\n", name, labels, value);
    }
  }

  void histogram(std::string_view name, std::string_view labels, const BucketCounts& buckets) {
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < buckets.counts.size(); ++i) {
      cumulative += buckets.counts[i];
      text_ += fmt::format("{}_bucket{{{},le=\"{}\"}} {}\n", name, labels, BucketCounts::bounds_seconds[i], cumulative);
    }
    text_ += fmt::format("{}_bucket{{{},le=\"+Inf\"}} {}\n", name, labels, buckets.count);
    text_ += fmt::format("{}_sum{{{}}} {}\n", name, labels, buckets.sum_seconds);
    text_ += fmt::format("{}_count{{{}}} {}\n", name, labels, buckets.count);
  }

  [[nodiscard]] const std::string& text() const { return text_; }

 private:
  std::string text_;
};

inline std::string stream_labels(const StreamState& s) { return fmt::format("stream=\"{}\"", label_value(s.id)); }

inline std::string elaboration_labels(const StreamState& s, const ElaborationStats& e) {
  return fmt::format("stream=\"{}\",elaboration=\"{}\",kind=\"{}\"", label_value(s.id), label_value(e.name),
                     label_value(e.kind));
}

}  // namespace detail

inline std::string prometheus_metrics(const std::vector<StreamState>& streams) {
  detail::Exposition out;
  out.metric("elaborator_streams", "gauge", "Streams this process runs.");
  out.sample("elaborator_streams", "", static_cast<std::uint64_t>(streams.size()));

  using StreamCounter = std::uint64_t StreamStats::*;
  const struct {
    const char* name;
    StreamCounter field;
    const char* help;
  } stream_counters[] = {
      {"elaborator_packets_received_total", &StreamStats::packets_received, "RTP packets accepted."},
      {"elaborator_packets_rejected_total", &StreamStats::packets_rejected,
       "Packets dropped before the jitter buffer: not RTP, another payload type, or a sender not allowed."},
      {"elaborator_packets_lost_total", &StreamStats::packets_lost, "Gaps in RTP sequence numbers."},
      {"elaborator_frames_received_total", &StreamStats::frames_received, "Frames whose last RTP packet arrived."},
      {"elaborator_frames_decoded_total", &StreamStats::frames_decoded, "Pictures out of the decoder."},
      {"elaborator_decode_errors_total", &StreamStats::decode_errors, "Corrupt or undecodable data."},
      {"elaborator_pipeline_restarts_total", &StreamStats::pipeline_restarts, "Receiving pipelines rebuilt after a failure."},
      {"elaborator_sender_changes_total", &StreamStats::ssrc_changes, "New senders (RTP SSRC) on a stream."},
      {"elaborator_stalls_total", &StreamStats::stalls, "Times no frame was decoded for 2 s."},
      {"elaborator_keyframe_requests_total", &StreamStats::keyframe_requests, "RTCP PLIs sent to the sender."},
  };
  for (const auto& c : stream_counters) {
    out.metric(c.name, "counter", c.help);
    for (const auto& s : streams) out.sample(c.name, detail::stream_labels(s), s.stats.*c.field);
  }

  using ElaborationCounter = std::uint64_t ElaborationStats::*;
  const struct {
    const char* name;
    ElaborationCounter field;
    const char* help;
  } elaboration_counters[] = {
      {"elaborator_frames_sampled_total", &ElaborationStats::frames_sampled, "Frames picked by the sampling policy."},
      {"elaborator_frames_dropped_total", &ElaborationStats::frames_dropped,
       "Picked frames dropped unclassified (the queue was full, or stopping)."},
      {"elaborator_frames_skipped_total", &ElaborationStats::frames_skipped, "Frames preprocess() declined."},
      {"elaborator_frames_classified_total", &ElaborationStats::frames_classified, "Frames classify() returned for."},
      {"elaborator_classify_errors_total", &ElaborationStats::classify_errors, "Exceptions from classify() or a later hook."},
      {"elaborator_results_total", &ElaborationStats::results_sent, "Result messages published."},
  };
  for (const auto& c : elaboration_counters) {
    out.metric(c.name, "counter", c.help);
    for (const auto& s : streams) {
      for (const auto& e : s.elaborations) out.sample(c.name, detail::elaboration_labels(s, e), e.*c.field);
    }
  }

  const struct {
    const char* name;
    BucketCounts ElaborationStats::*field;
    const char* help;
  } histograms[] = {
      {"elaborator_classify_seconds", &ElaborationStats::classify_seconds, "classify() durations."},
      {"elaborator_latency_seconds", &ElaborationStats::latency_seconds, "First packet of a frame received to its result sent."},
  };
  for (const auto& h : histograms) {
    out.metric(h.name, "histogram", h.help);
    for (const auto& s : streams) {
      for (const auto& e : s.elaborations) out.histogram(h.name, detail::elaboration_labels(s, e), e.*h.field);
    }
  }

  using SinkCounter = std::uint64_t SinkStats::*;
  const struct {
    const char* name;
    SinkCounter field;
    const char* help;
  } sink_counters[] = {
      {"elaborator_sink_results_written_total", &SinkStats::written, "Result messages a sink delivered."},
      {"elaborator_sink_results_failed_total", &SinkStats::failed, "Result messages a sink lost to an error."},
      {"elaborator_sink_results_truncated_total", &SinkStats::truncated, "Results sent with fewer detections to fit a datagram."},
  };
  for (const auto& c : sink_counters) {
    out.metric(c.name, "counter", c.help);
    for (const auto& s : streams) {
      for (const auto& e : s.elaborations) {
        for (const auto& sink : e.sinks) {
          out.sample(c.name, fmt::format("{},sink=\"{}\"", detail::elaboration_labels(s, e), detail::label_value(sink.name)),
                     sink.*c.field);
        }
      }
    }
  }
  return out.text();
}

}  // namespace elaborator
