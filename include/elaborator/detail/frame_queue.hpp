#pragma once
// The frames (or audio windows) an elaboration has picked and not yet classified: a bounded FIFO that drops
// its oldest entry when full. The stream's thread pushes, the elaboration's thread pops. One condition variable serves both
// directions (frames to pop, room to push): there is one waiter of each kind at most.

#include "../frame.hpp"

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>

namespace elaborator::detail {

template <class Item = Frame>
class FrameQueue {
 public:
  explicit FrameQueue(std::size_t capacity) : capacity_(capacity) {}

  // For live streams: never waits. Returns true when the oldest waiting frame had to be dropped to make
  // room. After close() the frame is ignored.
  bool push(Item frame) {
    bool dropped = false;
    {
      const std::lock_guard lock(mutex_);
      if (closed_) return false;
      if (queue_.size() >= capacity_) {
        queue_.pop_front();
        dropped = true;
      }
      queue_.push_back(std::move(frame));
    }
    ready_.notify_all();
    return dropped;
  }

  // For streams that are not live: waits for room instead of dropping. Returns false if the queue was
  // closed first (the frame is then dropped).
  bool push_waiting(Item frame) {
    {
      std::unique_lock lock(mutex_);
      ready_.wait(lock, [this] { return queue_.size() < capacity_ || closed_; });
      if (closed_) return false;
      queue_.push_back(std::move(frame));
    }
    ready_.notify_all();
    return true;
  }

  // Waits for a frame. Returns nothing once the queue is closed and, unless told to drain, at once.
  std::optional<Item> pop() {
    std::unique_lock lock(mutex_);
    ready_.wait(lock, [this] { return !queue_.empty() || closed_; });
    if (queue_.empty() || (closed_ && !drain_)) return std::nullopt;
    Item frame = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    ready_.notify_all();  // a waiting push_waiting() has room now
    return frame;
  }

  // No more frames will come. With drain, pop() still hands out what is waiting (end of a file); without,
  // it stops at once (a stop request) and returns how many frames it discarded.
  std::size_t close(bool drain) {
    std::size_t discarded = 0;
    {
      const std::lock_guard lock(mutex_);
      closed_ = true;
      drain_ = drain;
      if (!drain) {
        discarded = queue_.size();
        queue_.clear();
      }
    }
    ready_.notify_all();
    return discarded;
  }

 private:
  std::size_t capacity_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Item> queue_;
  bool closed_ = false;
  bool drain_ = false;
};

}  // namespace elaborator::detail
