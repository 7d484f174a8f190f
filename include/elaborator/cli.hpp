#pragma once
// The command line every elaborator program shares: where the video comes from, which frames are
// classified, where results go, how often statistics are printed. A program adds its own options to the
// same parser, so one --help explains everything:
//
//   elaborator::cli::Parser cli("face_detector", "Finds faces in a live video stream.");
//   cli.add_options("Face detection")("min-face", "smallest face, pixels", cxxopts::value<int>()->default_value("40"));
//   const elaborator::cli::Arguments args = cli.parse(argc, argv);   // exits on --help or a bad option
//   Faces faces(args.elaboration, args.get<int>("min-face"));
//   return elaborator::run_until_stopped(faces, args.source, args.stream_id);
//
// A program that can run many streams in one process calls allow_many_streams() and hands the parsed
// arguments to run_until_stopped(args, make) (runner.hpp), which makes one elaboration per configured one:
// then --stream ID=PORT (repeatable) and --streams-file FILE (JSON, config.hpp) are inputs too.
//
// Every long option can also come from the environment, for containers: --rtp-port 5004 is
// ELABORATOR_RTP_PORT=5004, a flag such as --stdout is ELABORATOR_STDOUT=1. The command line wins.

#include "config.hpp"
#include "endpoint.hpp"
#include "error.hpp"
#include "options.hpp"
#include "sampling.hpp"
#include "sinks/json_lines_sink.hpp"
#include "sinks/udp_sink.hpp"
#include "source.hpp"

#include <cxxopts.hpp>
#include <fmt/core.h>
#include <fmt/format.h>

#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cctype>
#include <exception>
#include <fstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace elaborator::cli {

// One elaboration to make: its options (sinks open) and, from a --streams-file, the program's own "params".
struct ElaborationPlan {
  ElaborationOptions options;
  nlohmann::json params = nlohmann::json::object();
};

// One stream to receive and the elaborations to run on it.
struct StreamPlan {
  std::string id;
  Source source;
  std::vector<ElaborationPlan> elaborations;
};

// What the shared options resolve to, plus the raw result for the program's own options.
struct Arguments {
  bool has_input = true;  // false only when the program allows no input and none was given
  // The single input (--rtp-port, --file or --pipeline); with --stream or --streams-file, see `streams`.
  Source source;
  std::string stream_id;
  ElaborationOptions elaboration;
  // Every stream to run, whichever way it was given (one, for a single input).
  std::vector<StreamPlan> streams;
  cxxopts::ParseResult raw;

  template <class T>
  [[nodiscard]] T get(const std::string& name) const {
    return raw[name].as<T>();
  }
  [[nodiscard]] bool has(const std::string& name) const { return raw.count(name) > 0; }
};

class Parser {
  static constexpr const char* input_group = "Input (one of --rtp-port, --file, --pipeline)";

