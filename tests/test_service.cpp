// A long-running process: streams and elaborations added and removed through the HTTP control API while RTP
// flows, what that leaves behind, bad requests, the token, and the configuration model the API shares with
// the command line and streams files. Real GStreamer senders over 127.0.0.1, a real HTTP client and server.

#include "support/child_process.hpp"
#include "support/control_api.hpp"
#include "support/counting_elaborator.hpp"
#include "support/ports.hpp"
#include "support/resources_come_back.hpp"
#include "support/rtp_sender.hpp"
#include "support/scripted_janus.hpp"
#include "support/temp_dir.hpp"
#include "support/udp_receiver.hpp"
#include "support/wait.hpp"

#include <elaborator.hpp>
#include <elaborator/program.hpp>

#include <catch2/catch.hpp>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using test_support::ControlApi;
using test_support::counted_stream;

namespace {

// The statistics of one elaboration of a stream, as the API shows them.
nlohmann::json elaboration_stats(ControlApi& api, const std::string& stream, const std::string& name) {
  const auto answer = api.get("/v1/streams/" + stream);
  for (const auto& e : answer.body["elaborations"]) {
    if (e["name"] == name) return e["stats"];
  }
  return nullptr;
}

bool every_frame_classified(ControlApi& api, const std::string& stream, std::uint64_t frames) {
  const auto answer = api.get("/v1/streams/" + stream);
  const auto& e = answer.body["elaborations"][0]["stats"];
  return answer.body["stats"]["frames_decoded"] == frames && e["frames_classified"] == frames;
}

// Binds a UDP port on 127.0.0.1 as another program would: true if it is free.
bool can_bind(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  const bool bound = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return bound;
}

}  // namespace

TEST_CASE("streams and elaborations come and go through the API while RTP flows, and the others lose no frame") {
  ControlApi api;
  const auto steady = api.post("/v1/streams", counted_stream("steady"));
  REQUIRE(steady.status == 201);
  constexpr int frames = 150;  // 5 s at 30 fps
  test_support::RtpSender sender(steady.body["rtp_port"].get<std::uint16_t>(), test_support::test_pattern(elaborator::Codec::vp8, frames));

  // While the steady stream receives: a second stream comes and goes, and so does a second elaboration on
  // the steady one.
  const auto other = api.post("/v1/streams", counted_stream("other"));
  REQUIRE(other.status == 201);
  test_support::RtpSender other_sender(other.body["rtp_port"].get<std::uint16_t>(), test_support::test_pattern(elaborator::Codec::vp8, 300));
  REQUIRE(api.post("/v1/streams/steady/elaborations", {{"name", "extra"}, {"stdout", false}}).status == 201);
  REQUIRE(test_support::wait_until([&] { return elaboration_stats(api, "steady", "extra")["frames_classified"] >= 10; }, 10s));
  REQUIRE(test_support::wait_until([&] { return api.get("/v1/streams/other").body["stats"]["frames_decoded"] >= 10; }, 10s));
  const auto extra = api.remove("/v1/streams/steady/elaborations/extra");
  CHECK(extra.status == 200);
  CHECK(extra.body["stats"]["frames_classified"] >= 10);
  const auto removed = api.remove("/v1/streams/other");
  CHECK(removed.status == 200);
  CHECK(removed.body["stats"]["frames_decoded"] >= 10);
  // Gone completely: its ports are free at once, and the API no longer knows it.
  CHECK(can_bind(other.body["rtp_port"].get<std::uint16_t>()));
  CHECK(can_bind(other.body["rtcp_port"].get<std::uint16_t>()));
  CHECK(api.get("/v1/streams/other").status == 404);

  REQUIRE(sender.wait_until_sent(30s));
  INFO(api.get("/v1/streams/steady").text);
  REQUIRE(test_support::wait_until([&] { return every_frame_classified(api, "steady", frames); }, 10s));
  const auto after = api.get("/v1/streams/steady").body;
  CHECK(after["stats"]["frames_received"] == frames);
  CHECK(after["stats"]["stalls"] == 0);
  CHECK(after["stats"]["pipeline_restarts"] == 0);
  CHECK(after["elaborations"][0]["stats"]["frames_dropped"] == 0);
  CHECK(after["elaborations"].size() == 1);
}

