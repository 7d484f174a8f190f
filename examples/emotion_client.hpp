// emotion_client: sends faces (or whole frames) of a live video stream to a cloud emotion-recognition service
// and publishes its answers as faces with emotion scores.
//
// The service is slow and far away; the stream is live. So nothing here waits for it: classify() finds the
// faces and encodes them, elaborate_results() hands the requests to an asynchronous client, and each frame's
// result is published when its answers are in. A service that hangs costs results, never frame rate.
//
#pragma once

#include "emotion_services.hpp"

#include <elaborator.hpp>
#include <elaborator/http/async_client.hpp>
#include <elaborator/http/secret.hpp>
#include <elaborator/vision/face_crop.hpp>
#include <elaborator/vision/haar_face_detector.hpp>
#include <elaborator/vision/jpeg.hpp>

#include <atomic>
#include <chrono>
#include <cmath>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

// A face with its emotions. `label` is the strongest one and `confidence` its score; a face the service
// rates at 0 for every emotion it knows is "neutral" (Google rates no neutrality of its own).
struct EmotionFace : elaborator::Detection {
  std::map<std::string, float> emotions;
};

inline void to_json(nlohmann::json& j, const EmotionFace& face) {
  to_json(j, static_cast<const elaborator::Detection&>(face));
  auto& emotions = j["emotions"] = nlohmann::json::object();
  for (const auto& [name, score] : face.emotions) emotions[name] = std::round(score * 1000.0) / 1000.0;
}

struct EmotionSettings {
  std::string service = "google";
  std::string endpoint;                          // empty: the service's default
  std::string key_variable = "EMOTION_API_KEY";  // where the key is, unless key_file is set
  std::string key_file;
  bool send_faces = true;                        // false: whole frames
  elaborator::vision::HaarSettings haar;
  double margin = 0.25;  // context around a face crop, times its size, on each side
  int jpeg_quality = 80;
  int max_side = 640;
  std::chrono::milliseconds drain{1000};
  elaborator::http::ClientSettings http;

  // From the kind's checked parameters; what their types cannot say is checked here.
  static EmotionSettings from(const nlohmann::json& params) {
    EmotionSettings s;
    s.service = params.at("service");
    s.endpoint = params.at("endpoint");
    emotion::make_service(s.service, s.endpoint);  // an unknown service or a missing endpoint: an error now
    s.key_variable = params.at("key_env");
    s.key_file = params.at("key_file");
    const std::string send = params.at("send");
    if (send != "faces" && send != "frames") throw elaborator::Error(fmt::format("send '{}' is neither faces nor frames", send));
    s.send_faces = send == "faces";
    s.haar.cascade_path = params.at("cascade");
    s.haar.min_size = params.at("min_face");
    s.margin = params.at("margin");
    s.jpeg_quality = params.at("jpeg_quality");
    s.max_side = params.at("max_side");
    s.drain = std::chrono::milliseconds(params.at("drain_ms").get<int>());
    s.http.name = "emotion service";
    s.http.max_in_flight = params.at("max_in_flight");
    s.http.timeout = std::chrono::milliseconds(params.at("timeout_ms").get<int>());
    s.http.connect_timeout = std::min(s.http.timeout, s.http.connect_timeout);
    s.http.max_retries = params.at("retries");
    s.http.max_response_bytes = params.at("max_answer_kb").get<std::size_t>() * 1024;
    s.http.validate();
    return s;
  }
};

class EmotionClient : public elaborator::Elaborator<EmotionClient, EmotionFace> {
 public:
  EmotionClient(elaborator::ElaborationOptions options, const nlohmann::json& params)
      : Elaborator(std::move(options)), settings_(EmotionSettings::from(params)) {}

 private:
  friend Elaborator;

  // One region of a frame on its way to the service.
  struct Shot {
    cv::Rect region;  // in the frame
    elaborator::vision::JpegImage jpeg;
  };

