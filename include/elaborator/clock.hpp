#pragma once
// Time in the library: steady time for everything measured, wall time only in messages leaving the process.

#include <chrono>
#include <cstdint>

namespace elaborator {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;

// Microseconds since the Unix epoch for a steady time point. Result messages carry wall time so that a
// viewer on the same machine (or an NTP-synchronised one) can compare them with its own clock. The offset
// between the clocks is taken once, so intervals between converted time points stay exact.
inline std::int64_t to_unix_micros(TimePoint t) {
  using std::chrono::duration_cast;
  using std::chrono::microseconds;
  static const auto offset = std::chrono::system_clock::now().time_since_epoch() - Clock::now().time_since_epoch();
  return duration_cast<microseconds>(t.time_since_epoch() + offset).count();
}

// Milliseconds between two steady time points, as a double for statistics and reports.
inline double milliseconds_between(TimePoint from, TimePoint to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

inline double seconds_between(TimePoint from, TimePoint to) { return std::chrono::duration<double>(to - from).count(); }

}  // namespace elaborator
