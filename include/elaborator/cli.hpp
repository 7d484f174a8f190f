#pragma once
// The command line every elaborator program shares. It builds the same JSON a --streams-file holds and
// hands it to the same parser (config.hpp), so an option means what the file's key means, with the same
// defaults and limits; an error names the option ("--jitter-ms: must be a whole number from 0 to 10000")
// where the file's names the key. A program with one kind of elaboration gets an option per parameter of
// that kind (min_face is --min-face); a program with several chooses one with --kind and sets it with
// --params JSON. A program adds options of its own to the same parser, so one --help explains everything:
//
//   elaborator::cli::Parser cli("face_detector", "Finds faces in a live video stream.", {face_detector_kind()});
//   return elaborator::run_until_stopped(cli.parse(argc, argv));    // exits on --help or a bad option
//
// Every long option can also come from the environment, for containers: --rtp-port 5004 is
// ELABORATOR_RTP_PORT=5004, a flag such as --stdout is ELABORATOR_STDOUT=1. The command line wins.

#include "config.hpp"
#include "endpoint.hpp"
#include "error.hpp"
#include "kinds.hpp"
#include "registry.hpp"

#include <cxxopts.hpp>
#include <fmt/core.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <memory>
#include <utility>
#include <vector>

namespace elaborator::cli {

// What a command line asks for.
struct Arguments {
  Config config;                     // the streams to run from the start (none: the control API adds them)
  Kinds kinds;                       // what elaborations this program can make
  nlohmann::json params;             // with one kind: its parameters as the options set them, checked, complete
  std::optional<Endpoint> control;   // --control HOST:PORT
  std::string control_token_file;    // --control-token-file
  std::string ready_file;            // --ready-file
  RegistryLimits limits;             // --max-streams
  cxxopts::ParseResult raw;          // for the program's own options

  [[nodiscard]] bool has_input() const { return !config.streams.empty(); }
  template <class T>
  [[nodiscard]] T get(const std::string& name) const {
    return raw[name].as<T>();
  }
  [[nodiscard]] bool has(const std::string& name) const { return raw.count(name) > 0; }
};

class Parser {
  static constexpr const char* input_group = "Input (one of --rtp-port, --file, --pipeline, --stream, --streams-file)";
  static constexpr const char* sampling_group = "Sampling";
  static constexpr const char* results_group = "Results (any number at once; none: stdout)";
  static constexpr const char* run_group = "Run";
  static constexpr const char* service_group = "Service (a long-running process: docs/service.md)";
  static constexpr const char* janus_group = "Janus rooms: every publisher analysed as it comes and goes (docs/janus.md)";

 public:
  Parser(std::string program, std::string description, Kinds kinds)
      : program_(std::move(program)), kinds_(std::move(kinds)),
        options_(program_, std::move(description) +
                               "\n\nEvery option can also be set in the environment, for containers: --rtp-port 5004 "
                               "is ELABORATOR_RTP_PORT=5004, --stdout is ELABORATOR_STDOUT=1. The command line wins.") {
    options_.set_width(110);
    add_shared_options();
    if (kinds_.size() == 1) add_param_options(kinds_.all().front());
  }

  // For a program that also has work without a video (training from images, say): no input is then not an
  // error, and Arguments::has_input() tells whether one was given.
  void allow_no_input() { input_optional_ = true; }

  // The program's own options, in a group of their own in --help. They are not part of the configuration.
  cxxopts::OptionAdder add_options(const std::string& group) {
    groups_.push_back(group);
    return options_.add_options(group);
  }

  // Parses the command line. Prints the help and exits 0 on --help; prints the error and exits 2 on a bad
  // command line, as command-line tools do.
  Arguments parse(int argc, const char* const* argv) {
    try {
      Arguments args = parse_or_throw(argc, argv);
      if (args.has("help")) {
        std::fputs((help() + "\n").c_str(), stdout);
        std::exit(0);
      }
      return args;
    } catch (const std::exception& e) {
      usage_error(e.what());
    }
  }

  // The same, but a bad command line is an elaborator::Error and --help is only noted (Arguments::has).
  Arguments parse_or_throw(int argc, const char* const* argv) {
    Arguments args;
    try {
      args.raw = parse_with_environment(argc, argv);
    } catch (const cxxopts::exceptions::exception& e) {
      throw Error(e.what());
    }
    if (args.has("help")) return args;
    if (!args.raw.unmatched().empty()) throw Error(fmt::format("unexpected argument '{}'", args.raw.unmatched().front()));
    args.kinds = kinds_;
    args.config = config_from(args.raw);
    args.params = kind_params(args.raw);
    read_service_options(args);
    return args;
  }

