#pragma once
// A session with a Janus server over its HTTP API (the REST transport), for setting things up: attach to a
// plugin and send it synchronous requests. Every failure is an elaborator::Error that says which of these
// it was: Janus not answering, Janus refusing (its own error), or the plugin refusing (a wrong secret, an
// unknown room or publisher...), with Janus's own words.

#include "../detail/http_json.hpp"
#include "../detail/janus_answer.hpp"
#include "../error.hpp"

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <string_view>

namespace elaborator::janus {

class Session {
 public:
  // Creates a session on the server at `url` (e.g. http://127.0.0.1:8088/janus).
  explicit Session(std::string url, std::chrono::milliseconds timeout = std::chrono::seconds(5))
      : url_(std::move(url)), timeout_(timeout) {
    id_ = detail::id_in(post(url_, {{"janus", "create"}}), url_);
  }

  // Leaves nothing behind on the server (best effort: Janus also expires idle sessions).
  ~Session() {
    try {
      post(fmt::format("{}/{}", url_, id_), {{"janus", "destroy"}});
    } catch (const Error&) {
    }
  }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Attaches to a plugin ("janus.plugin.streaming", "janus.plugin.videoroom"); returns the handle's id. One
  // handle per plugin serves every request of this session: attached once, on the first.
  std::uint64_t attach(const std::string& plugin) {
    auto& handle = handles_[plugin];
    if (handle == 0) {
      handle = detail::id_in(post(fmt::format("{}/{}", url_, id_), {{"janus", "attach"}, {"plugin", plugin}}), url_);
    }
    return handle;
  }

  // Sends a synchronous plugin request and returns the plugin's answer (plugindata.data). `what` says what
  // was asked, for the error message.
  nlohmann::json request(std::uint64_t handle, const nlohmann::json& body, std::string_view what) {
    return detail::plugin_data(post(fmt::format("{}/{}/{}", url_, id_, handle), {{"janus", "message"}, {"body", body}}),
                               what);
  }

  [[nodiscard]] const std::string& url() const { return url_; }

 private:
  nlohmann::json post(const std::string& url, nlohmann::json message) {
    message["transaction"] = fmt::format("elaborator-{}", next_transaction_++);
    elaborator::detail::HttpResponse response;
    try {
      response = elaborator::detail::http_json(url, message, timeout_);
    } catch (const Error& e) {
      throw Error(fmt::format("Janus at {} is not answering ({}); is it running, with its HTTP transport there?",
                              url_, e.what()));
    }
    if (response.status != 200) {
      throw Error(fmt::format("Janus at {}: HTTP {} for {} (is the URL's path the transport's base_path?)", url_,
                              response.status, url));
    }
    return detail::parse_answer(response.body, url_);
  }

  std::string url_;
  std::chrono::milliseconds timeout_;
  std::uint64_t id_ = 0;
  std::map<std::string, std::uint64_t> handles_;
  std::uint64_t next_transaction_ = std::random_device{}();
};

}  // namespace elaborator::janus
