// The Janus helpers (library and elaborator_janus tool) against a real Janus from Debian: what they make
// works, and what Janus refuses comes back as an error in Janus's own words.

#include "support/child_process.hpp"
#include "support/janus_server.hpp"
#include "support/udp_receiver.hpp"

#include <elaborator/janus/events.hpp>
#include <elaborator/janus/streaming.hpp>
#include <elaborator/janus/videoroom.hpp>

#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <algorithm>
#include <string>
#include <vector>

using namespace std::chrono_literals;
namespace janus = elaborator::janus;

namespace {

janus::ForwardSpec forward_to_nowhere(const test_support::JanusServer& server) {
  janus::ForwardSpec spec;
  spec.room = 1234;
  spec.publisher_id = 42;
  spec.secret = server.secret("JANUS_ROOM_SECRET");
  spec.port = 5004;
  return spec;
}

}  // namespace

TEST_CASE("a mountpoint is created with the ports asked for, and a second one with its id is refused") {
  const test_support::JanusServer server(MAKE_JANUS_CONFIG);
  janus::Session session(server.url());
  janus::MountpointSpec spec;
  spec.id = 5;
  spec.media_port = test_support::free_udp_port();
  spec.data_port = test_support::free_udp_port();
  spec.admin_key = server.secret("JANUS_ADMIN_KEY");
  const auto made = janus::create_mountpoint(session, spec);
  CHECK(made.id == 5);
  CHECK(made.video_port == spec.media_port);
  CHECK(made.data_port == spec.data_port);
  CHECK_THROWS_WITH(janus::create_mountpoint(session, spec), Catch::Contains("already exists"));
  janus::destroy_mountpoint(session, 5, "");
  CHECK_NOTHROW(janus::create_mountpoint(session, spec));
}

TEST_CASE("Janus's refusals come back in its own words: admin key, secret, room, publisher") {
  const test_support::JanusServer server(MAKE_JANUS_CONFIG);
  janus::Session session(server.url());
  CHECK_THROWS_WITH(janus::create_mountpoint(session, janus::MountpointSpec{}), Catch::Contains("admin_key"));

  auto wrong_secret = forward_to_nowhere(server);
  wrong_secret.secret = "not the secret";
  CHECK_THROWS_WITH(janus::rtp_forward(session, wrong_secret), Catch::Contains("Unauthorized (wrong secret)"));
  auto no_room = forward_to_nowhere(server);
  no_room.room = 99;
  CHECK_THROWS_WITH(janus::rtp_forward(session, no_room), Catch::Contains("No such room (99)"));
  CHECK_THROWS_WITH(janus::rtp_forward(session, forward_to_nowhere(server)), Catch::Contains("No such feed (42)"));
  CHECK(janus::list_publishers(session, 1234).empty());
}

TEST_CASE("a Janus that does not answer is an error that says so") {
  const std::string nowhere = "http://127.0.0.1:" + std::to_string(test_support::free_tcp_port()) + "/janus";
  CHECK_THROWS_WITH(janus::Session(nowhere, 2s), Catch::Contains("is not answering"));
}

TEST_CASE("elaborator_janus prints what it made as JSON, exits 1 with Janus's reason, and never shows a secret") {
  const test_support::JanusServer server(MAKE_JANUS_CONFIG);
  test_support::TempDir dir;
  test_support::ChildProcess create({ELABORATOR_JANUS_PATH, "create-mountpoint", "--janus", server.url(), "--secrets-file",
                                     server.secrets_file(), "--id", "9"},
                                    dir.file("create.out"), dir.file("create.err"));
  const auto created = create.wait_exit(10s);
  REQUIRE(created);
  CHECK(WEXITSTATUS(*created) == 0);
  const auto answer = nlohmann::json::parse(create.standard_output());
  CHECK(answer["id"] == 9);
  CHECK(answer["video_port"].get<int>() > 0);

  test_support::ChildProcess forward({ELABORATOR_JANUS_PATH, "forward", "--janus", server.url(), "--secrets-file",
                                      server.secrets_file(), "--room", "1234", "--port", "5004"},
                                     dir.file("forward.out"), dir.file("forward.err"));
  const auto forwarded = forward.wait_exit(10s);
  REQUIRE(forwarded);
  CHECK(WEXITSTATUS(*forwarded) == 1);
  CHECK_THAT(forward.standard_error(), Catch::Contains("room 1234 has no publisher"));
  for (const char* name : {"JANUS_ADMIN_KEY", "JANUS_ROOM_SECRET"}) {
    CHECK_THAT(create.standard_error() + forward.standard_error(), !Catch::Contains(server.secret(name)));
  }
}

