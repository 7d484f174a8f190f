// One configuration model: a streams file, the command line (which builds the same JSON) and the control
// API (which takes one stream object of it) mean the same, with the same defaults, limits and messages.

#include "support/control_api.hpp"
#include "support/counting_elaborator.hpp"
#include "support/temp_dir.hpp"

#include <elaborator.hpp>
#include <elaborator/program.hpp>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <vector>

using namespace std::chrono_literals;

namespace {

const std::string megamind = "/usr/share/doc/opencv-doc/examples/data/Megamind.avi";

elaborator::Config parse_file(const nlohmann::json& json, const elaborator::Kinds& kinds) {
  return elaborator::parse_config(json, kinds);
}

// What a command line means, or the error it gets.
struct CommandLine {
  std::optional<elaborator::Config> config;
  std::string error;
};

CommandLine run_parser(elaborator::cli::Parser& parser, std::vector<std::string> args) {
  args.insert(args.begin(), "program");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  try {
    return {parser.parse_or_throw(static_cast<int>(argv.size()), argv.data()).config, {}};
  } catch (const elaborator::Error& e) {
    return {std::nullopt, e.what()};
  }
}

// The reason of an error message, without the place ("--jitter-ms: " or "config.streams[0].rtp.jitter_ms: ").
std::string reason_of(const std::string& message) {
  const auto colon = message.find(": ");
  return colon == std::string::npos ? message : message.substr(colon + 2);
}

// A stream's configuration as the API shows it, without what only a running stream has.
nlohmann::json without_running_state(nlohmann::json stream) {
  stream.erase("stats");
  stream.erase("rtp_port");
  stream.erase("rtcp_port");
  if (stream.contains("rtp")) {
    stream["rtp"].erase("port");
    stream["rtp"].erase("rtcp_port");
  }
  for (auto& e : stream["elaborations"]) e.erase("stats");
  return stream;
}

// One option of the command line: how it is written there and in a stream object, with a good value and,
// where it has limits, a bad one.
struct OptionCase {
  std::vector<std::string> good_args;
  nlohmann::json good_stream;
  std::vector<std::string> bad_args;   // empty: the option has no value that parsing refuses
  nlohmann::json bad_stream;
  nlohmann::json root = nlohmann::json::object();  // for options of the whole configuration
  bool on_api = true;                               // false for what only a whole configuration has
};

nlohmann::json rtp_stream(nlohmann::json rtp, nlohmann::json elaboration = nlohmann::json::object()) {
  if (!rtp.contains("port")) rtp["port"] = 0;
  if (elaboration.is_null()) elaboration = nlohmann::json::object();
  return {{"rtp", rtp}, {"elaborations", {elaboration}}};
}

std::map<std::string, OptionCase> option_cases(const std::string& jsonl) {
  const std::vector<std::string> rtp{"--rtp-port", "0"};
  auto with = [&](std::vector<std::string> args) {
    args.insert(args.begin(), rtp.begin(), rtp.end());
    return args;
  };
  const nlohmann::json e = nlohmann::json::object();
  return {
      {"rtp-port", {{"--rtp-port", "0"}, rtp_stream({}), {"--rtp-port", "70000"}, rtp_stream({{"port", 70000}})}},
      {"bind", {with({"--bind", "127.0.0.1"}), rtp_stream({{"bind", "127.0.0.1"}}), {}, {}}},
      {"codec", {with({"--codec", "h264"}), rtp_stream({{"codec", "h264"}}), with({"--codec", "av1"}), rtp_stream({{"codec", "av1"}})}},
      {"payload-type",
       {with({"--payload-type", "100"}), rtp_stream({{"payload_type", 100}}), with({"--payload-type", "128"}),
        rtp_stream({{"payload_type", 128}})}},
      {"jitter-ms",
       {with({"--jitter-ms", "200"}), rtp_stream({{"jitter_ms", 200}}), with({"--jitter-ms", "20000"}),
        rtp_stream({{"jitter_ms", 20000}})}},
      {"rtcp-port",
       {with({"--rtcp-port", "0"}), rtp_stream({{"rtcp_port", 0}}), with({"--rtcp-port", "-1"}), rtp_stream({{"rtcp_port", -1}})}},
      {"allowed-sender", {with({"--allowed-sender", "127.0.0.1"}), rtp_stream({{"allowed_sender", "127.0.0.1"}}), {}, {}}},
      {"file", {{"--file", megamind}, {{"file", {{"path", megamind}}}, {"elaborations", {e}}}, {}, {}}},
      {"realtime",
       {{"--file", megamind, "--realtime"}, {{"file", {{"path", megamind}, {"realtime", true}}}, {"elaborations", {e}}}, {}, {}}},
      // Megamind.avi has no sound, and the counting kind classifies video: the API would refuse the stream.
      {"media",
       {{"--file", megamind, "--media", "audio"}, {{"file", {{"path", megamind}, {"media", "audio"}}}, {"elaborations", {e}}},
        {"--file", megamind, "--media", "smell"}, {{"file", {{"path", megamind}, {"media", "smell"}}}, {"elaborations", {e}}},
        nlohmann::json::object(), false}},
      {"window-ms",
       {with({"--window-ms", "250"}), rtp_stream({}, {{"window_ms", 250}}), with({"--window-ms", "5"}),
        rtp_stream({}, {{"window_ms", 5}})}},
      {"hop-ms",
       {with({"--hop-ms", "100"}), rtp_stream({}, {{"hop_ms", 100}}), with({"--hop-ms", "-1"}), rtp_stream({}, {{"hop_ms", -1}})}},
      {"pipeline",
       {{"--pipeline", "videotestsrc num-buffers=5 ! videoconvert ! appsink name=appsink"},
        {{"pipeline", {{"launch", "videotestsrc num-buffers=5 ! videoconvert ! appsink name=appsink"}}}, {"elaborations", {e}}},
        {},
        {}}},
      {"every", {with({"--every", "5"}), rtp_stream({}, {{"every", 5}}), with({"--every", "0"}), rtp_stream({}, {{"every", 0}})}},
      {"max-fps",
       {with({"--max-fps", "2.5"}), rtp_stream({}, {{"max_fps", 2.5}}), with({"--max-fps", "1001"}), rtp_stream({}, {{"max_fps", 1001}})}},
      {"queue", {with({"--queue", "3"}), rtp_stream({}, {{"queue", 3}}), with({"--queue", "0"}), rtp_stream({}, {{"queue", 0}})}},
      {"on-change", {with({"--on-change"}), rtp_stream({}, {{"on_change", true}}), {}, {}}},
      {"change",
       {with({"--change", "0.02"}), rtp_stream({}, {{"change", 0.02}}), with({"--change", "1.5"}), rtp_stream({}, {{"change", 1.5}})}},
      {"max-interval",
       {with({"--max-interval", "2.5"}), rtp_stream({}, {{"max_interval", 2.5}}), with({"--max-interval", "0"}),
        rtp_stream({}, {{"max_interval", 0}})}},
      {"track", {with({"--track"}), rtp_stream({}, {{"track", true}}), {}, {}}},
      {"track-unseen",
       {with({"--track-unseen", "3"}), rtp_stream({}, {{"track_unseen", 3}}), with({"--track-unseen", "-1"}),
        rtp_stream({}, {{"track_unseen", -1}})}},
      {"udp",
       {with({"--udp", "127.0.0.1:9"}), rtp_stream({}, {{"udp", {"127.0.0.1:9"}}}), with({"--udp", "nowhere"}),
        rtp_stream({}, {{"udp", {"nowhere"}}})}},
      {"udp-max-bytes",
       {with({"--udp-max-bytes", "1200"}), rtp_stream({}, {{"udp_max_bytes", 1200}}), with({"--udp-max-bytes", "10"}),
        rtp_stream({}, {{"udp_max_bytes", 10}})}},
      {"jsonl", {with({"--jsonl", jsonl}), rtp_stream({}, {{"jsonl", jsonl}}), {}, {}}},
      {"stdout", {with({"--stdout"}), rtp_stream({}, {{"stdout", true}}), {}, {}}},
      {"stream-id",
       {with({"--stream-id", "door"}), [] { auto s = rtp_stream({}); s["id"] = "door"; return s; }(),
        with({"--stream-id", "no way"}), [] { auto s = rtp_stream({}); s["id"] = "no way"; return s; }()}},
      {"name",
       {with({"--name", "faces"}), rtp_stream({}, {{"name", "faces"}}), with({"--name", "a/b"}), rtp_stream({}, {{"name", "a/b"}})}},
      {"stats-interval",
       {with({"--stats-interval", "2"}), rtp_stream({}), with({"--stats-interval", "-1"}), rtp_stream({}), {{"stats_interval", 2}},
        false}},
      {"delay-ms",
       {with({"--delay-ms", "5"}), rtp_stream({}, {{"params", {{"delay_ms", 5}}}}), with({"--delay-ms", "-1"}),
        rtp_stream({}, {{"params", {{"delay_ms", -1}}}})}},
  };
}

}  // namespace

