#pragma once
// Diagnostics on stderr, one line each, prefixed so they can be told apart from a program's own output.
// Repeated failures (a packet flood, a full disk) are rate limited with RateLimitedLog.

#include <fmt/core.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>

namespace elaborator::detail {

template <class... Args>
void log(fmt::format_string<Args...> format, Args&&... args) {
  // One fwrite per line keeps lines from different threads whole.
  const std::string line = fmt::format("elaborator: {}\n", fmt::format(format, std::forward<Args>(args)...));
  std::fwrite(line.data(), 1, line.size(), stderr);
}

// Logs the 1st, 10th, 100th, ... occurrence of one kind of failure, with its running count, so a flood
// of bad input cannot flood the log while the first report still arrives at once.
class RateLimitedLog {
 public:
  template <class... Args>
  void operator()(fmt::format_string<Args...> format, Args&&... args) {
    const std::uint64_t n = ++count_;
    if (n == next_report_.load()) {
      next_report_.store(n * 10);
      log("{} (occurrence {})", fmt::format(format, std::forward<Args>(args)...), n);
    }
  }

 private:
  std::atomic<std::uint64_t> count_{0};
  std::atomic<std::uint64_t> next_report_{1};
};

}  // namespace elaborator::detail
