#pragma once
// The emotion-recognition services emotion_client speaks, each turning a JPEG into an HTTP request and the
// answer into faces with emotion scores (boxes in the pixels of the image sent):
//   google  Google Cloud Vision, POST {endpoint}/v1/images:annotate with FACE_DETECTION; key in the
//           X-Goog-Api-Key header. Likelihoods (VERY_UNLIKELY .. VERY_LIKELY) become scores 0, .25, .5,
//           .75, 1; joy, sorrow, anger and surprise are named happiness, sadness, anger and surprise.
//   azure   Azure AI Face, POST {endpoint}/face/v1.0/detect?returnFaceAttributes=emotion with the JPEG as
//           the body; key in the Ocp-Apim-Subscription-Key header. Scores as the service gives them
//           (anger, contempt, disgust, fear, happiness, neutral, sadness, surprise). Microsoft retired the
//           emotion attribute for new customers in 2023; other services answering in its format still work.
// A service's refusal inside an answer is a ServiceRefusal; an answer that is not what the format says
// throws anything else (nlohmann::json's errors, MalformedAnswer). Neither is ever trusted further.

#include <elaborator/error.hpp>
#include <elaborator/http/async_client.hpp>

#include <fmt/core.h>
#include <nlohmann/json.hpp>
#include <opencv2/core/types.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace emotion {

struct ServiceFace {
  cv::Rect2f box;                          // in the pixels of the image sent
  std::map<std::string, float> emotions;  // name -> score, 0-1
};

// The service answered, and said no (a quota, a bad key, an image it cannot read).
struct ServiceRefusal : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The answer is JSON, but not of the shape the format promises.
struct MalformedAnswer : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Service {
 public:
  virtual ~Service() = default;
  [[nodiscard]] virtual std::string_view name() const = 0;
  [[nodiscard]] virtual elaborator::http::Request request(const std::vector<unsigned char>& jpeg, const std::string& key) const = 0;
  [[nodiscard]] virtual std::vector<ServiceFace> faces(const std::string& answer) const = 0;
};

inline std::string base64(const std::vector<unsigned char>& bytes) {
  static constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string text;
  text.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::size_t left = std::min<std::size_t>(3, bytes.size() - i);
    unsigned chunk = static_cast<unsigned>(bytes[i]) << 16U;
    if (left > 1) chunk |= static_cast<unsigned>(bytes[i + 1]) << 8U;
    if (left > 2) chunk |= bytes[i + 2];
    for (std::size_t k = 0; k < 4; ++k) text.push_back(k <= left ? alphabet[(chunk >> (18 - 6 * k)) & 0x3FU] : '=');
  }
  return text;
}

namespace detail {

inline std::string refusal(const nlohmann::json& error) {
  return fmt::format("{}: {}", error.value("code", nlohmann::json("?")).dump(), error.value("message", std::string("no message")));
}

// A number of the answer, refused if it is not one a picture could measure (a float cannot hold 1e300).
inline float number(const nlohmann::json& value) {
  const auto number = value.get<double>();
  if (!std::isfinite(number) || std::abs(number) > 1e7) throw MalformedAnswer(fmt::format("the number {} is out of range", value.dump()));
  return static_cast<float>(number);
}

inline float score(const nlohmann::json& value) { return std::clamp(number(value), 0.0F, 1.0F); }

inline std::optional<float> likelihood(const std::string& name) {
  static const std::map<std::string, float> scores{
      {"VERY_UNLIKELY", 0.0F}, {"UNLIKELY", 0.25F}, {"POSSIBLE", 0.5F}, {"LIKELY", 0.75F}, {"VERY_LIKELY", 1.0F}};
  if (name == "UNKNOWN") return std::nullopt;
  const auto it = scores.find(name);
  if (it == scores.end()) throw MalformedAnswer(fmt::format("unknown likelihood '{}'", name));
  return it->second;
}

// Vision omits coordinates that are 0 (proto3 JSON), and the corners of a face cut by the image's edge.
inline cv::Rect2f bounds(const nlohmann::json& vertices) {
  if (!vertices.is_array() || vertices.empty()) throw MalformedAnswer("a face without boundingPoly vertices");
  float left = std::numeric_limits<float>::max();
  float top = left;
  float right = std::numeric_limits<float>::lowest();
  float bottom = right;
  for (const auto& vertex : vertices) {
    if (!vertex.is_object()) throw MalformedAnswer("a vertex that is not an object");
    const float x = vertex.contains("x") ? number(vertex["x"]) : 0.0F;
    const float y = vertex.contains("y") ? number(vertex["y"]) : 0.0F;
    left = std::min(left, x);
    top = std::min(top, y);
    right = std::max(right, x);
    bottom = std::max(bottom, y);
  }
  return {left, top, right - left, bottom - top};
}

}  // namespace detail

class GoogleVision : public Service {
 public:
  explicit GoogleVision(std::string endpoint) : url_(std::move(endpoint) + "/v1/images:annotate") {}