TEST_CASE("200 streams added and removed through the API leave threads, descriptors and memory where they were") {
  ControlApi api;
  const auto cycle = [&] {
    const auto added = api.post("/v1/streams", counted_stream("cycled"));
    REQUIRE(added.status == 201);
    REQUIRE(api.post("/v1/streams/cycled/elaborations", {{"name", "second"}, {"stdout", false}}).status == 201);
    REQUIRE(api.remove("/v1/streams/cycled").status == 200);
  };
  test_support::check_resources_come_back(cycle, 200);
  CHECK(api.get("/v1/streams").body["streams"].empty());
}

TEST_CASE("bad requests get clear errors, change nothing, and never disturb a running stream") {
  test_support::UdpReceiver occupant;
  ControlApi api(elaborator::Kinds{test_support::counting_kind()}, {.max_streams = 8, .max_elaborations_per_stream = 4});
  REQUIRE(api.post("/v1/streams", counted_stream("steady")).status == 201);
  constexpr int frames = 120;
  test_support::RtpSender sender(api.get("/v1/streams/steady").body["rtp_port"].get<std::uint16_t>(),
                                 test_support::test_pattern(elaborator::Codec::vp8, frames));
  const nlohmann::json before = api.configuration();

  const auto refused = [&](test_support::Answer answer, int status, const std::string& message) {
    INFO(answer.text);
    CHECK(answer.status == status);
    CHECK(answer.body["error"] == message);
    CHECK(api.configuration() == before);
  };
  refused(api.post_text("/v1/streams", "{\"id\": \"x\", "), 400, "body: not valid JSON");
  refused(api.post("/v1/streams", {{"id", "x"}, {"rtp", {{"prot", 5004}}}}), 400, "stream.rtp.prot: unknown key");
  refused(api.post("/v1/streams", {{"id", "x"}, {"rtp", {{"port", 0}, {"jitter_ms", 20000}}}}), 400,
          "stream.rtp.jitter_ms: must be a whole number from 0 to 10000");
  refused(api.post("/v1/streams", {{"id", "x y"}, {"rtp", {{"port", 0}}}}), 400,
          "stream.id: must be 1 to 64 letters, digits, '.', '_' or '-'");
  refused(api.post("/v1/streams", {{"id", "x"}, {"rtp", {{"port", occupant.port()}}}}), 409,
          fmt::format("rtp 127.0.0.1:{}: cannot bind: Address already in use", occupant.port()));
  refused(api.post("/v1/streams", counted_stream("steady")), 409, "a stream called 'steady' runs already");
  refused(api.post("/v1/streams", {{"id", "x"}, {"rtp", {{"port", 0}}}, {"elaborations", {{{"params", {{"delay_ms", -1}}}}}}}),
          400, "stream.elaborations[0].params.delay_ms: must be a whole number from 0 to 60000");
  refused(api.post("/v1/streams", {{"id", "x"}, {"rtp", {{"port", 0}}}, {"elaborations", {{{"jsonl", "/nonexistent/r.jsonl"}}}}}),
          422, "elaboration counting: jsonl /nonexistent/r.jsonl: cannot open: No such file or directory");
  refused(api.post_text("/v1/streams", std::string(10 << 20, ' ')), 413, "the body is larger than 65536 bytes");
  nlohmann::json hundred = nlohmann::json::array();
  for (int i = 0; i < 100; ++i) hundred.push_back(counted_stream(fmt::format("s{}", i)));
  refused(api.post("/v1/streams", hundred), 400, "stream: must be an object");  // one stream a request
  refused(api.post("/v1/streams/steady/elaborations", {{"name", "count"}}), 409,
          "stream 'steady' has an elaboration called 'count' already");
  refused(api.post("/v1/streams/nowhere/elaborations", {{"name", "x"}}), 404, "no stream called 'nowhere'");
  refused(api.remove("/v1/streams/nowhere"), 404, "no stream called 'nowhere'");
  refused(api.remove("/v1/streams/steady/elaborations/nobody"), 404, "stream 'steady' has no elaboration called 'nobody'");
  refused(api.get("/v2/streams"), 404, "no such resource: /v2/streams");
  refused(api.post("/v1/kinds", nlohmann::json::object()), 405, "/v1/kinds takes GET");

  // A thousand streams asked for at once, from four clients: the configured maximum run, the rest are refused.
  std::atomic<int> added{0};
  std::atomic<int> limited{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 4; ++c) {
    clients.emplace_back([&, c] {
      httplib::Client client("127.0.0.1", api.port());
      for (int i = c; i < 1000; i += 4) {
        const auto result = client.Post("/v1/streams", counted_stream(fmt::format("s{}", i)).dump(), "application/json");
        if (result && result->status == 201) ++added;
        if (result && result->status == 409 && result->body.find("maximum of 8 streams") != std::string::npos) ++limited;
      }
    });
  }
  for (auto& client : clients) client.join();
  CHECK(added == 7);  // with "steady": 8
  CHECK(limited == 993);
  CHECK(api.get("/healthz").body["streams"] == 8);
  const nlohmann::json running = api.get("/v1/streams").body["streams"];
  for (const auto& s : running) {
    if (s["id"] != "steady") CHECK(api.remove("/v1/streams/" + s["id"].get<std::string>()).status == 200);
  }

  REQUIRE(sender.wait_until_sent(30s));
  INFO(api.get("/v1/streams/steady").text);
  CHECK(test_support::wait_until([&] { return every_frame_classified(api, "steady", frames); }, 10s));
}

