#pragma once
// Stopping a program cleanly on Ctrl-C or SIGTERM: StopSignals turns them into a request to stop, and
// stop_grace is how long a stop may take. The main loops (runner.hpp, program.hpp) are built on them.

#include <semaphore.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>

namespace elaborator {

// While it exists, SIGINT and SIGTERM request a stop instead of killing the process; a second one while
// stopping exits at once (exit code 128 + signal), for a hook that never returns. SIGPIPE is ignored, so a
// closed stdout pipe is a counted sink failure instead of a silent death.
class StopSignals {
 public:
  StopSignals() {
    received() = 0;
    while (sem_trywait(&semaphore()) == 0) {
    }
    struct sigaction action {};
    action.sa_handler = &StopSignals::handle;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &previous_int_);
    sigaction(SIGTERM, &action, &previous_term_);
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    sigaction(SIGPIPE, &ignore, &previous_pipe_);
  }

  ~StopSignals() {
    sigaction(SIGINT, &previous_int_, nullptr);
    sigaction(SIGTERM, &previous_term_, nullptr);
    sigaction(SIGPIPE, &previous_pipe_, nullptr);
  }

  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  // The signal that asked to stop, or 0.
  [[nodiscard]] int requested() const { return received().load(); }

  // Waits at most `timeout` for a stop signal (woken by it at once, not polling); true if one came.
  bool wait_for(std::chrono::milliseconds timeout) const {
    timespec until{};
    clock_gettime(CLOCK_MONOTONIC, &until);
    const auto nanoseconds = std::chrono::nanoseconds(timeout).count() + until.tv_nsec;
    until.tv_sec += static_cast<time_t>(nanoseconds / 1'000'000'000);
    until.tv_nsec = static_cast<long>(nanoseconds % 1'000'000'000);
    while (requested() == 0 && sem_clockwait(&semaphore(), CLOCK_MONOTONIC, &until) != 0 && errno == EINTR) {
    }
    return requested() != 0;
  }

 private:
  static std::atomic<int>& received() {
    static std::atomic<int> signal_number{0};
    return signal_number;
  }

  // Posted by the handler (sem_post is async-signal-safe), so that wait_for() wakes when the signal comes.
  static sem_t& semaphore() {
    struct Semaphore {
      Semaphore() { sem_init(&value, 0, 0); }
      sem_t value;
    };
    static Semaphore semaphore;
    return semaphore.value;
  }

  static void handle(int signal_number) {
    int none = 0;
    if (!received().compare_exchange_strong(none, signal_number)) _exit(128 + signal_number);
    sem_post(&semaphore());
  }

  struct sigaction previous_int_ {};
  struct sigaction previous_term_ {};
  struct sigaction previous_pipe_ {};
};

// How long a stop waits for a classify() in progress before the process exits without it: a stop signal
// is answered within a second, as container runtimes and service managers expect.
inline constexpr std::chrono::milliseconds stop_grace{500};

}  // namespace elaborator