  // Runs `interpret()`, which turns the program's own options into its settings; what it throws is a bad
  // command line too: printed with a hint, exit 2.
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

  // The kind's options first, then the program's own, then the shared ones, in a fixed order; with several
  // kinds, what each takes.
  [[nodiscard]] std::string help() const {
    std::vector<std::string> groups = param_groups_;
    groups.insert(groups.end(), groups_.begin(), groups_.end());
    groups.insert(groups.end(), shared_groups_.begin(), shared_groups_.end());
    std::string text = options_.help(groups);
    if (kinds_.size() > 1) text += kinds_help();
    return text;
  }

  // Every option and where it goes in the configuration ("" for the program's own and the service's), for
  // tests that compare the ways in.
  [[nodiscard]] std::vector<std::pair<std::string, std::string>> configuration_options() const {
    std::vector<std::pair<std::string, std::string>> all;
    for (const auto& m : mapped_) all.emplace_back(m.option, m.path);
    return all;
  }

  [[nodiscard]] const cxxopts::Options& options() const { return options_; }

 private:
  // Where an option's value goes in the configuration JSON.
  enum class Place { root, stream, rtp, file, pipeline, elaboration, params, janus };
  enum class Value { integer, number, text, flag, texts, numbers, json };
  struct Mapped {
    std::string option;
    Place place;
    std::string key;
    Value value;
    std::string path;  // in ConfigError paths, with list indexes as "[]"
  };

