#pragma once
// The main loop of a program: start its elaborations, stop them cleanly on Ctrl-C or SIGTERM, return an exit
// code. A program with the whole command line (control API, Janus rooms) uses program.hpp's instead.

#include "detail/main_loop.hpp"
#include "registry.hpp"
#include "stop_signals.hpp"

#include <chrono>

namespace elaborator {

// Runs every stream and elaboration of a registry the program filled itself, until they all end (files) or
// SIGINT/SIGTERM, then stops them (flushing sinks, printing summaries). Returns 0.
inline int run_until_stopped(Registry& registry) {
  return detail::run_until_stopped([] {}, [&] { return registry.wait_for(std::chrono::milliseconds(0)); },
                                   [&](std::chrono::milliseconds grace) { return registry.stop_within(grace); });
}

}  // namespace elaborator
