#pragma once
// Where result messages go. Modelled on spdlog's base_sink: write() is the public driver, not overridden;
// it takes the lock, calls the private hook write_message() and counts the outcome. A sink never throws
// into the frame loop: a failure (a receiver that is gone, a full disk) is counted, logged (rate limited),
// and the next message is tried as if nothing happened.
//
// A new kind of sink implements only write_message() and, if it buffers, flush_buffered().

#include "detail/log.hpp"
#include "result.hpp"
#include "stats.hpp"

#include <exception>
#include <mutex>
#include <string>
#include <utility>

namespace elaborator {

class Sink {
 public:
  explicit Sink(std::string name) : name_(std::move(name)) { stats_.name = name_; }
  virtual ~Sink() = default;
  Sink(const Sink&) = delete;
  Sink& operator=(const Sink&) = delete;

  void write(const Message& message) noexcept {
    const std::lock_guard lock(mutex_);
    Outcome outcome = Outcome::failed;
    try {
      outcome = write_message(message);
    } catch (const std::exception& e) {
      failures_("{}: {}", name_, e.what());
    }
    const std::lock_guard counting(stats_mutex_);
    switch (outcome) {
      case Outcome::written: ++stats_.written; break;
      case Outcome::truncated: ++stats_.written; ++stats_.truncated; break;
      case Outcome::failed: ++stats_.failed; break;
    }
  }

  void flush() noexcept {
    const std::lock_guard lock(mutex_);
    try {
      flush_buffered();
    } catch (const std::exception& e) {
      failures_("{}: flush: {}", name_, e.what());
    }
  }

  // Never waits for a write in progress (which may block on a full pipe): statistics have a lock of their own.
  [[nodiscard]] SinkStats stats() const {
    const std::lock_guard lock(stats_mutex_);
    return stats_;
  }

  [[nodiscard]] const std::string& name() const { return name_; }

 protected:
  enum class Outcome { written, truncated, failed };

  // For the hooks: report a failure with the sink's name, rate limited.
  template <class... Args>
  void report_failure(fmt::format_string<Args...> format, Args&&... args) {
    failures_("{}: {}", name_, fmt::format(format, std::forward<Args>(args)...));
  }

 private:
  // Called with the lock held; returns how the message fared. May throw: that counts as failed.
  virtual Outcome write_message(const Message& message) = 0;
  virtual void flush_buffered() {}

  const std::string name_;
  std::mutex mutex_;                // held while a hook runs
  mutable std::mutex stats_mutex_;  // held only to count
  SinkStats stats_;
  detail::RateLimitedLog failures_;
};

}  // namespace elaborator