TEST_CASE("every option of the command line means what the streams file and the API say, limits and messages included") {
  test_support::TempDir dir;
  const elaborator::Kinds kinds{test_support::counting_kind()};
  elaborator::cli::Parser parser("program", "A program with one kind.", kinds);
  test_support::ControlApi api(kinds);
  const auto cases = option_cases(dir.file("results.jsonl"));

  for (const auto& [option, path] : parser.configuration_options()) {
    if (path.starts_with("config.janus.")) continue;  // the next test's
    DYNAMIC_SECTION("--" << option << " (" << path << ")") {
      const auto found = cases.find(option);
      INFO("a new option needs its case here, in the command line and the file's form");
      REQUIRE(found != cases.end());
      const OptionCase& c = found->second;

      nlohmann::json file = c.root;
      file["streams"] = nlohmann::json::array({c.good_stream});
      const CommandLine command_line = run_parser(parser, c.good_args);
      INFO(command_line.error);
      REQUIRE(command_line.config);
      const elaborator::Config from_file = parse_file(file, kinds);
      CHECK(command_line.config->stats_interval == from_file.stats_interval);
      REQUIRE(command_line.config->streams.size() == 1);
      const nlohmann::json expected = elaborator::to_json(from_file.streams.at(0));
      CHECK(elaborator::to_json(command_line.config->streams.at(0)) == expected);
      if (c.on_api) {
        const auto added = api.post("/v1/streams", c.good_stream);
        INFO(added.text);
        REQUIRE(added.status == 201);
        CHECK(without_running_state(added.body) == without_running_state(expected));
        CHECK(api.remove("/v1/streams/" + added.body["id"].get<std::string>()).status == 200);
      }

      if (c.bad_args.empty()) return;
      nlohmann::json bad_file = c.root;
      bad_file["streams"] = nlohmann::json::array({c.bad_stream});
      if (option == "stats-interval") bad_file["stats_interval"] = -1;
      const CommandLine refused = run_parser(parser, c.bad_args);
      REQUIRE_FALSE(refused.config);
      CHECK(refused.error.starts_with("--" + option + ": "));
      std::string file_error;
      try {
        parse_file(bad_file, kinds);
      } catch (const elaborator::ConfigError& e) {
        file_error = e.reason();
      }
      CHECK(reason_of(refused.error) == file_error);
      if (c.on_api) {
        const auto answer = api.post("/v1/streams", c.bad_stream);
        CHECK(answer.status == 400);
        CHECK(reason_of(answer.body["error"]) == file_error);
      }
    }
  }
}