TEST_CASE("with a token the API answers only requests that carry it, other addresses than loopback need one, and pages cannot reach it") {
  test_support::TempDir dir;
  std::ofstream(dir.file("token")) << "s3cret-token\n";
  ControlApi api(elaborator::Kinds{test_support::counting_kind()}, {}, elaborator::http::Secret::from_file(dir.file("token")));
  const auto without = api.get("/v1/streams");
  CHECK(without.status == 401);
  CHECK(without.body["error"] == "this API needs \"Authorization: Bearer <token>\"");
  CHECK(api.get("/v1/streams", {{"Authorization", "Bearer wrong-token!"}}).status == 401);
  CHECK(api.get("/v1/streams", {{"Authorization", "Bearer s3cret-token"}}).status == 200);
  CHECK(api.get("/metrics", {{"Authorization", "Bearer s3cret-token"}}).status == 200);
  CHECK(api.get("/healthz").status == 200);  // health checks carry no secrets

  elaborator::Service service(elaborator::Kinds{test_support::counting_kind()}, 0ms);
  CHECK_THROWS_WITH(elaborator::ControlServer(service, {"0.0.0.0", 0}, std::nullopt),
                    Catch::Contains("an address other than loopback needs a token"));

  // Without a token, what a web page in the operator's browser could send is refused: a Host that is not
  // this machine (DNS rebinding), a body not declared JSON (a request a page sends without asking).
  ControlApi open;
  httplib::Client page("127.0.0.1", open.port());
  const auto rebound = page.Get("/v1/streams", {{"Host", "attacker.example"}});
  REQUIRE(rebound);
  CHECK(rebound->status == 403);
  const auto form = page.Post("/v1/streams", test_support::counted_stream("x").dump(), "text/plain");
  REQUIRE(form);
  CHECK(form->status == 415);
  CHECK(open.get("/v1/streams").body["streams"].empty());
}

// What the process follows Janus with: room 1234 at `url`, JANUS_EVENTS_SECRET from a file.
elaborator::JanusConfig janus_at(const std::string& url, const std::string& secrets_file) {
  elaborator::JanusConfig janus;
  janus.url = url;
  janus.secrets_file = secrets_file;
  janus.reconcile = 500ms;
  return janus;
}

httplib::Headers janus_credentials(const std::string& password) {
  return {httplib::make_basic_authentication_header("janus", password)};
}

const std::string published_event =
    R"({"type": 64, "event": {"plugin": "janus.plugin.videoroom", "data": {"event": "published", "room": 1234, "id": 7}}})";

TEST_CASE("the Janus events endpoint takes only authenticated POSTs of JSON, and a process without rooms has none") {
  test_support::TempDir dir;
  std::ofstream(dir.file("secrets.env")) << "JANUS_EVENTS_SECRET=ev3nts\n";
  // The dispatcher is not started: nothing asks the Janus at this address.
  ControlApi api(elaborator::Kinds{test_support::counting_kind()}, {}, std::nullopt,
                 janus_at("http://127.0.0.1:9/janus", dir.file("secrets.env")));
  httplib::Client janus_side("127.0.0.1", api.port());

  const auto anonymous = janus_side.Post("/v1/janus/events", published_event, "application/json");
  REQUIRE(anonymous);
  CHECK(anonymous->status == 401);
  CHECK(janus_side.Post("/v1/janus/events", janus_credentials("wrong"), published_event, "application/json")->status == 401);
  CHECK(janus_side.Post("/v1/janus/events", janus_credentials("ev3nts"), published_event, "text/plain")->status == 415);
  CHECK(janus_side.Get("/v1/janus/events")->status == 405);
  CHECK(api.dispatcher().stats().events_received == 0);
  const auto accepted = janus_side.Post("/v1/janus/events", janus_credentials("ev3nts"), published_event, "application/json");
  REQUIRE(accepted);
  CHECK(accepted->status == 200);
  CHECK(api.dispatcher().stats().events_received == 1);

  ControlApi without_rooms;
  CHECK(without_rooms.post_text("/v1/janus/events", published_event).status == 404);
  CHECK(without_rooms.get("/v1/janus").status == 404);
}

