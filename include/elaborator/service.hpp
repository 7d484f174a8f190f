#pragma once
// A long-running process's streams and elaborations, made from configuration (config.hpp) by the kinds the
// program offers (kinds.hpp): what a program starts with and what the control API changes while it runs.
// It owns the registry and keeps each stream's configuration beside it, so that what runs can be shown as
// the same JSON it was asked for, with its ports and statistics.

#include "config.hpp"
#include "detail/log.hpp"
#include "error.hpp"
#include "kinds.hpp"
#include "registry.hpp"
#include "stats.hpp"

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace elaborator {

class Service {
 public:
  Service(Kinds kinds, std::chrono::milliseconds stats_interval, RegistryLimits limits = {})
      : kinds_(std::move(kinds)), stats_interval_(stats_interval), registry_(limits) {}

  // Called after every change that succeeded, on the thread that made it (to rewrite a ready file).
  void on_change(std::function<void()> callback) {
    const std::lock_guard lock(changes_);
    on_change_ = std::move(callback);
  }

  // Makes the stream's elaborations, starts them and the stream. Throws what the registry throws, or Error
  // for a sink that cannot be opened or an elaboration that cannot be made; nothing is left then.
  nlohmann::json add_stream(const StreamConfig& config) {
    const std::lock_guard lock(changes_);
    registry_.check_stream_can_be_added(config.id);  // before sinks are opened and models loaded
    std::vector<std::unique_ptr<Elaboration>> elaborations;
    for (const auto& e : config.elaborations) elaborations.push_back(make(e));
    const StreamState state = registry_.add_stream(config.id, config.source, std::move(elaborations));
    StreamConfig running = config;
    running.source = state.source;
    remember(running);
    changed();
    return describe(running, state);
  }

  nlohmann::json add_elaboration(const std::string& stream_id, const ElaborationConfig& config) {
    const std::lock_guard lock(changes_);
    registry_.check_elaboration_can_be_added(stream_id, config.name);
    registry_.add_elaboration(stream_id, make(config));
    {
      const std::lock_guard configs(configs_mutex_);
      configs_.at(stream_id).elaborations.push_back(config);
    }
    changed();
    const auto state = registry_.stream(stream_id);
    for (const auto& stats : state->elaborations) {
      if (stats.name == config.name) return describe(config, stats);
    }
    return to_json(config);
  }

  // The stream's last state, once it is gone with everything it had.
  nlohmann::json remove_stream(const std::string& id) {
    const std::lock_guard lock(changes_);
    const StreamState last = registry_.remove_stream(id);
    const StreamConfig config = forget(id);
    changed();
    return describe(config, last);
  }

  nlohmann::json remove_elaboration(const std::string& stream_id, const std::string& name) {
    const std::lock_guard lock(changes_);
    const ElaborationStats last = registry_.remove_elaboration(stream_id, name);
    ElaborationConfig config;
    {
      const std::lock_guard configs(configs_mutex_);
      auto& list = configs_.at(stream_id).elaborations;
      const auto found = std::find_if(list.begin(), list.end(), [&](const auto& e) { return e.name == name; });
      config = *found;
      list.erase(found);
    }
    changed();
    return describe(config, last);
  }

  // Every stream as its configuration, with its ports and statistics, and each elaboration's.
  [[nodiscard]] nlohmann::json streams_json() const {
    nlohmann::json all = nlohmann::json::array();
    for (const auto& state : registry_.streams()) {
      if (const auto config = config_of(state.id)) all.push_back(describe(*config, state));
    }
    return all;
  }

  [[nodiscard]] std::optional<nlohmann::json> stream_json(const std::string& id) const {
    const auto state = registry_.stream(id);
    const auto config = config_of(id);
    if (!state || !config) return std::nullopt;
    return describe(*config, *state);
  }

  // What runs, to read; changes go through the service, so that its configurations stay in step.
  [[nodiscard]] const Registry& registry() const { return registry_; }

  // For a program's main loop: see Registry::wait_for() and stop_within().
  bool wait_for(std::chrono::milliseconds timeout) { return registry_.wait_for(timeout); }
  bool stop_within(std::chrono::milliseconds grace) { return registry_.stop_within(grace); }
  [[nodiscard]] const Kinds& kinds() const { return kinds_; }
  [[nodiscard]] std::chrono::milliseconds stats_interval() const { return stats_interval_; }

 private:
  std::unique_ptr<Elaboration> make(const ElaborationConfig& config) const {
    try {
      auto elaboration = kinds_.resolve(config.kind).make(config.make_options(), config.params);
      if (!elaboration) throw Error("its kind's factory made nothing");
      return elaboration;
    } catch (const std::exception& e) {
      throw Error(fmt::format("elaboration {}: {}", config.name, e.what()));
    }
  }

  void remember(const StreamConfig& config) {
    const std::lock_guard lock(configs_mutex_);
    configs_[config.id] = config;
  }

  StreamConfig forget(const std::string& id) {
    const std::lock_guard lock(configs_mutex_);
    StreamConfig config = std::move(configs_.at(id));
    configs_.erase(id);
    return config;
  }

  [[nodiscard]] std::optional<StreamConfig> config_of(const std::string& id) const {
    const std::lock_guard lock(configs_mutex_);
    const auto found = configs_.find(id);
    if (found == configs_.end()) return std::nullopt;
    return found->second;
  }

  void changed() {
    if (!on_change_) return;
    try {
      on_change_();
    } catch (const std::exception& e) {
      detail::log("after a change: {}", e.what());
    }
  }

  static nlohmann::json describe(const ElaborationConfig& config, const ElaborationStats& stats) {
    nlohmann::json json = to_json(config);
    json["stats"] = stats;
    return json;
  }

  static nlohmann::json describe(const StreamConfig& config, const StreamState& state) {
    nlohmann::json json = to_json(config);
    json.erase("elaborations");
    const auto* rtp = std::get_if<RtpSource>(&state.source);
    json["rtp_port"] = rtp != nullptr ? nlohmann::json(rtp->port) : nlohmann::json(nullptr);
    json["rtcp_port"] = rtp != nullptr && rtp->rtcp_port ? nlohmann::json(*rtp->rtcp_port) : nlohmann::json(nullptr);
    json["stats"] = state.stats;
    json["elaborations"] = nlohmann::json::array();
    for (const auto& stats : state.elaborations) {
      const auto e = std::find_if(config.elaborations.begin(), config.elaborations.end(),
                                  [&](const auto& c) { return c.name == stats.name; });
      if (e != config.elaborations.end()) json["elaborations"].push_back(describe(*e, stats));
    }
    return json;
  }

  Kinds kinds_;
  std::chrono::milliseconds stats_interval_;
  std::mutex changes_;  // one change at a time, so the configurations and the registry agree
  std::function<void()> on_change_;
  mutable std::mutex configs_mutex_;
  std::map<std::string, StreamConfig> configs_;
  Registry registry_;  // last: destroyed first, stopping what runs while the rest is still here
};

}  // namespace elaborator