 public:
  // `sampling` gives the defaults of --every, --max-fps and --queue, for a program whose classify() has a
  // price (a cloud service bills each request) and should not run on every frame unless asked to.
  Parser(std::string program, std::string description, SamplingPolicy sampling = {})
      : program_(std::move(program)),
        options_(program_, std::move(description) +
                               "\n\nEvery option can also be set in the environment, for containers: --rtp-port 5004 "
                               "is ELABORATOR_RTP_PORT=5004, --stdout is ELABORATOR_STDOUT=1. The command line wins.") {
    options_.set_width(100);
    options_.add_options(input_group)
      ("rtp-port", "receive RTP video on this UDP port (0: any free port, printed at start)", cxxopts::value<int>())
      ("bind", "address to receive RTP on; 0.0.0.0 for every interface", cxxopts::value<std::string>()->default_value("127.0.0.1"))
      ("codec", "RTP video codec: vp8, vp9 or h264", cxxopts::value<std::string>()->default_value("vp8"))
      ("payload-type", "RTP payload type; packets with another one are dropped", cxxopts::value<int>()->default_value("96"))
      ("jitter-ms", "how long the jitter buffer waits for late RTP packets", cxxopts::value<int>()->default_value("50"))
      ("rtcp-port", "listen for the sender's RTCP on this port and ask it for keyframes (the rtcp_port of a "
                    "Janus rtp_forward; 0: any free port)", cxxopts::value<int>())
      ("allowed-sender", "accept RTP only from this IP address (e.g. Janus's); drop and count the rest",
       cxxopts::value<std::string>())
      ("file", "read a media file instead of RTP", cxxopts::value<std::string>())
      ("realtime", "with --file: play at the file's frame rate instead of as fast as possible")
      ("pipeline", "a gst-launch description ending in '! videoconvert ! appsink name=appsink'", cxxopts::value<std::string>());
    options_.add_options("Sampling")
      ("every", "classify every Nth decoded frame", cxxopts::value<unsigned>()->default_value(fmt::format("{}", sampling.every_nth)))
      ("max-fps", "classify at most this many frames per second (0: no cap)",
       cxxopts::value<double>()->default_value(fmt::format("{}", sampling.max_fps)))
      ("queue", "frames that may wait for classify; the oldest is dropped when full (1: newest only)",
       cxxopts::value<std::size_t>()->default_value(fmt::format("{}", sampling.queue_capacity)));
    options_.add_options("Results (any number at once)")
      ("udp", "send each result as one datagram to HOST:PORT (e.g. a Janus Streaming data port); repeatable",
       cxxopts::value<std::vector<std::string>>())
      ("udp-max-bytes", "largest datagram; bigger results keep their most confident detections",
       cxxopts::value<std::size_t>()->default_value(std::to_string(UdpSink::default_max_datagram)))
      ("jsonl", "append results to FILE as JSON Lines", cxxopts::value<std::string>())
      ("stdout", "print results on stdout as JSON Lines (the default when no other result option is given)");
    options_.add_options("Run")
      ("stream-id", "the stream's name in results", cxxopts::value<std::string>()->default_value("stream"))
      ("name", "the elaboration's name in results", cxxopts::value<std::string>()->default_value(program_))
      ("stats-interval", "seconds between statistics lines on stderr (0: none)", cxxopts::value<double>()->default_value("5"))
      ("h,help", "show this help");
  }

  // For a program that also has work without a video (training from images, say): no input is then not an
  // error, and Arguments::has_input tells whether one was given.
  void allow_no_input() { input_optional_ = true; }

  // For a program that runs elaborations through run_until_stopped(args, make): adds --stream ID=PORT and
  // --streams-file FILE, and fills Arguments::streams from them.
  void allow_many_streams() {
    many_streams_ = true;
    options_.add_options(input_group)
      ("stream", "receive one more RTP stream: ID=PORT (repeatable); every stream gets the same codec, sampling "
                 "and results, and results carry the stream's id", cxxopts::value<std::vector<std::string>>())
      ("streams-file", "streams and elaborations from a JSON file (docs/library.md); replaces the input, sampling "
                       "and result options", cxxopts::value<std::string>());
  }

  // The program's own options, in a group of their own in --help.
  cxxopts::OptionAdder add_options(const std::string& group) {
    groups_.push_back(group);
    return options_.add_options(group);
  }

  // Parses the command line. Prints the help and exits 0 on --help; prints the error and exits 2 on a bad
  // command line, as command-line tools do.
  Arguments parse(int argc, const char* const* argv) {
    try {
      Arguments args;
      args.raw = parse_with_environment(argc, argv);
      if (args.raw.count("help") > 0) {
        std::fputs((help() + "\n").c_str(), stdout);
        std::exit(0);
      }
      if (!args.raw.unmatched().empty()) throw Error(fmt::format("unexpected argument '{}'", args.raw.unmatched().front()));
      args.has_input = !input_optional_ || input_count(args.raw) > 0;
      if (args.has_input && input_count(args.raw) != 1) {
        throw Error(fmt::format("give exactly one input: {}", input_names()));
      }
      args.stream_id = args.raw["stream-id"].as<std::string>();
      if (args.raw.count("streams-file") > 0) {
        args.streams = streams_from_file(args.raw);
        return args;
      }
      args.elaboration = elaboration_from(args.raw);
      if (args.raw.count("stream") > 0) {
        args.streams = streams_from_command_line(args.raw, args.elaboration);
      } else if (args.has_input) {
        args.source = source_from(args.raw);
        args.streams.push_back({args.stream_id, args.source, {{args.elaboration, nlohmann::json::object()}}});
      }
      return args;
    } catch (const std::exception& e) {
      usage_error(e.what());
    }
  }

