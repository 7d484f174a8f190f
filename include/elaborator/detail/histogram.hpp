#pragma once
// A fixed-size histogram of durations for percentiles: buckets grow geometrically by 2 %, from 1 us to
// 100 s, so any percentile it reports is within 2 % of the true value and recording costs one log().

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>

namespace elaborator::detail {

class Histogram {
 public:
  static constexpr double growth = 1.02;
  static constexpr double smallest_ms = 0.001;
  static constexpr std::size_t bucket_count = 933;  // growth^932 * 1 us > 100 s

  void record(double milliseconds) {
    ++counts_[bucket_of(milliseconds)];
    ++total_;
  }

  [[nodiscard]] std::uint64_t count() const { return total_; }

  // The value below which a fraction q of the recorded values fall (upper edge of that bucket); 0 if empty.
  [[nodiscard]] double percentile(double q) const {
    if (total_ == 0) return 0;
    const auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(total_)));
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < bucket_count; ++i) {
      seen += counts_[i];
      if (seen >= rank && seen > 0) return upper_edge(i);
    }
    return upper_edge(bucket_count - 1);
  }


 private:
  static std::size_t bucket_of(double milliseconds) {
    if (!(milliseconds > smallest_ms)) return 0;  // also catches NaN
    const double index = std::ceil(std::log(milliseconds / smallest_ms) / std::log(growth));
    return index >= static_cast<double>(bucket_count - 1) ? bucket_count - 1 : static_cast<std::size_t>(index);
  }

  static double upper_edge(std::size_t bucket) { return smallest_ms * std::pow(growth, static_cast<double>(bucket)); }

  std::array<std::uint64_t, bucket_count> counts_{};
  std::uint64_t total_ = 0;
};

}  // namespace elaborator::detail
