#pragma once
// Counting tracked objects: crossings of a line, in each direction, and presence in a zone, as door and
// tripwire counters do. Works on detections that carry a track (tracking.hpp), frame after frame, in order.
//
// An object's position is the bottom centre of its box: where a person stands, which is what crosses a line
// drawn on the floor. A crossing is counted when that point, from one classified frame to the next, moves
// from one side of the line to the other through the segment between the line's ends. With the line from
// (x1, y1) to (x2, y2), "forward" is a move to the right of the direction 1 -> 2 as the picture shows it
// (y grows downwards): a line drawn left to right counts downward motion as forward.

#include "detection.hpp"
#include "error.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <vector>

namespace elaborator {

struct Line {
  float x1 = 0, y1 = 0, x2 = 0, y2 = 0;  // normalised to the frame, as boxes are
};

// Where an object is for counting: the bottom centre of its box, normalised to the frame.
struct Foot {
  double x;
  double y;
};

inline Foot foot_of(const Box& b) { return {b.x + b.width / 2.0, b.y + b.height}; }

class LineCounter {
 public:
  explicit LineCounter(Line line) : line_(line) {
    if (line.x1 == line.x2 && line.y1 == line.y2) throw Error("line: its two ends must differ");
  }

  // Takes one classified frame's tracked detections (those without a track are ignored).
  template <class Det>
  void update(const std::vector<Det>& detections) {
    ++frame_;
    for (const auto& d : detections) {
      if (!d.track) continue;
      const Foot at = foot_of(d.box);
      const auto [entry, fresh] = last_.try_emplace(d.track->id, Seen{at, frame_});
      if (fresh) continue;
      count_crossing(entry->second.at, at);
      // A point on the line is on neither side: the move is judged from where it was before.
      if (side(at) != 0) entry->second.at = at;
      entry->second.frame = frame_;
    }
    forget_gone();
  }

  [[nodiscard]] std::uint64_t forward() const { return forward_; }
  [[nodiscard]] std::uint64_t backward() const { return backward_; }

 private:
  struct Seen {
    Foot at;
    std::uint64_t frame;
  };

  // Which side of the line a point is on: > 0 forward, < 0 backward, 0 on it.
  [[nodiscard]] double side(Foot p) const {
    return (line_.x2 - line_.x1) * (p.y - line_.y1) - (line_.y2 - line_.y1) * (p.x - line_.x1);
  }

  // Counts a move from `from` to `to` that crosses the segment: the two points on either side of the line,
  // and the segment's ends on either side of the path. Touching the line is not crossing it: a point that
  // stops on the line counts when it leaves it to the other side, and not when it goes back.
  void count_crossing(Foot from, Foot to) {
    const double before = side(from);
    const double after = side(to);
    if (before == 0 || after == 0 || (before > 0) == (after > 0)) return;
    const auto path_side = [&](double x, double y) { return (to.x - from.x) * (y - from.y) - (to.y - from.y) * (x - from.x); };
    if ((path_side(line_.x1, line_.y1) > 0) == (path_side(line_.x2, line_.y2) > 0)) return;
    ++(after > 0 ? forward_ : backward_);
  }

  // A track not seen for many frames has ended (tracking ends it long before): its memory goes.
  void forget_gone() {
    constexpr std::uint64_t remembered_frames = 1000;
    std::erase_if(last_, [&](const auto& item) { return frame_ - item.second.frame > remembered_frames; });
  }

  Line line_;
  std::map<std::uint64_t, Seen> last_;  // track id -> where its object was last
  std::uint64_t frame_ = 0;
  std::uint64_t forward_ = 0;
  std::uint64_t backward_ = 0;
};

// How many detections stand in a zone (their box's bottom centre inside it).
template <class Det>
std::size_t count_in(const Box& zone, const std::vector<Det>& detections) {
  std::size_t inside = 0;
  for (const auto& d : detections) {
    const Foot at = foot_of(d.box);
    if (at.x >= zone.x && at.x <= zone.x + zone.width && at.y >= zone.y && at.y <= zone.y + zone.height) ++inside;
  }
  return inside;
}

}  // namespace elaborator
