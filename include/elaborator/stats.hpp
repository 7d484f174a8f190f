#pragma once
// What a running elaboration reports about itself: counters, rates and latency percentiles, as plain structs
// (Elaborator::stats(); stats_types.hpp) and as text (the periodic line on stderr and the summary at exit).

#include "detail/stats_text.hpp"
#include "stats_types.hpp"

#include <fmt/core.h>

#include <string>

namespace elaborator {

// The periodic one-line report: rates over the interval since `before`, percentiles as given (the caller
// passes the interval's own percentiles, so the line shows the recent state, not the whole run's).
inline std::string format_report_line(const ElaborationStats& now, const ElaborationStats& before) {
  const auto interval = now.uptime - before.uptime;
  std::string line = fmt::format(
      "{}/{}: in {:.1f} fps, out {:.1f} fps, sampled {}, dropped {}, decode errors {}, classify {}, latency {}",
      now.stream.id, now.name, detail::per_second(now.stream.frames_decoded - before.stream.frames_decoded, interval),
      detail::per_second(now.frames_classified - before.frames_classified, interval), now.frames_sampled,
      now.frames_dropped, now.stream.decode_errors, detail::format_percentiles(now.classify_ms),
      detail::format_percentiles(now.latency_ms));
  if (!now.counters.empty()) line += "; " + detail::format_counts(now.counters);
  return line;
}

// The summary printed at exit.
inline std::string format_summary(const ElaborationStats& s) {
  std::string text = fmt::format("summary of {}/{} after {:.1f} s\n", s.stream.id, s.name, s.uptime.count());
  if (s.stream.audio) {
    text += fmt::format(
        "  stream:      {} packets ({} rejected, {} lost), {} buffers of audio decoded ({:.1f}/s), {} decode errors, "
        "{} restarts, {} sender changes, {} stalls\n",
        s.stream.packets_received, s.stream.packets_rejected, s.stream.packets_lost, s.stream.frames_decoded,
        detail::per_second(s.stream.frames_decoded, s.uptime), s.stream.decode_errors, s.stream.pipeline_restarts,
        s.stream.ssrc_changes, s.stream.stalls);
    text += fmt::format(
        "  elaboration: {} windows sampled, {} dropped, {} skipped, {} classified ({:.1f}/s), {} classify errors\n",
        s.frames_sampled, s.frames_dropped, s.frames_skipped, s.frames_classified,
        detail::per_second(s.frames_classified, s.uptime), s.classify_errors);
  } else {
    text += fmt::format(
        "  stream:      {} packets ({} rejected, {} lost), {} frames received, {} decoded ({:.1f} fps), {} decode errors, "
        "{} restarts, {} sender changes, {} stalls, {} keyframe requests\n",
        s.stream.packets_received, s.stream.packets_rejected, s.stream.packets_lost, s.stream.frames_received,
        s.stream.frames_decoded,
        detail::per_second(s.stream.frames_decoded, s.uptime), s.stream.decode_errors, s.stream.pipeline_restarts,
        s.stream.ssrc_changes, s.stream.stalls, s.stream.keyframe_requests);
    text += fmt::format(
        "  elaboration: {} sampled, {} unchanged, {} dropped, {} skipped, {} classified ({:.1f} fps), {} classify errors\n",
        s.frames_sampled, s.frames_unchanged, s.frames_dropped, s.frames_skipped, s.frames_classified,
        detail::per_second(s.frames_classified, s.uptime), s.classify_errors);
  }
  text += fmt::format("  timing:      classify p50/p95/p99 {}, latency (arrival to sent) {}\n",
                      detail::format_percentiles(s.classify_ms), detail::format_percentiles(s.latency_ms));
  text += fmt::format("  stages:      decode {}, wait {}, classify {}, output {}\n", detail::format_percentiles(s.decode_ms),
                      detail::format_percentiles(s.wait_ms), detail::format_percentiles(s.classify_ms),
                      detail::format_percentiles(s.output_ms));
  if (!s.counters.empty()) text += fmt::format("  counters:    {}\n", detail::format_counts(s.counters));
  text += fmt::format("  results:     {} sent", s.results_sent);
  for (const auto& sink : s.sinks) {
    text += fmt::format("; {}: {} written, {} failed, {} truncated", sink.name, sink.written, sink.failed, sink.truncated);
  }
  return text;
}

}  // namespace elaborator
