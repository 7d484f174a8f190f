// object_detector: finds objects in a live video stream with an SSD detector run by OpenCV's DNN module.
//
// The seed's model is TensorFlow's SSD MobileNet v2 trained on COCO (frozen_inference_graph.pb, with
// OpenCV's ssd_mobilenet_v2_coco_2018_03_29.pbtxt). No Debian package ships its weights:
// examples/models/fetch_ssd_mobilenet.sh downloads and checks them. Any other SSD-style model cv::dnn reads
// (Caffe, ONNX) works too, with its own model, config, labels and input parameters.
#pragma once

#include "ssd_output.hpp"

#include <elaborator.hpp>

#include <opencv2/dnn.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

struct DetectorSettings {
  std::string model;
  std::string config;  // may be empty (ONNX; a Caffe .prototxt alone)
  std::string labels;
  int first_class_id = 1;
  ssd::SsdFilter filter;
  cv::Size input_size{300, 300};
  double scale = 1.0;
  cv::Scalar mean;
  bool swap_rb = true;  // the network wants RGB; frames are BGR
  int threads = 0;      // 0: OpenCV's default

  // From the kind's checked parameters; what their types cannot say is checked here.
  static DetectorSettings from(const nlohmann::json& params) {
    DetectorSettings s;
    s.model = params.at("model");
    s.config = params.at("config");
    s.labels = params.at("labels");
    s.first_class_id = params.at("first_class_id");
    s.filter.min_confidence = params.at("threshold");
    s.filter.classes = params.at("classes").get<std::vector<std::string>>();
    s.input_size = parse_size(params.at("input_size"));
    s.scale = params.at("scale");
    s.mean = parse_mean(params.at("mean"));
    s.swap_rb = parse_channel_order(params.at("channel_order"));
    s.threads = params.at("threads");
    return s;
  }

  static cv::Size parse_size(const std::string& text) {
    int width = 0;
    int height = 0;
    char x = 0;
    char rest = 0;
    if (std::sscanf(text.c_str(), "%d%c%d%c", &width, &x, &height, &rest) != 3 || x != 'x' || width < 1 || height < 1 ||
        width > 4096 || height > 4096) {
      throw elaborator::Error(fmt::format("'{}' is not WIDTHxHEIGHT (e.g. 300x300, at most 4096x4096)", text));
    }
    return {width, height};
  }

  static cv::Scalar parse_mean(const std::vector<double>& values) {
    if (values.size() != 1 && values.size() != 3) throw elaborator::Error("takes one value, or three");
    return values.size() == 1 ? cv::Scalar::all(values[0]) : cv::Scalar(values[0], values[1], values[2]);
  }

  static bool parse_channel_order(const std::string& order) {
    if (order == "rgb") return true;
    if (order == "bgr") return false;
    throw elaborator::Error(fmt::format("'{}' is neither rgb nor bgr", order));
  }
};

class ObjectDetector : public elaborator::Elaborator<ObjectDetector> {
 public:
  ObjectDetector(elaborator::ElaborationOptions options, const nlohmann::json& params)
      : Elaborator(std::move(options)), settings_(DetectorSettings::from(params)) {}

 private:
  friend Elaborator;

  // Loads the model and runs it once on a blank frame, so a missing file or a network that is not an SSD
  // stops the program here with the reason, not as an error on every frame.
  void configure() {
    require_file(settings_.model, "model");
    if (!settings_.config.empty()) require_file(settings_.config, "config");
    labels_ = ssd::Labels::load(settings_.labels, settings_.first_class_id);
    if (settings_.threads > 0) cv::setNumThreads(settings_.threads);
    try {
      net_ = cv::dnn::readNet(settings_.model, settings_.config);
    } catch (const cv::Exception& e) {
      throw elaborator::Error(fmt::format("object detector: cannot load '{}': {}", settings_.model, e.what()));
    }
    if (net_.empty()) throw elaborator::Error(fmt::format("object detector: '{}' holds no network", settings_.model));
    ssd::check_ssd_output(forward(cv::Mat(settings_.input_size, CV_8UC3, cv::Scalar::all(0))));
  }