  // A frame whose answers are still coming: published once the last of its requests is settled.
  struct PendingFrame {
    PendingFrame(elaborator::Frame f, std::size_t requests) : frame(std::move(f)), outstanding(requests) {}
    elaborator::Frame frame;
    std::mutex mutex;
    std::vector<EmotionFace> faces;
    std::size_t outstanding;
    bool answered = false;
  };

  void configure() {
    service_ = emotion::make_service(settings_.service, settings_.endpoint);
    key_.emplace(settings_.key_file.empty() ? elaborator::http::Secret::from_environment(settings_.key_variable)
                                            : elaborator::http::Secret::from_file(settings_.key_file));
    if (settings_.send_faces) detector_.emplace(settings_.haar);
    client_.emplace(settings_.http);
  }

  // The local work: find what to send and encode it. The requests go out in elaborate_results(), once the
  // frame carries its classify time.
  std::vector<EmotionFace> classify(const elaborator::Frame& frame) {
    shots_.clear();
    for (const cv::Rect& region : regions(frame)) {
      shots_.push_back({region, elaborator::vision::encode_jpeg(frame.bgr()(region), settings_.jpeg_quality, settings_.max_side)});
    }
    return {};
  }

  void elaborate_results(const elaborator::Frame& frame, std::vector<EmotionFace>&&) {
    if (shots_.empty()) {
      publish(frame, {});  // no face: say so at once
      return;
    }
    const auto pending = std::make_shared<PendingFrame>(frame, shots_.size());
    for (Shot& shot : shots_) send(pending, std::move(shot));
  }

  // Lets the answers still on their way arrive (for a while) before the sinks close; later ones are dropped.
  void drain() {
    if (client_) client_->wait_idle(settings_.drain);
    stopped_ = true;
  }

  std::vector<elaborator::NamedCount> counters() const {
    std::vector<elaborator::NamedCount> counts = elaborator::http::to_counts(client_ ? client_->stats() : elaborator::http::ClientStats{});
    counts.push_back({"refused", refused_.load()});
    counts.push_back({"malformed", malformed_.load()});
    return counts;
  }

  std::vector<cv::Rect> regions(const elaborator::Frame& frame) {
    if (!detector_) return {cv::Rect({0, 0}, frame.size())};
    std::vector<cv::Rect> regions;
    for (const cv::Rect& face : detector_->detect(frame.gray())) {
      regions.push_back(elaborator::vision::expanded(face, settings_.margin, frame.size()));
    }
    return regions;
  }

  void send(const std::shared_ptr<PendingFrame>& pending, Shot shot) {
    auto on_answer = [this, pending, region = shot.region, sent = shot.jpeg.size](elaborator::http::Response answer) {
      settle(*pending, answer.ok() ? faces_in(answer.body, region, sent, pending->frame.size()) : std::nullopt);
    };
    if (!client_->submit(service_->request(shot.jpeg.bytes, key_->reveal()), std::move(on_answer))) {
      settle(*pending, std::nullopt);  // dropped: counted by the client
    }
  }

  // Called once per request, on whichever thread ended it; the last one publishes.
  void settle(PendingFrame& pending, std::optional<std::vector<EmotionFace>> faces) {
    std::vector<EmotionFace> all;
    {
      const std::lock_guard lock(pending.mutex);
      if (faces) {
        pending.answered = true;
        pending.faces.insert(pending.faces.end(), faces->begin(), faces->end());
      }
      if (--pending.outstanding > 0 || !pending.answered) return;
      all = std::move(pending.faces);
    }
    if (!stopped_) publish(pending.frame, all);
  }

  std::optional<std::vector<EmotionFace>> faces_in(const std::string& answer, const cv::Rect& region, cv::Size sent,
                                                   cv::Size frame) {
    try {
      std::vector<EmotionFace> faces;
      for (const auto& face : service_->faces(answer)) faces.push_back(detection(face, region, sent, frame));
      return faces;
    } catch (const emotion::ServiceRefusal& e) {
      ++refused_;
      refusals_("{}: the service refused: {}", service_->name(), e.what());
    } catch (const std::exception& e) {
      ++malformed_;
      malformed_answers_("{}: malformed answer: {}", service_->name(), e.what());
    }
    return std::nullopt;
  }

