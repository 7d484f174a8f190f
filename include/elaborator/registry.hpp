#pragma once
// The streams of a process and the elaborations of each, added and removed while everything runs. The
// registry owns both; a stream owns nothing downstream (it only calls its subscribers), and an elaboration
// only points at the stream that feeds it.
//
//   elaborator::Registry registry;
//   registry.add_stream("camera-1", elaborator::RtpSource{...}, {});          // receiving from now on
//   registry.add_elaboration("camera-1", std::make_unique<Faces>(options));   // classifying from the next frame
//   registry.add_elaboration("camera-1", std::make_unique<Objects>(other));   // same decode, own thread
//   registry.remove_elaboration("camera-1", "faces");                         // the other goes on untouched
//   registry.remove_stream("camera-1");                                       // its ports free again
//
// Every call is safe from any thread. Changes happen one at a time; reading (streams(), stats) never waits
// for a change in progress, and no change ever makes another stream lose a frame: a stream's thread never
// takes the registry's locks, and joining or leaving a stream waits at most for a call to that elaboration.
// A change either happens whole or not at all: what a failing call started is stopped again before it
// throws. A removal waits at most 2 s for hooks in progress (removal_grace).

#include "detail/log.hpp"
#include "elaboration.hpp"
#include "error.hpp"
#include "source.hpp"
#include "stats.hpp"
#include "stream.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace elaborator {

// What runs on one stream, as the registry reports it.
struct StreamState {
  std::string id;
  Source source;  // as it runs: for RTP, with the ports the OS picked
  StreamStats stats;
  std::vector<ElaborationStats> elaborations;
};

struct RegistryLimits {
  std::size_t max_streams = 64;
  std::size_t max_elaborations_per_stream = 16;
};

class Registry {
 public:
  explicit Registry(RegistryLimits limits = {}) : limits_(limits) {}
  ~Registry() { stop(); }
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Starts the elaborations on a new stream, then the stream. Throws ConflictError for an id already taken,
  // a port in use or the limit reached, Error for a source that cannot start or an elaboration whose
  // configure() throws (its message); nothing is left of the stream then.
  StreamState add_stream(std::string id, Source source, std::vector<std::unique_ptr<Elaboration>> elaborations) {
    const std::lock_guard change(changes_);
    check_stream_can_be_added(id);
    check_elaboration_names(id, elaborations);
    auto entry = std::make_unique<Entry>(std::move(source), id);
    try {
      for (auto& elaboration : elaborations) start_on(*entry, std::move(elaboration));
      entry->stream->start();
    } catch (...) {
      stop_entry(*entry);
      throw;
    }
    const std::lock_guard lock(mutex_);
    const auto& added = *entries_.emplace(id, std::move(entry)).first->second;
    return state_of(added);
  }

  // Starts an elaboration on a running stream: it classifies from the next decoded frame on, and the
  // stream's other elaborations lose nothing. Throws NotFoundError, ConflictError (a name taken on this
  // stream, the limit reached) or what the elaboration's configure() throws.
  void add_elaboration(const std::string& stream_id, std::unique_ptr<Elaboration> elaboration) {
    const std::lock_guard change(changes_);
    if (!elaboration) throw Error(fmt::format("stream '{}': an elaboration that is null", stream_id));
    check_elaboration_can_be_added(stream_id, elaboration->name());
    start_on(entry_of(stream_id), std::move(elaboration));
  }

  // What add_stream() would refuse before it starts anything (an id taken, the limit reached), without
  // adding: for callers that have work to do before they add, such as opening sinks.
  void check_stream_can_be_added(const std::string& id) const {
    const std::lock_guard lock(mutex_);
    if (entries_.contains(id)) throw ConflictError(fmt::format("a stream called '{}' runs already", id));
    if (entries_.size() >= limits_.max_streams) {
      throw ConflictError(fmt::format("this process runs its maximum of {} streams", limits_.max_streams));
    }
  }