  void add_shared_options() {
    const RtpSource rtp;
    const Kind* only = kinds_.size() == 1 ? &kinds_.all().front() : nullptr;
    const SamplingPolicy sampling = only != nullptr ? only->sampling : SamplingPolicy{};
    const TrackingPolicy tracking = only != nullptr ? only->tracking : TrackingPolicy{};
    options_.add_options(input_group)
      ("rtp-port", "receive RTP video or audio on this UDP port (0: any free port; --ready-file tells which)",
       cxxopts::value<std::int64_t>())
      ("bind", "address to receive RTP on; 0.0.0.0 for every interface", cxxopts::value<std::string>()->default_value(rtp.bind_address))
      ("codec", "RTP codec: vp8, vp9 or h264 (video); opus, pcmu or pcma (audio, decoded to 16 kHz mono)",
       cxxopts::value<std::string>()->default_value(std::string(to_string(rtp.codec))))
      ("payload-type", fmt::format("RTP payload type; packets with another one are dropped (default: {} for video, {} "
                                   "for opus, {} for pcmu, {} for pcma)", rtp.payload_type,
                                   default_payload_type(Codec::opus), default_payload_type(Codec::pcmu),
                                   default_payload_type(Codec::pcma)),
       cxxopts::value<std::int64_t>())
      ("jitter-ms", "how long the jitter buffer waits for late RTP packets",
       cxxopts::value<std::int64_t>()->default_value(std::to_string(rtp.jitter_latency.count())))
      ("rtcp-port", "listen for the sender's RTCP on this port and ask it for keyframes (the rtcp_port of a "
                    "Janus rtp_forward; 0: any free port)", cxxopts::value<std::int64_t>())
      ("allowed-sender", "accept RTP only from this IP address (e.g. Janus's); drop and count the rest",
       cxxopts::value<std::string>())
      ("file", "read a media file instead of RTP", cxxopts::value<std::string>())
      ("realtime", "with --file: play at the file's frame rate instead of as fast as possible")
      ("media", "with --file: decode its video or its audio (to 16 kHz mono)", cxxopts::value<std::string>()->default_value("video"))
      ("pipeline", "a gst-launch description ending in '! videoconvert ! appsink name=appsink'", cxxopts::value<std::string>())
      ("stream", "receive one more RTP stream: ID=PORT (repeatable); every stream gets the same codec, sampling "
                 "and results, and results carry the stream's id", cxxopts::value<std::vector<std::string>>())
      ("streams-file", "streams and elaborations from a JSON file (docs/library.md); replaces the input, sampling, "
                       "result and kind options", cxxopts::value<std::string>());
    options_.add_options(sampling_group)
      ("every", "classify every Nth decoded frame", cxxopts::value<std::int64_t>()->default_value(std::to_string(sampling.every_nth)))
      ("max-fps", "classify at most this many frames per second (0: no cap)",
       cxxopts::value<double>()->default_value(fmt::format("{}", sampling.max_fps)))
      ("queue", "frames (or audio windows) that may wait for classify; the oldest is dropped when full (1: newest only)",
       cxxopts::value<std::int64_t>()->default_value(std::to_string(sampling.queue_capacity)))
      ("on-change", "classify a frame only when its picture differs from the last one classified (or --max-interval "
                    "passed); the rest are counted as unchanged")
      ("change", "with --on-change: the fraction of the picture (shrunk to 64 columns) that must differ",
       cxxopts::value<double>()->default_value(fmt::format("{}", sampling.change)))
      ("max-interval", "with --on-change: seconds after which a frame is classified even if nothing changed",
       cxxopts::value<double>()->default_value(fmt::format("{}", detail::seconds_of(sampling.max_interval))))
      ("window-ms", "audio: classify windows of this many milliseconds of audio",
       cxxopts::value<std::int64_t>()->default_value(std::to_string(sampling.window.count())))
      ("hop-ms", "audio: milliseconds from one window's start to the next (0: the window's length, side by side)",
       cxxopts::value<std::int64_t>()->default_value(std::to_string(sampling.hop.count())))
      ("track", "give detections a stable track id across frames, with age and velocity (docs/tracking.md)")
      ("track-unseen", "with --track: seconds a track lives on unseen before it ends",
       cxxopts::value<double>()->default_value(fmt::format("{}", detail::seconds_of(tracking.unseen))));
    options_.add_options(results_group)
      ("udp", "send each result as one datagram to HOST:PORT (e.g. a Janus Streaming data port); repeatable",
       cxxopts::value<std::vector<std::string>>())
      ("udp-max-bytes", "largest datagram; bigger results keep their most confident detections",
       cxxopts::value<std::int64_t>()->default_value(std::to_string(UdpSink::default_max_datagram)))
      ("jsonl", "append results to FILE as JSON Lines", cxxopts::value<std::string>())
      ("stdout", "print results on stdout as JSON Lines");
    options_.add_options(run_group)
      ("stream-id", "the stream's name in results", cxxopts::value<std::string>()->default_value(StreamConfig{}.id))
      ("name", "the elaboration's name in results (default: its kind)", cxxopts::value<std::string>())
      ("stats-interval", "seconds between statistics lines on stderr (0: none)",
       cxxopts::value<double>()->default_value(fmt::format("{}", Config{}.stats_interval.count() / 1000.0)));
    if (kinds_.size() > 1) {
      options_.add_options(run_group)
        ("kind", fmt::format("what the elaboration does: {}", kinds_.names()), cxxopts::value<std::string>())
        ("params", "the kind's parameters, a JSON object (see below)", cxxopts::value<std::string>());
    }
    options_.add_options(run_group)("h,help", "show this help");
    options_.add_options(service_group)
      ("control", "serve the HTTP control API and /metrics on HOST:PORT (port 0: any free port); an address "
                  "other than loopback needs a token", cxxopts::value<std::string>())
      ("control-token-file", "the bearer token the API requires, from the first line of FILE (or from "
                             "ELABORATOR_CONTROL_TOKEN; never on the command line)", cxxopts::value<std::string>())
      ("ready-file", "write FILE, once everything listens, with the control address and each stream's ports "
                     "(JSON; rewritten when streams change)", cxxopts::value<std::string>())
      ("max-streams", "the most streams the process runs at once; more are refused",
       cxxopts::value<std::int64_t>()->default_value(std::to_string(RegistryLimits{}.max_streams)));
    const JanusConfig janus;
    options_.add_options(janus_group)
      ("janus", "the Janus HTTP API whose VideoRoom rooms to follow, e.g. http://127.0.0.1:8088/janus",
       cxxopts::value<std::string>())
      ("room", "a VideoRoom room: each of its published streams of the elaboration's medium (video or audio) gets "
               "the elaboration of these options, its results also to a Streaming mountpoint of its own (repeatable)",
       cxxopts::value<std::vector<std::string>>())
      ("janus-ports", "the ports dispatched publishers take, 5 for each video stream (this process's RTP and RTCP, the "
                      "mountpoint's video, video RTCP and data), 3 for each audio stream (RTP, the mountpoint's audio "
                      "and data)", cxxopts::value<std::string>()->default_value(
                          fmt::format("{}-{}", janus.ports.first, janus.ports.last)))
      ("janus-host", "this machine's address as Janus reaches it (where forwards go; what this process binds)",
       cxxopts::value<std::string>()->default_value(janus.host))
      ("janus-instance", "names what this process makes in Janus, to find it again after a restart",
       cxxopts::value<std::string>()->default_value(janus.instance))
      ("reconcile-seconds", "how often the rooms are compared with what runs (a lost event, a restart); at most 30",
       cxxopts::value<double>()->default_value(fmt::format("{}", janus.reconcile.count() / 1000.0)))
      ("replica", "I/N: this process takes the publishers whose hash modulo N is I (N processes share the rooms)",
       cxxopts::value<std::string>()->default_value("0/1"))
      ("janus-secrets-file", "JANUS_ADMIN_KEY, JANUS_ROOM_SECRET, JANUS_EVENTS_SECRET as NAME=value lines (the "
                             "environment wins)", cxxopts::value<std::string>());

    map("rtp-port", Place::rtp, "port", Value::integer);
    map("bind", Place::rtp, "bind", Value::text);
    map("codec", Place::rtp, "codec", Value::text);
    map("payload-type", Place::rtp, "payload_type", Value::integer);
    map("jitter-ms", Place::rtp, "jitter_ms", Value::integer);
    map("rtcp-port", Place::rtp, "rtcp_port", Value::integer);
    map("allowed-sender", Place::rtp, "allowed_sender", Value::text);
    map("file", Place::file, "path", Value::text);
    map("realtime", Place::file, "realtime", Value::flag);
    map("media", Place::file, "media", Value::text);
    map("pipeline", Place::pipeline, "launch", Value::text);
    map("every", Place::elaboration, "every", Value::integer);
    map("max-fps", Place::elaboration, "max_fps", Value::number);
    map("queue", Place::elaboration, "queue", Value::integer);
    map("on-change", Place::elaboration, "on_change", Value::flag);
    map("change", Place::elaboration, "change", Value::number);
    map("max-interval", Place::elaboration, "max_interval", Value::number);
    map("window-ms", Place::elaboration, "window_ms", Value::integer);
    map("hop-ms", Place::elaboration, "hop_ms", Value::integer);
    map("track", Place::elaboration, "track", Value::flag);
    map("track-unseen", Place::elaboration, "track_unseen", Value::number);
    map("udp", Place::elaboration, "udp", Value::texts);
    map("udp-max-bytes", Place::elaboration, "udp_max_bytes", Value::integer);
    map("jsonl", Place::elaboration, "jsonl", Value::text);
    map("stdout", Place::elaboration, "stdout", Value::flag);
    map("stream-id", Place::stream, "id", Value::text);
    map("name", Place::elaboration, "name", Value::text);
    map("stats-interval", Place::root, "stats_interval", Value::number);
    map("janus", Place::janus, "url", Value::text);
    map("janus-ports", Place::janus, "ports", Value::text);
    map("janus-host", Place::janus, "host", Value::text);
    map("janus-instance", Place::janus, "instance", Value::text);
    map("reconcile-seconds", Place::janus, "reconcile_seconds", Value::number);
    map("replica", Place::janus, "replica", Value::text);
    map("janus-secrets-file", Place::janus, "secrets_file", Value::text);
    if (kinds_.size() > 1) {
      map("kind", Place::elaboration, "kind", Value::text);
      map("params", Place::elaboration, "params", Value::json);
    }
  }

