#pragma once
// Reading one JSON object of a configuration (config.hpp): unknown keys refused, each value checked for its
// type and range or given its fallback, every mistake a ConfigError with the object's path
// ("config.streams[1].rtp.port"); and durations, seconds in a configuration and milliseconds inside.
// Internal: the configuration's parsers are built on it; what users see of it is their ConfigError.

#include "../config_types.hpp"

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace elaborator::detail {

// Durations are seconds in a configuration (a number, fractions allowed) and milliseconds inside.
inline double seconds_of(std::chrono::milliseconds duration) { return static_cast<double>(duration.count()) / 1000.0; }
inline std::chrono::milliseconds milliseconds_from(double seconds) {
  return std::chrono::milliseconds(std::llround(seconds * 1000));
}

// One JSON object being read, with its path for error messages.
class ConfigObject {
 public:
  ConfigObject(const nlohmann::json& json, std::string path, std::initializer_list<std::string_view> known)
      : json_(json), path_(std::move(path)) {
    if (!json.is_object()) fail("must be an object");
    for (const auto& [key, value] : json.items()) {
      bool is_known = false;
      for (const auto k : known) is_known = is_known || key == k;
      if (!is_known) throw ConfigError(fmt::format("{}.{}", path_, key), "unknown key");
    }
  }

  [[nodiscard]] bool has(const char* key) const { return json_.contains(key); }
  [[nodiscard]] const nlohmann::json& at(const char* key) const { return json_.at(key); }
  [[nodiscard]] std::string path(const char* key) const { return fmt::format("{}.{}", path_, key); }

  [[nodiscard]] bool flag(const char* key, bool fallback) const {
    if (!has(key)) return fallback;
    if (!at(key).is_boolean()) throw ConfigError(path(key), "must be true or false");
    return at(key).get<bool>();
  }

  [[nodiscard]] std::string text(const char* key, std::string fallback) const {
    if (!has(key)) return fallback;
    if (!at(key).is_string()) throw ConfigError(path(key), "must be a string");
    return at(key).get<std::string>();
  }

  // A number within [low, high].
  [[nodiscard]] double number(const char* key, double fallback, double low, double high) const {
    if (!has(key)) return fallback;
    if (!at(key).is_number() || !(at(key).get<double>() >= low && at(key).get<double>() <= high)) {
      throw ConfigError(path(key), fmt::format("must be a number from {} to {}", low, high));
    }
    return at(key).get<double>();
  }

  // A whole number within [low, high].
  [[nodiscard]] std::int64_t integer(const char* key, std::int64_t fallback, std::int64_t low, std::int64_t high) const {
    if (!has(key)) return fallback;
    const auto& value = at(key);
    if (!value.is_number_integer() || value.get<std::int64_t>() < low || value.get<std::int64_t>() > high ||
        (value.is_number_unsigned() && value.get<std::uint64_t>() > static_cast<std::uint64_t>(high))) {
      throw ConfigError(path(key), fmt::format("must be a whole number from {} to {}", low, high));
    }
    return value.get<std::int64_t>();
  }

  // An id or a name: it appears in URLs, file names and metric labels, so only a safe alphabet.
  [[nodiscard]] std::string identifier(const char* key, std::string fallback) const {
    std::string value = text(key, std::move(fallback));
    constexpr std::string_view allowed = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-";
    if (value.empty() || value.size() > 64 || value.find_first_not_of(allowed) != std::string::npos) {
      throw ConfigError(path(key), "must be 1 to 64 letters, digits, '.', '_' or '-'");
    }
    return value;
  }

  [[noreturn]] void fail(std::string reason) const { throw ConfigError(path_, std::move(reason)); }

 private:
  const nlohmann::json& json_;
  std::string path_;
};

}  // namespace elaborator::detail