// Everything a JanusConfig holds, to compare two.
nlohmann::json janus_json(const elaborator::JanusConfig& j) {
  return {{"url", j.url},           {"ports", {j.ports.first, j.ports.last}}, {"host", j.host},
          {"instance", j.instance}, {"reconcile_ms", j.reconcile.count()},     {"replica", {j.replica, j.replicas}},
          {"secrets_file", j.secrets_file}};
}

TEST_CASE("every Janus option means what the file's \"janus\" says, limits and messages included") {
  const elaborator::Kinds kinds{test_support::counting_kind()};
  elaborator::cli::Parser parser("program", "A program with one kind.", kinds);
  const std::string url = "http://127.0.0.1:8088/janus";
  struct JanusCase {
    std::string good;
    nlohmann::json good_json;
    std::string bad;  // empty: nothing parsing refuses
    nlohmann::json bad_json;
  };
  const std::map<std::string, std::pair<std::string, JanusCase>> cases{
      {"janus", {"url", {"https://janus.example:8089/janus", "https://janus.example:8089/janus", "ftp://x", "ftp://x"}}},
      {"janus-ports", {"ports", {"31000-31099", "31000-31099", "-1-65535", "-1-65535"}}},
      {"janus-host", {"host", {"10.0.0.2", "10.0.0.2", "", {}}}},
      {"janus-instance", {"instance", {"replica-1", "replica-1", "a/b", "a/b"}}},
      {"reconcile-seconds", {"reconcile_seconds", {"2.5", 2.5, "0.1", 0.1}}},
      {"replica", {"replica", {"1/3", "1/3", "3/3", "3/3"}}},
      {"janus-secrets-file", {"secrets_file", {"/run/secrets/janus", "/run/secrets/janus", "", {}}}},
  };
  const auto command_line = [&](const std::string& option, const std::string& value) {
    std::vector<std::string> args{"--room", "1234", "--janus", option == "janus" ? value : url};
    if (option != "janus") args.insert(args.end(), {"--" + option, value});
    return run_parser(parser, args);
  };
  const auto file = [&](const std::string& key, const nlohmann::json& value) {
    nlohmann::json janus{{"url", url}};
    janus[key] = value;
    return nlohmann::json{{"janus", janus}, {"rooms", {{{"id", 1234}, {"elaborations", {nlohmann::json::object()}}}}}};
  };

  for (const auto& [option, path] : parser.configuration_options()) {
    if (!path.starts_with("config.janus.")) continue;
    DYNAMIC_SECTION("--" << option << " (" << path << ")") {
      const auto found = cases.find(option);
      INFO("a new Janus option needs its case here");
      REQUIRE(found != cases.end());
      const auto& [key, c] = found->second;
      const CommandLine good = command_line(option, c.good);
      INFO(good.error);
      REQUIRE(good.config);
      const elaborator::Config from_file = parse_file(file(key, c.good_json), kinds);
      CHECK(janus_json(*good.config->janus) == janus_json(*from_file.janus));
      REQUIRE(good.config->rooms.size() == 1);
      CHECK(good.config->rooms[0].id == 1234);

      if (c.bad.empty()) return;
      const CommandLine refused = command_line(option, c.bad);
      REQUIRE_FALSE(refused.config);
      CHECK(refused.error.starts_with("--" + option + ": "));
      std::string file_error;
      try {
        parse_file(file(key, c.bad_json), kinds);
      } catch (const elaborator::ConfigError& e) {
        file_error = e.reason();
      }
      CHECK(file_error != "");
      CHECK(reason_of(refused.error) == file_error);
    }
  }
  CHECK(run_parser(parser, {"--room", "12a", "--janus", url}).error == "--room 12a: not a room number");
  CHECK(run_parser(parser, {"--room", "1234"}).error == "--room needs --janus: the Janus the room is on");

  // The image sets ELABORATOR_BIND for one fixed stream; a deployment following rooms clears it.
  ::setenv("ELABORATOR_BIND", "0.0.0.0", 1);
  CHECK(run_parser(parser, {"--room", "1234", "--janus", url}).error.starts_with("--bind goes with --rtp-port"));
  ::setenv("ELABORATOR_BIND", "", 1);
  CHECK(run_parser(parser, {"--room", "1234", "--janus", url}).config);
  ::unsetenv("ELABORATOR_BIND");
}