  // Runs `interpret()`, which turns the program's own options into its settings; what it throws is a bad
  // command line too: printed with a hint, exit 2.
  //   const Settings settings = cli.interpret([&] { return settings_from(args); });
  template <class Interpret>
  auto interpret(Interpret&& settings_from_options) const -> decltype(settings_from_options()) {
    try {
      return settings_from_options();
    } catch (const std::exception& e) {
      usage_error(e.what());
    }
  }

  [[noreturn]] void usage_error(const char* reason) const {
    std::fprintf(stderr, "%s: %s\nTry '%s --help'.\n", program_.c_str(), reason, program_.c_str());
    std::exit(2);
  }

  // The program's own options first, then the shared ones, in a fixed order.
  [[nodiscard]] std::string help() const {
    std::vector<std::string> groups = groups_;
    groups.insert(groups.end(), shared_groups_.begin(), shared_groups_.end());
    return options_.help(groups);
  }

 private:
  // The command line, completed with ELABORATOR_* variables for the options it does not give.
  cxxopts::ParseResult parse_with_environment(int argc, const char* const* argv) {
    cxxopts::ParseResult given = options_.parse(argc, argv);
    std::vector<std::string> from_environment;
    for (const auto& group : options_.groups()) {
      for (const auto& option : options_.group_help(group).options) {
        if (option.l.empty() || option.l.front() == "help" || given.count(option.l.front()) > 0) continue;
        add_from_environment(option, from_environment);
      }
    }
    if (from_environment.empty()) return given;
    std::vector<const char*> all(argv, argv + argc);
    for (const auto& argument : from_environment) all.push_back(argument.c_str());
    try {
      return options_.parse(static_cast<int>(all.size()), all.data());
    } catch (const std::exception& e) {
      throw Error(fmt::format("{} (with options from the environment: {})", e.what(), fmt::join(from_environment, " ")));
    }
  }

  static void add_from_environment(const cxxopts::HelpOptionDetails& option, std::vector<std::string>& arguments) {
    const std::string& name = option.l.front();
    std::string variable = "ELABORATOR_";
    for (const char c : name) variable += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    const char* value = std::getenv(variable.c_str());
    if (value == nullptr) return;
    const std::string_view text(value);
    if (!option.is_boolean) {
      arguments.push_back(fmt::format("--{}={}", name, text));
    } else if (text == "1" || text == "true" || text == "yes") {
      arguments.push_back("--" + name);
    } else if (!(text.empty() || text == "0" || text == "false" || text == "no")) {
      throw Error(fmt::format("{}={}: a flag is 1, true or yes (set) or 0, false, no or empty (not set)", variable, text));
    }
  }

  [[nodiscard]] std::size_t input_count(const cxxopts::ParseResult& r) const {
    std::size_t count = r.count("rtp-port") + r.count("file") + r.count("pipeline");
    if (many_streams_) count += (r.count("stream") > 0 ? 1 : 0) + r.count("streams-file");
    return count;
  }

  [[nodiscard]] std::string input_names() const {
    return many_streams_ ? "--rtp-port, --file, --pipeline, --stream or --streams-file" : "--rtp-port, --file or --pipeline";
  }

  [[nodiscard]] Source source_from(const cxxopts::ParseResult& r) const {
    if (r.count("file") > 0) return FileSource{r["file"].as<std::string>(), r.count("realtime") > 0};
    if (r.count("pipeline") > 0) return PipelineSource{r["pipeline"].as<std::string>(), true};
    return rtp_source_from(r, checked_port(r["rtp-port"].as<int>()));
  }

  // --stream ID=PORT ...: RTP streams alike but for their port, each with the command line's elaboration
  // (sinks shared: results carry the stream id).
  [[nodiscard]] std::vector<StreamPlan> streams_from_command_line(const cxxopts::ParseResult& r,
                                                                  const ElaborationOptions& elaboration) const {
    if (r.count("rtcp-port") > 0) throw Error("--rtcp-port is one stream's: give each stream its own in a --streams-file");
    std::vector<StreamPlan> streams;
    for (const auto& spec : r["stream"].as<std::vector<std::string>>()) {
      const auto equals = spec.find('=');
      if (equals == std::string::npos || equals == 0) throw Error(fmt::format("--stream {}: expected ID=PORT", spec));
      const std::string id = spec.substr(0, equals);
      for (const auto& other : streams) {
        if (other.id == id) throw Error(fmt::format("--stream {}: a second stream called '{}'", spec, id));
      }
      streams.push_back({id, rtp_source_from(r, parse_port(spec.substr(equals + 1), "--stream " + spec)),
                         {{elaboration, nlohmann::json::object()}}});
    }
    return streams;
  }