  // One option per parameter of the program's only kind, in a group of the kind's title; --help shows the
  // kind's defaults.
  void add_param_options(const Kind& kind) {
    const std::string group = kind.title.empty() ? kind.name : kind.title;
    param_groups_.push_back(group);
    for (const auto& p : kind.params) {
      std::string option = p.name;
      std::replace(option.begin(), option.end(), '_', '-');
      const auto [value, type] = option_value(p);
      options_.add_options(group)(option, p.help, value);
      map(option, Place::params, p.name, type);
    }
  }

  static std::pair<std::shared_ptr<cxxopts::Value>, Value> option_value(const Param& p) {
    switch (p.type) {
      case Param::Type::integer:
        return {cxxopts::value<std::int64_t>()->default_value(p.fallback.dump()), Value::integer};
      case Param::Type::number:
        return {cxxopts::value<double>()->default_value(fmt::format("{}", p.fallback.get<double>())), Value::number};
      case Param::Type::text: return {cxxopts::value<std::string>()->default_value(p.fallback.get<std::string>()), Value::text};
      case Param::Type::flag: return {cxxopts::value<bool>(), Value::flag};
      case Param::Type::texts: return {with_list_default(cxxopts::value<std::vector<std::string>>(), p), Value::texts};
      case Param::Type::numbers: return {with_list_default(cxxopts::value<std::vector<double>>(), p), Value::numbers};
    }
    return {cxxopts::value<std::string>(), Value::text};
  }

