#pragma once
// Several streams in one process, each received and decoded once, each feeding elaborations of its own:
// for operators who want fewer processes than streams. Results carry their stream's id and elaboration's
// name, so any number of them can share a sink.
//
//   elaborator::StreamSet set;
//   auto& camera = set.add_stream(elaborator::RtpSource{...}, "camera-1");
//   set.add_elaboration(camera, std::make_unique<Faces>(options));
//   set.add_elaboration(camera, std::make_unique<Objects>(other_options));   // same decode, own thread
//   return elaborator::run_until_stopped(set);

#include "elaboration.hpp"
#include "error.hpp"
#include "source.hpp"
#include "stream.hpp"

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace elaborator {

class StreamSet {
 public:
  StreamSet() = default;
  ~StreamSet() { stop(); }
  StreamSet(const StreamSet&) = delete;
  StreamSet& operator=(const StreamSet&) = delete;

  Stream& add_stream(Source source, std::string id) {
    for (const auto& entry : entries_) {
      if (entry.stream->id() == id) throw Error(fmt::format("two streams are called '{}'", id));
    }
    entries_.push_back({{}, std::make_unique<Stream>(std::move(source), std::move(id))});
    return *entries_.back().stream;
  }

  void add_elaboration(Stream& stream, std::unique_ptr<Elaboration> elaboration) {
    entry_of(stream).elaborations.push_back(std::move(elaboration));
  }

  // Starts every elaboration, then every stream. If anything fails to start, what did start is stopped and
  // the error is thrown.
  void start() {
    try {
      for (auto& entry : entries_) {
        for (auto& elaboration : entry.elaborations) elaboration->start(*entry.stream);
        entry.stream->start();
      }
    } catch (...) {
      stop();
      throw;
    }
  }

  // Streams first, so no frame arrives at an elaboration that is stopping; then the elaborations.
  void stop() {
    for (auto& entry : entries_) entry.stream->stop();
    for (auto& entry : entries_) {
      for (auto& elaboration : entry.elaborations) elaboration->stop();
    }
  }

  // Stops like stop(), but waits at most `grace` in all for classify() calls in progress: false if one is
  // still running then (every elaboration has flushed its sinks and printed its summary all the same).
  bool stop_within(std::chrono::milliseconds grace) {
    const auto deadline = Clock::now() + grace;
    for (auto& entry : entries_) entry.stream->stop();
    bool stopped = true;
    for (auto& entry : entries_) {
      for (auto& elaboration : entry.elaborations) stopped = elaboration->stop_within(time_left(deadline)) && stopped;
    }
    return stopped;
  }

  // True once every stream has ended and every elaboration has classified what it picked.
  bool wait_for(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    for (auto& entry : entries_) {
      for (auto& elaboration : entry.elaborations) {
        if (!elaboration->wait_for(time_left(deadline))) return false;
      }
    }
    return true;
  }

  [[nodiscard]] std::vector<ElaborationStats> stats() const {
    std::vector<ElaborationStats> all;
    for (const auto& entry : entries_) {
      for (const auto& elaboration : entry.elaborations) all.push_back(elaboration->stats());
    }
    return all;
  }

  [[nodiscard]] std::vector<const Stream*> streams() const {
    std::vector<const Stream*> all;
    for (const auto& entry : entries_) all.push_back(entry.stream.get());
    return all;
  }

 private:
  struct Entry {
    std::vector<std::unique_ptr<Elaboration>> elaborations;
    std::unique_ptr<Stream> stream;  // declared last: destroyed first, its thread calls the elaborations
  };

  Entry& entry_of(const Stream& stream) {
    for (auto& entry : entries_) {
      if (entry.stream.get() == &stream) return entry;
    }
    throw Error(fmt::format("stream '{}' is not in this set", stream.id()));
  }

  static std::chrono::milliseconds time_left(TimePoint deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    return std::max(left, std::chrono::milliseconds(0));
  }

  std::vector<Entry> entries_;
};

}  // namespace elaborator
