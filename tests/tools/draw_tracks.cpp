// draw_tracks: draws the paths of tracked detections over a frame of the video they came from, for docs.
//
//   people_counter --file vtest.avi --line 0.75,0.72,0.75,0.3 --jsonl people.jsonl
//   draw_tracks --video vtest.avi --results people.jsonl --frame 400 --since 40 --line 0.75,0.72,0.75,0.3 --out tracks.png
//
// Each track seen in the `since` frames up to `frame` is a polyline through the bottom centres of its boxes
// (where LineCounter places an object), in a colour of its id, with its id at its end; the boxes of `frame`
// itself are drawn too.

#include <cxxopts.hpp>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace {

// Hues a golden angle apart: neighbouring ids get distant colours.
cv::Scalar colour_of(std::uint64_t id) {
  const cv::Mat hsv(1, 1, CV_8UC3, cv::Scalar(static_cast<double>((id * 137) % 180), 220, 255));
  cv::Mat bgr;
  cv::cvtColor(hsv, bgr, cv::COLOR_HSV2BGR);
  const auto pixel = bgr.at<cv::Vec3b>(0, 0);
  return {static_cast<double>(pixel[0]), static_cast<double>(pixel[1]), static_cast<double>(pixel[2])};
}

}  // namespace

int main(int argc, char** argv) {
  cxxopts::Options options("draw_tracks", "Draws tracked detections' paths over a frame of their video.");
  options.add_options()
    ("video", "the video the results are of", cxxopts::value<std::string>())
    ("results", "the results, JSON Lines with tracks", cxxopts::value<std::string>())
    ("frame", "the frame to draw on (its boxes are drawn too)", cxxopts::value<int>()->default_value("0"))
    ("since", "draw the paths of this many frames up to --frame", cxxopts::value<int>()->default_value("100"))
    ("line", "a counting line x1,y1,x2,y2 to draw, fractions of the frame", cxxopts::value<std::vector<double>>())
    ("out", "the PNG to write", cxxopts::value<std::string>());
  const auto args = options.parse(argc, argv);
  if (args.count("video") == 0 || args.count("results") == 0 || args.count("out") == 0) {
    std::fprintf(stderr, "%s\n", options.help().c_str());
    return 2;
  }
  cv::VideoCapture video(args["video"].as<std::string>());
  cv::Mat picture;
  for (int i = 0; i <= args["frame"].as<int>(); ++i) {
    if (!video.read(picture)) {
      std::fprintf(stderr, "draw_tracks: the video has no frame %d\n", args["frame"].as<int>());
      return 1;
    }
  }
  const auto at = [&](double x, double y) { return cv::Point(cvRound(x * picture.cols), cvRound(y * picture.rows)); };
  std::map<std::uint64_t, std::vector<cv::Point>> paths;
  std::ifstream results(args["results"].as<std::string>());
  for (std::string line; std::getline(results, line);) {
    const auto message = nlohmann::json::parse(line);
    const int index = message.at("frame").at("index");
    if (index > args["frame"].as<int>() || index < args["frame"].as<int>() - args["since"].as<int>()) continue;
    for (const auto& d : message.at("detections")) {
      if (!d.contains("track")) continue;
      const auto& b = d.at("box");
      const double x = b.at("x").get<double>() + b.at("w").get<double>() / 2;
      const double y = b.at("y").get<double>() + b.at("h").get<double>();
      const auto id = d.at("track").at("id").get<std::uint64_t>();
      paths[id].push_back(at(x, y));
      if (index == args["frame"].as<int>()) {
        cv::rectangle(picture, cv::Rect(at(b.at("x"), b.at("y")), at(b.at("x").get<double>() + b.at("w").get<double>(),
                                                                     b.at("y").get<double>() + b.at("h").get<double>())),
                      colour_of(id), 2);
      }
    }
  }
  for (const auto& [id, path] : paths) {
    cv::polylines(picture, path, false, colour_of(id), 2, cv::LINE_AA);
    cv::putText(picture, std::to_string(id), path.back() + cv::Point(3, -3), cv::FONT_HERSHEY_SIMPLEX, 0.45, colour_of(id), 1,
                cv::LINE_AA);
  }
  if (args.count("line") > 0) {
    const auto l = args["line"].as<std::vector<double>>();
    if (l.size() == 4) cv::line(picture, at(l[0], l[1]), at(l[2], l[3]), cv::Scalar(0, 0, 255), 3, cv::LINE_AA);
  }
  if (!cv::imwrite(args["out"].as<std::string>(), picture)) {
    std::fprintf(stderr, "draw_tracks: cannot write %s\n", args["out"].as<std::string>().c_str());
    return 1;
  }
  return 0;
}