TEST_CASE("a Janus that answers slowly and with errors never holds up a frame loop, the control API or the events endpoint") {
  // A Janus in trouble: it answers nothing until the test is done (the dispatcher's requests time out after
  // 5 s and are tried again), then only errors. Whatever waited for it would wait until then.
  httplib::Server troubled_janus;
  std::atomic<int> requests{0};
  std::mutex mutex;
  std::condition_variable released_changed;
  bool released = false;
  troubled_janus.Post(".*", [&](const httplib::Request&, httplib::Response& response) {
    ++requests;
    std::unique_lock lock(mutex);
    released_changed.wait_for(lock, 60s, [&] { return released; });
    response.status = 500;
  });
  const auto release = [&] {
    const std::lock_guard lock(mutex);
    released = true;
    released_changed.notify_all();
  };
  const int janus_port = troubled_janus.bind_to_any_port("127.0.0.1");
  std::thread serving([&] { troubled_janus.listen_after_bind(); });
  test_support::TempDir dir;
  std::ofstream(dir.file("secrets.env")) << "JANUS_EVENTS_SECRET=ev3nts\n";
  {
    ControlApi api(elaborator::Kinds{test_support::counting_kind()}, {}, std::nullopt,
                   janus_at(fmt::format("http://127.0.0.1:{}/janus", janus_port), dir.file("secrets.env")));
    api.dispatcher().start();
    REQUIRE(test_support::wait_until([&] { return requests > 0; }, 10s));

    REQUIRE(api.post("/v1/streams", counted_stream("steady")).status == 201);
    constexpr int frames = 120;
    test_support::RtpSender sender(api.get("/v1/streams/steady").body["rtp_port"].get<std::uint16_t>(),
                                   test_support::test_pattern(elaborator::Codec::vp8, frames));
    httplib::Client janus_side("127.0.0.1", api.port());
    for (int i = 0; i < 20; ++i) {  // while the dispatcher waits for Janus, events are still taken
      const auto accepted = janus_side.Post("/v1/janus/events", janus_credentials("ev3nts"), published_event, "application/json");
      REQUIRE(accepted);
      CHECK(accepted->status == 200);
      CHECK(api.get("/v1/janus").status == 200);
    }
    REQUIRE(sender.wait_until_sent(30s));
    INFO(api.get("/v1/streams/steady").text);
    CHECK(test_support::wait_until([&] { return every_frame_classified(api, "steady", frames); }, 10s));
    CHECK(api.dispatcher().stats().events_received == 20);
    release();
    CHECK(test_support::wait_until([&] { return api.dispatcher().stats().janus_errors >= 1; }, 20s));
    CHECK(api.dispatcher().stats().publishers_added == 0);
  }
  troubled_janus.stop();
  serving.join();
}

TEST_CASE("a publisher that leaves while a reconcile lists the room is taken down without a request Janus would refuse") {
  // Janus drops a publisher's forwards only after it lists it as not publishing. Between a reconcile's two
  // listings it may leave; whatever their order, the dispatcher must not mistake it for a publisher whose
  // forwards were lost, stop forwards that went with it and set it up again: Janus refuses each such
  // request and logs an error (seen in the replicas' container test).
  test_support::ScriptedJanus janus;
  test_support::TempDir dir;
  std::ofstream(dir.file("secrets.env")) << "JANUS_EVENTS_SECRET=ev3nts\n";
  elaborator::ElaborationConfig count;
  count.kind = "counting";
  count.name = "count";
  count.params = {{"delay_ms", 0}};
  elaborator::Service service(elaborator::Kinds{test_support::counting_kind()}, 0ms);
  elaborator::janus::Dispatcher dispatcher(service, janus_at(janus.url(), dir.file("secrets.env")),
                                           {{test_support::ScriptedJanus::room, {count}}});
  dispatcher.start();
  REQUIRE(test_support::wait_until([&] { return dispatcher.stats().publishers_added == 1; }, 20s));
  REQUIRE(service.streams_json().size() == 1);

  janus.leave_after_next_listing();
  REQUIRE(test_support::wait_until([&] { return dispatcher.stats().publishers_removed == 1; }, 20s));
  const auto reconciles = dispatcher.stats().reconciles;
  REQUIRE(test_support::wait_until([&] { return dispatcher.stats().reconciles >= reconciles + 2; }, 20s));
  CHECK_FALSE(janus.publishing());
  CHECK(janus.refused() == std::vector<std::string>{});
  CHECK(dispatcher.stats().publishers_added == 1);
  CHECK(dispatcher.stats().janus_errors == 0);
  CHECK(service.streams_json().empty());
}

