#pragma once
// The two sides of a stream's decoded media, without GStreamer: a StreamSubscriber receives its pictures or
// its audio, a MediaFeed (Stream, stream.hpp, is one) hands them out and counts what it received. An
// elaboration needs only these, so the elaboration core does not include GStreamer's headers.

#include "detail/audio_chunk.hpp"
#include "detail/picture.hpp"
#include "source.hpp"
#include "stats.hpp"

#include <memory>

namespace elaborator {

// Receives a stream's pictures (video) or chunks of PCM (audio), on the stream's thread. Neither call may
// take long for a live stream (queue, never classify in it); for a stream that is not live it may wait,
// which slows the stream down instead of losing frames. A subscriber that waits must stop waiting before it unsubscribes
// (an elaboration closes its queue first): unsubscribe() waits for a call to that subscriber in progress.
class StreamSubscriber {
 public:
  virtual ~StreamSubscriber() = default;
  virtual void on_picture(const std::shared_ptr<const detail::Picture>& picture, bool live) = 0;
  virtual void on_audio(const std::shared_ptr<const detail::AudioChunk>& chunk, bool live) = 0;
  virtual void on_stream_end() = 0;
};

class MediaFeed {
 public:
  // What it hands out: pictures (video) or chunks of PCM (audio), never both.
  [[nodiscard]] virtual Media media() const = 0;
  // Subscribers come and go at any time, before the feed starts or while it runs: one that joins a running
  // feed gets the next picture or chunk; one that joins a feed that has ended is told so at once.
  virtual void subscribe(StreamSubscriber& subscriber) = 0;
  // After it returns, the subscriber is never called again. It waits for a call to this subscriber in
  // progress, never for one to another (which may wait for room in its queue). Not from a subscriber.
  virtual void unsubscribe(StreamSubscriber& subscriber) = 0;
  [[nodiscard]] virtual StreamStats stats() const = 0;

 protected:
  ~MediaFeed() = default;
};

}  // namespace elaborator
