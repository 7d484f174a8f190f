// elaborator_janus: connects an elaborator to a Janus server over its HTTP API.
//
//   elaborator_janus create-mountpoint --id 1 --video-port 0 --data-port 0   # video + results for viewers
//   elaborator_janus forward --room 1234 --wait 30 --port 5004 --rtcp-port 5005  # a publisher to an elaborator
//   elaborator_janus publishers --room 1234
//   elaborator_janus destroy-mountpoint --id 1
//
// Secrets never go on the command line (where `ps` shows them): JANUS_ADMIN_KEY (the Streaming plugin's
// admin_key), JANUS_ROOM_SECRET (the room's secret) and JANUS_MOUNTPOINT_SECRET come from the environment or
// from --secrets-file, a file of NAME=value lines (examples/janus/make-config writes one).
// What was made is printed on stdout as one JSON object, for scripts; errors go to stderr.

#include <elaborator/http/secret.hpp>
#include <elaborator/janus/streaming.hpp>
#include <elaborator/janus/videoroom.hpp>

#include <cxxopts.hpp>
#include <fmt/core.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

namespace {

using elaborator::Error;
namespace janus = elaborator::janus;

using Secrets = elaborator::http::NamedSecrets;

std::uint16_t port_option(const cxxopts::ParseResult& args, const std::string& name) {
  const int port = args[name].as<int>();
  if (port < 0 || port > 65535) throw Error(fmt::format("--{} {} is not a port (0-65535)", name, port));
  return static_cast<std::uint16_t>(port);
}

int create_mountpoint(janus::Session& session, const cxxopts::ParseResult& args, const Secrets& secrets) {
  janus::MountpointSpec spec;
  spec.id = args["id"].as<std::uint64_t>();
  spec.name = args["name"].as<std::string>();
  spec.media_port = port_option(args, "video-port");
  spec.data_port = port_option(args, "data-port");
  spec.codec = elaborator::parse_codec(args["codec"].as<std::string>());
  spec.admin_key = secrets.get("JANUS_ADMIN_KEY");
  spec.secret = secrets.get("JANUS_MOUNTPOINT_SECRET");
  const auto made = janus::create_mountpoint(session, spec);
  std::printf("{\"id\":%llu,\"video_port\":%u,\"data_port\":%u}\n", static_cast<unsigned long long>(made.id),
              made.video_port, made.data_port);
  std::fprintf(stderr, "mountpoint %llu: send RTP video to port %u and results to port %u\n",
               static_cast<unsigned long long>(made.id), made.video_port, made.data_port);
  return 0;
}

// The publisher to forward: the one asked for, or the room's first, waiting up to --wait seconds for it.
std::uint64_t find_publisher(janus::Session& session, std::uint64_t room, std::uint64_t wanted, std::chrono::seconds wait) {
  const auto deadline = std::chrono::steady_clock::now() + wait;
  while (true) {
    for (const auto& p : janus::list_publishers(session, room)) {
      if (wanted == 0 || p.id == wanted) return p.id;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      throw Error(wanted == 0 ? fmt::format("room {} has no publisher (waited {} s)", room, wait.count())
                              : fmt::format("publisher {} is not publishing in room {} (waited {} s)", wanted, room,
                                            wait.count()));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

int forward(janus::Session& session, const cxxopts::ParseResult& args, const Secrets& secrets) {
  janus::ForwardSpec spec;
  spec.room = args["room"].as<std::uint64_t>();
  spec.secret = secrets.get("JANUS_ROOM_SECRET");
  spec.publisher_id = find_publisher(session, spec.room, args["publisher"].as<std::uint64_t>(),
                                     std::chrono::seconds(args["wait"].as<int>()));
  spec.host = args["host"].as<std::string>();
  spec.port = port_option(args, "port");
  if (spec.port == 0) throw Error("forward needs --port, the elaborator's RTP port");
  if (args.count("rtcp-port") > 0) spec.rtcp_port = port_option(args, "rtcp-port");
  spec.payload_type = args["payload-type"].as<int>();
  spec.mid = args["mid"].as<std::string>();
  const auto made = janus::rtp_forward(session, spec);
  std::printf("{\"room\":%llu,\"publisher_id\":%llu,\"stream_id\":%llu,\"local_rtcp_port\":%u}\n",
              static_cast<unsigned long long>(spec.room), static_cast<unsigned long long>(spec.publisher_id),
              static_cast<unsigned long long>(made.stream_id), made.local_rtcp_port);
  std::fprintf(stderr, "forwarding publisher %llu of room %llu to %s:%u%s\n",
               static_cast<unsigned long long>(spec.publisher_id), static_cast<unsigned long long>(spec.room),
               spec.host.c_str(), spec.port, spec.rtcp_port ? " (with RTCP: keyframes on request)" : "");
  return 0;
}

int publishers(janus::Session& session, const cxxopts::ParseResult& args) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& p : janus::list_publishers(session, args["room"].as<std::uint64_t>())) {
    list.push_back({{"id", p.id}, {"display", p.display}});
  }
  std::printf("%s\n", list.dump().c_str());
  return 0;
}

int destroy_mountpoint(janus::Session& session, const cxxopts::ParseResult& args, const Secrets& secrets) {
  janus::destroy_mountpoint(session, args["id"].as<std::uint64_t>(), secrets.get("JANUS_MOUNTPOINT_SECRET"));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  cxxopts::Options options("elaborator_janus",
                           "Connects an elaborator to Janus: makes a Streaming mountpoint for viewers, and forwards a "
                           "VideoRoom publisher's video (rtp_forward) to an elaborator.\n\nCommands: create-mountpoint, "
                           "destroy-mountpoint, forward, publishers.\nSecrets: JANUS_ADMIN_KEY, JANUS_ROOM_SECRET, "
                           "JANUS_MOUNTPOINT_SECRET from the environment or --secrets-file, never the command line.\n");
  options.set_width(100);
  options.add_options()
    ("command", "what to do", cxxopts::value<std::string>())
    ("janus", "the Janus HTTP API", cxxopts::value<std::string>()->default_value("http://127.0.0.1:8088/janus"))
    ("secrets-file", "a file of NAME=value lines with the secrets", cxxopts::value<std::string>()->default_value(""))
    ("timeout", "seconds to wait for each answer from Janus", cxxopts::value<int>()->default_value("5"))
    ("h,help", "show this help");
  options.add_options("create-mountpoint, destroy-mountpoint")
    ("id", "the mountpoint's id (create: 0 lets Janus pick)", cxxopts::value<std::uint64_t>()->default_value("1"))
    ("name", "the mountpoint's name", cxxopts::value<std::string>()->default_value("elaborator"))
    ("video-port", "where the mountpoint receives RTP video (0: Janus picks)", cxxopts::value<int>()->default_value("0"))
    ("data-port", "where it receives results for its datachannel (0: Janus picks)", cxxopts::value<int>()->default_value("0"))
    ("codec", "the video codec: vp8, vp9 or h264", cxxopts::value<std::string>()->default_value("vp8"));
  options.add_options("forward, publishers")
    ("room", "the VideoRoom", cxxopts::value<std::uint64_t>()->default_value("1234"))
    ("publisher", "the publisher's id (0: the room's first publisher)", cxxopts::value<std::uint64_t>()->default_value("0"))
    ("wait", "seconds to wait for the publisher to appear", cxxopts::value<int>()->default_value("0"))
    ("host", "the elaborator's address, as Janus reaches it", cxxopts::value<std::string>()->default_value("127.0.0.1"))
    ("port", "the elaborator's RTP port (its --rtp-port)", cxxopts::value<int>()->default_value("0"))
    ("rtcp-port", "the elaborator's RTCP port (its --rtcp-port): lets it ask for keyframes", cxxopts::value<int>())
    ("payload-type", "RTP payload type of the forwarded video", cxxopts::value<int>()->default_value("96"))
    ("mid", "the publisher's video stream mid (empty: its first video stream)", cxxopts::value<std::string>()->default_value(""));
  options.parse_positional({"command"});
  options.positional_help("COMMAND");

  cxxopts::ParseResult args;
  std::string command;
  try {
    args = options.parse(argc, argv);
    if (args.count("help") > 0) {
      std::fputs(options.help({"", "create-mountpoint, destroy-mountpoint", "forward, publishers"}).c_str(), stdout);
      return 0;
    }
    if (args.count("command") == 0) throw Error("no command given");
    command = args["command"].as<std::string>();
    if (command != "create-mountpoint" && command != "destroy-mountpoint" && command != "forward" &&
        command != "publishers") {
      throw Error(fmt::format("unknown command '{}'", command));
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "elaborator_janus: %s\nTry 'elaborator_janus --help'.\n", e.what());
    return 2;
  }
  try {
    const Secrets secrets(args["secrets-file"].as<std::string>());
    janus::Session session(args["janus"].as<std::string>(), std::chrono::seconds(args["timeout"].as<int>()));
    if (command == "create-mountpoint") return create_mountpoint(session, args, secrets);
    if (command == "destroy-mountpoint") return destroy_mountpoint(session, args, secrets);
    if (command == "forward") return forward(session, args, secrets);
    return publishers(session, args);
  } catch (const Error& e) {
    std::fprintf(stderr, "elaborator_janus: %s\n", e.what());
  } catch (const nlohmann::json::exception& e) {
    std::fprintf(stderr, "elaborator_janus: an answer from Janus that was not what the API documents: %s\n", e.what());
  }
  return 1;
}