  [[nodiscard]] std::string_view name() const override { return "google"; }

  [[nodiscard]] elaborator::http::Request request(const std::vector<unsigned char>& jpeg, const std::string& key) const override {
    const nlohmann::json body{
        {"requests",
         {{{"image", {{"content", base64(jpeg)}}}, {"features", {{{"type", "FACE_DETECTION"}, {"maxResults", 20}}}}}}}};
    return {url_, {"Content-Type: application/json; charset=utf-8", "X-Goog-Api-Key: " + key}, body.dump()};
  }

  [[nodiscard]] std::vector<ServiceFace> faces(const std::string& answer) const override {
    const auto json = nlohmann::json::parse(answer);
    if (json.contains("error")) throw ServiceRefusal(detail::refusal(json["error"]));
    const auto& responses = json.at("responses");
    if (!responses.is_array() || responses.size() != 1) throw MalformedAnswer("expected one entry in 'responses'");
    const auto& response = responses[0];
    if (response.contains("error")) throw ServiceRefusal(detail::refusal(response["error"]));
    std::vector<ServiceFace> faces;
    if (!response.contains("faceAnnotations")) return faces;  // no face: Vision leaves the field out
    for (const auto& annotation : response.at("faceAnnotations")) faces.push_back(face(annotation));
    return faces;
  }

 private:
  static ServiceFace face(const nlohmann::json& annotation) {
    static const std::map<std::string, std::string> fields{{"joyLikelihood", "happiness"},
                                                            {"sorrowLikelihood", "sadness"},
                                                            {"angerLikelihood", "anger"},
                                                            {"surpriseLikelihood", "surprise"}};
    ServiceFace face;
    face.box = detail::bounds(annotation.at("boundingPoly").at("vertices"));
    for (const auto& [field, emotion] : fields) {
      if (!annotation.contains(field)) continue;
      if (const auto score = detail::likelihood(annotation[field].get<std::string>())) face.emotions[emotion] = *score;
    }
    return face;
  }

  std::string url_;
};

class AzureFace : public Service {
 public:
  explicit AzureFace(std::string endpoint)
      : url_(std::move(endpoint) + "/face/v1.0/detect?returnFaceId=false&returnFaceAttributes=emotion&detectionModel=detection_01") {}

  [[nodiscard]] std::string_view name() const override { return "azure"; }

  [[nodiscard]] elaborator::http::Request request(const std::vector<unsigned char>& jpeg, const std::string& key) const override {
    return {url_, {"Content-Type: application/octet-stream", "Ocp-Apim-Subscription-Key: " + key}, std::string(jpeg.begin(), jpeg.end())};
  }

  [[nodiscard]] std::vector<ServiceFace> faces(const std::string& answer) const override {
    const auto json = nlohmann::json::parse(answer);
    if (json.is_object() && json.contains("error")) throw ServiceRefusal(detail::refusal(json["error"]));
    if (!json.is_array()) throw MalformedAnswer("expected a list of faces");
    std::vector<ServiceFace> faces;
    for (const auto& detected : json) faces.push_back(face(detected));
    return faces;
  }

 private:
  static ServiceFace face(const nlohmann::json& detected) {
    const auto& rectangle = detected.at("faceRectangle");
    ServiceFace face;
    face.box = {detail::number(rectangle.at("left")), detail::number(rectangle.at("top")),
                detail::number(rectangle.at("width")), detail::number(rectangle.at("height"))};
    if (!(face.box.width > 0 && face.box.height > 0)) throw MalformedAnswer("a faceRectangle without area");
    const auto attributes = detected.find("faceAttributes");
    if (attributes == detected.end() || !attributes->contains("emotion")) return face;
    const auto& emotions = attributes->at("emotion");
    if (!emotions.is_object()) throw MalformedAnswer("'emotion' is not an object of scores");
    for (const auto& [emotion, value] : emotions.items()) face.emotions[emotion] = detail::score(value);
    return face;
  }

  std::string url_;
};

inline std::string default_endpoint(std::string_view service) {
  return service == "google" ? "https://vision.googleapis.com" : "";
}

// Throws elaborator::Error for an unknown service or a missing endpoint.
inline std::unique_ptr<Service> make_service(std::string_view service, std::string endpoint) {
  if (service != "google" && service != "azure") {
    throw elaborator::Error(fmt::format("unknown service '{}': expected google or azure", service));
  }
  if (endpoint.empty()) endpoint = default_endpoint(service);
  if (endpoint.empty()) {
    throw elaborator::Error(fmt::format("the {} service needs --endpoint (e.g. https://<resource>.cognitiveservices.azure.com)", service));
  }
  while (endpoint.ends_with('/')) endpoint.pop_back();
  if (service == "google") return std::make_unique<GoogleVision>(std::move(endpoint));
  return std::make_unique<AzureFace>(std::move(endpoint));
}

}  // namespace emotion
