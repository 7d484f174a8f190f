#pragma once
// Tracking: the same object keeps the same id from one classified frame to the next.
//
// Each track remembers its object's last box and the velocity of the box centre. On a new frame every track
// predicts where its box is now (constant velocity, as SORT does), and detections are matched to those
// predictions by overlap (IOU), the best overlaps first, each track and each detection at most once, and only
// between detections of the same label. Then, for what is left, by nearness: a detection of about the
// track's size (areas within a factor of 2) whose centre is within twice the box's larger side of the
// predicted centre, the nearest first. Nearness catches what overlap cannot: a new track has no velocity
// yet, and a small object sampled a few times a second moves more than its own size between samples. A
// matched track moves to its detection and updates its velocity; a detection left over starts a new track;
// a track unseen for longer than `unseen` ends.
//
// Why greedy matching of predicted boxes rather than SORT's Kalman filter and Hungarian assignment: detectors
// sampled a few times a second give few boxes per frame, where the best-overlap-first order picks the same
// pairs as an optimal assignment in all but contrived cases (the IOU tracker of Bochinski et al. rests on
// that), and a two-parameter velocity estimate needs no noise model a user would have to tune. The
// prediction is what lets ids survive frames that were not classified: with --every 15 or --on-change an
// object may move more than its own size between two classified frames.
//
// Any detection type with a `Box box` and a `std::optional<Track> track` member can be tracked
// (elaborator::Detection and every type derived from it); with a `label`, only equal labels are matched.

#include "detection.hpp"
#include "error.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace elaborator {

struct TrackingPolicy {
  bool enabled = false;
  std::chrono::milliseconds unseen{1000};  // a track not matched for longer than this ends
  double min_iou = 0.2;                    // least overlap of a detection with a track's predicted box

  void validate() const {
    if (unseen.count() <= 0) throw Error("tracking: unseen must be positive");
    if (min_iou <= 0 || min_iou > 1) throw Error("tracking: min_iou must be above 0 and at most 1");
  }
};

template <class Det>
concept Trackable = requires(Det& d) {
  { d.box } -> std::convertible_to<Box>;
  d.track = std::optional<Track>{};
};

// Intersection over union of two boxes: 0 when apart, 1 when equal.
inline double iou(const Box& a, const Box& b) {
  const double left = std::max(a.x, b.x);
  const double top = std::max(a.y, b.y);
  const double right = std::min(a.x + a.width, b.x + b.width);
  const double bottom = std::min(a.y + a.height, b.y + b.height);
  if (right <= left || bottom <= top) return 0;
  const double inter = (right - left) * (bottom - top);
  const double united = static_cast<double>(a.width) * a.height + static_cast<double>(b.width) * b.height - inter;
  return united > 0 ? inter / united : 0;
}

class Tracker {
 public:
  explicit Tracker(TrackingPolicy policy = {}) : policy_(policy) { policy_.validate(); }

  // Gives every detection its track; `time` is the frame's stream time (its PTS, or its arrival). Time that
  // goes back (a new sender, a restarted file) starts over with new ids: old motion says nothing then.
  template <Trackable Det>
  void update(std::vector<Det>& detections, std::chrono::nanoseconds time) {
    if (time < last_time_) tracks_.clear();
    last_time_ = time;
    end_unseen(time);
    std::vector<bool> detection_taken(detections.size(), false);
    std::vector<bool> track_taken(tracks_.size(), false);
    for (const auto& [score, t, d] : candidate_pairs(detections, time)) {
      if (track_taken[t] || detection_taken[d]) continue;
      track_taken[t] = detection_taken[d] = true;
      follow(tracks_[t], detections[d].box, time);
      detections[d].track = report(tracks_[t], time);
    }
    for (std::size_t d = 0; d < detections.size(); ++d) {
      if (detection_taken[d]) continue;
      tracks_.push_back(State{next_id_++, label_of(detections[d]), detections[d].box, time, time, 0, 0, false});
      detections[d].track = report(tracks_.back(), time);
    }
  }

  // Tracks alive (seen within `unseen` of the last update).
  [[nodiscard]] std::size_t size() const { return tracks_.size(); }

