#pragma once
// The control API without its HTTP server: a request (method, path, body) is first understood, which only
// reads it (parse_api_request: what the fuzzer exercises), then carried out on a Service. Every answer is
// JSON; an error is {"error": message} with the configuration parser's own message, and a request that
// fails changes nothing.
//
//   GET    /v1/streams                            every stream, its ports, elaborations and statistics
//   GET    /v1/streams/{id}                       one
//   POST   /v1/streams                            body: one stream object as in a streams file -> 201
//   DELETE /v1/streams/{id}                       -> its last state
//   POST   /v1/streams/{id}/elaborations          body: one elaboration object -> 201
//   DELETE /v1/streams/{id}/elaborations/{name}   -> its last statistics
//   GET    /v1/kinds                              the kinds this program offers and their params
//   GET    /v1/janus                              the rooms followed and the publishers analysed (--janus)
//   POST   /v1/janus/events                       Janus's HTTP event handler posts here (Basic auth)
//   GET    /healthz                               {"status": "ok", "streams": N}
//   GET    /metrics                               Prometheus text exposition 0.0.4

#include "../config.hpp"
#include "../error.hpp"
#include "../kinds.hpp"
#include "../metrics.hpp"
#include "../janus/dispatcher.hpp"
#include "../service.hpp"

#include <fmt/core.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <exception>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace elaborator::detail {

struct ApiResponse {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::string allow;  // for 405: the methods the path takes
};

inline ApiResponse json_response(int status, const nlohmann::json& body) {
  return {status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), "application/json", {}};
}

inline ApiResponse error_response(int status, std::string_view message, std::string allow = {}) {
  ApiResponse response = json_response(status, {{"error", message}});
  response.allow = std::move(allow);
  return response;
}

// A request understood: what to do and with what.
struct ApiCall {
  enum class Action { list_streams, get_stream, add_stream, remove_stream, add_elaboration, remove_elaboration,
                      list_kinds, health, metrics, janus_state, janus_events };
  Action action = Action::health;
  std::string stream_id;
  std::string name;
  StreamConfig stream;
  ElaborationConfig elaboration;
  nlohmann::json events;  // janus_events: the event handler's body
};