TEST_CASE("an elaboration's kind and params come from the request, and several kinds run on one decoded stream") {
  ControlApi api(elaborator::Kinds{test_support::counting_kind("fast"), test_support::counting_kind("slow")});
  nlohmann::json stream = {{"id", "both"},
                           {"pipeline", {{"launch", "videotestsrc num-buffers=40 ! video/x-raw,width=160,height=120 ! "
                                                    "videoconvert ! appsink name=appsink"},
                                         {"live", false}}},
                           {"elaborations",
                            {{{"kind", "fast"}, {"queue", 100}, {"stdout", false}},
                             {{"kind", "slow"}, {"queue", 100}, {"stdout", false}, {"params", {{"delay_ms", 5}}}}}}};
  const auto answer = api.post("/v1/streams", stream);
  INFO(answer.text);
  REQUIRE(answer.status == 201);
  CHECK(answer.body["elaborations"][0]["name"] == "fast");
  CHECK(answer.body["elaborations"][1]["params"]["delay_ms"] == 5);
  CHECK(api.post("/v1/streams/both/elaborations", {{"name", "third"}}).body["error"] ==
        "elaboration: needs a \"kind\": one of fast, slow");
  REQUIRE(test_support::wait_until([&] { return api.get("/v1/streams/both").body["stats"]["ended"] == true; }, 20s));
  REQUIRE(test_support::wait_until([&] { return elaboration_stats(api, "both", "slow")["frames_classified"] == 40; }, 20s));
  CHECK(elaboration_stats(api, "both", "fast")["frames_classified"] == 40);
  const auto kinds = api.get("/v1/kinds").body["kinds"];
  CHECK(kinds.size() == 2);
  CHECK(kinds[0]["params"][0]["name"] == "delay_ms");
}

namespace {

// The value of a Prometheus query's first series, as Prometheus's own HTTP API gives it; empty until it has one.
std::string prometheus_value(httplib::Client& prometheus, const std::string& query) {
  const auto result = prometheus.Get("/api/v1/query", {{"query", query}}, httplib::Headers{});
  if (!result || result->status != 200) return {};
  const auto answer = nlohmann::json::parse(result->body, nullptr, false);
  if (answer.is_discarded() || answer["data"]["result"].empty()) return {};
  return answer["data"]["result"][0]["value"][1].get<std::string>();
}

}  // namespace