  // The service's box is in the pixels of the image it got: back to the region it came from, in the frame.
  static EmotionFace detection(const emotion::ServiceFace& face, const cv::Rect& region, cv::Size sent, cv::Size frame) {
    const float sx = static_cast<float>(region.width) / static_cast<float>(sent.width);
    const float sy = static_cast<float>(region.height) / static_cast<float>(sent.height);
    EmotionFace detection;
    detection.box = elaborator::Box::from_pixels(
        {region.x + face.box.x * sx, region.y + face.box.y * sy, face.box.width * sx, face.box.height * sy}, frame);
    detection.emotions = face.emotions;
    detection.label = "neutral";
    detection.confidence = 1;
    float strongest = 0;
    for (const auto& [name, score] : face.emotions) {
      if (score <= strongest) continue;
      strongest = score;
      detection.label = name;
      detection.confidence = score;
    }
    return detection;
  }

  EmotionSettings settings_;
  std::unique_ptr<emotion::Service> service_;
  std::optional<elaborator::http::Secret> key_;
  std::optional<elaborator::vision::HaarFaceDetector> detector_;
  std::vector<Shot> shots_;  // from classify() to elaborate_results(), on the elaboration's thread
  std::atomic<std::uint64_t> refused_{0};
  std::atomic<std::uint64_t> malformed_{0};
  std::atomic<bool> stopped_{false};
  elaborator::RateLimitedLog refusals_;
  elaborator::RateLimitedLog malformed_answers_;
  std::optional<elaborator::http::AsyncClient> client_;  // last: its thread stops before the rest goes away
};

inline elaborator::Kind emotion_client_kind() {
  using elaborator::Param;
  return {"emotion_client", "Emotion service",
          "Sends faces (or frames) as JPEG to a cloud emotion-recognition service and publishes its answers as faces "
          "with emotion scores; requests are asynchronous, bounded, timed out and retried. Each request is billed: "
          "max_fps defaults to 2.",
          {Param::text("service", "google", "google (Cloud Vision face annotations) or azure (Face API detect, emotion attributes)"),
           Param::text("endpoint", "", "the service's base URL (default for google: https://vision.googleapis.com; azure needs one)"),
           Param::text("key_env", "EMOTION_API_KEY", "environment variable holding the API key"),
           Param::text("key_file", "", "read the API key from the first line of this file instead"),
           Param::text("send", "faces", "faces: crops of the faces found here (one request each); frames: whole frames"),
           Param::number("margin", 0.25, 0, 2, "context kept around a face crop, times the face's size on each side"),
           Param::text("cascade", elaborator::vision::default_face_cascade, "Haar cascade file, for send faces"),
           Param::integer("min_face", 40, 8, 4096, "smallest face to look for, in pixels"),
           Param::integer("jpeg_quality", 80, 1, 100, "JPEG quality"),
           Param::integer("max_side", 640, 0, 16384, "images larger than this on their longer side are scaled down (0: never)"),
           Param::integer("max_in_flight", 4, 1, 256, "requests out at once; more are dropped (counted), never queued"),
           Param::integer("timeout_ms", 5000, 1, 600000, "give up on an attempt after this long"),
           Param::integer("retries", 2, 0, 10, "retries after 429 and 5xx answers, with exponential backoff honouring Retry-After"),
           Param::integer("max_answer_kb", 1024, 1, 65536, "larger answers are refused"),
           Param::integer("drain_ms", 1000, 0, 60000, "at the end, wait this long for answers still on their way")},
          elaborator::factory<EmotionClient>(),
          elaborator::SamplingPolicy{1, 2.0, 1}};
}
