// people_counter: counts the people who cross a line, each way, and those standing in a zone.
//
// Detection is OpenCV's built-in HOG people detector (its weights are part of OpenCV: nothing to fetch);
// tracking (on by default for this kind) gives each person an id, and the library's LineCounter counts an id
// once per crossing. The counts go out in every result's "summary":
//   {"line": {"forward": 3, "backward": 1}, "zone": 2}
#pragma once

#include <elaborator.hpp>
#include <elaborator/counting.hpp>

#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>

#include <cmath>
#include <utility>
#include <vector>

class PeopleCounter : public elaborator::Elaborator<PeopleCounter> {
 public:
  PeopleCounter(elaborator::ElaborationOptions options, const nlohmann::json& params)
      : Elaborator(std::move(options)),
        line_(to_line(params.at("line"))),
        zone_(to_box(params.at("zone"))),
        width_(params.at("width")),
        hit_threshold_(params.at("hit_threshold")) {
    if (!this->options().tracking.enabled) throw elaborator::Error("people_counter: counting needs tracking (track: true)");
  }

 private:
  friend Elaborator;

  void configure() { hog_.setSVMDetector(cv::HOGDescriptor::getDefaultPeopleDetector()); }

  // HOG on the luma plane, shrunk to `width` columns when wider: people under 128 pixels tall (the
  // detector's window) at the shrunk size are missed, so shrinking trades small people for speed. A picture
  // smaller than the window has no one to find (and OpenCV's HOG must not be given one: it crashes).
  std::vector<elaborator::Detection> classify(const elaborator::Frame& frame) {
    const cv::Mat& gray = frame.gray();
    cv::Mat image = gray;
    if (width_ > 0 && gray.cols > width_) {
      cv::resize(gray, image, cv::Size(width_, cvRound(gray.rows * static_cast<double>(width_) / gray.cols)), 0, 0,
                 cv::INTER_AREA);
    }
    if (image.cols < hog_.winSize.width || image.rows < hog_.winSize.height) return {};
    std::vector<cv::Rect> found;
    std::vector<double> weights;
    hog_.detectMultiScale(image, found, weights, hit_threshold_, cv::Size(8, 8));
    std::vector<elaborator::Detection> people;
    for (std::size_t i = 0; i < found.size(); ++i) {
      // The SVM's margin through a logistic: 0.5 at the decision boundary, near 1 well past it.
      const auto confidence = static_cast<float>(1.0 / (1.0 + std::exp(-weights[i])));
      people.push_back({"person", confidence, elaborator::Box::from_pixels(found[i], image.size())});
    }
    return people;
  }

  // The detections have their tracks here (the base tracked them): count, then publish with the counts.
  void elaborate_results(const elaborator::Frame& frame, std::vector<elaborator::Detection>&& people) {
    line_.update(people);
    const nlohmann::json summary{{"line", {{"forward", line_.forward()}, {"backward", line_.backward()}}},
                                 {"zone", elaborator::count_in(zone_, people)}};
    publish(frame, people, summary);
  }

  static elaborator::Line to_line(const nlohmann::json& v) { return {v[0], v[1], v[2], v[3]}; }
  static elaborator::Box to_box(const nlohmann::json& v) { return {v[0], v[1], v[2], v[3]}; }

  elaborator::LineCounter line_;
  elaborator::Box zone_;
  int width_;
  double hit_threshold_;
  cv::HOGDescriptor hog_;
};

// Four numbers from 0 to 1, as lines and zones are given.
inline void check_four_fractions(const nlohmann::json& v) {
  if (v.size() != 4) throw elaborator::Error("must be four numbers");
  for (const auto& n : v) {
    if (n.get<double>() < 0 || n.get<double>() > 1) throw elaborator::Error("must be fractions of the frame, from 0 to 1");
  }
}

inline elaborator::Kind people_counter_kind() {
  elaborator::Kind kind{
      "people_counter", "People counting",
      "Counts people crossing a line (each way) and standing in a zone, with OpenCV's HOG people detector and tracking.",
      {elaborator::Param::numbers("line", {0, 0.5, 1, 0.5}, "the counting line x1,y1,x2,y2 (fractions of the frame); "
                                                            "forward is to the right of 1->2, downward for a line drawn left to right")
           .checked_by(check_four_fractions),
       elaborator::Param::numbers("zone", {0, 0, 1, 1}, "the zone x,y,w,h (fractions of the frame) whose people are counted")
           .checked_by(check_four_fractions),
       elaborator::Param::integer("width", 0, 0, 4096, "shrink frames wider than this before detecting (0: never)"),
       elaborator::Param::number("hit_threshold", 0, -5, 5, "the SVM margin a window needs to be a person")},
      elaborator::factory<PeopleCounter>()};
  kind.tracking.enabled = true;
  return kind;
}