TEST_CASE("a real Prometheus scrapes /metrics and reads back what the process counted") {
  const std::string prometheus_program = "/usr/bin/prometheus";
  if (!std::filesystem::exists(prometheus_program)) FAIL("missing " << prometheus_program << ": run .ci/install-dependencies");
  test_support::TempDir dir;
  ControlApi api;
  nlohmann::json stream = {{"id", "ended"},
                           {"pipeline", {{"launch", "videotestsrc num-buffers=50 ! video/x-raw,width=160,height=120 ! "
                                                    "videoconvert ! appsink name=appsink"},
                                         {"live", false}}},
                           {"elaborations", {{{"name", "count"}, {"queue", 100}, {"jsonl", dir.file("results.jsonl")}}}}};
  REQUIRE(api.post("/v1/streams", stream).status == 201);
  REQUIRE(test_support::wait_until([&] { return elaboration_stats(api, "ended", "count")["frames_classified"] == 50; }, 20s));
  const auto stats = api.get("/v1/streams/ended").body;

  std::ofstream(dir.file("prometheus.yml")) << fmt::format(
      "global: {{scrape_interval: 1s}}\n"
      "scrape_configs: [{{job_name: elaborator, static_configs: [{{targets: ['127.0.0.1:{}']}}]}}]\n",
      api.port());
  const std::uint16_t web_port = test_support::free_tcp_port();
  test_support::ChildProcess prometheus({prometheus_program, "--config.file=" + dir.file("prometheus.yml"),
                                         "--storage.tsdb.path=" + dir.file("data"),
                                         fmt::format("--web.listen-address=127.0.0.1:{}", web_port)},
                                        dir.file("prometheus.out"), dir.file("prometheus.err"));
  httplib::Client client("127.0.0.1", web_port);
  const std::string decoded = R"(elaborator_frames_decoded_total{stream="ended"})";
  INFO(prometheus.standard_error());
  REQUIRE(test_support::wait_until([&] { return !prometheus_value(client, decoded).empty(); }, 30s));
  CHECK(prometheus_value(client, decoded) == stats["stats"]["frames_decoded"].dump());
  const std::string labels = R"({stream="ended",elaboration="count",kind="counting"})";
  CHECK(prometheus_value(client, "elaborator_frames_classified_total" + labels) == "50");
  CHECK(prometheus_value(client, "elaborator_classify_seconds_count" + labels) == "50");
  CHECK(prometheus_value(client, "elaborator_results_total" + labels) == "50");
  CHECK(prometheus_value(client, fmt::format(R"(elaborator_sink_results_written_total{{sink="jsonl {}"}})", dir.file("results.jsonl"))) ==
        "50");
  CHECK(prometheus_value(client, "up") == "1");  // every scrape parsed

  // A removed stream's series are gone from the next scrape.
  REQUIRE(api.remove("/v1/streams/ended").status == 200);
  CHECK(api.get("/metrics").text.find(R"(stream="ended")") == std::string::npos);
}

namespace {

// classify() does not return until the test lets it, as a model that hangs would.
std::atomic<bool> classify_entered{false};
std::atomic<bool> classify_released{false};

class Stuck : public elaborator::Elaborator<Stuck> {
 public:
  Stuck(elaborator::ElaborationOptions options, const nlohmann::json&) : Elaborator(std::move(options)) {}

 private:
  friend Elaborator;
  std::vector<elaborator::Detection> classify(const elaborator::Frame&) {
    classify_entered = true;
    // Hangs until the test lets it go, bounded like every wait in a test (a minute: longer than the test).
    test_support::wait_until([] { return classify_released.load(); }, 60s);
    return {};
  }
};

// Lets every stuck classify() go when the test ends, however it ends: declared after the service, it goes first.
struct Release {
  ~Release() { classify_released = true; }
};

}  // namespace

TEST_CASE("removing an elaboration stuck in classify() answers within seconds, and every later change goes on") {
  ControlApi api(elaborator::Kinds{test_support::counting_kind(),
                                   {"stuck", "Stuck", "classify() never returns.", {}, elaborator::factory<Stuck>()}});
  const Release release;
  const nlohmann::json stream = {{"id", "live"},
                                 {"pipeline", {{"launch", "videotestsrc is-live=true ! video/x-raw,width=160,height=120 ! "
                                                          "videoconvert ! appsink name=appsink"}}},
                                 {"elaborations", {{{"kind", "stuck"}, {"stdout", false}}, {{"kind", "counting"}, {"stdout", false}}}}};
  REQUIRE(api.post("/v1/streams", stream).status == 201);
  REQUIRE(test_support::wait_until([] { return classify_entered.load(); }, 10s));

  const auto asked = std::chrono::steady_clock::now();
  const auto removed = api.remove("/v1/streams/live/elaborations/stuck");
  CHECK(removed.status == 200);
  CHECK(std::chrono::steady_clock::now() - asked < 5s);  // the removal's grace is 2 s
  // The stream and its other elaboration go on, and so do changes.
  const auto before = elaboration_stats(api, "live", "counting")["frames_classified"].get<std::uint64_t>();
  CHECK(test_support::wait_until([&] { return elaboration_stats(api, "live", "counting")["frames_classified"] > before + 10; }, 10s));
  nlohmann::json next = counted_stream("next");
  next["elaborations"][0]["kind"] = "counting";
  CHECK(api.post("/v1/streams", next).status == 201);
  CHECK(api.remove("/v1/streams/next").status == 200);
  CHECK(api.remove("/v1/streams/live").status == 200);
}
