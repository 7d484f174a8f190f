#pragma once
// Reading the "janus" and "rooms" of a configuration (config.hpp): where the Janus server is, the ports and
// the share of publishers this process takes, and the rooms whose publishers get which elaborations.
// Internal: parse_config() is the library's; this is how it reads that part.

#include "../config_types.hpp"
#include "../kinds.hpp"
#include "config_object.hpp"
#include "stream_config_parsing.hpp"

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

namespace elaborator::detail {

// "A<separator>B" with A and B whole numbers written in digits only (no sign, no space), else nothing.
inline std::optional<std::pair<unsigned, unsigned>> number_pair(std::string_view text, char separator) {
  const auto at = text.find(separator);
  if (at == std::string_view::npos) return std::nullopt;
  const auto number = [](std::string_view digits) -> std::optional<unsigned> {
    unsigned value = 0;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (digits.empty() || error != std::errc{} || end != digits.data() + digits.size()) return std::nullopt;
    return value;
  };
  const auto first = number(text.substr(0, at));
  const auto second = number(text.substr(at + 1));
  if (!first || !second) return std::nullopt;
  return std::pair{*first, *second};
}

inline PortRange port_range_from(const ConfigObject& janus) {
  const std::string text = janus.text("ports", "30000-30999");
  const auto range = number_pair(text, '-');
  if (!range || range->first < 1024 || range->second > 65535 || range->first > range->second ||
      range->second - range->first < 4) {
    throw ConfigError(janus.path("ports"), fmt::format("'{}' is not FIRST-LAST: ports from 1024 to 65535, at least 5", text));
  }
  return {static_cast<std::uint16_t>(range->first), static_cast<std::uint16_t>(range->second)};
}

inline JanusConfig janus_from(const ConfigObject& janus) {
  JanusConfig config;
  if (!janus.has("url")) janus.fail("needs a \"url\": Janus's HTTP API, e.g. http://127.0.0.1:8088/janus");
  config.url = janus.text("url", "");
  if (!config.url.starts_with("http://") && !config.url.starts_with("https://")) {
    throw ConfigError(janus.path("url"), fmt::format("'{}' is not an http:// or https:// URL", config.url));
  }
  config.ports = port_range_from(janus);
  config.host = janus.text("host", config.host);
  config.instance = janus.identifier("instance", config.instance);
  config.reconcile = milliseconds_from(janus.number("reconcile_seconds", seconds_of(config.reconcile), 0.5, 30));
  const std::string replica = janus.text("replica", "0/1");
  const auto share = number_pair(replica, '/');
  if (!share || share->second < 1 || share->second > 1000 || share->first >= share->second) {
    throw ConfigError(janus.path("replica"), fmt::format("'{}' is not I/N with 0 <= I < N <= 1000", replica));
  }
  config.replica = share->first;
  config.replicas = share->second;
  config.secrets_file = janus.text("secrets_file", "");
  return config;
}

// "janus" and "rooms": the publishers of these VideoRoom rooms are analysed as they come and go.
inline void parse_rooms(const ConfigObject& root, const Kinds& kinds, Config& config) {
  if (root.has("janus")) config.janus = janus_from(ConfigObject(root.at("janus"), root.path("janus"),
                                                                {"url", "ports", "host", "instance", "reconcile_seconds",
                                                                 "replica", "secrets_file"}));
  if (!root.has("rooms")) {
    if (config.janus) root.fail("\"janus\" needs \"rooms\": the VideoRoom rooms whose publishers to analyse");
    return;
  }
  if (!config.janus) root.fail("\"rooms\" needs \"janus\": where the rooms are");
  const auto& list = root.at("rooms");
  if (!list.is_array() || list.empty()) throw ConfigError(root.path("rooms"), "must be a list of at least one room");
  for (std::size_t i = 0; i < list.size(); ++i) {
    const ConfigObject room(list[i], fmt::format("config.rooms[{}]", i), {"id", "elaborations"});
    RoomConfig parsed;
    if (!room.has("id")) room.fail("needs an \"id\": the VideoRoom room's number");
    parsed.id = static_cast<std::uint64_t>(room.integer("id", 0, 1, std::int64_t{1} << 53));
    for (const auto& other : config.rooms) {
      if (other.id == parsed.id) room.fail(fmt::format("a second room {}", parsed.id));
    }
    parsed.elaborations = elaborations_from(room, kinds, config.stats_interval, true);
    if (parsed.elaborations.empty()) room.fail("needs \"elaborations\": what each of its publishers gets");
    config.rooms.push_back(std::move(parsed));
  }
}

}  // namespace elaborator::detail