  // --streams-file FILE: everything from the file, so the command line's sampling and results would be
  // ignored; they are refused instead.
  [[nodiscard]] std::vector<StreamPlan> streams_from_file(const cxxopts::ParseResult& r) const {
    for (const char* option : {"every", "max-fps", "queue", "udp", "udp-max-bytes", "jsonl", "stdout", "name",
                               "stream-id", "stats-interval", "codec", "bind", "payload-type", "jitter-ms",
                               "rtcp-port", "allowed-sender", "realtime"}) {
      if (r.count(option) > 0) throw Error(fmt::format("--{} does not go with --streams-file: the file says it", option));
    }
    const auto path = r["streams-file"].as<std::string>();
    std::ifstream file(path);
    if (!file) throw Error(fmt::format("--streams-file {}: cannot be read", path));
    const nlohmann::json json = nlohmann::json::parse(file, nullptr, false);
    if (json.is_discarded()) throw Error(fmt::format("--streams-file {}: not valid JSON", path));
    std::vector<StreamPlan> streams;
    try {
      for (auto& stream : parse_config(json)) {
        StreamPlan plan{stream.id, stream.source, {}};
        for (const auto& e : stream.elaborations) plan.elaborations.push_back({e.make_options(), e.params});
        streams.push_back(std::move(plan));
      }
    } catch (const Error& e) {
      throw Error(fmt::format("--streams-file {}: {}", path, e.what()));
    }
    return streams;
  }

  static RtpSource rtp_source_from(const cxxopts::ParseResult& r, std::uint16_t port) {
    RtpSource rtp;
    rtp.port = port;
    rtp.bind_address = r["bind"].as<std::string>();
    rtp.codec = parse_codec(r["codec"].as<std::string>());
    const int payload_type = r["payload-type"].as<int>();
    if (payload_type < 0 || payload_type > 127) throw Error("--payload-type must be 0-127");
    rtp.payload_type = payload_type;
    const int jitter = r["jitter-ms"].as<int>();
    if (jitter < 0) throw Error("--jitter-ms must not be negative");
    rtp.jitter_latency = std::chrono::milliseconds(jitter);
    if (r.count("rtcp-port") > 0) rtp.rtcp_port = checked_port(r["rtcp-port"].as<int>());
    if (r.count("allowed-sender") > 0) rtp.allowed_sender = r["allowed-sender"].as<std::string>();
    return rtp;
  }

  static std::uint16_t checked_port(int port) {
    if (port < 0 || port > 65535) throw Error(fmt::format("port {} is outside 0-65535", port));
    return static_cast<std::uint16_t>(port);
  }

  static ElaborationOptions elaboration_from(const cxxopts::ParseResult& r) {
    ElaborationOptions options;
    options.name = r["name"].as<std::string>();
    options.sampling.every_nth = r["every"].as<unsigned>();
    options.sampling.max_fps = r["max-fps"].as<double>();
    options.sampling.queue_capacity = r["queue"].as<std::size_t>();
    options.sampling.validate();
    const double interval = r["stats-interval"].as<double>();
    if (interval < 0) throw Error("--stats-interval must not be negative");
    options.report_interval = std::chrono::milliseconds(static_cast<long long>(interval * 1000));
    if (r.count("udp") > 0) {
      for (const auto& target : r["udp"].as<std::vector<std::string>>()) {
        const Endpoint endpoint = parse_endpoint(target);
        options.sinks.push_back(std::make_shared<UdpSink>(endpoint.host, endpoint.port, r["udp-max-bytes"].as<std::size_t>()));
      }
    }
    if (r.count("jsonl") > 0) options.sinks.push_back(JsonLinesSink::open(r["jsonl"].as<std::string>()));
    if (r.count("stdout") > 0 || options.sinks.empty()) options.sinks.push_back(JsonLinesSink::standard_output());
    return options;
  }

  std::string program_;
  cxxopts::Options options_;
  std::vector<std::string> shared_groups_{input_group, "Sampling", "Results (any number at once)", "Run"};
  std::vector<std::string> groups_;
  bool input_optional_ = false;
  bool many_streams_ = false;
};

}  // namespace elaborator::cli