TEST_CASE("with several kinds, --kind and --params choose and set one as \"kind\" and \"params\" do") {
  const elaborator::Kinds kinds{test_support::counting_kind("fast"), test_support::counting_kind("slow")};
  elaborator::cli::Parser parser("program", "A program with two kinds.", kinds);
  const auto command_line = run_parser(parser, {"--rtp-port", "0", "--kind", "slow", "--params", R"({"delay_ms": 7})"});
  REQUIRE(command_line.config);
  const auto file = parse_file({{"streams", {rtp_stream({}, {{"kind", "slow"}, {"params", {{"delay_ms", 7}}}})}}}, kinds);
  CHECK(elaborator::to_json(command_line.config->streams.at(0)) == elaborator::to_json(file.streams.at(0)));
  CHECK(command_line.config->streams.at(0).elaborations.at(0).name == "slow");  // the kind's name by default

  CHECK(run_parser(parser, {"--rtp-port", "0", "--kind", "other"}).error ==
        "--kind: unknown kind 'other': this program offers fast, slow");
  CHECK(run_parser(parser, {"--rtp-port", "0"}).error.find("needs a \"kind\": one of fast, slow") != std::string::npos);
  CHECK(run_parser(parser, {"--rtp-port", "0", "--kind", "fast", "--params", R"({"delay_ms": -1})"}).error ==
        "--params: must be a whole number from 0 to 60000");
  CHECK(run_parser(parser, {"--rtp-port", "0", "--kind", "fast", "--params", R"({"delai_ms": 1})"}).error ==
        "--params: unknown key: kind fast takes no such parameter");
  CHECK(parser.help().find("delay_ms") != std::string::npos);  // --help lists each kind's parameters
}

