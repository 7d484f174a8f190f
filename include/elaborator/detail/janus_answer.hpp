#pragma once
// Reading Janus's answer to a request over its HTTP API (janus/session.hpp): its own errors and a plugin's
// become an elaborator::Error with their words, and a field that is missing or of another type gives a
// fallback, never an exception: the answer comes from the network. Internal: janus::Session is the
// library's way to ask, and to be answered.

#include "../error.hpp"

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace elaborator::detail {

// Fields of an answer that may be missing or of another type: a fallback then, never an exception (a const
// json's operator[] on a missing key is undefined behaviour, and value() throws on a type mismatch).
inline std::string string_in(const nlohmann::json& object, const char* key, std::string fallback) {
  return object.is_object() && object.contains(key) && object[key].is_string() ? object[key].get<std::string>() : fallback;
}
inline std::int64_t integer_in(const nlohmann::json& object, const char* key) {
  return object.is_object() && object.contains(key) && object[key].is_number_integer() ? object[key].get<std::int64_t>() : 0;
}
// 0 also for a value above `most` (a port above 65535): Janus's ids and ports are never 0.
inline std::uint64_t unsigned_in(const nlohmann::json& object, const char* key,
                                 std::uint64_t most = std::numeric_limits<std::uint64_t>::max()) {
  if (!object.is_object() || !object.contains(key) || !object[key].is_number_unsigned()) return 0;
  const auto value = object[key].get<std::uint64_t>();
  return value <= most ? value : 0;
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