  // A list's default as --help shows it and cxxopts parses it: comma separated (none for an empty list).
  template <class ListValue>
  static std::shared_ptr<cxxopts::Value> with_list_default(std::shared_ptr<ListValue> value, const Param& p) {
    std::vector<std::string> items;
    for (const auto& item : p.fallback) items.push_back(item.is_string() ? item.get<std::string>() : item.dump());
    if (!items.empty()) value->default_value(fmt::format("{}", fmt::join(items, ",")));
    return value;
  }

  void map(const std::string& option, Place place, const std::string& key, Value value) {
    static constexpr const char* prefixes[] = {"config.",           "config.streams[].",      "config.streams[].rtp.",
                                               "config.streams[].file.", "config.streams[].pipeline.",
                                               "config.streams[].elaborations[].", "config.streams[].elaborations[].params.",
                                               "config.janus."};
    mapped_.push_back({option, place, key, value, prefixes[static_cast<int>(place)] + key});
  }

  [[nodiscard]] std::string kinds_help() const {
    std::string text = "\n Kinds (--kind, or \"kind\" in a streams file or an API request) and their --params:\n";
    for (const auto& kind : kinds_.all()) {
      text += fmt::format("  {}: {}\n", kind.name, kind.description);
      for (const auto& p : kind.params) text += fmt::format("      {:<18} {} (default {})\n", p.name, p.help, p.fallback.dump());
    }
    return text;
  }

  // --- from options to the configuration's JSON, then through the configuration's parser ---

  Config config_from(const cxxopts::ParseResult& r) const {
    const bool from_file = r.count("streams-file") > 0;
    const std::size_t inputs = r.count("rtp-port") + r.count("file") + r.count("pipeline") + (r.count("stream") > 0 ? 1 : 0) +
                               (r.count("room") > 0 ? 1 : 0) + r.count("streams-file");
    if (inputs > 1) throw Error("give one input: --rtp-port, --file, --pipeline, --stream, --room or --streams-file");
    if (inputs == 0 && !input_optional_ && r.count("control") == 0) {
      throw Error("give exactly one input: --rtp-port, --file, --pipeline, --stream, --room or --streams-file (or "
                  "--control to add streams through the API)");
    }
    if (from_file) return config_from_file(r);
    const nlohmann::json json = json_from(r, inputs);
    try {
      return parse_config(json, kinds_);
    } catch (const ConfigError& e) {
      throw Error(fmt::format("{}: {}", option_at(e.path(), r.count("stream") > 0), e.reason()));
    }
  }

  // The only kind's parameters, as its options set them (checked as a configuration's would be).
  nlohmann::json kind_params(const cxxopts::ParseResult& r) const {
    if (kinds_.size() != 1) return nlohmann::json::object();
    nlohmann::json elaboration = {{"params", nlohmann::json::object()}};
    for (const auto& m : mapped_) {
      if (m.place == Place::params && r.count(m.option) > 0) elaboration["params"][m.key] = value_of(r, m);
    }
    try {
      return parse_elaboration(elaboration, kinds_, {}, "config.streams[0].elaborations[0]").params;
    } catch (const ConfigError& e) {
      throw Error(fmt::format("{}: {}", option_at(e.path(), false), e.reason()));
    }
  }

