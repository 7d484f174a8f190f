#pragma once
// A long-running service in the test's own process, with its control API on 127.0.0.1 (a port the OS
// picks), driven over a real socket by cpp-httplib's client: what an operator's script does, with the
// process's threads, descriptors and memory countable from /proc/self (process_usage.hpp).

#include "counting_elaborator.hpp"
#include "process_usage.hpp"

#include <elaborator.hpp>
#include <elaborator/program.hpp>

#include <catch2/catch.hpp>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace test_support {

struct Answer {
  int status = 0;
  nlohmann::json body;
  std::string text;
};

class ControlApi {
 public:
  // With `janus`, the process also follows room 1234 there (a dispatcher, started by start_dispatcher()).
  explicit ControlApi(elaborator::Kinds kinds = {counting_kind()}, elaborator::RegistryLimits limits = {},
                      std::optional<elaborator::http::Secret> token = std::nullopt,
                      std::optional<elaborator::JanusConfig> janus = std::nullopt)
      : service_(std::move(kinds), std::chrono::milliseconds(0), limits),
        dispatcher_(janus ? std::make_unique<elaborator::janus::Dispatcher>(
                                service_, *janus, std::vector<elaborator::RoomConfig>{{1234, {}}})
                          : nullptr),
        server_(service_, {"127.0.0.1", 0}, std::move(token), dispatcher_.get()),
        client_("127.0.0.1", server_.endpoint().port) {
    client_.set_read_timeout(std::chrono::seconds(30));
  }

  Answer get(const std::string& path, const httplib::Headers& headers = {}) { return answer(client_.Get(path, headers)); }
  Answer post(const std::string& path, const nlohmann::json& body) { return post_text(path, body.dump()); }
  Answer post_text(const std::string& path, const std::string& body) {
    return answer(client_.Post(path, body, "application/json"));
  }
  Answer remove(const std::string& path) { return answer(client_.Delete(path)); }

  // What runs, as GET /v1/streams shows it without the statistics (which move while streams run).
  nlohmann::json configuration() {
    nlohmann::json streams = get("/v1/streams").body["streams"];
    for (auto& s : streams) {
      s.erase("stats");
      for (auto& e : s["elaborations"]) e.erase("stats");
    }
    return streams;
  }

  [[nodiscard]] elaborator::Service& service() { return service_; }
  [[nodiscard]] elaborator::janus::Dispatcher& dispatcher() { return *dispatcher_; }
  [[nodiscard]] std::uint16_t port() const { return server_.endpoint().port; }

 private:
  static Answer answer(const httplib::Result& result) {
    INFO("HTTP error " << httplib::to_string(result.error()));
    REQUIRE(result);
    return {result->status, nlohmann::json::parse(result->body, nullptr, false), result->body};
  }

  elaborator::Service service_;
  std::unique_ptr<elaborator::janus::Dispatcher> dispatcher_;
  elaborator::ControlServer server_;
  httplib::Client client_;
};

// A stream object for POST /v1/streams: RTP on a port the OS picks, one counting elaboration that loses no
// frame to its queue and writes results nowhere.
inline nlohmann::json counted_stream(const std::string& id, const std::string& elaboration = "count") {
  return {{"id", id},
          {"rtp", {{"port", 0}, {"rtcp_port", 0}}},
          {"elaborations", {{{"name", elaboration}, {"queue", 1000}, {"stdout", false}}}}};
}

}  // namespace test_support