  std::vector<elaborator::Detection> classify(const elaborator::Frame& frame) {
    return ssd::decode_ssd(forward(frame.bgr()), labels_, settings_.filter);
  }

  // The frame resized to the input, not cropped: the network's normalised boxes are then the frame's.
  cv::Mat forward(const cv::Mat& bgr) {
    net_.setInput(cv::dnn::blobFromImage(bgr, settings_.scale, settings_.input_size, settings_.mean, settings_.swap_rb, false));
    return net_.forward();
  }

  static void require_file(const std::string& path, const char* option) {
    if (std::filesystem::is_regular_file(path)) return;
    throw elaborator::Error(fmt::format(
        "object detector: no model file at '{}' ({}). The SSD MobileNet v2 COCO weights are in no Debian package: "
        "fetch them once with examples/models/fetch_ssd_mobilenet.sh (needs internet; it checks their SHA-256; the "
        "container image has it on its PATH and takes the model in a volume: docs/deployment.md), or give the model "
        "and config of another SSD model",
        path, option));
  }

  DetectorSettings settings_;
  ssd::Labels labels_;
  cv::dnn::Net net_;
};

// Where fetch_ssd_mobilenet.sh puts the model unless told otherwise: $ELABORATOR_MODELS, else
// $XDG_DATA_HOME/elaborator/models, else ~/.local/share/elaborator/models.
inline std::string models_directory() {
  if (const char* dir = std::getenv("ELABORATOR_MODELS"); dir != nullptr && *dir != '\0') return dir;
  if (const char* data = std::getenv("XDG_DATA_HOME"); data != nullptr && *data != '\0') {
    return std::string(data) + "/elaborator/models";
  }
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr ? home : ".") + "/.local/share/elaborator/models";
}

inline elaborator::Kind object_detector_kind() {
  using elaborator::Param;
  const std::string seed_model = models_directory() + "/ssd_mobilenet_v2_coco_2018_03_29";
  return {"object_detector", "Object detection",
          "Finds objects with an SSD detector (OpenCV DNN); the default model is TensorFlow's SSD MobileNet v2 COCO: "
          "fetch it once with examples/models/fetch_ssd_mobilenet.sh.",
          {Param::text("model", seed_model + "/frozen_inference_graph.pb",
                       "network weights: .pb (TensorFlow), .caffemodel or .prototxt (Caffe), .onnx"),
           Param::text("config", seed_model + "/ssd_mobilenet_v2_coco_2018_03_29.pbtxt",
                       "network description for the weights (.pbtxt, .prototxt); empty for none"),
           Param::text("labels", "/usr/share/doc/opencv-doc/examples/data/dnn/object_detection_classes_coco.txt",
                       "class names, one per line"),
           Param::integer("first_class_id", 1, 0, 1000000, "the class id the first line of the labels names (SSD: 0 is the background)"),
           Param::number("threshold", 0.5, 0, 1, "smallest confidence reported"),
           Param::texts("classes", {}, "report only these classes (e.g. person,car); default all"),
           Param::text("input_size", "300x300", "the network's input, WIDTHxHEIGHT; frames are resized to it")
               .checked_by([](const nlohmann::json& size) { DetectorSettings::parse_size(size); }),
           Param::number("scale", 1, 0, 1e6, "pixel values are multiplied by this"),
           Param::numbers("mean", {0}, "subtracted from pixel values before scale: one value, or three in channel order")
               .checked_by([](const nlohmann::json& mean) { DetectorSettings::parse_mean(mean); }),
           Param::text("channel_order", "rgb", "what the network expects: rgb (TensorFlow) or bgr (most Caffe models)")
               .checked_by([](const nlohmann::json& order) { DetectorSettings::parse_channel_order(order); }),
           Param::integer("threads", 0, 0, 256, "OpenCV worker threads (0: OpenCV's default)")},
          elaborator::factory<ObjectDetector>()};
}