  // --streams-file FILE: everything from the file, so the command line's sampling, results and kind would
  // be ignored; they are refused instead.
  Config config_from_file(const cxxopts::ParseResult& r) const {
    for (const auto& m : mapped_) {
      if (r.count(m.option) > 0) throw Error(fmt::format("--{} does not go with --streams-file: the file says it", m.option));
    }
    const auto path = r["streams-file"].as<std::string>();
    std::ifstream file(path);
    if (!file) throw Error(fmt::format("--streams-file {}: cannot be read", path));
    const nlohmann::json json = nlohmann::json::parse(file, nullptr, false);
    if (json.is_discarded()) throw Error(fmt::format("--streams-file {}: not valid JSON", path));
    try {
      return parse_config(json, kinds_);
    } catch (const Error& e) {
      throw Error(fmt::format("--streams-file {}: {}", path, e.what()));
    }
  }

  nlohmann::json json_from(const cxxopts::ParseResult& r, std::size_t inputs) const {
    nlohmann::json root = nlohmann::json::object();
    nlohmann::json stream = nlohmann::json::object();
    nlohmann::json elaboration = nlohmann::json::object();
    const bool rtp = r.count("rtp-port") > 0 || r.count("stream") > 0;
    for (const auto& m : mapped_) {
      if (r.count(m.option) == 0) continue;
      const nlohmann::json value = value_of(r, m);
      switch (m.place) {
        case Place::root: root[m.key] = value; break;
        case Place::stream: stream[m.key] = value; break;
        case Place::rtp:
          if (!rtp) throw Error(fmt::format("--{} goes with --rtp-port or --stream", m.option));
          stream["rtp"][m.key] = value;
          break;
        case Place::file:
          if (r.count("file") == 0) throw Error(fmt::format("--{} goes with --file", m.option));
          stream["file"][m.key] = value;
          break;
        case Place::pipeline: stream["pipeline"][m.key] = value; break;
        case Place::elaboration: elaboration[m.key] = value; break;
        case Place::params: elaboration["params"][m.key] = value; break;
        case Place::janus: root["janus"][m.key] = value; break;
      }
    }
    if (r.count("room") > 0) {
      if (!stream.empty()) throw Error("--stream-id does not go with --room: each publisher is a stream of its own");
      return with_rooms(r, root, elaboration);
    }
    if (root.contains("janus")) throw Error("the Janus options go with --room: the rooms whose publishers to analyse");
    if (inputs == 0) {
      elaboration.erase("params");  // a program that allows no input may use them all the same (Arguments::params)
      if (!stream.empty() || !elaboration.empty()) {
        throw Error("the input, sampling, result and kind options configure the elaboration of an input: give "
                    "--rtp-port, --file, --pipeline or --stream too");
      }
      return root;
    }
    stream["elaborations"] = nlohmann::json::array({elaboration});
    root["streams"] = r.count("stream") > 0 ? streams_from(r, stream) : nlohmann::json::array({stream});
    return root;
  }

  // --room ID ...: rooms alike but for their id, each publisher getting the command line's elaboration.
  static nlohmann::json with_rooms(const cxxopts::ParseResult& r, nlohmann::json root, const nlohmann::json& elaboration) {
    if (r.count("janus") == 0) throw Error("--room needs --janus: the Janus the room is on");
    root["rooms"] = nlohmann::json::array();
    for (const auto& id : r["room"].as<std::vector<std::string>>()) {
      std::int64_t number = -1;
      const char* end = id.data() + id.size();
      if (std::from_chars(id.data(), end, number).ptr != end) throw Error(fmt::format("--room {}: not a room number", id));
      root["rooms"].push_back({{"id", number}, {"elaborations", {elaboration}}});
    }
    return root;
  }

  // --stream ID=PORT ...: RTP streams alike but for their id and port.
  static nlohmann::json streams_from(const cxxopts::ParseResult& r, const nlohmann::json& stream) {
    for (const char* one_stream : {"stream-id", "rtcp-port"}) {
      if (r.count(one_stream) > 0) {
        throw Error(fmt::format("--{} is one stream's: give each stream its own in a --streams-file", one_stream));
      }
    }
    nlohmann::json streams = nlohmann::json::array();
    for (const auto& spec : r["stream"].as<std::vector<std::string>>()) {
      const auto equals = spec.find('=');
      std::int64_t port = -1;
      const char* end = spec.data() + spec.size();
      if (equals == std::string::npos || equals == 0 || std::from_chars(spec.data() + equals + 1, end, port).ptr != end) {
        throw Error(fmt::format("--stream {}: expected ID=PORT", spec));
      }
      nlohmann::json one = stream;
      one["id"] = spec.substr(0, equals);
      one["rtp"]["port"] = port;
      streams.push_back(std::move(one));
    }
    return streams;
  }

