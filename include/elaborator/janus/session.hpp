#pragma once
// A session with a Janus server over its HTTP API (the REST transport), for setting things up: attach to a
// plugin and send it synchronous requests. Every failure is an elaborator::Error that says which of these
// it was: Janus not answering, Janus refusing (its own error), or the plugin refusing (a wrong secret, an
// unknown room or publisher...), with Janus's own words.

#include "../detail/http_json.hpp"
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

}  // namespace elaborator::janus

namespace elaborator::detail {

// Fields of an answer that may be missing or of another type: a fallback then, never an exception (a const
// json's operator[] on a missing key is undefined behaviour, and value() throws on a type mismatch).
inline std::string string_in(const nlohmann::json& object, const char* key, std::string fallback) {
  return object.is_object() && object.contains(key) && object[key].is_string() ? object[key].get<std::string>() : fallback;
}
inline std::int64_t integer_in(const nlohmann::json& object, const char* key) {
  return object.is_object() && object.contains(key) && object[key].is_number_integer() ? object[key].get<std::int64_t>() : 0;
}

// Janus's answer to a request, from the bytes of the HTTP body; throws elaborator::Error for an answer that
// is not JSON or is a Janus error ({"janus": "error", "error": {"code", "reason"}}).
inline nlohmann::json parse_answer(const std::string& body, const std::string& server) {
  auto answer = nlohmann::json::parse(body, nullptr, false);
  if (answer.is_discarded() || !answer.is_object()) throw Error(fmt::format("Janus at {}: an answer that is not JSON", server));
  // json::value() throws when the field has another type than the default: compare instead (found by fuzzing:
  // "janus": 5 made elaborator_janus abort on an uncaught exception).
  if (answer.contains("janus") && answer["janus"] == "error") {
    const auto error = answer.find("error");
    const nlohmann::json none;
    const nlohmann::json& described = error != answer.end() ? *error : none;
    throw Error(fmt::format("Janus at {}: {} (error {})", server, string_in(described, "reason", "unknown"),
                            integer_in(described, "code")));
  }
  return answer;
}

// The id in a "success" answer to create or attach.
inline std::uint64_t id_in(const nlohmann::json& answer, const std::string& server) {
  const auto data = answer.find("data");
  if (data == answer.end() || !data->is_object() || !data->contains("id") || !(*data)["id"].is_number_unsigned()) {
    throw Error(fmt::format("Janus at {}: an answer without an id: {}", server, answer.dump()));
  }
  return (*data)["id"].get<std::uint64_t>();
}

// What a plugin answered to a synchronous request (plugindata.data); its own errors ({"error_code",
// "error"}) become elaborator::Error, prefixed with `what` was asked.
inline nlohmann::json plugin_data(const nlohmann::json& answer, std::string_view what) {
  const auto plugindata = answer.find("plugindata");
  if (plugindata == answer.end() || !plugindata->is_object() || !plugindata->contains("data") ||
      !(*plugindata)["data"].is_object()) {
    throw Error(fmt::format("{}: Janus answered without plugin data", what));
  }
  const nlohmann::json& data = (*plugindata)["data"];
  if (data.contains("error")) {
    throw Error(fmt::format("{}: {} ({} error {})", what, string_in(data, "error", data["error"].dump()),
                            string_in(*plugindata, "plugin", "plugin"), integer_in(data, "error_code")));
  }
  return data;
}

}  // namespace elaborator::detail

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
