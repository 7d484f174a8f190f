#pragma once
// What runs, as Prometheus metrics: the text exposition format 0.0.4 that GET /metrics serves. Series are
// labelled by `stream` (and `elaboration`, and `sink` for results per sink); counters only grow while
// their stream lives, and a removed stream's series are gone from the next scrape.

#include "detail/prometheus_exposition.hpp"
#include "registry.hpp"
#include "stats.hpp"

#include <fmt/core.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace elaborator {

// A family of counters read from one kind of statistics (StreamStats, ElaborationStats, SinkStats).
template <class Stats>
struct CounterOf {
  const char* name;
  std::uint64_t Stats::*field;
  const char* help;
};

inline std::string prometheus_metrics(const std::vector<StreamState>& streams) {
  detail::Exposition out;
  out.metric("elaborator_streams", "gauge", "Streams this process runs.");
  out.sample("elaborator_streams", "", static_cast<std::uint64_t>(streams.size()));

  // Each family once, with a sample for every labelled thing `each` visits.
  const auto counters = [&out](const auto& family, const auto& each) {
    for (const auto& c : family) {
      out.metric(c.name, "counter", c.help);
      each([&](const std::string& labels, const auto& stats) { out.sample(c.name, labels, stats.*c.field); });
    }
  };
  const auto each_stream = [&streams](const auto& sample) {
    for (const auto& s : streams) sample(detail::stream_labels(s), s.stats);
  };
  const auto each_elaboration = [&streams](const auto& sample) {
    for (const auto& s : streams) {
      for (const auto& e : s.elaborations) sample(detail::elaboration_labels(s, e), e);
    }
  };
  const auto each_sink = [&streams](const auto& sample) {
    for (const auto& s : streams) {
      for (const auto& e : s.elaborations) {
        for (const auto& sink : e.sinks) {
          sample(fmt::format("{},sink=\"{}\"", detail::elaboration_labels(s, e), detail::label_value(sink.name)), sink);
        }
      }
    }
  };

  const CounterOf<StreamStats> stream_counters[] = {
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
  counters(stream_counters, each_stream);

  const CounterOf<ElaborationStats> elaboration_counters[] = {
      {"elaborator_frames_sampled_total", &ElaborationStats::frames_sampled, "Frames picked by the sampling policy."},
      {"elaborator_frames_dropped_total", &ElaborationStats::frames_dropped,
       "Picked frames dropped unclassified (the queue was full, or stopping)."},
      {"elaborator_frames_skipped_total", &ElaborationStats::frames_skipped, "Frames preprocess() declined."},
      {"elaborator_frames_unchanged_total", &ElaborationStats::frames_unchanged,
       "Frames sampling on change passed over (too like the last one picked)."},
      {"elaborator_frames_classified_total", &ElaborationStats::frames_classified, "Frames classify() returned for."},
      {"elaborator_classify_errors_total", &ElaborationStats::classify_errors, "Exceptions from classify() or a later hook."},
      {"elaborator_results_total", &ElaborationStats::results_sent, "Result messages published."},
  };
  counters(elaboration_counters, each_elaboration);

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
    each_elaboration([&](const std::string& labels, const ElaborationStats& e) { out.histogram(h.name, labels, e.*h.field); });
  }

  const CounterOf<SinkStats> sink_counters[] = {
      {"elaborator_sink_results_written_total", &SinkStats::written, "Result messages a sink delivered."},
      {"elaborator_sink_results_failed_total", &SinkStats::failed, "Result messages a sink lost to an error."},
      {"elaborator_sink_results_truncated_total", &SinkStats::truncated, "Results sent with fewer detections to fit a datagram."},
  };
  counters(sink_counters, each_sink);
  return out.text();
}

// The dispatcher's counters (janus/dispatcher.hpp), as families of their own.
template <class Stats>
std::string prometheus_dispatch_metrics(const Stats& s) {
  detail::Exposition out;
  const struct {
    const char* name;
    const char* type;
    std::uint64_t value;
    const char* help;
  } families[] = {
      {"elaborator_dispatch_events_total", "counter", s.events_received, "Publisher events received from Janus."},
      {"elaborator_dispatch_events_dropped_total", "counter", s.events_dropped, "Events dropped on a full queue."},
      {"elaborator_dispatch_events_unknown_total", "counter", s.events_unknown,
       "Events about a publisher the room does not have (fake, or gone already)."},
      {"elaborator_dispatch_publishers_added_total", "counter", s.publishers_added, "Published video streams set up."},
      {"elaborator_dispatch_publishers_removed_total", "counter", s.publishers_removed, "Published video streams taken down."},
      {"elaborator_dispatch_refused_total", "counter", s.refused_at_limit,
       "Published video streams not analysed: the maximum of streams reached, or no ports left."},
      {"elaborator_dispatch_janus_errors_total", "counter", s.janus_errors, "Requests Janus refused or did not answer."},
      {"elaborator_dispatch_reconciles_total", "counter", s.reconciles, "Comparisons of the rooms with what runs."},
      {"elaborator_dispatch_stale_removed_total", "counter", s.stale_removed,
       "Mountpoints and forwards of this process's that nothing ran for any more."},
      {"elaborator_dispatch_analysed", "gauge", s.analysed, "Published video streams analysed now."},
  };
  for (const auto& f : families) {
    out.metric(f.name, f.type, f.help);
    out.sample(f.name, "", f.value);
  }
  return out.text();
}

}  // namespace elaborator