  static nlohmann::json value_of(const cxxopts::ParseResult& r, const Mapped& m) {
    switch (m.value) {
      case Value::integer: return r[m.option].as<std::int64_t>();
      case Value::number: return r[m.option].as<double>();
      case Value::numbers: return r[m.option].as<std::vector<double>>();
      case Value::text: return r[m.option].as<std::string>();
      case Value::flag: return true;
      case Value::texts: return r[m.option].as<std::vector<std::string>>();
      case Value::json: {
        const auto json = nlohmann::json::parse(r[m.option].as<std::string>(), nullptr, false);
        if (json.is_discarded()) throw Error(fmt::format("--{}: not valid JSON", m.option));
        return json;
      }
    }
    return nullptr;
  }

  // The option that set the value at `path` (a ConfigError's): the one mapped there or above it.
  // With --stream, the ids and ports come from it.
  [[nodiscard]] std::string option_at(const std::string& path, bool many_streams) const {
    std::string general;  // list indexes do not matter: every --stream has the same options
    for (std::size_t i = 0; i < path.size(); ++i) {
      general += path[i];
      if (path[i] == '[') {
        while (i + 1 < path.size() && std::isdigit(static_cast<unsigned char>(path[i + 1])) != 0) ++i;
      }
    }
    // A room's elaborations take the same options as a stream's; a room's own fields come from --room.
    if (general.starts_with("config.rooms[].elaborations")) {
      general.replace(0, std::string_view("config.rooms[]").size(), "config.streams[]");
    } else if (general.starts_with("config.rooms")) {
      return "--room";
    }
    const Mapped* best = nullptr;
    for (const auto& m : mapped_) {
      const bool above = general.starts_with(m.path) &&
                         (general.size() == m.path.size() || general[m.path.size()] == '.' || general[m.path.size()] == '[');
      if (above && (best == nullptr || m.path.size() > best->path.size())) best = &m;
    }
    if (many_streams && (best == nullptr || best->option == "rtp-port" || best->option == "stream-id")) return "--stream";
    if (best == nullptr) return path;
    return "--" + best->option;
  }

  void read_service_options(Arguments& args) const {
    const auto& r = args.raw;
    if (r.count("control") > 0) args.control = parse_listen_endpoint(r["control"].as<std::string>());
    if (r.count("control-token-file") > 0) args.control_token_file = r["control-token-file"].as<std::string>();
    if (r.count("ready-file") > 0) args.ready_file = r["ready-file"].as<std::string>();
    const auto max_streams = r["max-streams"].as<std::int64_t>();
    if (max_streams < 1 || max_streams > 10000) throw Error("--max-streams: must be a whole number from 1 to 10000");
    args.limits.max_streams = static_cast<std::size_t>(max_streams);
    if (args.config.streams.size() > args.limits.max_streams) {
      throw Error(fmt::format("{} streams asked for, --max-streams is {}", args.config.streams.size(), max_streams));
    }
  }

  // The command line, completed with ELABORATOR_* variables for the options it does not give.
  cxxopts::ParseResult parse_with_environment(int argc, const char* const* argv) {
    // A process can be started without even its name (execve with an empty argv): cxxopts reads from
    // argv[1] until argc whatever argc is, past the end then (found by fuzzing). The program's name stands in.
    const char* const name_only[] = {program_.c_str()};
    if (argc < 1) {
      argc = 1;
      argv = name_only;
    }
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
    // Empty is not set: a deployment can clear what an image sets (ELABORATOR_BIND, for one fixed stream).
    if (value == nullptr || *value == '\0') return;
    const std::string_view text(value);
    if (!option.is_boolean) {
      arguments.push_back(fmt::format("--{}={}", name, text));
    } else if (text == "1" || text == "true" || text == "yes") {
      arguments.push_back("--" + name);
    } else if (!(text == "0" || text == "false" || text == "no")) {
      throw Error(fmt::format("{}={}: a flag is 1, true or yes (set) or 0, false, no or empty (not set)", variable, text));
    }
  }

  std::string program_;
  Kinds kinds_;
  cxxopts::Options options_;
  std::vector<Mapped> mapped_;
  std::vector<std::string> shared_groups_{input_group, sampling_group, results_group, run_group, service_group, janus_group};
  std::vector<std::string> param_groups_;
  std::vector<std::string> groups_;
  bool input_optional_ = false;
};

}  // namespace elaborator::cli
