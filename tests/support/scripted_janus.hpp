#pragma once
// A Janus whose timing a test sets: the HTTP API's session, attach and synchronous plugin requests that the
// dispatcher (janus/dispatcher.hpp) sends, answered as Janus 1.1 answers them, for one VideoRoom room with
// one publisher. The test makes the publisher leave at a chosen moment, between two requests, which a real
// Janus cannot be made to do. Like Janus, it refuses requests about a publisher it does not have, and it
// counts them: Janus logs each as an error.

#include "http_server.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace test_support {

class ScriptedJanus {
 public:
  static constexpr std::uint64_t room = 1234;
  static constexpr std::uint64_t publisher = 7;

  ScriptedJanus() : server_([this](const httplib::Request& request, httplib::Response& response) { answer(request, response); }) {}

  [[nodiscard]] std::string url() const { return server_.url() + "/janus"; }

  // The publisher leaves (and its forwards go with it) right after Janus answers the next listparticipants
  // or listforwarders: between the two listings of one reconcile.
  void leave_after_next_listing() {
    const std::lock_guard lock(mutex_);
    leave_after_listing_ = true;
  }

  [[nodiscard]] bool publishing() const {
    const std::lock_guard lock(mutex_);
    return publishing_;
  }

  // The requests refused because they named the publisher after it had left, as Janus logs them.
  [[nodiscard]] std::vector<std::string> refused() const {
    const std::lock_guard lock(mutex_);
    return refused_;
  }

 private:
  void answer(const httplib::Request& request, httplib::Response& response) {
    const auto message = nlohmann::json::parse(request.body, nullptr, false);
    nlohmann::json answer{{"janus", "success"}, {"transaction", message.value("transaction", "")}};
    const std::string verb = message.value("janus", "");
    const std::lock_guard lock(mutex_);
    if (verb == "create") answer["data"] = {{"id", 1}};
    if (verb == "attach") {
      const auto handle = plugins_.size() + 1;
      plugins_[handle] = message.value("plugin", "");
      answer["data"] = {{"id", handle}};
    }
    if (verb == "message") {
      const auto& plugin = plugins_[std::stoull(request.path.substr(request.path.rfind('/') + 1))];
      const auto& body = message["body"];
      answer["plugindata"] = {{"plugin", plugin},
                              {"data", plugin == "janus.plugin.videoroom" ? videoroom(body) : streaming(body)}};
    }
    response.set_content(answer.dump(), "application/json");
  }

  nlohmann::json videoroom(const nlohmann::json& body) {
    const std::string request = body.value("request", "");
    nlohmann::json data;
    if (request == "listparticipants") {
      data = {{"videoroom", "participants"}, {"room", room}, {"participants", nlohmann::json::array()}};
      if (publishing_) data["participants"].push_back({{"id", publisher}, {"publisher", true}});
    } else if (request == "listforwarders") {
      data = {{"videoroom", "forwarders"}, {"room", room}, {"publishers", nlohmann::json::array()}};
      if (!forwarders_.empty()) data["publishers"].push_back({{"publisher_id", publisher}, {"forwarders", forwarders_}});
    } else if (!publishing_) {
      refused_.push_back(body.dump());
      return {{"videoroom", "event"}, {"error_code", 428}, {"error", "No such feed (7)"}};
    } else if (request == "rtp_forward") {
      // The 1.x form with a stream's mid, or the older one (video_port) that a reconcile's set-up sends.
      const auto port = body.contains("streams") ? body["streams"][0]["port"] : body["video_port"];
      nlohmann::json forwarder{{"stream_id", next_id_++}, {"host", body["host"]}, {"port", port}};
      forwarders_.push_back(forwarder);
      data = {{"videoroom", "rtp_forward"}, {"room", room}, {"publisher_id", publisher}, {"forwarders", {forwarder}}};
    } else if (request == "stop_rtp_forward") {
      std::erase_if(forwarders_, [&](const auto& f) { return f["stream_id"] == body["stream_id"]; });
      data = {{"videoroom", "stop_rtp_forward"}, {"room", room}, {"publisher_id", publisher}, {"stream_id", body["stream_id"]}};
    }
    if (leave_after_listing_ && request.starts_with("list")) {
      leave_after_listing_ = false;
      publishing_ = false;
      forwarders_.clear();
    }
    return data;
  }

  nlohmann::json streaming(const nlohmann::json& body) {
    const std::string request = body.value("request", "");
    if (request == "create") {
      const auto id = body.value("id", next_id_++);
      mountpoints_[id] = body.value("description", "");
      return {{"streaming", "created"}, {"stream", {{"id", id}, {"ports", nlohmann::json::array()}}}};
    }
    if (request == "destroy") {
      mountpoints_.erase(body["id"].get<std::uint64_t>());
      return {{"streaming", "destroyed"}, {"id", body["id"]}};
    }
    nlohmann::json list = nlohmann::json::array();
    for (const auto& [id, description] : mountpoints_) list.push_back({{"id", id}, {"description", description}});
    return {{"streaming", "list"}, {"list", list}};
  }

  mutable std::mutex mutex_;
  std::map<std::uint64_t, std::string> plugins_;  // by handle
  bool publishing_ = true;
  bool leave_after_listing_ = false;
  std::vector<nlohmann::json> forwarders_;
  std::map<std::uint64_t, std::string> mountpoints_;  // id -> description
  std::uint64_t next_id_ = 100;
  std::vector<std::string> refused_;
  HttpServer server_;  // last: stopped first, before what its handler uses goes
};

}  // namespace test_support
