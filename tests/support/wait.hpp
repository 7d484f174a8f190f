#pragma once
// Bounded waiting for tests: every loop in a test ends, by success or by its deadline. Tests wait for what
// they can observe (a count, a file, a message), never for a fixed time.

#include <chrono>
#include <thread>

namespace test_support {

template <class Predicate>
bool wait_until(Predicate done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    // The waiting primitive's poll interval, inside a loop bounded by the deadline: not a synchronising sleep.
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

// Waits until `done()` holds and `value()` has not changed for `quiet`; false if that has not happened by
// the deadline. For counts with no known final value (frames still in a jitter buffer or a decoder after
// the sender ended, results of a program still classifying them), "nothing new for a while" is the only
// sign they are final. It waits longer if they keep changing, never less than `quiet`.
template <class Value, class Predicate>
bool wait_until_steady(Value value, Predicate done, std::chrono::milliseconds quiet,
                       std::chrono::milliseconds timeout) {
  auto last = value();
  auto changed = std::chrono::steady_clock::now();
  return wait_until(
      [&] {
        const auto now = value();
        if (now != last) {
          last = now;
          changed = std::chrono::steady_clock::now();
          return false;
        }
        return done() && std::chrono::steady_clock::now() - changed >= quiet;
      },
      timeout);
}

}  // namespace test_support