// The segments of a path: "/v1/streams/a" -> {"v1", "streams", "a"}. Empty segments ("//") and any
// percent-encoding make it unknown: ids never need either.
inline std::optional<std::vector<std::string_view>> path_segments(std::string_view path) {
  std::vector<std::string_view> segments;
  if (path.empty() || path.front() != '/' || path.size() > 512) return std::nullopt;
  path.remove_prefix(1);
  while (!path.empty()) {
    const auto slash = path.find('/');
    const std::string_view segment = path.substr(0, slash);
    if (segment.empty() || segment.find('%') != std::string_view::npos) return std::nullopt;
    segments.push_back(segment);
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return segments;
}

inline nlohmann::json parse_body(std::string_view body) {
  const auto json = nlohmann::json::parse(body.begin(), body.end(), nullptr, false);
  if (json.is_discarded()) throw ConfigError("body", "not valid JSON");
  return json;
}

// Reads a request, touching nothing: either what to do, or the error to answer with.
inline std::variant<ApiCall, ApiResponse> parse_api_request(std::string_view method, std::string_view path,
                                                             std::string_view body, const Kinds& kinds,
                                                             std::chrono::milliseconds stats_interval) {
  using Action = ApiCall::Action;
  const auto segments = path_segments(path);
  if (!segments) return error_response(404, fmt::format("no such resource: {}", path.substr(0, 100)));
  const auto& s = *segments;
  const auto allowed = [&](std::initializer_list<std::string_view> methods) -> std::optional<ApiResponse> {
    for (const auto m : methods) {
      if (m == method) return std::nullopt;
    }
    const std::string list = fmt::format("{}", fmt::join(methods, ", "));
    return error_response(405, fmt::format("{} takes {}", path, list), list);
  };
  ApiCall call;
  try {
    if (s.size() == 1 && s[0] == "healthz") {
      if (auto refused = allowed({"GET"})) return *refused;
      call.action = Action::health;
    } else if (s.size() == 1 && s[0] == "metrics") {
      if (auto refused = allowed({"GET"})) return *refused;
      call.action = Action::metrics;
    } else if (s.size() == 2 && s[0] == "v1" && s[1] == "kinds") {
      if (auto refused = allowed({"GET"})) return *refused;
      call.action = Action::list_kinds;
    } else if (s.size() == 2 && s[0] == "v1" && s[1] == "janus") {
      if (auto refused = allowed({"GET"})) return *refused;
      call.action = Action::janus_state;
    } else if (s.size() == 3 && s[0] == "v1" && s[1] == "janus" && s[2] == "events") {
      if (auto refused = allowed({"POST"})) return *refused;
      call.action = Action::janus_events;
      call.events = parse_body(body);
    } else if (s.size() == 2 && s[0] == "v1" && s[1] == "streams") {
      if (auto refused = allowed({"GET", "POST"})) return *refused;
      call.action = method == "GET" ? Action::list_streams : Action::add_stream;
      if (call.action == Action::add_stream) call.stream = parse_stream(parse_body(body), kinds, stats_interval);
    } else if (s.size() == 3 && s[0] == "v1" && s[1] == "streams") {
      if (auto refused = allowed({"GET", "DELETE"})) return *refused;
      call.action = method == "GET" ? Action::get_stream : Action::remove_stream;
      call.stream_id = s[2];
    } else if (s.size() == 4 && s[0] == "v1" && s[1] == "streams" && s[3] == "elaborations") {
      if (auto refused = allowed({"POST"})) return *refused;
      call.action = Action::add_elaboration;
      call.stream_id = s[2];
      call.elaboration = parse_elaboration(parse_body(body), kinds, stats_interval);
    } else if (s.size() == 5 && s[0] == "v1" && s[1] == "streams" && s[3] == "elaborations") {
      if (auto refused = allowed({"DELETE"})) return *refused;
      call.action = Action::remove_elaboration;
      call.stream_id = s[2];
      call.name = s[4];
    } else {
      return error_response(404, fmt::format("no such resource: {}", path.substr(0, 100)));
    }
  } catch (const Error& e) {
    return error_response(400, e.what());
  }
  return call;
}

inline nlohmann::json kinds_json(const Kinds& kinds) {
  nlohmann::json all = nlohmann::json::array();
  for (const auto& kind : kinds.all()) {
    nlohmann::json params = nlohmann::json::array();
    for (const auto& p : kind.params) params.push_back({{"name", p.name}, {"default", p.fallback}, {"help", p.help}});
    all.push_back({{"name", kind.name}, {"description", kind.description}, {"media", to_string(kind.make.media())},
                   {"params", params}});
  }
  return {{"kinds", all}};
}

// Carries out a request on the service, and the dispatcher if this process follows Janus rooms. An
// exception becomes the answer its type calls for.
inline ApiResponse execute(const ApiCall& call, Service& service, janus::Dispatcher* dispatcher) {
  using Action = ApiCall::Action;
  try {
    switch (call.action) {
      case Action::health: return json_response(200, {{"status", "ok"}, {"streams", service.registry().size()}});
      case Action::metrics: {
        std::string text = prometheus_metrics(service.registry().streams());
        if (dispatcher != nullptr) text += prometheus_dispatch_metrics(dispatcher->stats());
        return {200, std::move(text), "text/plain; version=0.0.4", {}};
      }
      case Action::janus_state:
      case Action::janus_events:
        if (dispatcher == nullptr) return error_response(404, "this process follows no Janus rooms (--janus, --room)");
        if (call.action == Action::janus_state) return json_response(200, dispatcher->state());
        dispatcher->offer(call.events);
        return json_response(200, {{"accepted", true}});
      case Action::list_kinds: return json_response(200, kinds_json(service.kinds()));
      case Action::list_streams: return json_response(200, {{"streams", service.streams_json()}});
      case Action::get_stream: {
        const auto stream = service.stream_json(call.stream_id);
        if (!stream) return error_response(404, fmt::format("no stream called '{}'", call.stream_id));
        return json_response(200, *stream);
      }
      case Action::add_stream: return json_response(201, service.add_stream(call.stream));
      case Action::remove_stream: return json_response(200, service.remove_stream(call.stream_id));
      case Action::add_elaboration: return json_response(201, service.add_elaboration(call.stream_id, call.elaboration));
      case Action::remove_elaboration: return json_response(200, service.remove_elaboration(call.stream_id, call.name));
    }
  } catch (const NotFoundError& e) {
    return error_response(404, e.what());
  } catch (const ConflictError& e) {
    return error_response(409, e.what());
  } catch (const Error& e) {  // the configuration is right, but what it names cannot run: a model, a file
    return error_response(422, e.what());
  } catch (const std::exception& e) {
    return error_response(500, e.what());
  }
  return error_response(500, "unhandled request");
}

inline ApiResponse handle_api_request(std::string_view method, std::string_view path, std::string_view body,
                                      Service& service, janus::Dispatcher* dispatcher = nullptr) {
  auto parsed = parse_api_request(method, path, body, service.kinds(), service.stats_interval());
  if (auto* error = std::get_if<ApiResponse>(&parsed)) return *error;
  return execute(std::get<ApiCall>(parsed), service, dispatcher);
}

}  // namespace elaborator::detail
