#pragma once
// The two sides of a stream's pictures, without GStreamer: a StreamSubscriber receives them, a PictureFeed
// (Stream, stream.hpp, is one) hands them out and counts what it received. An elaboration needs only these,
// so the elaboration core does not include GStreamer's headers.

#include "detail/picture.hpp"
#include "stats.hpp"

#include <memory>

namespace elaborator {

// Receives a stream's pictures, on the stream's thread. on_picture() must return quickly for a live stream
// (queue the picture, never classify in it); for a stream that is not live it may wait, which slows the
// stream down instead of losing frames. A subscriber that waits must stop waiting before it unsubscribes
// (an elaboration closes its queue first): unsubscribe() waits for a call to that subscriber in progress.
class StreamSubscriber {
 public:
  virtual ~StreamSubscriber() = default;
  virtual void on_picture(const std::shared_ptr<const detail::Picture>& picture, bool live) = 0;
  virtual void on_stream_end() = 0;
};

class PictureFeed {
 public:
  // Subscribers come and go at any time, before the feed starts or while it runs: one that joins a running
  // feed gets the next picture; one that joins a feed that has ended is told so at once.
  virtual void subscribe(StreamSubscriber& subscriber) = 0;
  // After it returns, the subscriber is never called again. It waits for a call to this subscriber in
  // progress, never for one to another (which may wait for room in its queue). Not from a subscriber.
  virtual void unsubscribe(StreamSubscriber& subscriber) = 0;
  [[nodiscard]] virtual StreamStats stats() const = 0;

 protected:
  ~PictureFeed() = default;
};

}  // namespace elaborator
