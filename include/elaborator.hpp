#pragma once
// elaborator: real-time AI on live WebRTC video. One header for everything:
//   Elaborator<Derived, Detection>   the CRTP base a user derives from (elaborator/elaborator.hpp)
//   Stream                           one source, decoded once, shared by many elaborations
//   Registry                         the streams and elaborations of a process, changed while they run
//   Kinds, Config                    the kinds of elaboration a program offers; the one configuration model
//   Service, ControlServer           a long-running process: its streams from configuration, the HTTP API
//   Frame, Detection, Box            what classify() receives and returns
//   UdpSink, JsonLinesSink           where results go; Sink to write your own
//   cli::Parser, run_until_stopped   the command line and the main loop of a program
//   vision::, dnn::, http::          what several examples share: Haar faces, face crops, JPEG, model files
//                                    read safely, SSD output decoding, an asynchronous HTTP client

#include "elaborator/cli.hpp"
#include "elaborator/clock.hpp"
#include "elaborator/config.hpp"
#include "elaborator/control.hpp"
#include "elaborator/detection.hpp"
#include "elaborator/dnn/ssd_output.hpp"
#include "elaborator/elaboration.hpp"
#include "elaborator/elaborator.hpp"
#include "elaborator/endpoint.hpp"
#include "elaborator/error.hpp"
#include "elaborator/frame.hpp"
#include "elaborator/http/async_client.hpp"
#include "elaborator/http/secret.hpp"
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
#include "elaborator/vision/face_crop.hpp"
#include "elaborator/vision/haar_face_detector.hpp"
#include "elaborator/vision/jpeg.hpp"
#include "elaborator/vision/opencv_yaml.hpp"
