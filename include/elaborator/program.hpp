#pragma once
// elaborator::program: a whole program from a command line. cli::Parser reads it (cli.hpp), and
// run_until_stopped() runs what it asks for: streams, the control API (control.hpp), the publishers of Janus
// rooms (janus/dispatcher.hpp), the ready file. An opt-in component (CMake: elaborator::program), as it
// brings cxxopts, cpp-httplib and libcurl; the core's own main loop is in runner.hpp.

#include "cli.hpp"
#include "control.hpp"
#include "detail/control_token.hpp"
#include "detail/main_loop.hpp"
#include "detail/ready_file.hpp"
#include "janus/dispatcher.hpp"
#include "runner.hpp"
#include "service.hpp"

#include <chrono>
#include <optional>

namespace elaborator {

// Runs what a program's command line asks for (cli.hpp): its streams, the control API with --control, the
// publishers of Janus rooms with --janus and --room (janus/dispatcher.hpp), the ready file with
// --ready-file. Without the API or rooms it ends when every stream has ended (files), or on SIGINT/SIGTERM;
// with them, only on a signal. Returns the process's exit code: 0, or 1 if something could
// not start (the reason is logged).
inline int run_until_stopped(const cli::Arguments& args) {
  // Declared in this order, the API goes first, then what its changes touch.
  Service service(args.kinds, args.config.stats_interval, args.limits);
  detail::ReadyFile ready(args.ready_file, service.registry());
  service.on_change([&] { ready.update(); });  // before the API can make a change
  std::optional<janus::Dispatcher> dispatcher;
  std::optional<ControlServer> control;
  const auto start = [&] {
    for (const auto& stream : args.config.streams) service.add_stream(stream);
    if (args.config.janus) dispatcher.emplace(service, *args.config.janus, args.config.rooms);
    if (args.control) {
      control.emplace(service, *args.control, detail::control_token(args), dispatcher ? &*dispatcher : nullptr);
    }
    if (dispatcher) dispatcher->start();
    ready.enable(control ? std::optional(control->endpoint()) : std::nullopt);  // everything listens now
  };
  // A service (control API, rooms) runs until it is told to stop.
  const auto finished = [&] { return !control && !dispatcher && service.wait_for(std::chrono::milliseconds(0)); };
  const auto stop_within = [&](std::chrono::milliseconds grace) {
    if (control) control->stop();  // no change may start while everything stops
    if (dispatcher) dispatcher->stop();  // what it made in Janus goes, then its streams
    ready.disable();
    return service.stop_within(grace);
  };
  return detail::run_until_stopped(start, finished, stop_within);
}

}  // namespace elaborator
