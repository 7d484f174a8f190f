#pragma once
// elaborator: real-time AI on live WebRTC video. The core, in one header; it needs GStreamer, OpenCV's core
// and imgproc, fmt and nlohmann-json, nothing else (CMake: elaborator::elaborator).
//   Elaborator<Derived, Detection>   the CRTP base a user derives from (elaborator/elaborator.hpp)
//   Stream                           one source, decoded once, shared by many elaborations
//   Registry                         the streams and elaborations of a process, changed while they run
//   Kinds, Config                    the kinds of elaboration a program offers; the one configuration model
//   Service                          a long-running process: its streams from configuration
//   Frame, Detection, Box            what classify() receives and returns
//   UdpSink, JsonLinesSink           where results go; Sink to write your own
//   run_until_stopped(Registry&)     the main loop of a program; metrics.hpp: Prometheus text
//
// Opt-in, each its own header and CMake component (find_package(elaborator COMPONENTS ...)), so that who
// does not use them pays nothing:
//   elaborator/program.hpp           elaborator::program   the whole command line (cli::Parser), the control
//                                                          API and Janus rooms (cxxopts, cpp-httplib, libcurl)
//   elaborator/janus/*.hpp           elaborator::janus     Janus's HTTP API, VideoRoom, Streaming, events (libcurl)
//   elaborator/http/async_client.hpp elaborator::http      an asynchronous HTTP client for cloud models (libcurl)
//   elaborator/vision/*.hpp          elaborator::vision    Haar faces, face crops, JPEG (OpenCV objdetect,
//                                                          imgcodecs)
//   elaborator/counting.hpp, http/secret.hpp: header only, nothing to link

#include "elaborator/clock.hpp"
#include "elaborator/config.hpp"
#include "elaborator/detection.hpp"
#include "elaborator/elaboration.hpp"
#include "elaborator/elaborator.hpp"
#include "elaborator/endpoint.hpp"
#include "elaborator/error.hpp"
#include "elaborator/frame.hpp"
#include "elaborator/kinds.hpp"
#include "elaborator/log.hpp"
#include "elaborator/metrics.hpp"
#include "elaborator/options.hpp"
#include "elaborator/registry.hpp"
#include "elaborator/result.hpp"
#include "elaborator/runner.hpp"
#include "elaborator/sampling.hpp"
#include "elaborator/service.hpp"
#include "elaborator/sink.hpp"
#include "elaborator/sinks/json_lines_sink.hpp"
#include "elaborator/sinks/udp_sink.hpp"
#include "elaborator/source.hpp"
#include "elaborator/stats.hpp"
#include "elaborator/stream.hpp"
#include "elaborator/tracking.hpp"
#include "elaborator/version.hpp"