TEST_CASE("a room's forwards and the Streaming plugin's mountpoints are listed with what tells whose they are") {
  const test_support::JanusServer server(MAKE_JANUS_CONFIG);
  janus::Session session(server.url());
  janus::MountpointSpec spec;
  spec.description = "elaborator/test/1234/42/0";
  spec.media_port = test_support::free_udp_port();
  spec.data_port = test_support::free_udp_port();
  spec.admin_key = server.secret("JANUS_ADMIN_KEY");
  const auto made = janus::create_mountpoint(session, spec);
  const auto mountpoints = janus::list_mountpoints(session);
  const auto found = std::find_if(mountpoints.begin(), mountpoints.end(), [&](const auto& m) { return m.id == made.id; });
  REQUIRE(found != mountpoints.end());
  CHECK(found->description == spec.description);
  janus::destroy_mountpoint(session, made.id, "");
  CHECK(janus::list_forwards(session, 1234, server.secret("JANUS_ROOM_SECRET")).empty());  // no publisher, no forward
  CHECK_THROWS_WITH(janus::list_forwards(session, 1234, "not the secret"), Catch::Contains("Unauthorized"));
}

TEST_CASE("publisher events are read from what Janus's HTTP event handler posts, one or grouped, and the rest is left out") {
  const auto events = janus::publisher_events(nlohmann::json::parse(R"([
    {"emitter": "janus", "type": 64, "event": {"plugin": "janus.plugin.videoroom", "data": {"event": "published",
      "room": 1234, "id": 42, "display": "alice", "streams": [{"type": "audio", "mid": "0", "codec": "opus"}, {"type": "video", "mid": "1"},
      {"type": "video", "mid": "2", "disabled": true}]}}},
    {"type": 64, "event": {"plugin": "janus.plugin.videoroom", "data": {"event": "joined", "room": 1234, "id": 43}}},
    {"type": 64, "event": {"plugin": "janus.plugin.streaming", "data": {"event": "published", "room": 1234, "id": 44}}},
    {"type": 64, "event": {"plugin": "janus.plugin.videoroom", "data": {"event": "leaving", "room": 1234, "id": 42}}},
    {"type": 64, "event": {"plugin": "janus.plugin.videoroom", "data": {"event": "kicked", "room": "1234", "id": 45}}},
    "not an event", 7])"));
  REQUIRE(events.size() == 2);
  CHECK(events[0].kind == janus::PublisherEvent::Kind::publishing);
  CHECK(events[0].room == 1234);
  CHECK(events[0].publisher == 42);
  CHECK(events[0].video_mids == std::vector<std::string>{"1"});
  CHECK(events[0].audio == std::vector<janus::PublishedAudio>{{"0", "opus"}});
  CHECK(events[1].kind == janus::PublisherEvent::Kind::gone);
  CHECK(janus::publisher_events(nlohmann::json::parse(R"({"type": 64, "event": {"plugin": "janus.plugin.videoroom",
    "data": {"event": "unpublished", "room": 1, "id": 2}}})")).size() == 1);
}

TEST_CASE("an rtp_forward answer without a forwarder is an error, and one for a publisher without the medium asked for says so") {
  const auto forwarded = elaborator::detail::forward_from(nlohmann::json::parse(
      R"({"videoroom": "rtp_forward", "forwarders": [{"stream_id": 77, "local_rtcp_port": 4000}]})"));
  CHECK(forwarded.stream_id == 77);
  CHECK(forwarded.local_rtcp_port == 4000);
  // What Janus 1.1.2 answers to the older form for a publisher with audio only (seen in tests/e2e/dispatch.mjs).
  CHECK_THROWS_AS(elaborator::detail::forward_from(nlohmann::json::parse(
                      R"({"publisher_id": 4242, "room": 1234, "rtp_stream": {"host": "127.0.0.1", "warning": "deprecated_api"}})")),
                  janus::NoMediaError);
  // The older form for audio answers with the audio forward's id, and without one when there is no audio.
  const auto audio = nlohmann::json::parse(R"({"rtp_stream": {"host": "127.0.0.1", "audio_stream_id": 78, "audio": 30100}})");
  CHECK(elaborator::detail::forward_from(audio, elaborator::Media::audio).stream_id == 78);
  CHECK_THROWS_AS(elaborator::detail::forward_from(audio), janus::NoMediaError);
  CHECK_THROWS_WITH(elaborator::detail::forward_from(nlohmann::json::parse(R"({"videoroom": "rtp_forward"})")),
                    Catch::Contains("without a stream id"));
}
