#pragma once
// The main loop both run_until_stopped() share (runner.hpp for a registry, program.hpp for a whole command
// line): start, wait for the end of the sources or a stop signal, stop within stop_grace. Internal: those two
// are the library's, each with what to start and stop filled in.

#include "../stop_signals.hpp"
#include "log.hpp"

#include <chrono>
#include <cstdlib>
#include <exception>

namespace elaborator::detail {

// The main loop of a program: start, wait for the end of the sources or a stop signal, stop. Returns the
// exit code: 0, or 1 if it could not start (the reason is logged). If a hook is still running `stop_grace`
// after the stop, the process exits at once (code 0, sinks flushed): a thread cannot be cancelled, and
// destructors would wait for it. `finished()` says, without waiting, whether every source has ended.
template <class Start, class Finished, class StopWithin>
int run_until_stopped(Start start, Finished finished, StopWithin stop_within) {
  const StopSignals signals;
  try {
    start();
  } catch (const std::exception& e) {  // elaborator::Error, or whatever configure() threw
    log("cannot start: {}", e.what());
    return 1;
  }
  // A signal wakes the wait at once; the end of the sources (files) is seen within the interval.
  constexpr auto finished_interval = std::chrono::milliseconds(100);
  while (!signals.wait_for(finished_interval) && !finished()) {
  }
  if (const int signal_number = signals.requested(); signal_number != 0) log("stopping on signal {}", signal_number);
  if (!stop_within(stop_grace)) {
    log("exiting without waiting for the hook that is still running");
    std::_Exit(0);
  }
  return 0;
}

}  // namespace elaborator::detail
