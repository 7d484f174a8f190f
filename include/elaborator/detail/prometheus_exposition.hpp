#pragma once
// The Prometheus text exposition format 0.0.4, as metrics.hpp writes it: HELP and TYPE lines, samples,
// histograms, label values escaped, and the labels of a stream's and an elaboration's series. Internal:
// prometheus_metrics() and prometheus_dispatch_metrics() are the library's, these are how they write.

#include "../registry.hpp"
#include "../stats_types.hpp"

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace elaborator::detail {

// A label value as the exposition format wants it: UTF-8 (a file name that is not is made so, its
// invalid bytes replaced, rather than fail the whole scrape), with backslash, double quote and newline
// escaped.
inline std::string label_value(std::string_view text) {
  const std::string valid = nlohmann::json(std::string(text)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  const std::string unquoted = nlohmann::json::parse(valid).get<std::string>();
  std::string escaped;
  for (const char c : unquoted) {
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

}  // namespace elaborator::detail