TEST_CASE("the ways in that only the command line has: --stream, --streams-file, and options that do not go together") {
  test_support::TempDir dir;
  const elaborator::Kinds kinds{test_support::counting_kind()};
  elaborator::cli::Parser parser("program", "A program with one kind.", kinds);
  const auto two = run_parser(parser, {"--stream", "door=0", "--stream", "hall=0", "--every", "3"});
  REQUIRE(two.config);
  REQUIRE(two.config->streams.size() == 2);
  CHECK(two.config->streams[1].id == "hall");
  CHECK(two.config->streams[1].elaborations.at(0).sampling.every_nth == 3);
  CHECK(run_parser(parser, {"--stream", "door=0", "--stream", "door=0"}).error == "--stream: a second stream called 'door'");
  CHECK(run_parser(parser, {"--stream", "door=x"}).error == "--stream door=x: expected ID=PORT");
  CHECK(run_parser(parser, {"--stream", "door=70000"}).error == "--stream: must be a whole number from 0 to 65535");
  CHECK(run_parser(parser, {"--file", megamind, "--codec", "h264"}).error == "--codec goes with --rtp-port or --stream");
  CHECK(run_parser(parser, {"--rtp-port", "0", "--realtime"}).error == "--realtime goes with --file");
  CHECK(run_parser(parser, {"--rtp-port", "0", "--file", megamind}).error.starts_with("give one input"));
  CHECK(run_parser(parser, {"--every", "2", "--control", "127.0.0.1:0"}).error.find("configure the elaboration of an input") !=
        std::string::npos);
  CHECK(run_parser(parser, {"--control", "127.0.0.1:0"}).config->streams.empty());  // the API adds streams later
  const char* const no_arguments[] = {nullptr};  // not even the program's name (execve with an empty argv)
  CHECK_THROWS_WITH(parser.parse_or_throw(0, no_arguments), Catch::Contains("give exactly one input"));

  const nlohmann::json file = {{"stats_interval", 0}, {"streams", {rtp_stream({{"codec", "vp9"}}, {{"every", 4}})}}};
  std::ofstream(dir.file("streams.json")) << file.dump();
  const auto from_file = run_parser(parser, {"--streams-file", dir.file("streams.json")});
  REQUIRE(from_file.config);
  CHECK(elaborator::to_json(from_file.config->streams.at(0)) == elaborator::to_json(parse_file(file, kinds).streams.at(0)));
  CHECK(run_parser(parser, {"--streams-file", dir.file("streams.json"), "--every", "2"}).error ==
        "--every does not go with --streams-file: the file says it");
}