  // The same for add_elaboration(): no such stream, its limit reached, the name taken on it.
  void check_elaboration_can_be_added(const std::string& stream_id, const std::string& name) const {
    const std::lock_guard lock(mutex_);
    const auto found = entries_.find(stream_id);
    if (found == entries_.end()) throw NotFoundError(fmt::format("no stream called '{}'", stream_id));
    const auto& elaborations = found->second->elaborations;
    if (elaborations.size() >= limits_.max_elaborations_per_stream) {
      throw ConflictError(fmt::format("stream '{}' runs its maximum of {} elaborations", stream_id,
                                      limits_.max_elaborations_per_stream));
    }
    if (std::any_of(elaborations.begin(), elaborations.end(), [&](const auto& e) { return e->name() == name; })) {
      throw ConflictError(fmt::format("stream '{}' has an elaboration called '{}' already", stream_id, name));
    }
  }

  // Stops a stream and its elaborations (each flushes its sinks and prints its summary) and frees its
  // ports, threads and memory before returning its last state. Throws NotFoundError.
  StreamState remove_stream(const std::string& id) {
    const std::lock_guard change(changes_);
    std::unique_ptr<Entry> entry;
    {
      const std::lock_guard lock(mutex_);
      const auto found = entries_.find(id);
      if (found == entries_.end()) throw NotFoundError(fmt::format("no stream called '{}'", id));
      entry = std::move(found->second);
      entries_.erase(found);
    }
    const auto deadline = Clock::now() + removal_grace;
    std::vector<bool> stopped;
    for (auto& elaboration : entry->elaborations) stopped.push_back(elaboration->stop_within(time_left(deadline)));
    entry->stream->stop();
    StreamState last = state_of(*entry);
    for (std::size_t i = 0; i < stopped.size(); ++i) {
      if (!stopped[i]) park(std::move(entry->elaborations[i]));
    }
    return last;
  }

  // Stops one elaboration of a stream (sinks flushed, summary printed); the stream and its other
  // elaborations go on. Returns its last statistics. Throws NotFoundError.
  ElaborationStats remove_elaboration(const std::string& stream_id, const std::string& name) {
    const std::lock_guard change(changes_);
    Entry& entry = entry_of(stream_id);
    std::unique_ptr<Elaboration> removed;
    {
      const std::lock_guard lock(mutex_);
      const auto found = std::find_if(entry.elaborations.begin(), entry.elaborations.end(),
                                      [&](const auto& e) { return e->name() == name; });
      if (found == entry.elaborations.end()) {
        throw NotFoundError(fmt::format("stream '{}' has no elaboration called '{}'", stream_id, name));
      }
      removed = std::move(*found);
      entry.elaborations.erase(found);
    }
    const bool stopped = removed->stop_within(removal_grace);
    ElaborationStats last = removed->stats();
    if (!stopped) park(std::move(removed));
    return last;
  }

  [[nodiscard]] std::vector<StreamState> streams() const {
    const std::lock_guard lock(mutex_);
    std::vector<StreamState> all;
    for (const auto& [id, entry] : entries_) all.push_back(state_of(*entry));
    return all;
  }

  [[nodiscard]] std::optional<StreamState> stream(const std::string& id) const {
    const std::lock_guard lock(mutex_);
    const auto found = entries_.find(id);
    if (found == entries_.end()) return std::nullopt;
    return state_of(*found->second);
  }

  [[nodiscard]] std::size_t size() const {
    const std::lock_guard lock(mutex_);
    return entries_.size();
  }

  // True once every stream has ended and every elaboration has classified what it picked (at once if there
  // is nothing to run). For programs that end with their files.
  bool wait_for(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    const std::lock_guard change(changes_);
    for (auto& [id, entry] : entries_) {
      for (auto& elaboration : entry->elaborations) {
        if (!elaboration->wait_for(time_left(deadline))) return false;
      }
    }
    return true;
  }

