#pragma once
// What every elaboration can be asked, whatever its hooks and detection type: the driver, as an interface,
// for code that runs elaborations of different kinds together (Registry, a program's main()).
// Elaborator<Derived, Detection> implements it with `final` functions: a derived class cannot change them.

#include "source.hpp"
#include "stats.hpp"

#include <chrono>
#include <string>

namespace elaborator {

class MediaFeed;

class Elaboration {
 public:
  virtual ~Elaboration() = default;

  // Attaches to a stream (started or not) and classifies what it decodes from then on. Throws for a stream
  // of the other medium.
  virtual void start(MediaFeed& stream) = 0;
  // Stops within about one classify(); flushes sinks, prints the summary. Idempotent.
  virtual void stop() = 0;
  // Stops like stop(), but waits at most `grace` for a classify() in progress; false if one is still
  // running then (sinks flushed and summary printed all the same): only ending the process gets out of it.
  virtual bool stop_within(std::chrono::milliseconds grace) = 0;
  // True once the stream has ended and every frame picked from it was classified, or after stop().
  virtual bool wait_for(std::chrono::milliseconds timeout) = 0;
  [[nodiscard]] virtual ElaborationStats stats() const = 0;
  // Its name in results: unique among the elaborations of a stream.
  [[nodiscard]] virtual const std::string& name() const = 0;
  // What it classifies: frames of video, or windows of audio.
  [[nodiscard]] virtual Media media() const = 0;
};

}  // namespace elaborator