TEST_CASE("a JSON configuration describes streams with sources, sampling, sinks and params") {
  const elaborator::Kinds kinds{test_support::counting_kind()};
  const auto config = elaborator::parse_config(nlohmann::json::parse(R"({
    "stats_interval": 2,
    "streams": [
      {"id": "camera-1", "rtp": {"port": 5004, "codec": "h264", "rtcp_port": 5005, "payload_type": 100},
       "elaborations": [
         {"name": "faces", "every": 3, "max_fps": 5, "queue": 2, "udp": ["127.0.0.1:20001", "[::1]:20002"],
          "udp_max_bytes": 1200, "params": {"delay_ms": 60}},
         {"name": "objects", "jsonl": "objects.jsonl", "stdout": true}]},
      {"id": "archive", "file": {"path": "/tmp/video.mp4", "realtime": true}, "elaborations": [{}]}]})"),
                                               kinds);
  const auto& streams = config.streams;
  REQUIRE(streams.size() == 2);
  const auto& rtp = std::get<elaborator::RtpSource>(streams[0].source);
  CHECK(rtp.port == 5004);
  CHECK(rtp.codec == elaborator::Codec::h264);
  CHECK(rtp.rtcp_port == 5005);
  CHECK(rtp.payload_type == 100);
  const auto& faces = streams[0].elaborations[0];
  CHECK(faces.kind == "counting");
  CHECK(faces.name == "faces");
  CHECK(faces.sampling.every_nth == 3);
  CHECK(faces.sampling.max_fps == 5);
  CHECK(faces.sampling.queue_capacity == 2);
  CHECK(faces.sinks.udp.size() == 2);
  CHECK(faces.sinks.udp[1].host == "::1");
  CHECK(faces.sinks.udp_max_bytes == 1200);
  CHECK_FALSE(faces.sinks.standard_output);  // it has sinks of its own
  CHECK(faces.report_interval == 2s);
  CHECK(faces.params["delay_ms"] == 60);
  CHECK(streams[0].elaborations[1].sinks.jsonl == "objects.jsonl");
  CHECK(streams[0].elaborations[1].sinks.standard_output);
  CHECK(streams[0].elaborations[1].params["delay_ms"] == 0);  // the kind's default
  const auto& archive = streams[1];
  CHECK(std::get<elaborator::FileSource>(archive.source).realtime);
  CHECK(archive.elaborations[0].name == "counting");        // the kind's name
  CHECK(archive.elaborations[0].sinks.standard_output);      // no sink named: stdout
}

TEST_CASE("a configuration mistake is an error that says where it is") {
  const elaborator::Kinds kinds{test_support::counting_kind()};
  auto error_of = [&](const char* text) {
    try {
      elaborator::parse_config(nlohmann::json::parse(text), kinds);
    } catch (const elaborator::Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(error_of(R"({"streams": {}})") == "config.streams: must be a list");
  CHECK(error_of(R"({"streams": [{"id": "a", "rtp": {"prot": 5004}}]})") == "config.streams[0].rtp.prot: unknown key");
  CHECK(error_of(R"({"streams": [{"id": "a", "rtp": {"port": 70000}}]})") ==
        "config.streams[0].rtp.port: must be a whole number from 0 to 65535");
  CHECK(error_of(R"({"streams": [{"id": "a", "rtp": {"port": 1, "codec": "av1"}}]})") ==
        "config.streams[0].rtp.codec: unknown codec 'av1': expected vp8, vp9 or h264 (video), opus, pcmu or pcma (audio)");
  CHECK(error_of(R"({"streams": [{"id": "a", "file": {"path": "x"}, "rtp": {"port": 1}}]})") ==
        "config.streams[0]: needs exactly one of \"rtp\", \"file\" or \"pipeline\"");
  CHECK(error_of(R"({"streams": [{"id": "a", "file": {"path": "x"}, "elaborations": [{"every": 0}]}]})") ==
        "config.streams[0].elaborations[0].every: must be a whole number from 1 to 1000000");
  CHECK(error_of(R"({"streams": [{"id": "a", "file": {"path": "x"}, "elaborations": [{"udp": ["nowhere"]}]}]})") ==
        "config.streams[0].elaborations[0].udp: 'nowhere' is not HOST:PORT");
  CHECK(error_of(R"({"streams": [{"id": "a", "file": {"path": "x"}, "elaborations": [{"kind": "other"}]}]})") ==
        "config.streams[0].elaborations[0].kind: unknown kind 'other': this program offers counting");
  CHECK(error_of(R"({"streams": [{"id": "a", "file": {"path": "x"}, "elaborations": [{}, {}]}]})") ==
        "config.streams[0].elaborations[1]: a second elaboration called 'counting'");
  CHECK(error_of(R"({"streams": [{"id": "a", "file": {"path": "x"}}, {"id": "a", "file": {"path": "y"}}]})") ==
        "config.streams[1]: a second stream called 'a'");
  CHECK(error_of(R"([1, 2])") == "config: must be an object");
}