  // Stops everything: the elaborations, waiting at most `grace` in all for classify() calls in progress,
  // then the streams. False if a hook is still running then, also one of an elaboration parked by a removal
  // (every elaboration has flushed its sinks and printed its summary all the same): only ending the process
  // gets out of that.
  bool stop_within(std::chrono::milliseconds grace) {
    const auto deadline = Clock::now() + grace;
    const std::lock_guard change(changes_);
    bool stopped = true;
    for (auto& [id, entry] : entries_) {
      for (auto& elaboration : entry->elaborations) stopped = elaboration->stop_within(time_left(deadline)) && stopped;
    }
    for (auto& elaboration : parked_) stopped = elaboration->stop_within(time_left(deadline)) && stopped;
    for (auto& [id, entry] : entries_) entry->stream->stop();
    return stopped;
  }

  // Stops everything, waiting for classify() calls in progress (also those of elaborations parked by a
  // removal). Idempotent.
  void stop() {
    const std::lock_guard change(changes_);
    for (auto& [id, entry] : entries_) stop_entry(*entry);
    for (auto& elaboration : parked_) elaboration->stop();
  }

 private:
  struct Entry {
    Entry(Source source, std::string id) : stream(std::make_unique<Stream>(std::move(source), std::move(id))) {}
    // The stream is destroyed last: its elaborations point at it until they have stopped.
    std::unique_ptr<Stream> stream;
    std::vector<std::unique_ptr<Elaboration>> elaborations;  // guarded by mutex_
  };

  // With changes_ held: the entry stays while the change goes on.
  Entry& entry_of(const std::string& stream_id) {
    const std::lock_guard lock(mutex_);
    const auto found = entries_.find(stream_id);
    if (found == entries_.end()) throw NotFoundError(fmt::format("no stream called '{}'", stream_id));
    return *found->second;
  }

  // Results name their elaboration, and removing one names it too: names are unique on a stream.
  static void check_elaboration_names(const std::string& stream_id, const std::vector<std::unique_ptr<Elaboration>>& added) {
    std::vector<std::string> names;
    for (const auto& e : added) {
      if (!e) throw Error(fmt::format("stream '{}': an elaboration that is null", stream_id));
      const std::string& name = e->name();
      if (std::find(names.begin(), names.end(), name) != names.end()) {
        throw ConflictError(fmt::format("stream '{}' has an elaboration called '{}' already", stream_id, name));
      }
      names.push_back(name);
    }
  }

  // Starts an elaboration on the entry's stream and keeps it there; on failure nothing is kept.
  void start_on(Entry& entry, std::unique_ptr<Elaboration> elaboration) {
    elaboration->start(*entry.stream);
    const std::lock_guard lock(mutex_);
    entry.elaborations.push_back(std::move(elaboration));
  }

  // A removal waits this long in all for classify() calls in progress. An elaboration still in one then (a
  // model that hangs) cannot be stopped, as no thread can be cancelled safely: it is parked, cut off from
  // its stream with its sinks flushed, so that the change, and every later one, goes on.
  static constexpr std::chrono::seconds removal_grace{2};

  void park(std::unique_ptr<Elaboration> elaboration) {
    detail::log("elaboration {}: removed, but its classify() has not returned; it is left running until the process ends",
                elaboration->name());
    parked_.push_back(std::move(elaboration));
  }

  // The elaborations first: each closes its queue before it leaves the stream, which releases the stream's
  // thread if it waits for room (a stream that is not live); then the stream.
  static void stop_entry(Entry& entry) {
    for (auto& elaboration : entry.elaborations) elaboration->stop();
    entry.stream->stop();
  }

  // With mutex_ held.
  static StreamState state_of(const Entry& entry) {
    StreamState state{entry.stream->id(), entry.stream->source(), entry.stream->stats(), {}};
    for (const auto& elaboration : entry.elaborations) state.elaborations.push_back(elaboration->stats());
    return state;
  }

  static std::chrono::milliseconds time_left(TimePoint deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    return std::max(left, std::chrono::milliseconds(0));
  }

  RegistryLimits limits_;
  mutable std::mutex changes_;        // one change at a time; held for the whole change
  mutable std::mutex mutex_;  // guards entries_ and each entry's list of elaborations; held only briefly
  std::map<std::string, std::unique_ptr<Entry>> entries_;
  std::vector<std::unique_ptr<Elaboration>> parked_;  // removed while stuck in a hook; guarded by changes_
};

}  // namespace elaborator