 private:
  struct State {
    std::uint64_t id;
    std::string label;
    Box box;                          // as last detected
    std::chrono::nanoseconds first_seen;
    std::chrono::nanoseconds last_seen;
    double velocity_x;                // box centre, frame widths per second
    double velocity_y;
    bool moved;                       // velocity measured at least once
  };

  template <class Det>
  static std::string label_of(const Det& d) {
    if constexpr (requires { std::string(d.label); }) {
      return std::string(d.label);
    } else {
      return {};
    }
  }

  static double seconds(std::chrono::nanoseconds d) { return std::chrono::duration<double>(d).count(); }

  // Where a track's box is expected at `time`, its size unchanged.
  static Box predicted(const State& s, std::chrono::nanoseconds time) {
    const double dt = seconds(time - s.last_seen);
    Box box = s.box;
    box.x += static_cast<float>(s.velocity_x * dt);
    box.y += static_cast<float>(s.velocity_y * dt);
    return box;
  }

  // How well a detection fits a track's predicted box: its IOU when that is at least min_iou (1 down to
  // min_iou), otherwise by nearness (below min_iou, down to 0 at the edge of reach), otherwise nothing.
  [[nodiscard]] std::optional<double> fit(const Box& expected, const Box& found) const {
    const double overlap = iou(expected, found);
    if (overlap >= policy_.min_iou) return overlap;
    const double area_ratio = (static_cast<double>(found.width) * found.height) / (static_cast<double>(expected.width) * expected.height);
    if (!(area_ratio >= 0.5 && area_ratio <= 2)) return std::nullopt;
    const double reach = 2.0 * std::max(expected.width, expected.height);
    const double distance = std::hypot((found.x + found.width / 2) - (expected.x + expected.width / 2),
                                       (found.y + found.height / 2) - (expected.y + expected.height / 2));
    if (distance >= reach) return std::nullopt;
    return policy_.min_iou * 0.999 * (1 - distance / reach);
  }

  // (fit, track, detection) for every pair of equal labels that fits, the best first.
  template <class Det>
  std::vector<std::tuple<double, std::size_t, std::size_t>> candidate_pairs(const std::vector<Det>& detections,
                                                                           std::chrono::nanoseconds time) const {
    std::vector<std::tuple<double, std::size_t, std::size_t>> pairs;
    for (std::size_t t = 0; t < tracks_.size(); ++t) {
      const Box expected = predicted(tracks_[t], time);
      for (std::size_t d = 0; d < detections.size(); ++d) {
        if (tracks_[t].label != label_of(detections[d])) continue;
        if (const auto score = fit(expected, detections[d].box)) pairs.emplace_back(*score, t, d);
      }
    }
    std::sort(pairs.begin(), pairs.end(), [](const auto& a, const auto& b) { return std::get<0>(a) > std::get<0>(b); });
    return pairs;
  }

  // The track moves to its new box; its velocity is half the newest measurement and half what it was, which
  // smooths a detector's jitter while following a change of pace within a few frames.
  static void follow(State& s, const Box& box, std::chrono::nanoseconds time) {
    const double dt = seconds(time - s.last_seen);
    if (dt > 0) {
      const double vx = ((box.x + box.width / 2) - (s.box.x + s.box.width / 2)) / dt;
      const double vy = ((box.y + box.height / 2) - (s.box.y + s.box.height / 2)) / dt;
      s.velocity_x = s.moved ? (s.velocity_x + vx) / 2 : vx;
      s.velocity_y = s.moved ? (s.velocity_y + vy) / 2 : vy;
      s.moved = true;
    }
    s.box = box;
    s.last_seen = time;
  }

  static Track report(const State& s, std::chrono::nanoseconds time) {
    return Track{s.id, std::chrono::duration_cast<std::chrono::milliseconds>(time - s.first_seen),
                 static_cast<float>(s.velocity_x), static_cast<float>(s.velocity_y)};
  }

  void end_unseen(std::chrono::nanoseconds time) {
    std::erase_if(tracks_, [&](const State& s) { return time - s.last_seen > policy_.unseen; });
  }

  TrackingPolicy policy_;
  std::vector<State> tracks_;
  std::uint64_t next_id_ = 1;
  std::chrono::nanoseconds last_time_{0};
};

}  // namespace elaborator
