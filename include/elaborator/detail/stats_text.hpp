#pragma once
// The pieces of the statistics' text forms (stats.hpp): a rate, percentiles, an elaboration's own counters.
// Internal: only the periodic line and the summary are the library's.

#include "../stats_types.hpp"

#include <fmt/core.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace elaborator::detail {

inline std::string format_percentiles(const Percentiles& p) {
  if (p.count == 0) return "-";
  return fmt::format("{:.1f}/{:.1f}/{:.1f} ms", p.p50, p.p95, p.p99);
}

inline double per_second(std::uint64_t count, std::chrono::duration<double> interval) {
  return interval.count() > 0 ? static_cast<double>(count) / interval.count() : 0.0;
}

inline std::string format_counts(const std::vector<NamedCount>& counts) {
  std::string text;
  for (const auto& c : counts) text += fmt::format("{}{} {}", text.empty() ? "" : ", ", c.name, c.value);
  return text;
}

}  // namespace elaborator::detail
